import { describe, expect, it } from 'vitest';
import { changedFields, fieldsOf, leafPaths, recordUpdate } from './managed-fields.js';
import { serverSideApply } from './server-side-apply.js';
import type { KObject } from './types.js';

const now = '2026-01-01T00:00:00Z';
const svc = (spec: Record<string, unknown>, labels?: Record<string, string>): KObject =>
  ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'nginx', ...(labels ? { labels } : {}) }, spec }) as KObject;

describe('managedFields', () => {
  it('describes the fields an object sets as FieldsV1, keyed list items included', () => {
    expect(fieldsOf(svc({ selector: { app: 'nginx' }, ports: [{ port: 80, targetPort: 80 }] }, { app: 'nginx' }))).toEqual({
      'f:metadata': { 'f:labels': { 'f:app': {} } },
      'f:spec': {
        'f:selector': { 'f:app': {} },
        'f:ports': { 'k:{"port":80,"protocol":"TCP"}': { '.': {}, 'f:port': {}, 'f:targetPort': {} } },
      },
    });
  });

  it('an Update owns what it changed; others lose it', () => {
    const before = svc({ type: 'ClusterIP', selector: { app: 'a' } });
    const after = svc({ type: 'NodePort', selector: { app: 'a' } });
    expect(changedFields(before, after)).toEqual({ 'f:spec': { 'f:type': {} } });
    const entries = recordUpdate([{ manager: 'kubectl-expose', operation: 'Update', apiVersion: 'v1', time: now, fieldsType: 'FieldsV1', fieldsV1: fieldsOf(before) }], before, after, 'kubectl-edit', now);
    expect(entries.map((e) => [e.manager, leafPaths(e.fieldsV1)])).toEqual([
      ['kubectl-expose', ['.spec.selector.app']],
      ['kubectl-edit', ['.spec.type']],
    ]);
  });
});

describe('server-side apply', () => {
  it('creates with one Apply entry, then removes fields the manager stopped applying', () => {
    const created = serverSideApply({ current: undefined, applied: svc({ selector: { app: 'nginx' }, ports: [{ name: 'http', port: 80 }] }, { tier: 'web' }), manager: 'kubectl', force: false, now });
    expect(created.metadata.managedFields).toEqual([expect.objectContaining({ manager: 'kubectl', operation: 'Apply', time: now })]);
    const live = { ...created, spec: { ...created.spec, clusterIP: '127.96.0.20', type: 'ClusterIP' } } as KObject;
    const next = serverSideApply({ current: live, applied: svc({ selector: { app: 'nginx' }, ports: [{ port: 80 }] }), manager: 'kubectl', force: false, now });
    expect(next.metadata.labels).toBeUndefined();
    expect(next.spec.ports).toEqual([{ port: 80 }]);
    // fields the manager never applied (set by the server) stay
    expect(next.spec).toMatchObject({ clusterIP: '127.96.0.20', type: 'ClusterIP' });
  });

  it('changing a field another manager owns is a 409 with the apiserver wording, unless forced', () => {
    const live = svc({ type: 'ClusterIP', selector: { app: 'nginx' } });
    live.metadata.managedFields = [{ manager: 'kubectl-expose', operation: 'Update', apiVersion: 'v1', time: now, fieldsType: 'FieldsV1', fieldsV1: fieldsOf(live) }];
    const applied = svc({ type: 'NodePort', selector: { app: 'nginx' } });
    expect(() => serverSideApply({ current: live, applied, manager: 'kubectl', force: false, now })).toThrow('Apply failed with 1 conflict: conflict with "kubectl-expose" using v1: .spec.type');
    const forced = serverSideApply({ current: live, applied, manager: 'kubectl', force: true, now });
    expect(forced.spec.type).toBe('NodePort');
    const entries = forced.metadata.managedFields as { manager: string; fieldsV1: object }[];
    expect(entries.map((e) => [e.manager, leafPaths(e.fieldsV1 as never)])).toEqual([
      ['kubectl-expose', ['.spec.selector.app']],
      ['kubectl', ['.spec.type', '.spec.selector.app']],
    ]);
    // the same value is shared ownership, not a conflict
    expect(serverSideApply({ current: live, applied: svc({ selector: { app: 'nginx' } }), manager: 'kubectl', force: false, now }).spec.selector).toEqual({ app: 'nginx' });
  });
});
