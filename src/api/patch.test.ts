import { describe, expect, it } from 'vitest';
import { jsonPatch, mergePatch, strategicMergePatch } from './patch.js';

describe('patches', () => {
  it('merge patch replaces lists and deletes nulls (RFC 7386)', () => {
    expect(mergePatch({ a: 1, b: { c: 2, d: 3 }, l: [1, 2] }, { b: { c: null }, l: [3] })).toEqual({ a: 1, b: { d: 3 }, l: [3] });
  });

  it('strategic merge patch merges containers by name and ports by key', () => {
    const target = { spec: { containers: [{ name: 'a', image: 'x', ports: [{ containerPort: 80 }] }, { name: 'b', image: 'y' }] } };
    const out = strategicMergePatch(target, { spec: { containers: [{ name: 'a', image: 'z', ports: [{ containerPort: 81 }] }] } });
    expect(out).toEqual({ spec: { containers: [{ name: 'a', image: 'z', ports: [{ containerPort: 80 }, { containerPort: 81 }] }, { name: 'b', image: 'y' }] } });
  });

  it('strategic merge patch honours $patch: delete in a keyed list', () => {
    const out = strategicMergePatch({ env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }] }, { env: [{ name: 'A', $patch: 'delete' }] });
    expect(out).toEqual({ env: [{ name: 'B', value: '2' }] });
  });

  it('service ports merge by port', () => {
    const out = strategicMergePatch({ spec: { ports: [{ port: 80, name: 'http' }] } }, { spec: { ports: [{ port: 443, name: 'https' }] } });
    expect(out).toEqual({ spec: { ports: [{ port: 80, name: 'http' }, { port: 443, name: 'https' }] } });
  });

  it('json patch applies add/replace/remove/test', () => {
    const out = jsonPatch({ a: [1, 2], b: { c: 1 } }, [
      { op: 'add', path: '/a/-', value: 3 },
      { op: 'replace', path: '/b/c', value: 2 },
      { op: 'test', path: '/b/c', value: 2 },
      { op: 'remove', path: '/a/0' },
    ]);
    expect(out).toEqual({ a: [2, 3], b: { c: 2 } });
    expect(() => jsonPatch({ a: 1 }, [{ op: 'test', path: '/a', value: 2 }])).toThrowError(/testing value \/a failed/);
  });
});

describe('strategic merge patch as kubectl apply sends it', () => {
  it('merges env and volumes by name, keeps unpatched items, honours $setElementOrder and $retainKeys markers', () => {
    const live = { spec: { template: { spec: {
      containers: [{ name: 'nginx', image: 'nginx:stable', env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }] }],
      volumes: [{ name: 'html', emptyDir: {} }],
    } } } };
    const patch = { spec: { template: { spec: {
      $setElementOrder$containers: undefined,
      '$setElementOrder/containers': [{ name: 'nginx' }],
      containers: [{ name: 'nginx', env: [{ name: 'B', value: '3' }, { name: 'C', value: '4' }] }],
      volumes: [{ name: 'cache', emptyDir: {} }],
    } } } };
    delete (patch.spec.template.spec as Record<string, unknown>).$setElementOrder$containers;
    const out = strategicMergePatch(live, patch) as any;
    expect(out.spec.template.spec.containers).toEqual([{ name: 'nginx', image: 'nginx:stable', env: [{ name: 'A', value: '1' }, { name: 'B', value: '3' }, { name: 'C', value: '4' }] }]);
    expect(out.spec.template.spec.volumes.map((v: any) => v.name)).toEqual(['html', 'cache']);
    expect(strategicMergePatch({ strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } } }, { strategy: { $retainKeys: ['type'], type: 'Recreate' } })).toEqual({ strategy: { type: 'Recreate' } });
  });

  it('removes a field with null and a container port by key with $patch: delete', () => {
    const live = { spec: { replicas: 3, template: { spec: { containers: [{ name: 'c', ports: [{ containerPort: 80 }, { containerPort: 443 }] }] } } } };
    const out = strategicMergePatch(live, { spec: { replicas: null, template: { spec: { containers: [{ name: 'c', ports: [{ containerPort: 443, $patch: 'delete' }] }] } } } }) as any;
    expect(out.spec.replicas).toBeUndefined();
    expect(out.spec.template.spec.containers[0].ports).toEqual([{ containerPort: 80 }]);
  });
});
