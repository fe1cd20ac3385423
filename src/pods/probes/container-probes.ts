// Runs one container run's startup, readiness and liveness probes, as the kubelet's prober workers:
// startup first (the others wait for it), then readiness and liveness side by side, each on its own
// period. Results go to callbacks; the runner (container-runner.ts) turns them into status and restarts.
import { checkProbe, type CheckResult, type CheckTarget } from './probe-check.js';
import { probeTiming, ProbeState, type ProbeKind } from './probe-state.js';

/* eslint-disable @typescript-eslint/no-explicit-any */

export interface ProbeCallbacks {
  /** The startup probe passed (or there is none): status.started = true. */
  started(): void;
  /** Readiness flipped (also called once at the start with the initial value). */
  ready(ready: boolean): void;
  /** Liveness or startup reached failureThreshold: the container must be restarted. */
  unhealthy(kind: 'Liveness' | 'Startup', message: string): void;
  /** Every failed attempt: the kubelet's `Unhealthy` Warning Event. */
  failed(kind: ProbeKind, message: string): void;
}

export interface ProbeDeps {
  check?: (probe: any, target: CheckTarget, timeoutMs: number) => Promise<CheckResult>;
  sleep: (ms: number, signal: AbortSignal) => Promise<void>;
}

export function hasProbes(container: any): boolean {
  return !!(container?.readinessProbe || container?.livenessProbe || container?.startupProbe);
}

/** Runs until `signal` aborts (the container run ended) or a liveness/startup failure is reported. */
export async function runContainerProbes(container: any, target: CheckTarget, cb: ProbeCallbacks, signal: AbortSignal, deps: ProbeDeps): Promise<void> {
  const check = deps.check ?? checkProbe;
  /** Resolves with true when the probe gave up (liveness/startup failed for good) or succeeded (startup). */
  const loop = async (probe: any, kind: ProbeKind): Promise<'passed' | 'failed' | 'aborted'> => {
    const timing = probeTiming(probe);
    const state = new ProbeState(kind, timing);
    if (timing.initialDelayMs) await deps.sleep(timing.initialDelayMs, signal);
    while (!signal.aborted) {
      const r = await check(probe, target, timing.timeoutMs);
      if (signal.aborted) break;
      if (!r.ok) cb.failed(kind, r.message);
      const flipped = state.record(r.ok);
      if (kind === 'Startup') {
        if (r.ok) return 'passed';
        if (state.failureCount >= timing.failureThreshold) {
          cb.unhealthy('Startup', r.message);
          return 'failed';
        }
      } else if (kind === 'Liveness') {
        if (flipped && !state.result) {
          cb.unhealthy('Liveness', r.message);
          return 'failed';
        }
      } else if (flipped) {
        cb.ready(state.result);
      }
      await deps.sleep(timing.periodMs, signal);
    }
    return 'aborted';
  };

  cb.ready(false);
  if (container.startupProbe) {
    if ((await loop(container.startupProbe, 'Startup')) !== 'passed') return;
  }
  cb.started();
  const loops: Promise<unknown>[] = [];
  if (container.readinessProbe) loops.push(loop(container.readinessProbe, 'Readiness'));
  else cb.ready(true);
  if (container.livenessProbe) loops.push(loop(container.livenessProbe, 'Liveness'));
  await Promise.all(loops);
}
