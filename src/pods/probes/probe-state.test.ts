import { describe, expect, it } from 'vitest';
import { probeTiming, ProbeState } from './probe-state.js';

describe('probeTiming', () => {
  it('applies the core/v1 defaults', () => {
    expect(probeTiming({})).toEqual({ initialDelayMs: 0, periodMs: 10_000, timeoutMs: 1000, successThreshold: 1, failureThreshold: 3 });
    expect(probeTiming({ initialDelaySeconds: 2, periodSeconds: 1, timeoutSeconds: 3, successThreshold: 2, failureThreshold: 1 })).toEqual({
      initialDelayMs: 2000, periodMs: 1000, timeoutMs: 3000, successThreshold: 2, failureThreshold: 1,
    });
  });
});

describe('ProbeState', () => {
  it('readiness starts failed, needs successThreshold passes, flips back after failureThreshold failures', () => {
    const s = new ProbeState('Readiness', { successThreshold: 2, failureThreshold: 2 });
    expect(s.result).toBe(false);
    expect([s.record(true), s.record(true)]).toEqual([false, true]);
    expect(s.result).toBe(true);
    expect([s.record(false), s.record(true), s.record(false), s.record(false)]).toEqual([false, false, false, true]);
    expect(s.result).toBe(false);
  });

  it('liveness starts alive and dies after failureThreshold consecutive failures', () => {
    const s = new ProbeState('Liveness', { successThreshold: 1, failureThreshold: 3 });
    expect(s.result).toBe(true);
    expect([s.record(false), s.record(false), s.record(true), s.record(false), s.record(false)]).toEqual([false, false, false, false, false]);
    expect(s.record(false)).toBe(true);
    expect(s.result).toBe(false);
  });
});
