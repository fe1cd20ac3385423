// The garbage collector (kube-controller-manager's garbagecollector), run beside the store because
// kdp's store is the only writer that sees every object: it follows ownerReferences.
//
// - Background (the default): the owner goes at once; afterwards each dependent with no other live
//   owner is deleted (Background, or as its own orphan/foregroundDeletion finalizer says).
// - Foreground (`foregroundDeletion` finalizer, set by the store's delete): the owner stays,
//   marked; all its dependents are deleted (Foreground for those that have dependents themselves);
//   when no dependent with `blockOwnerDeletion: true` is left in storage, the finalizer is removed
//   and the owner goes.
// - Orphan (`orphan` finalizer; also `orphanDependents: true` and the batch/v1 Job and v1
//   ReplicationController default): the owner's reference is removed from every dependent, then the
//   finalizer, and the owner goes.
//
// Work is deferred (setImmediate) and idempotent: each pass reads the store's current state.
import type { KObject, OwnerReference } from './types.js';

export const FINALIZER_ORPHAN = 'orphan';
export const FINALIZER_FOREGROUND = 'foregroundDeletion';

export type Propagation = 'Background' | 'Foreground' | 'Orphan';

export interface ObjectRef {
  gr: string;
  namespace?: string;
  name: string;
}

/** What the collector needs from the store. */
export interface GcStore {
  tryGet(gr: string, namespace: string | undefined, name: string): KObject | undefined;
  update(gr: string, obj: KObject): KObject;
  delete(gr: string, namespace: string | undefined, name: string, opts: { propagationPolicy?: Propagation; preconditions?: { uid?: string } }): KObject;
  /** Objects whose ownerReferences name this uid. */
  dependentsOf(uid: string): ObjectRef[];
  /** Where the object with this uid lives, if it exists. */
  locate(uid: string): ObjectRef | undefined;
}

/**
 * The GC finalizers a delete leaves on an object (the registry's
 * deletionFinalizersForGarbageCollection): an explicit policy wins, then a finalizer already there,
 * then the kind's default.
 */
export function finalizersForDelete(existing: string[], policy: Propagation | undefined, kindDefault: 'Orphan' | 'Delete'): string[] {
  let orphan: boolean;
  let foreground: boolean;
  if (policy) {
    orphan = policy === 'Orphan';
    foreground = policy === 'Foreground';
  } else if (existing.includes(FINALIZER_ORPHAN) || existing.includes(FINALIZER_FOREGROUND)) {
    const first = existing.find((f) => f === FINALIZER_ORPHAN || f === FINALIZER_FOREGROUND);
    orphan = first === FINALIZER_ORPHAN;
    foreground = first === FINALIZER_FOREGROUND;
  } else {
    orphan = kindDefault === 'Orphan';
    foreground = false;
  }
  const out = existing.filter((f) => f !== FINALIZER_ORPHAN && f !== FINALIZER_FOREGROUND);
  if (orphan) out.push(FINALIZER_ORPHAN);
  if (foreground) out.push(FINALIZER_FOREGROUND);
  return out;
}

export class GarbageCollector {
  private readonly pending = new Set<string>();
  private scheduled = false;

  constructor(private readonly store: GcStore) {}

  /** An object was removed from storage: collect its dependents, and wake owners waiting for it. */
  removed(obj: KObject): void {
    this.enqueue(obj.metadata.uid!);
    this.wakeOwners(obj);
  }

  /** An object's ownerReferences changed: owners waiting for it (foreground) look again. */
  released(old: KObject): void {
    this.wakeOwners(old);
  }

  /** Owners that exist and are being deleted may be waiting for this dependent (foreground). */
  private wakeOwners(obj: KObject): void {
    for (const ref of obj.metadata.ownerReferences ?? []) {
      const at = this.store.locate(ref.uid);
      if (at && this.store.tryGet(at.gr, at.namespace, at.name)?.metadata.deletionTimestamp) this.enqueue(ref.uid);
    }
  }

  /** An object is marked for deletion or changed while marked: its GC finalizers need work. */
  marked(obj: KObject): void {
    if (obj.metadata.finalizers?.some((f) => f === FINALIZER_ORPHAN || f === FINALIZER_FOREGROUND)) this.enqueue(obj.metadata.uid!);
  }

  private enqueue(uid: string): void {
    this.pending.add(uid);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.run());
  }

  private run(): void {
    this.scheduled = false;
    const uids = [...this.pending];
    this.pending.clear();
    for (const uid of uids) {
      try {
        this.process(uid);
      } catch (err) {
        console.error(`[ERROR] garbage-collector: ${(err as Error)?.message ?? err}`);
      }
    }
  }

  private process(uid: string): void {
    const at = this.store.locate(uid);
    const owner = at && this.store.tryGet(at.gr, at.namespace, at.name);
    if (!owner || !at) return this.collectOrphans(uid);
    if (!owner.metadata.deletionTimestamp) return;
    const finalizers = owner.metadata.finalizers ?? [];
    if (finalizers.includes(FINALIZER_ORPHAN)) return this.orphan(at, owner);
    if (finalizers.includes(FINALIZER_FOREGROUND)) return this.foreground(at, owner);
  }

  /** The owner is gone: delete each dependent that has no other live owner. */
  private collectOrphans(ownerUid: string): void {
    for (const dep of this.store.dependentsOf(ownerUid)) {
      const obj = this.store.tryGet(dep.gr, dep.namespace, dep.name);
      if (!obj || obj.metadata.deletionTimestamp) continue;
      const others = (obj.metadata.ownerReferences ?? []).filter((r) => r.uid !== ownerUid);
      if (others.some((r) => this.isLive(r))) continue;
      this.deleteQuietly(dep, obj, policyFromFinalizers(obj));
    }
  }

  private orphan(at: ObjectRef, owner: KObject): void {
    const uid = owner.metadata.uid!;
    for (const dep of this.store.dependentsOf(uid)) {
      const obj = this.store.tryGet(dep.gr, dep.namespace, dep.name);
      if (!obj) continue;
      const next = structuredClone(obj) as KObject;
      next.metadata.ownerReferences = (next.metadata.ownerReferences ?? []).filter((r) => r.uid !== uid);
      if (!next.metadata.ownerReferences.length) delete next.metadata.ownerReferences;
      delete next.metadata.resourceVersion;
      this.store.update(dep.gr, next);
    }
    this.removeFinalizer(at, owner, FINALIZER_ORPHAN);
  }

  private foreground(at: ObjectRef, owner: KObject): void {
    const uid = owner.metadata.uid!;
    let blocking = 0;
    for (const dep of this.store.dependentsOf(uid)) {
      const obj = this.store.tryGet(dep.gr, dep.namespace, dep.name);
      if (!obj) continue;
      const ref = obj.metadata.ownerReferences?.find((r) => r.uid === uid);
      if (ref?.blockOwnerDeletion) blocking++;
      if (obj.metadata.deletionTimestamp) continue;
      const others = (obj.metadata.ownerReferences ?? []).filter((r) => r.uid !== uid);
      // Another owner that is not itself being deleted keeps the dependent (minus this reference).
      if (others.some((r) => this.isLive(r, true))) {
        const next = structuredClone(obj) as KObject;
        next.metadata.ownerReferences = others;
        delete next.metadata.resourceVersion;
        this.store.update(dep.gr, next);
        if (ref?.blockOwnerDeletion) blocking--;
        continue;
      }
      const hasDependents = this.store.dependentsOf(obj.metadata.uid!).length > 0;
      this.deleteQuietly(dep, obj, hasDependents ? 'Foreground' : policyFromFinalizers(obj));
    }
    if (blocking === 0) this.removeFinalizer(at, owner, FINALIZER_FOREGROUND);
  }

  /** Is the owner this reference names still there (and, with `solid`, not being deleted)? */
  private isLive(ref: OwnerReference, solid = false): boolean {
    const at = this.store.locate(ref.uid);
    const o = at && this.store.tryGet(at.gr, at.namespace, at.name);
    return !!o && (!solid || !o.metadata.deletionTimestamp);
  }

  private removeFinalizer(at: ObjectRef, owner: KObject, finalizer: string): void {
    const next = structuredClone(owner) as KObject;
    next.metadata.finalizers = (next.metadata.finalizers ?? []).filter((f) => f !== finalizer);
    if (!next.metadata.finalizers.length) delete next.metadata.finalizers;
    this.store.update(at.gr, next);
  }

  private deleteQuietly(at: ObjectRef, obj: KObject, policy: Propagation): void {
    try {
      this.store.delete(at.gr, at.namespace, at.name, { propagationPolicy: policy, preconditions: { uid: obj.metadata.uid } });
    } catch {
      // gone meanwhile, or replaced: the next event for it brings it back here
    }
  }
}

function policyFromFinalizers(obj: KObject): Propagation {
  const f = obj.metadata.finalizers ?? [];
  if (f.includes(FINALIZER_ORPHAN)) return 'Orphan';
  if (f.includes(FINALIZER_FOREGROUND)) return 'Foreground';
  return 'Background';
}
