// Issue 15.5 on a real filesystem: a state dir that fills up (a 2 MiB tmpfs) or turns read-only
// (a read-only bind mount) makes writes fail with a Status naming the cause; reads keep working; what was
// acknowledged before is intact on the next open, nothing half-written. Needs root (mount).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/api/config.js';
import { ApiError } from '../../src/api/errors.js';
import { SqliteStorage } from '../../src/api/storage/sqlite-storage.js';
import { StorageError } from '../../src/api/storage/storage.js';
import { ObjectStore } from '../../src/api/store.js';
import { registerStrategies } from '../../src/api/strategies/index.js';

const root = process.getuid?.() === 0;
let dir = '';

beforeAll(() => {
  if (!root) return;
  dir = mkdtempSync(join(tmpdir(), 'kdp-storage-faults-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'kdp-faults', dir]);
});

afterAll(() => {
  if (!dir) return;
  execFileSync('umount', [dir]);
  rmSync(dir, { recursive: true, force: true });
});

function open(): { store: ObjectStore; storage: SqliteStorage } {
  const storage = new SqliteStorage(join(dir, 'state.db'));
  const store = new ObjectStore({ storage });
  registerStrategies(store, defaultConfig({ upstreamDns: [], stateDir: dir }), { log: () => undefined });
  if (!store.tryGet('/namespaces', undefined, 'default')) store.create('/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } });
  return { store, storage };
}

const cm = (i: number) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${i}`, namespace: 'default' }, data: { blob: `${i}:`.padEnd(8000, 'x') } });

describe.skipIf(!root)('a state dir that is full or read-only', () => {
  it('full: 507 InsufficientStorage naming the cause, reads work, every acknowledged create is there after reopening', () => {
    let { store, storage } = open();
    // (a delete needs room too: like etcd, the store appends a row for it)
    const acked: string[] = [];
    let err: unknown;
    for (let i = 0; i < 2000 && !err; i++) {
      try {
        acked.push(store.create('/configmaps', cm(i)).metadata.name);
      } catch (e) {
        err = e;
      }
    }
    expect(err, 'the disk filled up').toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe(507);
    expect((err as ApiError).reason).toBe('InsufficientStorage');
    expect((err as ApiError).message).toContain(`no space left on the device holding ${join(dir, 'state.db')}`);
    expect(acked.length).toBeGreaterThan(10);
    // the failed object is nowhere; reads answer
    expect(store.tryGet('/configmaps', 'default', `cm-${acked.length}`)).toBeUndefined();
    expect(store.list('/configmaps').items).toHaveLength(acked.length);
    storage.close();

    ({ store, storage } = open());
    try {
      expect(store.list('/configmaps').items.map((o) => o.metadata.name).sort()).toEqual([...acked].sort());
      for (const o of store.list('/configmaps').items) expect(o.data.blob.startsWith(`${o.metadata.name.slice(3)}:`)).toBe(true);
    } finally {
      storage.close();
    }
  });

  it('read-only: opening the state database says the filesystem is read-only and names the file', () => {
    const src = mkdtempSync(join(tmpdir(), 'kdp-storage-rw-'));
    const s = new SqliteStorage(join(src, 'state.db'));
    s.put('/configmaps|default|a', { a: 1 }, 1);
    s.close();
    const ro = mkdtempSync(join(tmpdir(), 'kdp-storage-ro-'));
    execFileSync('mount', ['--bind', src, ro]);
    execFileSync('mount', ['-o', 'remount,ro,bind', ro]);
    try {
      let err: unknown;
      try {
        new SqliteStorage(join(ro, 'state.db')).close();
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(StorageError);
      expect((err as StorageError).code).toBe('ReadOnly');
      expect((err as StorageError).message).toContain(`${join(ro, 'state.db')} is on a read-only filesystem`);
    } finally {
      execFileSync('umount', [ro]);
      rmSync(ro, { recursive: true, force: true });
      rmSync(src, { recursive: true, force: true });
    }
  });
});
