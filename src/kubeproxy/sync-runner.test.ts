import { describe, expect, it } from 'vitest';
import { SyncRunner, type Timers } from './sync-runner.js';

/** Manual timers: nothing fires until the test says so. */
function fakeTimers() {
  const pending: { fn: () => void; ms: number; id: number }[] = [];
  let id = 0;
  const timers: Timers = {
    set(fn, ms) {
      pending.push({ fn, ms, id: ++id });
      return id;
    },
    clear(h) {
      const i = pending.findIndex((p) => p.id === h);
      if (i >= 0) pending.splice(i, 1);
    },
  };
  return {
    timers,
    pending,
    /** Fires the next timer and lets the sync's promise settle. */
    async fire() {
      const t = pending.shift();
      if (!t) throw new Error('no timer pending');
      t.fn();
      for (let i = 0; i < 5; i++) await Promise.resolve();
      return t.ms;
    },
  };
}

describe('SyncRunner', () => {
  it('merges a burst of requests into one sync', async () => {
    const ft = fakeTimers();
    let syncs = 0;
    const r = new SyncRunner(() => void syncs++, { timers: ft.timers });
    r.run();
    r.run();
    r.run();
    expect(ft.pending.length).toBe(1);
    expect(await ft.fire()).toBe(0);
    expect(syncs).toBe(1);
    expect(ft.pending.length).toBe(0);
  });

  it('runs once more when asked during a sync', async () => {
    const ft = fakeTimers();
    let release!: () => void;
    let syncs = 0;
    const r = new SyncRunner(
      () => {
        syncs++;
        return new Promise<void>((res) => (release = res));
      },
      { timers: ft.timers },
    );
    r.run();
    await ft.fire();
    r.run();
    r.run();
    expect(ft.pending.length).toBe(0); // not concurrently
    release();
    for (let i = 0; i < 5; i++) await Promise.resolve();
    expect(ft.pending.map((p) => p.ms)).toEqual([0]);
    await ft.fire();
    expect(syncs).toBe(2);
  });

  it('retries a failed or incomplete sync with doubling backoff, and a new change pre-empts the retry', async () => {
    const ft = fakeTimers();
    const results: (boolean | Error)[] = [false, new Error('boom'), false, true];
    const errors: unknown[] = [];
    const r = new SyncRunner(
      () => {
        const v = results.shift();
        if (v instanceof Error) throw v;
        return v;
      },
      { timers: ft.timers, retryMs: 100, onError: (e) => errors.push(e) },
    );
    r.run();
    await ft.fire();
    expect(ft.pending.map((p) => p.ms)).toEqual([100]);
    await ft.fire();
    expect(errors).toHaveLength(1);
    expect(ft.pending.map((p) => p.ms)).toEqual([200]);
    r.run(); // a real change: sync now, not in 200 ms
    expect(ft.pending.map((p) => p.ms)).toEqual([0]);
    await ft.fire();
    expect(ft.pending.map((p) => p.ms)).toEqual([400]);
    await ft.fire();
    expect(ft.pending).toEqual([]);
  });

  it('stops scheduling after stop()', async () => {
    const ft = fakeTimers();
    let syncs = 0;
    const r = new SyncRunner(() => void syncs++, { timers: ft.timers });
    r.run();
    await r.stop();
    r.run();
    expect(ft.pending).toEqual([]);
    expect(syncs).toBe(0);
  });
});
