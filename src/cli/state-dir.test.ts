import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { acquireStateLock, openState, removeStaleRunDirs, StateDirInUseError, wipeState } from './state-dir.js';

const root = mkdtempSync(join(tmpdir(), 'kdp-state-dir-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const newDir = () => {
  const d = join(root, String(n++));
  mkdirSync(d);
  return d;
};

describe('the state dir lock', () => {
  it('holds the PID; a live kdp holder refuses the next one by PID; release removes it', () => {
    const d = newDir();
    const release = acquireStateLock(d);
    expect(readFileSync(join(d, 'kdp.pid'), 'utf8')).toBe(`${process.pid}\n`);
    writeFileSync(join(d, 'kdp.pid'), '4242\n');
    let err: unknown;
    try {
      acquireStateLock(d, (pid) => pid === 4242);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(StateDirInUseError);
    expect((err as Error).message).toBe(`the state dir ${d} is in use by another kdp (PID 4242): one cluster per state dir. Stop that one (kill 4242), or give this one its own: kdp up --state-dir DIR`);
    release(); // not ours any more: left alone
    expect(existsSync(join(d, 'kdp.pid'))).toBe(true);
  });

  it('takes over a lock whose process is gone (or not kdp), and releases its own', () => {
    const d = newDir();
    writeFileSync(join(d, 'kdp.pid'), '4242\n');
    const release = acquireStateLock(d, () => false);
    expect(readFileSync(join(d, 'kdp.pid'), 'utf8')).toBe(`${process.pid}\n`);
    release();
    expect(existsSync(join(d, 'kdp.pid'))).toBe(false);
  });
});

describe('--fresh and stale pod files', () => {
  it('wipes only what kdp keeps there', () => {
    const d = newDir();
    for (const f of ['state.db', 'state.db-wal', 'kubeconfig', 'notes.txt']) writeFileSync(join(d, f), 'x');
    mkdirSync(join(d, 'volumes', 'pvc-1'), { recursive: true });
    expect(wipeState(d).sort()).toEqual(['kubeconfig', 'state.db', 'state.db-wal', 'volumes']);
    expect(existsSync(join(d, 'notes.txt'))).toBe(true);
  });

  it('removes the run dirs of a dead kdp', () => {
    const d = newDir();
    mkdirSync(join(d, 'run', 'pods-abc', 'pods', 'default_x_uid'), { recursive: true });
    expect(removeStaleRunDirs(d, () => true, () => false)).toEqual({ removed: [join(d, 'run', 'pods-abc')], kept: [] });
    expect(existsSync(join(d, 'run', 'pods-abc'))).toBe(false);
  });

  it('removes the empty mount points a dead kdp recorded, never a non-empty one, and none while another kdp runs', () => {
    const d = newDir();
    const host = join(d, 'host');
    mkdirSync(join(host, 'empty', 'deeper'), { recursive: true });
    mkdirSync(join(host, 'full'), { recursive: true });
    writeFileSync(join(host, 'full', 'data'), 'keep me');
    const record = () => {
      mkdirSync(join(d, 'run', 'pods-abc', 'pods', 'default_x_uid'), { recursive: true });
      writeFileSync(join(d, 'run', 'pods-abc', 'pods', 'default_x_uid', 'created-mount-points'), `${join(host, 'empty')}\n${join(host, 'full')}`);
    };
    record();
    removeStaleRunDirs(d, () => true, () => true);
    expect(existsSync(join(host, 'empty'))).toBe(true); // another kdp may mount there
    record();
    removeStaleRunDirs(d, () => true, () => false);
    expect(existsSync(join(host, 'empty'))).toBe(false);
    expect(readFileSync(join(host, 'full', 'data'), 'utf8')).toBe('keep me');
  });

  it('opens durable storage, or memory with ephemeral; fresh drops the objects', () => {
    const d = newDir();
    let s = openState(d);
    expect(s.durable).toBe(true);
    s.storage.put('/configmaps|default|a', { a: 1 }, 2);
    s.close();
    s = openState(d);
    expect(s.storage.loadAll()).toHaveLength(1);
    s.close();
    s = openState(d, { ephemeral: true });
    expect(s.durable).toBe(false);
    expect(s.storage.loadAll()).toHaveLength(0);
    s.close();
    s = openState(d, { fresh: true });
    expect(s.storage.loadAll()).toHaveLength(0);
    s.close();
  });
});
