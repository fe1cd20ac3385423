// kube-proxy's BoundedFrequencyRunner, simplified: `run()` asks for a sync; requests that arrive
// while one is scheduled or running are merged into one more sync. A sync that throws, or reports
// that it is incomplete (returns false), is retried with exponential backoff.

export interface Timers {
  /** Calls fn after ms (0 = as soon as the current burst of events is delivered). */
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

export const realTimers: Timers = {
  set(fn, ms) {
    if (ms <= 0) return { imm: setImmediate(fn) };
    const t = setTimeout(fn, ms);
    t.unref();
    return { t };
  },
  clear(h) {
    const handle = h as { imm?: NodeJS.Immediate; t?: NodeJS.Timeout };
    if (handle.imm) clearImmediate(handle.imm);
    if (handle.t) clearTimeout(handle.t);
  },
};

export interface SyncRunnerOptions {
  /** First retry delay after a failed or incomplete sync (doubles up to maxRetryMs). Default 1000. */
  retryMs?: number;
  maxRetryMs?: number;
  timers?: Timers;
  /** Told about a sync that threw. */
  onError?: (err: unknown) => void;
}

export class SyncRunner {
  private readonly retryMs: number;
  private readonly maxRetryMs: number;
  private readonly timers: Timers;
  private scheduled: unknown = undefined;
  private scheduledForRetry = false;
  private running = false;
  private pending = false;
  private stopped = false;
  private backoff = 0;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly sync: () => boolean | void | Promise<boolean | void>,
    opts: SyncRunnerOptions = {},
  ) {
    this.retryMs = opts.retryMs ?? 1000;
    this.maxRetryMs = opts.maxRetryMs ?? 30_000;
    this.timers = opts.timers ?? realTimers;
    this.onError = opts.onError ?? (() => {});
  }

  private readonly onError: (err: unknown) => void;

  /** Requests a sync as soon as possible; cheap to call for every event. */
  run(): void {
    if (this.stopped) return;
    if (this.running) {
      this.pending = true;
      return;
    }
    if (this.scheduled !== undefined) {
      if (!this.scheduledForRetry) return;
      this.timers.clear(this.scheduled); // a real change beats a waiting retry
    }
    this.schedule(0, false);
  }

  /** No more syncs; resolves when the one running (if any) has finished. */
  stop(): Promise<void> {
    this.stopped = true;
    if (this.scheduled !== undefined) this.timers.clear(this.scheduled);
    this.scheduled = undefined;
    if (this.running) return new Promise((resolve) => this.idleWaiters.push(resolve));
    this.flushIdle();
    return Promise.resolve();
  }

  /** Resolves once no sync is scheduled or running (retries excepted). For tests and shutdown. */
  idle(): Promise<void> {
    if (!this.running && (this.scheduled === undefined || this.scheduledForRetry)) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private schedule(ms: number, retry: boolean): void {
    this.scheduledForRetry = retry;
    this.scheduled = this.timers.set(() => void this.tick(), ms);
  }

  private async tick(): Promise<void> {
    this.scheduled = undefined;
    if (this.stopped) return;
    this.running = true;
    this.pending = false;
    let ok = true;
    try {
      ok = (await this.sync()) !== false;
    } catch (err) {
      ok = false;
      this.onError(err);
    }
    this.running = false;
    if (this.stopped) return this.flushIdle();
    if (this.pending) {
      this.schedule(0, false);
      return;
    }
    if (ok) {
      this.backoff = 0;
    } else {
      this.backoff = this.backoff ? Math.min(this.backoff * 2, this.maxRetryMs) : this.retryMs;
      this.schedule(this.backoff, true);
    }
    this.flushIdle();
  }

  private flushIdle(): void {
    const w = this.idleWaiters;
    this.idleWaiters = [];
    for (const f of w) f();
  }
}
