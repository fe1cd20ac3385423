import { describe, expect, it } from 'vitest';
import { ObjectStore } from '../store.js';
import type { KObject } from '../types.js';
import { CRD_GR, serveCustomResources } from './custom-resources.js';

const crd = {
  apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition',
  metadata: { name: 'grants.example.io' },
  spec: {
    group: 'example.io', scope: 'Namespaced', names: { kind: 'Grant', plural: 'grants', shortNames: ['gr'] },
    versions: [
      { name: 'v1beta1', served: true, storage: false, schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { n: { type: 'integer', default: 1 } } } } } } },
      { name: 'v1', served: true, storage: true, subresources: { status: {} }, additionalPrinterColumns: [{ name: 'N', type: 'integer', jsonPath: '.spec.n' }], schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { n: { type: 'integer', default: 2, maximum: 5 } } }, status: { type: 'object', properties: { ok: { type: 'boolean' } } } } } } },
      { name: 'v1alpha1', served: false, storage: false },
    ],
  },
} as unknown as KObject;

const flush = () => new Promise((r) => setTimeout(r, 0));

describe('CustomResourceDefinitions', () => {
  it('serves every served version (storage first), with the storage schema and printer columns', async () => {
    const store = new ObjectStore();
    store.create('/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } } as KObject);
    const stop = serveCustomResources(store);
    const created = store.create(CRD_GR, crd);
    await flush();
    expect(store.registry.served('example.io', 'grants', 'v1')?.printerColumns?.[0].name).toBe('N');
    expect(store.registry.served('example.io', 'grants', 'v1beta1')?.version).toBe('v1beta1');
    expect(store.registry.served('example.io', 'grants', 'v1alpha1')).toBeUndefined();
    expect(store.registry.get('example.io', 'grants')?.version).toBe('v1');
    expect(store.registry.allVersions().filter((i) => i.group === 'example.io').map((i) => i.version)).toEqual(['v1', 'v1beta1']);
    expect((created.status as any).conditions.map((c: any) => `${c.type}=${c.status}`)).toEqual(['NamesAccepted=True', 'Established=True']);
    expect((created.status as any).storedVersions).toEqual(['v1']);

    const obj = store.create('example.io/grants', { apiVersion: 'example.io/v1beta1', kind: 'Grant', metadata: { name: 'a', namespace: 'default' }, spec: {}, status: { ok: true } } as unknown as KObject);
    expect(obj.apiVersion).toBe('example.io/v1');
    expect(obj.spec).toEqual({ n: 2 });
    expect(obj.status).toBeUndefined();
    expect(() => store.create('example.io/grants', { apiVersion: 'example.io/v1', kind: 'Grant', metadata: { name: 'b', namespace: 'default' }, spec: { n: 9 } } as unknown as KObject)).toThrow(/less than or equal to 5/);

    store.delete(CRD_GR, undefined, 'grants.example.io');
    await flush();
    expect(store.registry.served('example.io', 'grants', 'v1beta1')).toBeUndefined();
    stop();
  });
});
