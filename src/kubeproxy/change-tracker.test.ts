import { describe, expect, it } from 'vitest';
import type { KObject } from '../api/types.js';
import { EndpointSliceChangeTracker, ServiceChangeTracker } from './change-tracker.js';

const svc = (spec: object, extra: Partial<KObject> = {}): KObject => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' }, spec, ...extra });

describe('ServiceChangeTracker', () => {
  it('reports only changes that matter to proxying', () => {
    const t = new ServiceChangeTracker();
    const a = svc({ clusterIP: '127.96.0.5', ports: [{ port: 80 }] });
    expect(t.update(undefined, a)).toBe(true);
    const relabelled = { ...a, metadata: { ...a.metadata, labels: { x: 'y' }, resourceVersion: '9' } };
    expect(t.update(a, relabelled)).toBe(false);
    const newPort = svc({ clusterIP: '127.96.0.5', ports: [{ port: 81 }] });
    expect(t.update(relabelled, newPort)).toBe(true);
    expect(t.list()).toEqual([newPort]);
    expect(t.takeChanges()).toEqual(['default/web']);
    expect(t.takeChanges()).toEqual([]);
    expect(t.update(newPort, undefined)).toBe(true);
    expect(t.list()).toEqual([]);
    expect(t.update(newPort, undefined)).toBe(false);
  });
});

describe('EndpointSliceChangeTracker', () => {
  it('sees endpoint condition changes, not annotation changes', () => {
    const t = new EndpointSliceChangeTracker();
    const s = (ready: boolean, ann?: string): KObject => ({
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: 'web-1', namespace: 'default', labels: { 'kubernetes.io/service-name': 'web' }, annotations: ann ? { a: ann } : undefined },
      addressType: 'IPv4',
      endpoints: [{ addresses: ['127.244.1.1'], conditions: { ready } }],
    });
    expect(t.update(undefined, s(true))).toBe(true);
    expect(t.update(s(true), s(true, 'x'))).toBe(false);
    expect(t.update(s(true, 'x'), s(false))).toBe(true);
  });
});
