import { describe, expect, it } from 'vitest';
import { errors } from '../api/errors.js';
import { Controller, isRetryable, splitKey } from './controller.js';

const tick = () => new Promise((r) => setImmediate(r));

describe('Controller', () => {
  it('classifies API errors: conflicts and server errors retry, refusals do not', () => {
    expect(isRetryable(errors.conflict('apps', 'deployments', 'x', 'modified'))).toBe(true);
    expect(isRetryable(errors.internal('boom'))).toBe(true);
    expect(isRetryable(errors.invalid('', 'Pod', 'x', [{ message: 'bad' }]))).toBe(false);
    expect(isRetryable(errors.forbidden('no'))).toBe(false);
    expect(isRetryable(new Error('plain'))).toBe(true);
  });

  it('reconciles each key, retries conflicts and reports invalid objects once', async () => {
    const seen: string[] = [];
    const logs: string[] = [];
    let conflicts = 2;
    const c = new Controller({
      name: 'test-controller',
      queue: { setTimer: (fn) => setImmediate(fn), clearTimer: () => {} },
      log: (l) => logs.push(l),
      reconcile(key) {
        seen.push(key);
        if (key === 'ns/conflict' && conflicts-- > 0) throw errors.conflict('', 'pods', 'conflict', 'modified');
        if (key === 'ns/bad') throw errors.invalid('', 'Pod', 'bad', [{ field: 'spec', message: 'Required value' }]);
      },
    });
    c.start();
    c.enqueue('ns/conflict');
    c.enqueue('ns/bad');
    for (let i = 0; i < 50 && seen.filter((k) => k === 'ns/conflict').length < 3; i++) await tick();
    await tick();
    expect(seen.filter((k) => k === 'ns/conflict')).toHaveLength(3);
    expect(seen.filter((k) => k === 'ns/bad')).toHaveLength(1);
    expect(logs).toEqual(['[WARN] test-controller: ns/bad: Pod "bad" is invalid: spec: Required value']);
    await c.stop();
  });

  it('splits keys', () => {
    expect(splitKey('default/web')).toEqual({ namespace: 'default', name: 'web' });
    expect(splitKey('kdp-worker')).toEqual({ name: 'kdp-worker' });
  });
});
