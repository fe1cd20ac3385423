import { describe, expect, it } from 'vitest';
import { ApiError } from './errors.js';
import { ObjectStore, type WatchEvent } from './store.js';
import type { KObject } from './types.js';

const ns = (name: string): KObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
const cm = (name: string, data: Record<string, string> = {}): KObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' }, data });

function fresh(): ObjectStore {
  const s = new ObjectStore();
  s.create('/namespaces', ns('default'));
  return s;
}

const tick = () => new Promise((r) => setImmediate(r));

describe('ObjectStore', () => {
  it('fills server-owned metadata and refuses duplicates with AlreadyExists', () => {
    const s = fresh();
    const o = s.create('/configmaps', cm('a'));
    expect(o.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(o.metadata.creationTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(Number(o.metadata.resourceVersion)).toBeGreaterThan(0);
    expect(Object.isFrozen(o.metadata)).toBe(true);
    expect(() => s.create('/configmaps', cm('a'))).toThrowError('configmaps "a" already exists');
  });

  it('refuses objects in a namespace that does not exist', () => {
    const s = fresh();
    const err = (() => { try { s.create('/configmaps', { ...cm('a'), metadata: { name: 'a', namespace: 'nope' } }); } catch (e) { return e; } })();
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).message).toBe('namespaces "nope" not found');
  });

  it('generates names from generateName with the Kubernetes alphabet', () => {
    const s = fresh();
    const o = s.create('/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { generateName: 'web-', namespace: 'default' } as KObject['metadata'] });
    expect(o.metadata.name).toMatch(/^web-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  });

  it('answers 409 Conflict for a stale resourceVersion and bumps generation only on spec changes', () => {
    const s = fresh();
    const d = s.create('apps/deployments', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', namespace: 'default' }, spec: { replicas: 1 } });
    expect(d.metadata.generation).toBe(1);
    const d2 = s.update('apps/deployments', { ...structuredClone(d), spec: { replicas: 2 } });
    expect(d2.metadata.generation).toBe(2);
    expect(() => s.update('apps/deployments', { ...structuredClone(d), spec: { replicas: 3 } })).toThrowError(/the object has been modified/);
    const d3 = s.update('apps/deployments', { ...structuredClone(d2), status: { replicas: 9 } }, { subresource: 'status' });
    expect(d3.metadata.generation).toBe(2);
    expect(d3.status.replicas).toBe(9);
    // a main-resource update cannot change status
    const d4 = s.update('apps/deployments', { ...structuredClone(d3), status: { replicas: 0 } });
    expect(d4.status.replicas).toBe(9);
  });

  it('delivers watch events in order and resumes from a resourceVersion', async () => {
    const s = fresh();
    const rv = s.resourceVersion();
    s.create('/configmaps', cm('a'));
    s.update('/configmaps', cm('a', { k: 'v' }));
    s.delete('/configmaps', 'default', 'a');
    const seen: string[] = [];
    s.watch('/configmaps', { resourceVersion: rv }, (ev: WatchEvent) => seen.push(`${ev.type} ${ev.object.metadata.name}`));
    await tick();
    expect(seen).toEqual(['ADDED a', 'MODIFIED a', 'DELETED a']);
  });

  it('answers 410 Gone for a resourceVersion older than the kept history', () => {
    const s = new ObjectStore({ historySize: 2 });
    s.create('/namespaces', ns('default'));
    for (let i = 0; i < 5; i++) s.create('/configmaps', cm(`c${i}`));
    expect(() => s.watch('/configmaps', { resourceVersion: '2' }, () => {})).toThrowError(/too old resource version/);
  });

  it('keeps at least historySize events when it trims in batches, and 410s what is older than the kept ones', async () => {
    const s = new ObjectStore({ historySize: 32 });
    s.create('/namespaces', ns('default'));
    const rvs: string[] = [];
    for (let i = 0; i < 100; i++) rvs.push(s.create('/configmaps', cm(`c${i}`)).metadata.resourceVersion!);
    // A watch from the 32nd-newest event's predecessor replays exactly the last 32 events.
    const seen: string[] = [];
    s.watch('/configmaps', { resourceVersion: rvs[100 - 33] }, (ev: WatchEvent) => seen.push(ev.object.metadata.name));
    await tick();
    expect(seen).toEqual(Array.from({ length: 32 }, (_, i) => `c${68 + i}`));
    expect(() => s.watch('/configmaps', { resourceVersion: rvs[50] }, () => {})).toThrowError(/too old resource version/);
  });

  it('keeps a scheduled pod until the kubelet deletes it with grace 0', () => {
    const s = fresh();
    s.create('/pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' }, spec: { nodeName: 'n1', containers: [] } });
    const marked = s.delete('/pods', 'default', 'p', { gracePeriodSeconds: 30 });
    expect(marked.metadata.deletionTimestamp).toBeDefined();
    expect(s.tryGet('/pods', 'default', 'p')).toBeDefined();
    s.delete('/pods', 'default', 'p', { gracePeriodSeconds: 0 });
    expect(s.tryGet('/pods', 'default', 'p')).toBeUndefined();
  });

  it('deletes an unscheduled pod at once', () => {
    const s = fresh();
    s.create('/pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' }, spec: { containers: [] } });
    s.delete('/pods', 'default', 'p', { gracePeriodSeconds: 30 });
    expect(s.tryGet('/pods', 'default', 'p')).toBeUndefined();
  });

  it('garbage-collects dependents of a deleted owner, or orphans them', async () => {
    const s = fresh();
    const owner = s.create('/configmaps', cm('owner'));
    const ref = { apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: owner.metadata.uid!, controller: true };
    s.create('/configmaps', { ...cm('dep'), metadata: { name: 'dep', namespace: 'default', ownerReferences: [ref] } });
    s.delete('/configmaps', 'default', 'owner');
    await tick();
    expect(s.tryGet('/configmaps', 'default', 'dep')).toBeUndefined();

    const owner2 = s.create('/configmaps', cm('owner2'));
    const ref2 = { ...ref, name: 'owner2', uid: owner2.metadata.uid! };
    s.create('/configmaps', { ...cm('dep2'), metadata: { name: 'dep2', namespace: 'default', ownerReferences: [ref2] } });
    s.delete('/configmaps', 'default', 'owner2', { propagationPolicy: 'Orphan' });
    await tick();
    expect(s.get('/configmaps', 'default', 'dep2').metadata.ownerReferences).toBeUndefined();
  });

  it('holds an object with finalizers until the last one is removed', () => {
    const s = fresh();
    s.create('/configmaps', { ...cm('f'), metadata: { name: 'f', namespace: 'default', finalizers: ['x/y'] } });
    const marked = s.delete('/configmaps', 'default', 'f');
    expect(marked.metadata.deletionTimestamp).toBeDefined();
    const cur = structuredClone(s.get('/configmaps', 'default', 'f'));
    cur.metadata.finalizers = [];
    s.update('/configmaps', cur);
    expect(s.tryGet('/configmaps', 'default', 'f')).toBeUndefined();
  });

  it('empties a deleted namespace before removing it', async () => {
    const s = fresh();
    s.create('/namespaces', ns('tmp'));
    s.create('/configmaps', { ...cm('x'), metadata: { name: 'x', namespace: 'tmp' } });
    expect(s.delete('/namespaces', undefined, 'tmp').status.phase).toBe('Terminating');
    expect(() => s.create('/configmaps', { ...cm('y'), metadata: { name: 'y', namespace: 'tmp' } })).toThrowError(/being terminated/);
    for (let i = 0; i < 50 && s.tryGet('/namespaces', undefined, 'tmp'); i++) await new Promise((r) => setTimeout(r, 20));
    expect(s.tryGet('/namespaces', undefined, 'tmp')).toBeUndefined();
    expect(s.tryGet('/configmaps', 'tmp', 'x')).toBeUndefined();
  });

  it('filters lists by label and field selectors', () => {
    const s = fresh();
    s.create('/configmaps', { ...cm('a'), metadata: { name: 'a', namespace: 'default', labels: { app: 'web', tier: 'fe' } } });
    s.create('/configmaps', { ...cm('b'), metadata: { name: 'b', namespace: 'default', labels: { app: 'db' } } });
    const names = (sel: string) => s.list('/configmaps', { labelSelector: sel }).items.map((o) => o.metadata.name);
    expect(names('app=web')).toEqual(['a']);
    expect(names('app in (web,db)')).toEqual(['a', 'b']);
    expect(names('app!=web')).toEqual(['b']);
    expect(names('tier')).toEqual(['a']);
    expect(names('!tier')).toEqual(['b']);
    expect(s.list('/configmaps', { fieldSelector: 'metadata.name=b' }).items.map((o) => o.metadata.name)).toEqual(['b']);
  });

  it('a pod on a node keeps its pending grace period unless a shorter one comes; with finalizers it stays until they go', () => {
    const s = fresh();
    s.create('/pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'g', namespace: 'default', finalizers: ['x/y'] }, spec: { nodeName: 'n', containers: [] } });
    const first = s.delete('/pods', 'default', 'g', { gracePeriodSeconds: 30 });
    expect(first.metadata.deletionGracePeriodSeconds).toBe(30);
    expect(s.delete('/pods', 'default', 'g', { gracePeriodSeconds: 60 }).metadata.resourceVersion).toBe(first.metadata.resourceVersion);
    expect(s.delete('/pods', 'default', 'g', { gracePeriodSeconds: 10 }).metadata.deletionGracePeriodSeconds).toBe(10);
    // the kubelet's final delete (grace 0): held by the finalizer, now with grace 0
    const held = s.delete('/pods', 'default', 'g', { gracePeriodSeconds: 0 });
    expect(held.metadata.deletionGracePeriodSeconds).toBe(0);
    expect(s.tryGet('/pods', 'default', 'g')).toBeDefined();
    const cur = structuredClone(s.get('/pods', 'default', 'g'));
    cur.metadata.finalizers = [];
    s.update('/pods', cur);
    expect(s.tryGet('/pods', 'default', 'g')).toBeUndefined();
  });

  it('marks a non-graceful kind with grace 0 whatever grace period is asked, and refuses new finalizers then', () => {
    const s = fresh();
    s.create('/configmaps', { ...cm('m'), metadata: { name: 'm', namespace: 'default', finalizers: ['x/y'] } });
    const marked = s.delete('/configmaps', 'default', 'm', { gracePeriodSeconds: 30 });
    expect(marked.metadata.deletionGracePeriodSeconds).toBe(0);
    expect(Date.parse(marked.metadata.deletionTimestamp!)).toBeLessThanOrEqual(Date.now());
    const more = structuredClone(marked);
    more.metadata.finalizers = ['x/y', 'x/z'];
    expect(() => s.update('/configmaps', more)).toThrowError('ConfigMap "m" is invalid: metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{"x/z"}');
  });
});
