// The state dir as one cluster's home: a lock that names the PID of the kdp using it (so a second
// `kdp up` refuses at once), `--fresh` (wipe what kdp keeps there), and the durable storage
// (`state.db`, SQLite) or, with `--ephemeral`, storage in memory only.
//
// The lock is a PID file created with O_EXCL (`wx`): creating it is atomic, so of two `kdp up`
// only one succeeds. A lock whose PID is not a live kdp process (a kill -9, a reboot) is stale and
// taken over. No flock: Node has no binding for it, and a PID file is what `kdp doctor` can read.
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, chmodSync, openSync, readdirSync, readFileSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { MemoryStorage } from '../api/storage/memory-storage.js';
import { SqliteStorage } from '../api/storage/sqlite-storage.js';
import { StorageError, type Storage } from '../api/storage/storage.js';
import { CREATED_MOUNT_POINTS, removeEmptyMountPoint } from '../pods/index.js';

export const LOCK_FILE = 'kdp.pid';
export const DB_FILE = 'state.db';
/** What kdp keeps in a state dir; `--fresh` removes exactly these, never anything else there. */
export const STATE_ENTRIES = [DB_FILE, `${DB_FILE}-wal`, `${DB_FILE}-shm`, 'volumes', 'run', 'pki', 'kubeconfig'];

export interface StateOptions {
  /** Keep objects in memory only: nothing is written to state.db (tests, CI). */
  ephemeral?: boolean;
  /** Wipe the state dir's cluster (objects, volumes, certificates) before starting. */
  fresh?: boolean;
  /** Fsync policy of state.db (sqlite-storage.ts explains the choice). */
  sync?: 'normal' | 'full';
}

export interface OpenedState {
  storage: Storage;
  durable: boolean;
  dbPath: string;
  /** Closes the storage and releases the lock. */
  close(): void;
}

/** Whether `pid` is a running process (EPERM: running, someone else's). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether `pid` runs kdp (its command line names kdp), so that a reused PID is not mistaken for it. */
export function isKdpProcess(pid: number): boolean {
  if (!pidAlive(pid)) return false;
  try {
    return /kdp/.test(readFileSync(`/proc/${pid}/cmdline`, 'utf8'));
  } catch {
    return true; // no /proc: trust the PID
  }
}

/** The PID in `<dir>/kdp.pid`, if the file is there and holds one. */
export function lockHolder(dir: string): number | undefined {
  try {
    const pid = Number(readFileSync(join(dir, LOCK_FILE), 'utf8').trim());
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

export class StateDirInUseError extends Error {
  constructor(readonly dir: string, readonly pid: number) {
    super(`the state dir ${dir} is in use by another kdp (PID ${pid}): one cluster per state dir. Stop that one (kill ${pid}), or give this one its own: kdp up --state-dir DIR`);
    this.name = 'StateDirInUseError';
  }
}

/** Takes `<dir>/kdp.pid` for this process; throws StateDirInUseError when a live kdp holds it. */
export function acquireStateLock(dir: string, isKdp: (pid: number) => boolean = isKdpProcess): () => void {
  const path = join(dir, LOCK_FILE);
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      return () => {
        if (lockHolder(dir) === process.pid) rmSync(path, { force: true });
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 3) throw err;
    }
    const holder = lockHolder(dir);
    if (holder !== undefined && holder !== process.pid && isKdp(holder)) throw new StateDirInUseError(dir, holder);
    try {
      unlinkSync(path); // stale: its kdp is gone
    } catch {
      /* another starter took it over first; retry */
    }
  }
}

/** Removes what kdp keeps in `dir` (STATE_ENTRIES), after the lock says no kdp is using it. */
export function wipeState(dir: string): string[] {
  const removed: string[] = [];
  for (const entry of STATE_ENTRIES) {
    const p = join(dir, entry);
    if (!existsSync(p)) continue;
    rmSync(p, { recursive: true, force: true });
    removed.push(entry);
  }
  return removed;
}

/**
 * Locks the state dir, wipes it on `fresh`, and opens the storage. A state.db kdp cannot read
 * (corrupt, someone else's) stops the start with its path and what to do; kdp never starts empty
 * over it.
 */
export function openState(dir: string, opts: StateOptions = {}): OpenedState {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const release = acquireStateLock(dir);
  const dbPath = join(dir, DB_FILE);
  try {
    if (opts.fresh) wipeState(dir);
    else {
      const stale = removeStaleRunDirs(dir);
      if (stale.removed.length) console.log(`[INFO] kdp: removed the pod files a stopped kdp left: ${stale.removed.join(', ')}`);
      for (const p of stale.kept) console.error(`[WARN] kdp: ${p} is left from a stopped kdp but something is still mounted in it (grep ${p} /proc/self/mountinfo; umount it, then rm -r ${p})`);
    }
    if (opts.ephemeral) {
      return { storage: new MemoryStorage(), durable: false, dbPath, close: release };
    }
    let storage: SqliteStorage;
    try {
      storage = new SqliteStorage(dbPath, { sync: opts.sync });
    } catch (err) {
      if (err instanceof StorageError && (err.code === 'Corrupt' || err.code === 'Foreign')) {
        throw new Error(`${err.message}. kdp will not start over it: move it away to keep it (mv ${dbPath} ${dbPath}.bad), or start a new cluster there with kdp up --fresh (deletes it)`);
      }
      throw err;
    }
    return {
      storage,
      durable: true,
      dbPath,
      close: () => {
        storage.close();
        release();
      },
    };
  } catch (err) {
    release();
    throw err;
  }
}

/** Mount points in this mount namespace (field 5 of /proc/self/mountinfo, octal escapes decoded). */
export function mountPoints(mountinfo = '/proc/self/mountinfo'): string[] {
  try {
    return readFileSync(mountinfo, 'utf8').split('\n').filter(Boolean).map((l) => l.split(' ')[4].replace(/\\([0-7]{3})/g, (_, o) => String.fromCharCode(parseInt(o, 8))));
  } catch {
    return [];
  }
}

/**
 * The pod files (`<dir>/run/pods-*`) of a kdp that died without stopping (kill -9): with the lock
 * held no other kdp uses them. Mounts still under them (a sandbox kept in the host's namespace) are
 * lazily unmounted first; a directory something stays mounted in is left alone, never deleted
 * through the mount. Returns what was removed.
 */
export function removeStaleRunDirs(dir: string, umount: (path: string) => boolean = lazyUmount, othersRunning: () => boolean = () => otherKdpProcesses().length > 0): { removed: string[]; kept: string[] } {
  const run = join(dir, 'run');
  const removed: string[] = [];
  const kept: string[] = [];
  let entries: string[];
  try {
    entries = readdirSync(run);
  } catch {
    return { removed, kept };
  }
  for (const e of entries) {
    const p = join(run, e);
    const inside = mountPoints().filter((m) => m === p || m.startsWith(`${p}/`)).sort((a, b) => b.length - a.length);
    for (const m of inside) umount(m);
    if (mountPoints().some((m) => m === p || m.startsWith(`${p}/`))) {
      kept.push(p);
      continue;
    }
    const created = recordedMountPoints(p);
    rmSync(p, { recursive: true, force: true });
    removed.push(p);
    // Empty mount points the dead kdp made on the host (e.g. a mountPath's directory). Left alone
    // while another kdp runs: one of its pods may mount there.
    if (created.length && !othersRunning()) {
      const mounted = new Set(mountPoints());
      for (const m of created) if (!mounted.has(m)) removeEmptyMountPoint(m);
    }
  }
  return { removed, kept };
}

/** What `<run>/pods/<pod>/created-mount-points` files list (the sandbox writes them). */
function recordedMountPoints(runDir: string): string[] {
  const out = new Set<string>();
  let pods: string[] = [];
  try {
    pods = readdirSync(join(runDir, 'pods'));
  } catch {
    return [];
  }
  for (const pod of pods) {
    try {
      for (const line of readFileSync(join(runDir, 'pods', pod, CREATED_MOUNT_POINTS), 'utf8').split('\n')) if (line.startsWith('/')) out.add(line);
    } catch {
      /* none recorded */
    }
  }
  return [...out];
}

/** Running `kdp up` processes other than this one, with the state dir each names. */
export function otherKdpProcesses(): { pid: number; stateDir?: string }[] {
  const out: { pid: number; stateDir?: string }[] = [];
  let entries: string[] = [];
  try {
    entries = readdirSync('/proc').filter((x) => /^\d+$/.test(x));
  } catch {
    return out;
  }
  for (const d of entries) {
    const pid = Number(d);
    if (pid === process.pid) continue;
    let argv: string[];
    try {
      argv = readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0');
    } catch {
      continue;
    }
    const up = argv.findIndex((a, i) => a === 'up' && i > 0 && /kdp(\.js)?$/.test(argv[i - 1]));
    if (up < 0) continue;
    const sd = argv.indexOf('--state-dir');
    out.push({ pid, stateDir: sd > 0 ? argv[sd + 1] : undefined });
  }
  return out;
}

function lazyUmount(path: string): boolean {
  return spawnSync('umount', ['-l', path], { stdio: 'ignore' }).status === 0;
}
