import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteStorage, storageErrorFrom } from './sqlite-storage.js';
import { StorageError } from './storage.js';
import { storageConformance } from './storage-conformance.js';

const dir = mkdtempSync(join(tmpdir(), 'kdp-sqlite-storage-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

storageConformance('SqliteStorage', {
  open: () => new SqliteStorage(join(dir, `conformance-${n++}.db`)),
  reopen: (s) => {
    const path = (s as SqliteStorage).path;
    s.close();
    return new SqliteStorage(path);
  },
});

describe('SqliteStorage', () => {
  it('uses WAL, synchronous=NORMAL unless asked for a full fsync per commit', () => {
    const full = new SqliteStorage(join(dir, 'pragmas-full.db'), { sync: 'full' });
    const normal = new SqliteStorage(join(dir, 'pragmas-normal.db'));
    const probe = (p: string) => {
      const db = new DatabaseSync(p);
      const mode = (db.prepare('PRAGMA journal_mode').get() as { journal_mode: string }).journal_mode;
      db.close();
      return mode;
    };
    expect(probe(full.path)).toBe('wal');
    // synchronous is per connection: read it through the storage's own
    expect((full as unknown as { db: DatabaseSync }).db.prepare('PRAGMA synchronous').get()).toEqual({ synchronous: 2 });
    expect((normal as unknown as { db: DatabaseSync }).db.prepare('PRAGMA synchronous').get()).toEqual({ synchronous: 1 });
    full.close();
    normal.close();
  });

  it('refuses a file that is not SQLite, naming it', () => {
    const p = join(dir, 'garbage.db');
    writeFileSync(p, 'this is not a database, just some text that is long enough to be a header'.repeat(20));
    let err: unknown;
    try {
      new SqliteStorage(p);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(StorageError);
    expect((err as StorageError).code).toBe('Corrupt');
    expect((err as StorageError).message).toContain(p);
  });

  it("refuses another program's SQLite database", () => {
    const p = join(dir, 'foreign.db');
    const db = new DatabaseSync(p);
    db.exec('CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)');
    db.close();
    expect(() => new SqliteStorage(p)).toThrow(/is a SQLite database but not kdp's \(tables: users/);
  });

  it('names the cause of a full or read-only disk', () => {
    const full = storageErrorFrom(Object.assign(new Error('database or disk is full'), { errcode: 13 }), '/s/state.db', 'writing /pods|default|x');
    expect(full.code).toBe('NoSpace');
    expect(full.message).toBe('writing /pods|default|x: no space left on the device holding /s/state.db (database or disk is full)');
    const ro = storageErrorFrom(Object.assign(new Error('attempt to write a readonly database'), { errcode: 8 }), '/s/state.db', 'writing k');
    expect(ro.code).toBe('ReadOnly');
    const io = storageErrorFrom(Object.assign(new Error('disk I/O error'), { errcode: 778 }), '/s/state.db', 'writing k');
    expect(io.code).toBe('IO');
    expect(io.message).toContain('I/O error on /s/state.db');
  });
});
