import { describe, expect, it } from 'vitest';
import { canonicalJSON, computeHash, fnv32a, safeEncodeString, templatesEqualIgnoringHash } from './pod-template-hash.js';

const bytes = (s: string) => new TextEncoder().encode(s);

describe('pod-template-hash', () => {
  it('FNV-32a matches the published test vectors', () => {
    expect(fnv32a(bytes(''))).toBe(0x811c9dc5);
    expect(fnv32a(bytes('a'))).toBe(0xe40c292c);
    expect(fnv32a(bytes('foobar'))).toBe(0xbf9cf968);
  });

  it('SafeEncodeString maps each decimal digit byte into the alphabet (byte % 27)', () => {
    // '0' is byte 48, 48 % 27 = 21 -> '4'; '6' is 54 -> 0 -> 'b'; '9' is 57 -> 3 -> 'f'
    expect(safeEncodeString('0123456789')).toBe('456789bcdf');
    // 0xe40c292c = 3826002220 -> 3→7 8→d 2→6 6→b 0→4 0→4 2→6 2→6 2→6 0→4
    expect(safeEncodeString(String(fnv32a(bytes('a'))))).toBe('7d6b446664');
  });

  it('hashes the canonical JSON of the template, independent of key order', () => {
    const a = { metadata: { labels: { app: 'x', tier: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } };
    const b = { spec: { containers: [{ image: 'nginx', name: 'c' }] }, metadata: { labels: { tier: 'web', app: 'x' } } };
    expect(canonicalJSON(a)).toBe(canonicalJSON(b));
    expect(computeHash(a)).toBe(computeHash(b));
    expect(computeHash(a)).toBe(safeEncodeString(String(fnv32a(bytes(canonicalJSON(a))))));
    expect(computeHash(a)).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]{1,10}$/);
    expect(computeHash({ ...a, spec: { containers: [{ name: 'c', image: 'httpd' }] } })).not.toBe(computeHash(a));
  });

  it('appends the collision count as 8 little-endian bytes', () => {
    const t = { spec: {} };
    const withCount = new Uint8Array([...bytes(canonicalJSON(t)), 1, 0, 0, 0, 0, 0, 0, 0]);
    expect(computeHash(t, 1)).toBe(safeEncodeString(String(fnv32a(withCount))));
    expect(computeHash(t, 0)).not.toBe(computeHash(t));
    expect(computeHash(t, 1)).not.toBe(computeHash(t, 0));
  });

  it('compares templates ignoring the pod-template-hash label', () => {
    const t = { metadata: { labels: { app: 'x' } }, spec: { containers: [] } };
    expect(templatesEqualIgnoringHash({ ...t, metadata: { labels: { app: 'x', 'pod-template-hash': 'abc' } } }, t)).toBe(true);
    expect(templatesEqualIgnoringHash({ ...t, metadata: { labels: { app: 'y' } } }, t)).toBe(false);
  });
});

describe('templatesEqualIgnoringHash (EqualIgnoreHash over typed templates)', () => {
  const base = { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }], volumes: [{ name: 'v', emptyDir: {} }] } };
  it('treats what Go prints for zero values (null, resources: {}) as absent, and ignores the hash label', () => {
    const copied = structuredClone(base) as any;
    copied.metadata.creationTimestamp = null;
    copied.metadata.labels['pod-template-hash'] = 'abc';
    copied.spec.containers[0].resources = {};
    expect(templatesEqualIgnoringHash(copied, base)).toBe(true);
    delete copied.metadata.labels['pod-template-hash'];
    expect(computeHash(copied)).toBe(computeHash(base));
  });
  it('keeps meaningful differences: an empty pointer struct (emptyDir: {}) is not its absence', () => {
    const other = structuredClone(base) as any;
    delete other.spec.volumes[0].emptyDir;
    expect(templatesEqualIgnoringHash(other, base)).toBe(false);
  });
});
