// The controllers' shared indexes, on informers over a real in-process store: each lookup must follow
// the objects as they are added, relabelled, re-selected, re-owned, finished and deleted.
import { afterEach, describe, expect, it } from 'vitest';
import { defaultConfig } from '../api/config.js';
import { InformerFactory } from '../api/informer.js';
import { ObjectStore } from '../api/store.js';
import { registerStrategies } from '../api/strategies/index.js';
import { GR, type KObject } from '../api/types.js';
import { byController, byNode, CONTROLLER_INDEX, NODE_INDEX, orphanValue, ownedBy, podsMatching, servicesSelecting } from './indexes.js';
import { addServicePodIndexes } from './service-pod-handlers.js';

const tick = () => new Promise((r) => setImmediate(r));
let informers: InformerFactory | undefined;
afterEach(() => informers?.stop());

function setup() {
  const store = new ObjectStore();
  registerStrategies(store, defaultConfig({ upstreamDns: [], stateDir: '/nonexistent' }));
  for (const name of ['default', 'other']) store.create('/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  informers = new InformerFactory(store);
  const pods = informers.for(GR.pods);
  const services = informers.for(GR.services);
  addServicePodIndexes(services, pods);
  pods.addIndex(CONTROLLER_INDEX, byController).addIndex(NODE_INDEX, byNode).start();
  services.start();
  return { store, pods, services };
}

function pod(name: string, labels: Record<string, string>, extra: { namespace?: string; nodeName?: string; owner?: string } = {}): KObject {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, namespace: extra.namespace ?? 'default', labels, ...(extra.owner ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: extra.owner, controller: true }] } : {}) },
    spec: { containers: [{ name: 'c', image: 'nginx' }], ...(extra.nodeName ? { nodeName: extra.nodeName } : {}) },
  };
}

function service(name: string, selector: Record<string, string> | undefined, extra: object = {}): KObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' }, spec: { ...(selector ? { selector } : {}), ports: [{ port: 80 }], ...extra } };
}

function edit(store: ObjectStore, gr: string, name: string, fn: (o: KObject) => void, namespace = 'default'): void {
  const o = structuredClone(store.get(gr, namespace, name)) as KObject;
  fn(o);
  store.update(gr, o);
}

const names = (objs: KObject[]) => objs.map((o) => o.metadata.name).sort();

describe('podsMatching (pods by label)', () => {
  it('finds the pods matching every pair of a selector in its namespace, following relabels', async () => {
    const { store, pods } = setup();
    store.create(GR.pods, pod('web-1', { app: 'web', tier: 'front' }));
    store.create(GR.pods, pod('web-2', { app: 'web' }));
    store.create(GR.pods, pod('db-1', { app: 'db', tier: 'front' }));
    store.create(GR.pods, pod('web-other', { app: 'web', tier: 'front' }, { namespace: 'other' }));
    await tick();
    expect(names(podsMatching(pods, 'default', { app: 'web' }))).toEqual(['web-1', 'web-2']);
    expect(names(podsMatching(pods, 'default', { app: 'web', tier: 'front' }))).toEqual(['web-1']);
    expect(names(podsMatching(pods, 'other', { app: 'web' }))).toEqual(['web-other']);
    expect(podsMatching(pods, 'default', { app: 'nope' })).toEqual([]);

    edit(store, GR.pods, 'web-1', (p) => (p.metadata.labels = { app: 'db' }));
    edit(store, GR.pods, 'web-2', (p) => (p.metadata.labels = { app: 'web', tier: 'front' }));
    await tick();
    expect(names(podsMatching(pods, 'default', { app: 'web' }))).toEqual(['web-2']);
    expect(names(podsMatching(pods, 'default', { app: 'db' }))).toEqual(['db-1', 'web-1']);
    expect(names(podsMatching(pods, 'default', { app: 'web', tier: 'front' }))).toEqual(['web-2']);

    store.delete(GR.pods, 'default', 'web-2', { gracePeriodSeconds: 0 });
    await tick();
    expect(podsMatching(pods, 'default', { app: 'web' })).toEqual([]);
  });
});

describe('servicesSelecting (Services by selector)', () => {
  it('follows a Service\'s selector as it is set, changed and removed, and the Service\'s deletion', async () => {
    const { store, services } = setup();
    const web = pod('web-1', { app: 'web', tier: 'front' });
    const db = pod('db-1', { app: 'db' });
    store.create(GR.services, service('web', { app: 'web' }));
    store.create(GR.services, service('front', { tier: 'front', app: 'web' }));
    store.create(GR.services, service('manual', undefined));
    store.create(GR.services, service('ext', { app: 'web' }, { type: 'ExternalName', externalName: 'example.invalid', ports: [] }));
    await tick();
    expect(names(servicesSelecting(services, web))).toEqual(['front', 'web']);
    expect(servicesSelecting(services, db)).toEqual([]);
    expect(servicesSelecting(services, pod('web-o', { app: 'web' }, { namespace: 'other' }))).toEqual([]);

    edit(store, GR.services, 'web', (s) => (s.spec.selector = { app: 'db' }));
    edit(store, GR.services, 'manual', (s) => (s.spec.selector = { tier: 'front' }));
    await tick();
    expect(names(servicesSelecting(services, web))).toEqual(['front', 'manual']);
    expect(names(servicesSelecting(services, db))).toEqual(['web']);

    edit(store, GR.services, 'manual', (s) => delete s.spec.selector);
    store.delete(GR.services, 'default', 'front');
    await tick();
    expect(servicesSelecting(services, web)).toEqual([]);
    expect(names(servicesSelecting(services, db))).toEqual(['web']);
  });
});

describe('ownedBy and orphans (objects by controller uid)', () => {
  it('follows adoption and release', async () => {
    const { store, pods } = setup();
    store.create(GR.pods, pod('a', { app: 'x' }, { owner: 'uid-1' }));
    store.create(GR.pods, pod('b', { app: 'x' }));
    store.create(GR.pods, pod('c', { app: 'x' }, { owner: 'uid-1', namespace: 'other' }));
    await tick();
    const rs = { metadata: { name: 'rs', namespace: 'default', uid: 'uid-1' } } as KObject;
    expect(names(ownedBy(pods, rs))).toEqual(['a']);
    expect(names(pods.byIndex(CONTROLLER_INDEX, orphanValue('default')))).toEqual(['b']);

    edit(store, GR.pods, 'b', (p) => (p.metadata.ownerReferences = [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'uid-1', controller: true }]));
    edit(store, GR.pods, 'a', (p) => delete p.metadata.ownerReferences);
    await tick();
    expect(names(ownedBy(pods, rs))).toEqual(['b']);
    expect(names(pods.byIndex(CONTROLLER_INDEX, orphanValue('default')))).toEqual(['a']);
  });
});

describe('pods per node', () => {
  it('counts bound pods that are not finished', async () => {
    const { store, pods } = setup();
    store.create(GR.pods, pod('a', {}, { nodeName: 'n1' }));
    store.create(GR.pods, pod('b', {}, { nodeName: 'n1' }));
    store.create(GR.pods, pod('c', {}, { nodeName: 'n2' }));
    store.create(GR.pods, pod('d', {}));
    await tick();
    expect([pods.indexCount(NODE_INDEX, 'n1'), pods.indexCount(NODE_INDEX, 'n2')]).toEqual([2, 1]);

    const done = structuredClone(store.get(GR.pods, 'default', 'a')) as KObject;
    done.status = { phase: 'Succeeded' };
    store.update(GR.pods, done, { subresource: 'status' });
    edit(store, GR.pods, 'd', (p) => (p.spec.nodeName = 'n2'));
    store.delete(GR.pods, 'default', 'c', { gracePeriodSeconds: 0 });
    await tick();
    expect([pods.indexCount(NODE_INDEX, 'n1'), pods.indexCount(NODE_INDEX, 'n2')]).toEqual([1, 1]);
  });
});
