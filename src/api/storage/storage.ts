// The storage interface under the object store: what kube-apiserver's `storage.Interface` asks of
// etcd, cut down to what kdp's ObjectStore needs. It knows nothing of kinds: keys are strings,
// values are JSON objects, and every write carries the cluster-wide revision the store assigned.
//
// The store keeps its own in-memory index and watch fan-out; the storage is where acknowledged
// writes live, so that a restart (or a kill -9) finds them again. Two implementations, one
// conformance suite (storage-conformance.ts): `MemoryStorage` (kdp up --ephemeral, unit tests) and
// `SqliteStorage` (the default: one kine-style table in `<state-dir>/state.db`).

/** One stored object: its key, the revision that last wrote it, and its value. */
export interface StoredObject {
  key: string;
  revision: number;
  value: unknown;
}

/** One event of the kept history: a create/update (`put`) or a delete, at `revision`. */
export interface StorageEvent {
  type: 'put' | 'delete';
  key: string;
  revision: number;
  /** For a put, the new value; for a delete, the last value the key had (as etcd's prev_kv). */
  value: unknown;
  /** The key had no live value before this put. */
  created: boolean;
}

export interface Storage {
  /** The highest revision ever written (0 for an empty storage). Rises across restarts. */
  currentRevision(): number;
  /** The revision up to which history was compacted: events at or below it are gone. */
  compactedRevision(): number;
  /** Every live object, in key order. Used once, at start. */
  loadAll(): StoredObject[];
  get(key: string): StoredObject | undefined;
  /**
   * Writes `value` under `key` at `revision`, which must be above currentRevision(); durable before
   * it returns. Throws StorageError when the write cannot be made (nothing is written then).
   */
  put(key: string, value: unknown, revision: number): void;
  /** Deletes `key` at `revision` (above currentRevision()); for a missing key nothing happens (the revision stays unused). */
  delete(key: string, revision: number): void;
  /** The kept events after `afterRevision`, oldest first, at most `limit`; throws StorageError 'Compacted' when that is gone. */
  history(afterRevision: number, limit?: number): StorageEvent[];
  /** Drops history at or below `revision` (the live value of every key is kept). Returns how many events went. */
  compact(revision: number): number;
  close(): void;
}

export type StorageErrorCode = 'NoSpace' | 'ReadOnly' | 'IO' | 'Corrupt' | 'Foreign' | 'Compacted' | 'Revision' | 'Locked';

/** A storage failure with a stable code; the store turns write failures into a 507/500 Status. */
export class StorageError extends Error {
  constructor(readonly code: StorageErrorCode, message: string, readonly path?: string) {
    super(message);
    this.name = 'StorageError';
  }
}

/** The one key format both implementations and the store share: `<group>/<resource>|<namespace>|<name>`. */
export function storageKey(gr: string, namespace: string | undefined, name: string): string {
  return `${gr}|${namespace ?? ''}|${name}`;
}

export function parseStorageKey(key: string): { gr: string; namespace: string | undefined; name: string } {
  const [gr, ns, name] = key.split('|');
  return { gr, namespace: ns || undefined, name };
}
