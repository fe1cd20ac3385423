// The ObjectStore over a Storage: what a restart must find (objects, rising resourceVersions,
// allocations, watch history) and what a failing disk must not do (half-apply a write).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../config.js';
import { ApiError } from '../errors.js';
import { ObjectStore, type WatchEvent } from '../store.js';
import { registerStrategies } from '../strategies/index.js';
import type { KObject } from '../types.js';
import { MemoryStorage } from './memory-storage.js';
import { SqliteStorage } from './sqlite-storage.js';
import { StorageError, type Storage } from './storage.js';

const dir = mkdtempSync(join(tmpdir(), 'kdp-store-persistence-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

const config = defaultConfig({ upstreamDns: [], stateDir: dir });
const cm = (name: string, data: Record<string, string> = {}): KObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' }, data });
const svc = (name: string): KObject => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' }, spec: { type: 'NodePort', ports: [{ port: 80 }] } });

function open(storage: Storage): ObjectStore {
  const store = new ObjectStore({ storage, historySize: 50 });
  registerStrategies(store, config, { log: () => undefined });
  if (!store.tryGet('/namespaces', undefined, 'default')) store.create('/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } });
  return store;
}

function collect(store: ObjectStore, rv: string): WatchEvent[] {
  const got: WatchEvent[] = [];
  store.watch('/configmaps', { resourceVersion: rv }, (ev) => got.push(ev));
  return got;
}

const tick = () => new Promise((r) => setImmediate(r));

/** Waits for a condition (the namespace controller ticks every 50 ms), failing after `ms`. */
async function until(cond: () => boolean, what: string, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A storage whose writes fail as a full disk does, on demand. */
class FailingStorage extends MemoryStorage {
  fail: StorageError | undefined;
  override put(key: string, value: unknown, revision: number): void {
    if (this.fail) throw this.fail;
    super.put(key, value, revision);
  }
  override delete(key: string, revision: number): void {
    if (this.fail) throw this.fail;
    super.delete(key, revision);
  }
}

describe('ObjectStore over SqliteStorage', () => {
  it('finds every object again after a restart, with resourceVersions that keep rising', () => {
    const path = join(dir, `restart-${n++}.db`);
    let storage = new SqliteStorage(path);
    let store = open(storage);
    const a = store.create('/configmaps', cm('a', { k: 'v' }));
    store.create('/configmaps', cm('b'));
    store.update('/configmaps', { ...cm('b', { x: 'y' }), metadata: { name: 'b', namespace: 'default' } });
    store.delete('/configmaps', 'default', 'a');
    const s1 = store.create('/services', svc('web'));
    const before = Number(store.resourceVersion());
    storage.close();

    storage = new SqliteStorage(path);
    store = open(storage);
    expect(store.loaded).toBe(3); // namespace default, configmap b, service web
    expect(store.tryGet('/configmaps', 'default', 'a')).toBeUndefined();
    expect(store.get('/configmaps', 'default', 'b').data).toEqual({ x: 'y' });
    const web = store.get('/services', 'default', 'web');
    expect(web.spec.clusterIP).toBe(s1.spec.clusterIP);
    expect(Number(store.resourceVersion())).toBe(before);
    const c = store.create('/configmaps', cm('c'));
    expect(Number(c.metadata.resourceVersion)).toBeGreaterThan(before);
    expect(c.metadata.uid).not.toBe(a.metadata.uid);
    // the stored Service's ClusterIP and nodePort are taken: a new Service cannot have them
    const other = store.create('/services', svc('other'));
    expect(other.spec.clusterIP).not.toBe(s1.spec.clusterIP);
    expect(other.spec.ports[0].nodePort).not.toBe(s1.spec.ports[0].nodePort);
    expect(() => store.create('/services', { ...svc('clash'), spec: { type: 'NodePort', ports: [{ port: 80, nodePort: s1.spec.ports[0].nodePort }] } })).toThrow(/provided port is already allocated/);
    storage.close();
  });

  it('lets a watch from before the restart resume with the events it missed, and answers 410 Gone below the kept history', async () => {
    const path = join(dir, `watch-${n++}.db`);
    let storage = new SqliteStorage(path);
    let store = open(storage);
    const seen = store.create('/configmaps', cm('seen')).metadata.resourceVersion!;
    store.create('/configmaps', cm('missed'));
    store.delete('/configmaps', 'default', 'seen');
    storage.close();

    storage = new SqliteStorage(path);
    store = open(storage);
    const got = collect(store, seen);
    await tick();
    expect(got.map((e) => [e.type, e.object.metadata.name])).toEqual([['ADDED', 'missed'], ['DELETED', 'seen']]);
    expect(Number(got[1].object.metadata.resourceVersion)).toBeGreaterThan(Number(got[0].object.metadata.resourceVersion));

    // enough writes to compact past `seen` (historySize 50, compaction every 1000 writes)
    for (let i = 0; i < 1100; i++) store.update('/configmaps', { ...cm('missed', { i: String(i) }), metadata: { name: 'missed', namespace: 'default' } });
    expect(storage.compactedRevision()).toBeGreaterThan(Number(seen));
    storage.close();
    storage = new SqliteStorage(path);
    store = open(storage);
    let err: unknown;
    try {
      collect(store, seen);
    } catch (e) {
      err = e;
    }
    expect((err as ApiError).code).toBe(410);
    expect((err as ApiError).reason).toBe('Expired');
    expect(store.get('/configmaps', 'default', 'missed').data).toEqual({ i: '1099' });
    storage.close();
  });

  it('a namespace that was terminating when kdp stopped finishes terminating after the restart', async () => {
    const path = join(dir, `ns-${n++}.db`);
    let storage = new SqliteStorage(path);
    let store = open(storage);
    store.create('/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'going' } });
    store.create('/configmaps', { ...cm('held'), metadata: { name: 'held', namespace: 'going', finalizers: ['example.com/hold'] } });
    store.delete('/namespaces', undefined, 'going');
    await tick();
    expect(store.get('/namespaces', undefined, 'going').status.phase).toBe('Terminating');
    storage.close(); // kdp stops while the namespace waits for the finalizer

    storage = new SqliteStorage(path);
    store = open(storage);
    const held = structuredClone(store.get('/configmaps', 'going', 'held'));
    expect(held.metadata.deletionTimestamp).toBeDefined();
    held.metadata.finalizers = [];
    store.update('/configmaps', held);
    await until(() => !store.tryGet('/namespaces', undefined, 'going'), 'namespace going removed', 3000);
    storage.close();
  });

  it('collects the dependents of an owner deleted just before kdp stopped', async () => {
    const path = join(dir, `gc-${n++}.db`);
    let storage = new SqliteStorage(path);
    let store = open(storage);
    const owner = store.create('/configmaps', cm('owner'));
    const ref = { apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: owner.metadata.uid! };
    store.create('/configmaps', { ...cm('dependent'), metadata: { name: 'dependent', namespace: 'default', ownerReferences: [ref] } });
    store.create('/configmaps', { ...cm('kept'), metadata: { name: 'kept', namespace: 'default', ownerReferences: [{ ...ref, uid: store.get('/namespaces', undefined, 'default').metadata.uid! }] } });
    // the owner's delete is committed, and kdp dies before the garbage collector runs
    storage.delete('/configmaps|default|owner', storage.currentRevision() + 1);
    storage.close();

    storage = new SqliteStorage(path);
    store = open(storage);
    expect(store.tryGet('/configmaps', 'default', 'dependent')).toBeDefined();
    await until(() => !store.tryGet('/configmaps', 'default', 'dependent'), 'dependent collected', 3000);
    expect(store.tryGet('/configmaps', 'default', 'kept')).toBeDefined();
    storage.close();
  });

  it('keeps open watches going through a compaction', async () => {
    const storage = new SqliteStorage(join(dir, `compact-${n++}.db`));
    const store = open(storage);
    const got = collect(store, store.resourceVersion());
    for (let i = 0; i < 1200; i++) store.create('/configmaps', cm(`c${i}`));
    await tick();
    expect(storage.compactedRevision()).toBeGreaterThan(0);
    expect(got).toHaveLength(1200);
    expect(got.at(-1)!.object.metadata.name).toBe('c1199');
    storage.close();
  });
});

describe('ObjectStore over a storage that fails', () => {
  it('answers 507 InsufficientStorage naming the cause, changes nothing, frees allocations, and keeps serving reads', async () => {
    const storage = new FailingStorage();
    const store = open(storage);
    const a = store.create('/configmaps', cm('a'));
    const events: WatchEvent[] = [];
    store.watch('/configmaps', { resourceVersion: store.resourceVersion() }, (ev) => events.push(ev));
    storage.fail = new StorageError('NoSpace', 'writing /configmaps|default|b: no space left on the device holding /s/state.db (database or disk is full)');
    const expectFail = (fn: () => unknown) => {
      let err: unknown;
      try {
        fn();
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ApiError);
      expect((err as ApiError).code).toBe(507);
      expect((err as ApiError).reason).toBe('InsufficientStorage');
      expect((err as ApiError).message).toMatch(/^Internal error occurred: storage: writing .*no space left on the device holding \/s\/state.db/);
    };
    expectFail(() => store.create('/configmaps', cm('b')));
    expectFail(() => store.update('/configmaps', { ...cm('a', { changed: 'yes' }), metadata: { name: 'a', namespace: 'default' } }));
    expectFail(() => store.delete('/configmaps', 'default', 'a'));
    expectFail(() => store.create('/services', { ...svc('web'), spec: { type: 'NodePort', clusterIP: '127.96.0.50', ports: [{ port: 80, nodePort: 30080 }] } }));
    expect(store.tryGet('/configmaps', 'default', 'b')).toBeUndefined();
    expect(store.get('/configmaps', 'default', 'a')).toEqual(a);
    expect(store.list('/configmaps').items).toHaveLength(1);
    await tick();
    expect(events).toEqual([]);

    storage.fail = new StorageError('ReadOnly', 'writing k: /s/state.db is read-only (attempt to write a readonly database)');
    let err: unknown;
    try {
      store.create('/configmaps', cm('b'));
    } catch (e) {
      err = e;
    }
    expect((err as ApiError).code).toBe(500);
    expect((err as ApiError).reason).toBe('InternalError');
    expect((err as ApiError).message).toContain('is read-only');

    // the disk has room again: the ClusterIP and nodePort the failed create had picked are free
    storage.fail = undefined;
    const web = store.create('/services', { ...svc('web'), spec: { type: 'NodePort', clusterIP: '127.96.0.50', ports: [{ port: 80, nodePort: 30080 }] } });
    expect(web.spec.clusterIP).toBe('127.96.0.50');
    expect(storage.get('/services|default|web')).toBeDefined();
  });
});
