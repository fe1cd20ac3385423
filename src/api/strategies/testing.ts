// Helpers for the strategy tests: a store with the strategies registered and a `default` namespace.
import { ApiError } from '../errors.js';
import { defaultConfig, type ClusterConfig } from '../config.js';
import { ObjectStore } from '../store.js';
import type { KObject } from '../types.js';
import { registerStrategies } from './index.js';

export function newStore(config: Partial<ClusterConfig> = {}, rng?: () => number) {
  const store = new ObjectStore();
  const alloc = registerStrategies(store, defaultConfig({ upstreamDns: [], stateDir: '/tmp/kdp-strategies-test', ...config }), { rng });
  store.create('/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } });
  return { store, alloc };
}

/** The ApiError `fn` throws (fails the test when it does not throw one). */
export function apiError(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  throw new Error('expected an ApiError, nothing was thrown');
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function obj(name: string, body: Record<string, any> = {}): KObject {
  return { apiVersion: '', kind: '', metadata: { name }, ...body };
}
