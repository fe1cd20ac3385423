import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { WorkQueue } from './work-queue.js';

describe('WorkQueue', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('de-duplicates keys waiting in the queue', async () => {
    const q = new WorkQueue();
    q.add('a');
    q.add('b');
    q.add('a');
    expect(q.length).toBe(2);
    expect(await q.get()).toBe('a');
    expect(await q.get()).toBe('b');
  });

  it('never hands out a key being processed; re-adds it on done', async () => {
    const q = new WorkQueue();
    q.add('a');
    const k = await q.get();
    q.add('a'); // changed while processing
    expect(q.length).toBe(0);
    q.done(k!);
    expect(q.length).toBe(1);
    expect(await q.get()).toBe('a');
    q.done('a');
    expect(q.idle()).toBe(true);
  });

  it('wakes a waiting worker', async () => {
    const q = new WorkQueue();
    const p = q.get();
    q.add('x');
    expect(await p).toBe('x');
  });

  it('retries with exponential backoff until forgotten', async () => {
    const q = new WorkQueue({ baseDelayMs: 10, maxDelayMs: 40 });
    expect([0, 1, 2, 3, 4].map((n) => q.backoff(n))).toEqual([10, 20, 40, 40, 40]);
    q.addRateLimited('k');
    expect(q.length).toBe(0);
    vi.advanceTimersByTime(9);
    expect(q.length).toBe(0);
    vi.advanceTimersByTime(1);
    expect(q.length).toBe(1);
    await q.get();
    q.done('k');
    q.addRateLimited('k');
    vi.advanceTimersByTime(19);
    expect(q.length).toBe(0);
    vi.advanceTimersByTime(1);
    expect(q.length).toBe(1);
    expect(q.retries('k')).toBe(2);
    q.forget('k');
    expect(q.retries('k')).toBe(0);
  });

  it('addAfter keeps the earliest pending time', () => {
    const q = new WorkQueue();
    q.addAfter('k', 100);
    q.addAfter('k', 50);
    q.addAfter('k', 500);
    vi.advanceTimersByTime(50);
    expect(q.length).toBe(1);
  });

  it('shutDown releases waiting workers and drops timers', async () => {
    const q = new WorkQueue();
    const p = q.get();
    q.addAfter('k', 10);
    q.shutDown();
    expect(await p).toBeUndefined();
    expect(q.idle()).toBe(true);
    q.add('z');
    expect(q.length).toBe(0);
  });
});
