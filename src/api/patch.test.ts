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
