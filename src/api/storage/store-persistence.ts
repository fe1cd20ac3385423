// The object store's side of the storage seam: loading a stored cluster at start (objects, the kept
// history for watches that resume across a restart, the revision to continue from), writing each
// acknowledged change through before the store applies it in memory, compacting as etcd's periodic
// compaction does, and turning storage failures into API Status errors.
import { ApiError } from '../errors.js';
import type { GroupResource } from '../resources.js';
import type { KObject } from '../types.js';
import { parseStorageKey, StorageError, storageKey, type Storage } from './storage.js';

/** What the store's watch history holds (store.ts's StoreEvent). */
interface HistoryEvent {
  gr: GroupResource;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  object: KObject;
  rv: number;
}

export interface Loaded {
  objects: { gr: GroupResource; obj: KObject }[];
  history: HistoryEvent[];
  revision: number;
}

/** Every live object and the newest `historySize` events of `storage` (nothing without one). */
export function loadFromStorage(storage: Storage | undefined, historySize: number, freeze: <T>(o: T) => T): Loaded {
  if (!storage) return { objects: [], history: [], revision: 0 };
  const objects = storage.loadAll().map((o) => ({ gr: parseStorageKey(o.key).gr, obj: freeze(o.value as KObject) }));
  const revision = storage.currentRevision();
  const from = Math.max(storage.compactedRevision(), revision - historySize);
  const history = storage.history(from).map((ev): HistoryEvent => {
    const object = ev.value as KObject;
    // A delete's event carries the last value at the delete's revision, as the store emitted it.
    if (ev.type === 'delete') object.metadata.resourceVersion = String(ev.revision);
    return { gr: parseStorageKey(ev.key).gr, type: ev.type === 'delete' ? 'DELETED' : ev.created ? 'ADDED' : 'MODIFIED', object: freeze(object), rv: ev.revision };
  });
  return { objects, history, revision };
}

/** A failed write as the API answers it: 507 when the disk is full, 500 naming the cause otherwise. */
export function storageApiError(err: StorageError): ApiError {
  const message = `Internal error occurred: storage: ${err.message}`;
  if (err.code === 'NoSpace') {
    return new ApiError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason: 'InsufficientStorage', code: 507 });
  }
  return new ApiError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason: 'InternalError', code: 500 });
}

export class StorageWriter {
  private writes = 0;

  /**
   * @param historySize how many revisions of history the storage keeps behind the current one
   * @param compactEvery compact after this many writes (etcd's periodic compaction, by count)
   */
  constructor(private readonly storage: Storage | undefined, private readonly historySize: number, private readonly compactEvery = Math.max(1000, historySize >> 2)) {}

  private guard(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      if (err instanceof StorageError) {
        console.error(`[ERROR] store: ${err.message}`);
        throw storageApiError(err);
      }
      throw err;
    }
  }

  put(gr: GroupResource, obj: KObject): void {
    const s = this.storage;
    if (!s) return;
    this.guard(() => s.put(storageKey(gr, obj.metadata.namespace, obj.metadata.name), obj, Number(obj.metadata.resourceVersion)));
    this.writes++;
  }

  delete(gr: GroupResource, obj: KObject, revision: number): void {
    const s = this.storage;
    if (!s) return;
    this.guard(() => s.delete(storageKey(gr, obj.metadata.namespace, obj.metadata.name), revision));
    this.writes++;
  }

  /** Compacts history older than historySize revisions, every compactEvery writes; never throws. */
  maybeCompact(revision: number): void {
    if (!this.storage || this.writes < this.compactEvery) return;
    this.writes = 0;
    try {
      this.storage.compact(revision - this.historySize);
    } catch (err) {
      console.error(`[WARN] store: compaction failed: ${(err as Error).message}`);
    }
  }
}
