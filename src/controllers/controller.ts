// The client-go controller loop: informer handlers enqueue keys, workers take a key and reconcile it
// from the current cache. Transient failures (conflicts, server errors) requeue with backoff; an
// object the API refuses (invalid, forbidden, gone) is dropped after the reconciler reported it.
import { ApiError } from '../api/errors.js';
import { WorkQueue, type WorkQueueOptions } from './work-queue.js';

export interface ReconcileResult {
  /** Look at the key again after this many milliseconds (e.g. a progress deadline). */
  requeueAfterMs?: number;
}

export type ReconcileFn = (key: string) => ReconcileResult | void | Promise<ReconcileResult | void>;

export interface ControllerOptions {
  name: string;
  reconcile: ReconcileFn;
  workers?: number;
  /** Give up on a key after this many consecutive failures (client-go controllers use 15). */
  maxRetries?: number;
  queue?: WorkQueueOptions;
  log?: (line: string) => void;
}

/** 409 conflicts and server-side trouble heal by retrying; 4xx refusals of our request do not. */
export function isRetryable(err: unknown): boolean {
  if (!(err instanceof ApiError)) return true;
  return err.code === 409 || err.code === 429 || err.code >= 500;
}

export class Controller {
  readonly name: string;
  readonly queue: WorkQueue;
  private readonly reconcileFn: ReconcileFn;
  private readonly workers: number;
  private readonly maxRetries: number;
  private readonly log: (line: string) => void;
  private running: Promise<void>[] = [];

  constructor(opts: ControllerOptions) {
    this.name = opts.name;
    this.reconcileFn = opts.reconcile;
    this.workers = opts.workers ?? 1;
    this.maxRetries = opts.maxRetries ?? 15;
    this.queue = new WorkQueue(opts.queue);
    this.log = opts.log ?? ((line) => console.error(line));
  }

  enqueue(key: string): void {
    this.queue.add(key);
  }

  start(): void {
    for (let i = 0; i < this.workers; i++) this.running.push(this.worker());
  }

  async stop(): Promise<void> {
    this.queue.shutDown();
    await Promise.all(this.running);
    this.running = [];
  }

  private async worker(): Promise<void> {
    for (;;) {
      const key = await this.queue.get();
      if (key === undefined) return;
      // Let pending watch events reach the informer caches first (they arrive as microtasks).
      await new Promise((r) => setImmediate(r));
      try {
        const res = await this.reconcileFn(key);
        this.queue.forget(key);
        if (res?.requeueAfterMs !== undefined) this.queue.addAfter(key, res.requeueAfterMs);
      } catch (err) {
        this.handleError(key, err);
      } finally {
        this.queue.done(key);
      }
    }
  }

  private handleError(key: string, err: unknown): void {
    const msg = err instanceof Error ? err.message : String(err);
    if (!isRetryable(err)) {
      this.queue.forget(key);
      this.log(`[WARN] ${this.name}: ${key}: ${msg}`);
      return;
    }
    if (this.queue.retries(key) >= this.maxRetries) {
      this.queue.forget(key);
      this.log(`[ERROR] ${this.name}: dropping ${key} out of the queue after ${this.maxRetries} retries: ${msg}`);
      return;
    }
    // Conflicts are routine (a newer version exists): retry quietly.
    if (!(err instanceof ApiError && err.code === 409)) this.log(`[WARN] ${this.name}: error syncing ${key}, retrying: ${msg}`);
    this.queue.addRateLimited(key);
  }
}

export function splitKey(key: string): { namespace?: string; name: string } {
  const i = key.indexOf('/');
  return i < 0 ? { name: key } : { namespace: key.slice(0, i), name: key.slice(i + 1) };
}
