// The meta.k8s.io/v1 Table wire shape kubectl's `get` decodes (Accept: application/json;as=Table;v=v1;g=meta.k8s.io).
import { describe, expect, it } from 'vitest';
import type { KObject } from '../types.js';
import { toTable } from './to-table.js';

const now = new Date('2026-01-01T00:10:00Z');
const deploy = {
  apiVersion: 'apps/v1', kind: 'Deployment',
  metadata: { name: 'nginx', namespace: 'default', uid: 'u1', resourceVersion: '42', creationTimestamp: '2026-01-01T00:00:00Z' },
  spec: { replicas: 3, selector: { matchLabels: { app: 'nginx' } }, template: { spec: { containers: [{ name: 'nginx', image: 'nginx:stable' }] } } },
  status: { replicas: 3, readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 },
} as KObject;

describe('Table protocol', () => {
  it('carries column definitions (wide ones at priority 1), cells in column order and the list resourceVersion', () => {
    const t = toTable({ group: 'apps', resource: 'deployments' }, [deploy], { now, resourceVersion: '50' });
    expect(t).toMatchObject({ kind: 'Table', apiVersion: 'meta.k8s.io/v1', metadata: { resourceVersion: '50' } });
    expect(t.columnDefinitions.map((c) => [c.name, c.type, c.priority])).toEqual([
      ['Name', 'string', 0], ['Ready', 'string', 0], ['Up-to-date', 'integer', 0], ['Available', 'integer', 0], ['Age', 'string', 0],
      ['Containers', 'string', 1], ['Images', 'string', 1], ['Selector', 'string', 1],
    ]);
    for (const c of t.columnDefinitions) expect(Object.keys(c).sort()).toEqual(['description', 'format', 'name', 'priority', 'type']);
    expect(t.rows[0].cells).toEqual(['nginx', '2/3', 3, 2, '10m', 'nginx', 'nginx:stable', 'app=nginx']);
  });

  it('row objects: PartialObjectMetadata by default, the whole object with includeObject=Object, none with None', () => {
    const meta = toTable({ group: 'apps', resource: 'deployments' }, [deploy], { now }).rows[0].object as any;
    expect(meta).toEqual({ kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: deploy.metadata });
    expect(toTable({ group: 'apps', resource: 'deployments' }, [deploy], { now, includeObject: 'Object' }).rows[0].object).toBe(deploy);
    expect('object' in toTable({ group: 'apps', resource: 'deployments' }, [deploy], { now, includeObject: 'None' }).rows[0]).toBe(false);
  });

  it('kinds without a printer get NAME and AGE, as a CRD without printer columns does', () => {
    const t = toTable({ group: 'example.com', resource: 'widgets' }, [{ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', creationTimestamp: '2026-01-01T00:09:30Z' } } as KObject], { now });
    expect(t.columnDefinitions.map((c) => c.name)).toEqual(['Name', 'Age']);
    expect(t.rows[0].cells).toEqual(['w', '30s']);
  });
});
