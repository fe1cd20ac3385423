import { describe, expect, test } from 'vitest';
import { GR } from '../types.js';
import { base64Error } from './core-kinds.js';
import { apiError, newStore, obj } from './testing.js';

describe('Namespace', () => {
  test('Active, labelled with its name, no finalizers added', () => {
    const { store } = newStore();
    const ns = store.create(GR.namespaces, obj('team-a'));
    expect(ns.status).toEqual({ phase: 'Active' });
    expect(ns.metadata.labels).toEqual({ 'kubernetes.io/metadata.name': 'team-a' });
    expect(ns.spec).toBeUndefined();
    expect(ns.metadata.finalizers).toBeUndefined();
  });

  test('names are DNS-1123 labels', () => {
    const { store } = newStore();
    expect(apiError(() => store.create(GR.namespaces, obj('a.b'))).message).toBe(
      `Namespace "a.b" is invalid: metadata.name: Invalid value: "a.b": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`,
    );
  });

  test('a deleted namespace goes away (nothing waits on a finalizer)', async () => {
    const { store } = newStore();
    store.create(GR.namespaces, obj('gone'));
    store.delete(GR.namespaces, undefined, 'gone');
    for (let i = 0; i < 50 && store.tryGet(GR.namespaces, undefined, 'gone'); i++) await new Promise((r) => setImmediate(r));
    expect(store.tryGet(GR.namespaces, undefined, 'gone')).toBeUndefined();
  });
});

describe('ConfigMap and Secret', () => {
  test('ConfigMap keys', () => {
    const { store } = newStore();
    expect(apiError(() => store.create(GR.configmaps, obj('c', { data: { 'a b': 'x' } }))).message).toBe(
      `ConfigMap "c" is invalid: data[a b]: Invalid value: "a b": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')`,
    );
  });

  test('immutable ConfigMaps keep their data', () => {
    const { store } = newStore();
    store.create(GR.configmaps, obj('c', { data: { a: '1' }, immutable: true }));
    expect(apiError(() => store.update(GR.configmaps, obj('c', { data: { a: '2' }, immutable: true }))).message).toBe(
      'ConfigMap "c" is invalid: data: Forbidden: field is immutable when `immutable` is set',
    );
  });

  test('stringData is merged into data as base64; type defaults to Opaque', () => {
    const { store } = newStore();
    const s = store.create(GR.secrets, obj('s', { data: { a: 'eA==' }, stringData: { b: 'hello' } }));
    expect(s.data).toEqual({ a: 'eA==', b: 'aGVsbG8=' });
    expect(s.stringData).toBeUndefined();
    expect(s.type).toBe('Opaque');
  });

  test('data that is not base64 is a decode error', () => {
    const { store } = newStore();
    const err = apiError(() => store.create(GR.secrets, obj('s', { data: { a: 'abc$' } })));
    expect(err.code).toBe(400);
    expect(err.message).toBe('Secret in version "v1" cannot be handled as a Secret: illegal base64 data at input byte 3');
    expect(base64Error('aGVsbG8=')).toBeUndefined();
    expect(base64Error('aGVsbG8')).toBe(4);
  });

  test('TLS secrets need tls.crt and tls.key; type is immutable', () => {
    const { store } = newStore();
    expect(apiError(() => store.create(GR.secrets, obj('t', { type: 'kubernetes.io/tls', data: { 'tls.crt': 'eA==' } }))).message).toBe(
      'Secret "t" is invalid: data[tls.key]: Required value',
    );
    store.create(GR.secrets, obj('o', { data: {} }));
    expect(apiError(() => store.update(GR.secrets, obj('o', { type: 'kubernetes.io/basic-auth' }))).message).toBe(
      'Secret "o" is invalid: type: Invalid value: "kubernetes.io/basic-auth": field is immutable',
    );
  });
});

describe('EndpointSlice, Event, Node', () => {
  const slice = (body: Record<string, unknown>) => obj('web-abc12', { addressType: 'IPv4', endpoints: [{ addresses: ['127.244.1.5'] }], ports: [{ name: 'http', port: 80 }], ...body });

  test('defaults and a valid slice', () => {
    const { store } = newStore();
    const es = store.create(GR.endpointslices, slice({}));
    expect(es.ports).toEqual([{ name: 'http', port: 80, protocol: 'TCP' }]);
    expect(es.endpoints[0].conditions).toEqual({});
  });

  const cases: Array<[string, Record<string, unknown>, string]> = [
    ['addressType', { addressType: 'IPv5' }, 'addressType: Unsupported value: "IPv5": supported values: "FQDN", "IPv4", "IPv6"'],
    ['addresses required', { endpoints: [{ addresses: [] }] }, 'endpoints[0].addresses: Required value: must contain at least 1 address'],
    ['IPv4 address', { endpoints: [{ addresses: ['127.244.1.300'] }] }, 'endpoints[0].addresses[0]: Invalid value: "127.244.1.300": must be a valid IPv4 address'],
    ['port range', { ports: [{ name: 'http', port: 0 }] }, 'ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive'],
  ];
  for (const [what, body, message] of cases) {
    test(what, () => {
      const { store } = newStore();
      expect(apiError(() => store.create(GR.endpointslices, slice(body))).message).toBe(`EndpointSlice.discovery.k8s.io \"web-abc12" is invalid: ${message}`);
    });
  }

  test('Event involvedObject namespace', () => {
    const { store } = newStore();
    expect(apiError(() => store.create(GR.events, obj('web.1', { involvedObject: { kind: 'Pod', name: 'web', namespace: 'other' } }))).message).toBe(
      'Event "web.1" is invalid: involvedObject.namespace: Invalid value: "other": does not match event.namespace',
    );
  });

  test('Node names and labels', () => {
    const { store } = newStore();
    expect(store.create(GR.nodes, obj('kdp-worker', { metadata: { name: 'kdp-worker', labels: { 'kubernetes.io/hostname': 'kdp-worker' } } })).metadata.name).toBe('kdp-worker');
    expect(apiError(() => store.create(GR.nodes, obj('n', { metadata: { name: 'n', labels: { 'a/b/c': 'x' } } }))).message).toContain(
      `metadata.labels: Invalid value: "a/b/c": a qualified name must consist of alphanumeric characters`,
    );
  });
});
