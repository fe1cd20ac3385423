import { describe, expect, it } from 'vitest';
import { parseManifest } from './manifest.js';
import { threeWayMergePatch } from './three-way-merge.js';

describe('manifest parsing', () => {
  it('reads several documents, skips empty ones, expands Lists', () => {
    const docs = parseManifest('apiVersion: v1\nkind: Service\nmetadata: {name: a}\n---\n# only a comment\n---\napiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: b}\n', 'f.yaml');
    expect(docs.map((d) => `${d.object.kind}/${d.object.metadata.name}`)).toEqual(['Service/a', 'ConfigMap/b']);
    expect(docs[0].source).toBe('f.yaml');
  });
  it('reads JSON', () => {
    expect(parseManifest('{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"}}', 'p.json')[0].object.kind).toBe('Pod');
  });
  it('words YAML errors like kubectl, with per-document line numbers', () => {
    expect(() => parseManifest('apiVersion: v1\nkind: Service\n---\nkind: Pod\nmetadata:\n  labels: a: b\n', 'f.yaml'))
      .toThrow('error parsing f.yaml: error converting YAML to JSON: yaml: line 3: mapping values are not allowed in this context');
    expect(() => parseManifest('a:\n\tb: c\n', 'tab.yaml')).toThrow('yaml: line 2: found character that cannot start any token');
  });
  it('refuses documents without kind or apiVersion', () => {
    expect(() => parseManifest('apiVersion: v1\nmetadata: {name: x}\n', 'STDIN'))
      .toThrow('error validating "STDIN": error validating data: kind not set; if you choose to ignore these errors, turn validation off with --validate=false');
    expect(() => parseManifest('metadata: {name: x}\n', 'x.yaml')).toThrow('error validating data: [apiVersion not set, kind not set]');
  });
});

describe('three-way merge patch for apply', () => {
  const last = { apiVersion: 'v1', kind: 'Service', metadata: { name: 's', labels: { a: '1', old: 'x' } }, spec: { ports: [{ port: 80 }] } };
  const live = { ...last, metadata: { ...last.metadata, uid: 'u', resourceVersion: '7' }, spec: { ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }], clusterIP: '127.96.0.20' } };
  it('is empty when the manifest is already true of the live object (server defaults ignored)', () => {
    expect(threeWayMergePatch(last, last, live)).toEqual({});
  });
  it('sets changed fields and nulls fields dropped from the manifest', () => {
    const next = { ...last, metadata: { name: 's', labels: { a: '2' } }, spec: { ports: [{ port: 81 }] } };
    expect(threeWayMergePatch(last, next, live)).toEqual({ metadata: { labels: { a: '2', old: null } }, spec: { ports: [{ port: 81 }] } });
  });
});
