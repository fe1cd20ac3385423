// The kubelet's probe result bookkeeping (prober/worker.go), pure: consecutive successes and failures
// against successThreshold / failureThreshold decide when the result flips.

/* eslint-disable @typescript-eslint/no-explicit-any */

export type ProbeKind = 'Readiness' | 'Liveness' | 'Startup';

export interface ProbeTiming {
  initialDelayMs: number;
  periodMs: number;
  timeoutMs: number;
  successThreshold: number;
  failureThreshold: number;
}

/** Defaults as in core/v1: period 10 s, timeout 1 s, success 1, failure 3, no initial delay. */
export function probeTiming(probe: any): ProbeTiming {
  const n = (v: unknown, d: number, min: number) => (typeof v === 'number' && Number.isFinite(v) && v >= min ? v : d);
  return {
    initialDelayMs: n(probe?.initialDelaySeconds, 0, 0) * 1000,
    periodMs: n(probe?.periodSeconds, 10, 1) * 1000,
    timeoutMs: n(probe?.timeoutSeconds, 1, 1) * 1000,
    successThreshold: n(probe?.successThreshold, 1, 1),
    failureThreshold: n(probe?.failureThreshold, 3, 1),
  };
}

/**
 * One probe's result over time. Readiness starts as failure (not ready until it passes); liveness and
 * startup start as success (a container is alive until proven otherwise; startup ends on success).
 */
export class ProbeState {
  result: boolean;
  private successes = 0;
  private failures = 0;

  constructor(readonly kind: ProbeKind, private readonly timing: Pick<ProbeTiming, 'successThreshold' | 'failureThreshold'>) {
    this.result = kind !== 'Readiness';
  }

  /** Records one check; returns true when the result flipped. */
  record(ok: boolean): boolean {
    if (ok) {
      this.failures = 0;
      this.successes++;
      // Liveness and startup need 1 success (the API insists on successThreshold 1 for them).
      const need = this.kind === 'Readiness' ? this.timing.successThreshold : 1;
      if (!this.result && this.successes >= need) {
        this.result = true;
        return true;
      }
      return false;
    }
    this.successes = 0;
    this.failures++;
    if (this.result && this.failures >= this.timing.failureThreshold) {
      this.result = false;
      return true;
    }
    // Startup: failing from the start counts too (its initial "success" means "not failed yet").
    return false;
  }

  /** Consecutive failures so far. */
  get failureCount(): number {
    return this.failures;
  }
}
