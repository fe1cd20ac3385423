// The object store: kdp's etcd + the generic registry of kube-apiserver. One cluster-wide
// resourceVersion, create/get/list/update/delete with the apiserver's semantics (generateName, uid,
// generation, optimistic concurrency, graceful deletion, finalizers, owner-reference garbage
// collection, namespace lifecycle) and watches that resume from a resourceVersion.
//
// Objects handed out are deep-frozen: readers share them, writers clone (structuredClone) first.
import { randomUUID } from 'node:crypto';
import { errors, field, type StatusCause } from './errors.js';
import { finalizersForDelete, GarbageCollector, type ObjectRef } from './garbage-collector.js';
import { groupResource, type GroupResource, type ResourceInfo, ResourceRegistry } from './resources.js';
import { matchesFields, matchesLabels, parseFieldSelector, parseLabelSelector, type FieldRequirement, type Selector } from './selectors.js';
import type { KObject } from './types.js';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';
export interface WatchEvent {
  type: WatchEventType;
  object: KObject;
}
/** A store-wide event, for consumers that watch every resource (garbage collector, audit). */
export interface StoreEvent extends WatchEvent {
  gr: GroupResource;
  rv: number;
}

export interface ListOptions {
  namespace?: string;
  labelSelector?: string | Selector;
  fieldSelector?: string | FieldRequirement[];
}

export interface WatchOptions extends ListOptions {
  /** Resume after this resourceVersion; '' or '0' or undefined = from now (no replay). */
  resourceVersion?: string;
  /** Replay the current objects as ADDED first (the apiserver does this for a watch with no RV). */
  sendInitialEvents?: boolean;
}

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Background' | 'Foreground' | 'Orphan';
  preconditions?: { uid?: string; resourceVersion?: string };
}

export interface WriteContext {
  store: ObjectStore;
  info: ResourceInfo;
  now: Date;
}

/**
 * Per-kind behaviour, as the apiserver's REST strategies: defaulting, validation and allocation.
 * Hooks throw ApiError (or return causes) to refuse; nothing is stored then.
 */
export interface Strategy {
  /** Fill defaults and allocate (ClusterIP, nodePort); may throw. Runs before validate. */
  prepareForCreate?(obj: KObject, ctx: WriteContext): void;
  validate?(obj: KObject, ctx: WriteContext): StatusCause[];
  prepareForUpdate?(obj: KObject, old: KObject, ctx: WriteContext): void;
  validateUpdate?(obj: KObject, old: KObject, ctx: WriteContext): StatusCause[];
  /** Checks a write of the status subresource (the registry's ValidateUpdate of its status strategy). */
  validateStatusUpdate?(obj: KObject, old: KObject, ctx: WriteContext): StatusCause[];
  /** Undo what prepareForCreate allocated when the create fails later, or the object goes. */
  release?(obj: KObject, ctx: WriteContext): void;
  /** Release what `old` had and `obj` no longer has (after a successful update). */
  afterUpdate?(obj: KObject, old: KObject, ctx: WriteContext): void;
  /** Grace period for DELETE when the caller gave none (pods: terminationGracePeriodSeconds). */
  defaultGracePeriodSeconds?(obj: KObject): number;
}

export interface StoreOptions {
  registry?: ResourceRegistry;
  now?: () => Date;
  /** How many events to keep for watch resumption; older resourceVersions get 410 Gone. */
  historySize?: number;
}

interface Watcher {
  gr: GroupResource | '*';
  namespace?: string;
  labels: Selector;
  fields: FieldRequirement[];
  cb: (ev: WatchEvent & { gr: GroupResource }) => void;
  queue: StoreEvent[];
  closed: boolean;
}

const NAME_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

export function randomSuffix(n = 5, rng: () => number = Math.random): string {
  let s = '';
  for (let i = 0; i < n; i++) s += NAME_ALPHABET[Math.floor(rng() * NAME_ALPHABET.length)];
  return s;
}

export function rfc3339(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o as object)) deepFreeze(v);
  }
  return o;
}

function key(ns: string | undefined, name: string): string {
  return ns ? `${ns}/${name}` : name;
}

function refKey(gr: GroupResource, ns: string | undefined, name: string): string {
  return `${gr}|${ns ?? ''}|${name}`;
}

function parseRef(k: string): ObjectRef {
  const [gr, ns, name] = k.split('|');
  return { gr, namespace: ns || undefined, name };
}

/** Kinds whose registry orphans dependents by default (DefaultGarbageCollectionPolicy, for compatibility). */
const DEFAULT_ORPHAN = new Set<GroupResource>(['batch/jobs', '/replicationcontrollers']);

export class ObjectStore {
  readonly registry: ResourceRegistry;
  private readonly now: () => Date;
  private readonly historySize: number;
  private readonly tables = new Map<GroupResource, Map<string, KObject>>();
  private readonly strategies = new Map<GroupResource, Strategy>();
  private readonly watchers = new Set<Watcher>();
  private readonly history: StoreEvent[] = [];
  /** owner uid -> dependents, for the garbage collector */
  private readonly dependents = new Map<string, Set<string>>();
  /** uid -> where the object lives, for the garbage collector */
  private readonly uids = new Map<string, string>();
  private readonly gc: GarbageCollector;
  private rv = 1;
  private flushScheduled = false;

  constructor(opts: StoreOptions = {}) {
    this.registry = opts.registry ?? new ResourceRegistry();
    this.now = opts.now ?? (() => new Date());
    this.historySize = opts.historySize ?? 20_000;
    this.gc = new GarbageCollector({
      tryGet: (gr, ns, name) => this.tryGet(gr, ns, name),
      update: (gr, obj) => this.update(gr, obj),
      delete: (gr, ns, name, o) => this.delete(gr, ns, name, o),
      dependentsOf: (uid) => [...(this.dependents.get(uid) ?? [])].map(parseRef),
      locate: (uid) => {
        const at = this.uids.get(uid);
        return at === undefined ? undefined : parseRef(at);
      },
    });
  }

  setStrategy(gr: GroupResource, strategy: Strategy): void {
    this.strategies.set(gr, strategy);
  }

  resourceVersion(): string {
    return String(this.rv);
  }

  info(gr: GroupResource): ResourceInfo {
    const [group, resource] = gr.split('/');
    const info = this.registry.get(group, resource);
    if (!info) throw errors.notFound(group, resource, '');
    return info;
  }

  private table(gr: GroupResource): Map<string, KObject> {
    let t = this.tables.get(gr);
    if (!t) {
      t = new Map();
      this.tables.set(gr, t);
    }
    return t;
  }

  private ctx(info: ResourceInfo): WriteContext {
    return { store: this, info, now: this.now() };
  }

  // ---------------------------------------------------------------- reads

  tryGet(gr: GroupResource, namespace: string | undefined, name: string): KObject | undefined {
    return this.tables.get(gr)?.get(key(namespace, name));
  }

  get(gr: GroupResource, namespace: string | undefined, name: string): KObject {
    const obj = this.tryGet(gr, namespace, name);
    if (!obj) {
      const info = this.info(gr);
      throw errors.notFound(info.group, info.resource, name);
    }
    return obj;
  }

  list(gr: GroupResource, opts: ListOptions = {}): { items: KObject[]; resourceVersion: string } {
    const labels = typeof opts.labelSelector === 'string' ? parseLabelSelector(opts.labelSelector) : opts.labelSelector ?? [];
    const fields = typeof opts.fieldSelector === 'string' ? parseFieldSelector(opts.fieldSelector) : opts.fieldSelector ?? [];
    const items: KObject[] = [];
    for (const obj of this.tables.get(gr)?.values() ?? []) {
      if (opts.namespace && obj.metadata.namespace !== opts.namespace) continue;
      if (labels.length && !matchesLabels(labels, obj.metadata.labels)) continue;
      if (fields.length && !matchesFields(fields, obj)) continue;
      items.push(obj);
    }
    items.sort((a, b) => {
      const na = a.metadata.namespace ?? '';
      const nb = b.metadata.namespace ?? '';
      if (na !== nb) return na < nb ? -1 : 1;
      return a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0;
    });
    return { items, resourceVersion: this.resourceVersion() };
  }

  /** Every group/resource that currently holds objects. */
  populated(): GroupResource[] {
    return [...this.tables.entries()].filter(([, t]) => t.size > 0).map(([gr]) => gr);
  }

  // ---------------------------------------------------------------- writes

  create(gr: GroupResource, input: KObject, opts: { dryRun?: boolean } = {}): KObject {
    const info = this.info(gr);
    const obj = structuredClone(input) as KObject;
    obj.apiVersion = info.group ? `${info.group}/${info.version}` : info.version;
    obj.kind = info.kind;
    const meta = (obj.metadata ??= {} as KObject['metadata']);
    if (info.namespaced) {
      meta.namespace ||= 'default';
      if (gr !== '/namespaces') {
        const ns = this.tryGet('/namespaces', undefined, meta.namespace);
        if (!ns) throw errors.namespaceNotFound(meta.namespace);
        if (ns.metadata.deletionTimestamp) {
          throw errors.forbidden(`${info.resource} "${meta.name ?? meta.generateName}" is forbidden: unable to create new content in namespace ${meta.namespace} because it is being terminated`);
        }
      }
    } else {
      delete meta.namespace;
    }
    const table = this.table(gr);
    if (!meta.name && meta.generateName) {
      for (let i = 0; i < 8 && (!meta.name || table.has(key(meta.namespace, meta.name))); i++) {
        meta.name = meta.generateName + randomSuffix();
      }
    }
    if (!meta.name) {
      throw errors.invalid(info.group, info.kind, '', [{ reason: 'FieldValueRequired', field: 'metadata.name', message: 'Required value: name or generateName is required' }]);
    }
    if (table.has(key(meta.namespace, meta.name))) throw errors.alreadyExists(info.group, info.resource, meta.name);

    const ctx = this.ctx(info);
    const strategy = this.strategies.get(gr);
    delete meta.resourceVersion;
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
    meta.uid = randomUUID();
    meta.creationTimestamp = rfc3339(ctx.now);
    if ('spec' in obj || gr === '/pods') meta.generation = 1;
    if (strategy?.prepareForCreate) strategy.prepareForCreate(obj, ctx);
    const causes = strategy?.validate?.(obj, ctx) ?? [];
    if (causes.length) {
      strategy?.release?.(obj, ctx);
      throw errors.invalid(info.group, info.kind, meta.name, causes);
    }
    if (opts.dryRun) {
      strategy?.release?.(obj, ctx);
      return deepFreeze(obj);
    }
    meta.resourceVersion = String(++this.rv);
    deepFreeze(obj);
    table.set(key(meta.namespace, meta.name), obj);
    this.uids.set(meta.uid, refKey(gr, meta.namespace, meta.name));
    this.indexOwners(gr, obj);
    this.emit(gr, 'ADDED', obj);
    return obj;
  }

  /**
   * Replaces an object. With `subresource: 'status'` only `.status` (and metadata labels/annotations
   * are kept) changes; without it `.status` is kept for kinds that have a status subresource.
   */
  update(gr: GroupResource, input: KObject, opts: { subresource?: 'status'; dryRun?: boolean } = {}): KObject {
    const info = this.info(gr);
    const meta = input.metadata ?? ({} as KObject['metadata']);
    const ns = info.namespaced ? meta.namespace || 'default' : undefined;
    const old = this.get(gr, ns, meta.name);
    if (meta.resourceVersion && meta.resourceVersion !== old.metadata.resourceVersion) {
      throw errors.conflict(info.group, info.resource, meta.name, 'the object has been modified; please apply your changes to the latest version and try again');
    }
    if (meta.uid && meta.uid !== old.metadata.uid) {
      throw errors.conflict(info.group, info.resource, meta.name, `Precondition failed: UID in precondition: ${meta.uid}, UID in object meta: ${old.metadata.uid}`);
    }
    const obj = structuredClone(input) as KObject;
    obj.apiVersion = old.apiVersion;
    obj.kind = old.kind;
    const hasStatus = info.subresources.includes('status');
    if (opts.subresource === 'status') {
      const status = obj.status;
      const next = structuredClone(old) as KObject;
      next.status = status;
      return this.commitUpdate(gr, info, next, old, opts.dryRun, true);
    }
    if (hasStatus) {
      if (old.status === undefined) delete obj.status;
      else obj.status = structuredClone(old.status);
    }
    return this.commitUpdate(gr, info, obj, old, opts.dryRun, false);
  }

  private commitUpdate(gr: GroupResource, info: ResourceInfo, obj: KObject, old: KObject, dryRun: boolean | undefined, statusOnly: boolean): KObject {
    const meta = obj.metadata;
    // Fields the server owns.
    meta.namespace = old.metadata.namespace;
    if (!info.namespaced) delete meta.namespace;
    meta.uid = old.metadata.uid;
    meta.creationTimestamp = old.metadata.creationTimestamp;
    if (old.metadata.deletionTimestamp) {
      meta.deletionTimestamp = old.metadata.deletionTimestamp;
      if (old.metadata.deletionGracePeriodSeconds !== undefined) meta.deletionGracePeriodSeconds = old.metadata.deletionGracePeriodSeconds;
    } else {
      delete meta.deletionTimestamp;
      delete meta.deletionGracePeriodSeconds;
    }
    if (meta.generateName === undefined && old.metadata.generateName !== undefined) meta.generateName = old.metadata.generateName;
    if (old.metadata.generation !== undefined) {
      meta.generation = old.metadata.generation;
      if (!statusOnly && JSON.stringify(obj.spec) !== JSON.stringify(old.spec)) meta.generation++;
    }
    const ctx = this.ctx(info);
    const strategy = this.strategies.get(gr);
    if (old.metadata.deletionTimestamp) {
      // ValidateNoNewFinalizers: a deleting object may only lose finalizers.
      const had = new Set(old.metadata.finalizers ?? []);
      const extra = [...new Set(meta.finalizers ?? [])].filter((f) => !had.has(f)).sort();
      if (extra.length) throw errors.invalid(info.group, info.kind, meta.name, [field.forbidden('metadata.finalizers', `no new finalizers can be added if the object is being deleted, found new finalizers []string{${extra.map((f) => JSON.stringify(f)).join(', ')}}`)]);
    }
    if (!statusOnly) {
      strategy?.prepareForUpdate?.(obj, old, ctx);
      const causes = strategy?.validateUpdate?.(obj, old, ctx) ?? strategy?.validate?.(obj, ctx) ?? [];
      if (causes.length) throw errors.invalid(info.group, info.kind, meta.name, causes);
    } else {
      const causes = strategy?.validateStatusUpdate?.(obj, old, ctx) ?? [];
      if (causes.length) throw errors.invalid(info.group, info.kind, meta.name, causes);
    }
    if (dryRun) return deepFreeze(obj);
    meta.resourceVersion = String(++this.rv);
    deepFreeze(obj);
    const k = key(meta.namespace, meta.name);
    if (meta.deletionTimestamp && !(meta.finalizers?.length) && !this.awaitsGrace(gr, obj)) {
      // the last finalizer went: the object goes now
      this.table(gr).set(k, obj);
      this.remove(gr, info, obj);
      return obj;
    }
    this.table(gr).set(k, obj);
    this.unindexOwners(gr, old);
    this.indexOwners(gr, obj);
    if (!statusOnly) strategy?.afterUpdate?.(obj, old, ctx);
    this.emit(gr, 'MODIFIED', obj);
    if (meta.deletionTimestamp) this.gc.marked(obj);
    if (old.metadata.ownerReferences && JSON.stringify(old.metadata.ownerReferences) !== JSON.stringify(meta.ownerReferences)) this.gc.released(old);
    return obj;
  }

  /** Pods being deleted gracefully stay until the kubelet (pod runtime) deletes them with grace 0. */
  private awaitsGrace(gr: GroupResource, obj: KObject): boolean {
    return gr === '/pods' && (obj.metadata.deletionGracePeriodSeconds ?? 0) > 0;
  }

  /**
   * Deletes as the generic registry does. Returns the object as removed, or — when it stays (a pod's
   * grace period, finalizers, the garbage collector's orphan/foregroundDeletion finalizers that the
   * propagation policy adds, a namespace) — as marked: deletionTimestamp, deletionGracePeriodSeconds.
   */
  delete(gr: GroupResource, namespace: string | undefined, name: string, opts: DeleteOptions = {}): KObject {
    const info = this.info(gr);
    const ns = info.namespaced ? namespace || 'default' : undefined;
    const old = this.get(gr, ns, name);
    if (opts.preconditions?.uid && opts.preconditions.uid !== old.metadata.uid) {
      throw errors.conflict(info.group, info.resource, name, `Precondition failed: UID in precondition: ${opts.preconditions.uid}, UID in object meta: ${old.metadata.uid}`);
    }
    if (opts.preconditions?.resourceVersion && opts.preconditions.resourceVersion !== old.metadata.resourceVersion) {
      throw errors.conflict(info.group, info.resource, name, `Precondition failed: ResourceVersion in precondition: ${opts.preconditions.resourceVersion}, ResourceVersion in object meta: ${old.metadata.resourceVersion}`);
    }
    const strategy = this.strategies.get(gr);
    // Only pods delete gracefully (a strategy with a default grace period); the rest are marked with 0.
    const gracefulKind = gr === '/pods' || !!strategy?.defaultGracePeriodSeconds;
    let grace = gracefulKind ? opts.gracePeriodSeconds ?? strategy?.defaultGracePeriodSeconds?.(old) ?? 0 : 0;
    if (grace < 0) grace = 1;
    // Pods that no node runs (not scheduled) have nothing to stop: they go at once, as in Kubernetes.
    if (gr === '/pods' && !old.spec?.nodeName) grace = 0;
    if (gr === '/pods' && ['Succeeded', 'Failed'].includes(old.status?.phase)) grace = 0;
    const isNamespace = gr === '/namespaces';
    const now = this.now();
    const meta0 = old.metadata;
    const pendingGrace = meta0.deletionGracePeriodSeconds ?? 0;
    if (meta0.deletionTimestamp && gracefulKind && pendingGrace > 0 && ((opts.gracePeriodSeconds === undefined && grace > 0) || grace >= pendingGrace)) {
      // A graceful deletion is pending and not shortened: nothing changes (not even the finalizers).
      return old;
    }
    // (a namespace's own controller empties it; the garbage collector's finalizers are not added to it)
    const finalizers = isNamespace ? [...(meta0.finalizers ?? [])] : finalizersForDelete(meta0.finalizers ?? [], opts.propagationPolicy, DEFAULT_ORPHAN.has(gr) ? 'Orphan' : 'Delete');
    const graceful = gracefulKind && grace > 0;
    if (!graceful && !finalizers.length && !isNamespace) {
      this.remove(gr, info, old);
      return old;
    }
    const obj = structuredClone(old) as KObject;
    const meta = obj.metadata;
    if (!meta.deletionTimestamp && meta.generation) meta.generation++;
    if (graceful) {
      // a new grace period, or a shorter one: the deadline moves to now + grace
      meta.deletionTimestamp = rfc3339(new Date(now.getTime() + grace * 1000));
      meta.deletionGracePeriodSeconds = grace;
    } else {
      // markAsDeleting: now (unless an earlier deadline is set), grace 0
      if (!meta.deletionTimestamp || Date.parse(meta.deletionTimestamp) > now.getTime()) meta.deletionTimestamp = rfc3339(now);
      meta.deletionGracePeriodSeconds = 0;
    }
    if (finalizers.length) meta.finalizers = finalizers;
    else delete meta.finalizers;
    if (isNamespace) obj.status = { ...(obj.status ?? {}), phase: 'Terminating' };
    if (JSON.stringify(obj) === JSON.stringify(old)) return old;
    meta.resourceVersion = String(++this.rv);
    deepFreeze(obj);
    this.table(gr).set(key(meta.namespace, name), obj);
    this.emit(gr, 'MODIFIED', obj);
    if (isNamespace && !old.metadata.deletionTimestamp) this.scheduleNamespaceCleanup(name);
    this.gc.marked(obj);
    return obj;
  }

  private remove(gr: GroupResource, info: ResourceInfo, obj: KObject): void {
    const k = key(obj.metadata.namespace, obj.metadata.name);
    const current = this.table(gr).get(k);
    if (!current) return;
    this.table(gr).delete(k);
    this.uids.delete(current.metadata.uid!);
    this.unindexOwners(gr, current);
    this.strategies.get(gr)?.release?.(current, this.ctx(info));
    const gone = structuredClone(current) as KObject;
    gone.metadata.resourceVersion = String(++this.rv);
    deepFreeze(gone);
    this.emit(gr, 'DELETED', gone);
    this.gc.removed(current);
  }

  // ---------------------------------------------------------------- garbage collection

  private indexOwners(gr: GroupResource, obj: KObject): void {
    for (const ref of obj.metadata.ownerReferences ?? []) {
      let set = this.dependents.get(ref.uid);
      if (!set) this.dependents.set(ref.uid, (set = new Set()));
      set.add(refKey(gr, obj.metadata.namespace, obj.metadata.name));
    }
  }

  private unindexOwners(gr: GroupResource, obj: KObject): void {
    for (const ref of obj.metadata.ownerReferences ?? []) {
      const set = this.dependents.get(ref.uid);
      set?.delete(refKey(gr, obj.metadata.namespace, obj.metadata.name));
      if (set && set.size === 0) this.dependents.delete(ref.uid);
    }
  }

  /** The namespace controller: delete everything in a terminating namespace, then the namespace. */
  private scheduleNamespaceCleanup(ns: string): void {
    const tick = () => {
      const nsObj = this.tryGet('/namespaces', undefined, ns);
      if (!nsObj || !nsObj.metadata.deletionTimestamp) return;
      let remaining = 0;
      for (const [gr, table] of this.tables) {
        for (const obj of [...table.values()]) {
          if (obj.metadata.namespace !== ns) continue;
          remaining++;
          if (!obj.metadata.deletionTimestamp) {
            try {
              this.delete(gr, ns, obj.metadata.name, { propagationPolicy: 'Background' });
            } catch {
              /* raced */
            }
          }
        }
      }
      if (remaining === 0 && !(nsObj.metadata.finalizers?.length)) {
        this.remove('/namespaces', this.info('/namespaces'), nsObj);
        return;
      }
      setTimeout(tick, 50).unref();
    };
    setImmediate(tick);
  }

  // ---------------------------------------------------------------- watch

  /**
   * Watches one group/resource (or '*' for all). Events arrive asynchronously, in order. Throws 410
   * Gone when `resourceVersion` is older than the kept history.
   */
  watch(gr: GroupResource | '*', opts: WatchOptions, cb: (ev: WatchEvent & { gr: GroupResource }) => void): () => void {
    const w: Watcher = {
      gr,
      namespace: opts.namespace,
      labels: typeof opts.labelSelector === 'string' ? parseLabelSelector(opts.labelSelector) : opts.labelSelector ?? [],
      fields: typeof opts.fieldSelector === 'string' ? parseFieldSelector(opts.fieldSelector) : opts.fieldSelector ?? [],
      cb,
      queue: [],
      closed: false,
    };
    const from = opts.resourceVersion && opts.resourceVersion !== '0' ? Number(opts.resourceVersion) : undefined;
    if (from !== undefined) {
      if (!Number.isFinite(from)) throw errors.badRequest(`invalid resource version: ${opts.resourceVersion}`);
      const oldest = this.history.length ? this.history[0].rv : this.rv + 1;
      if (from < oldest - 1 && from < this.rv) {
        throw errors.gone(`too old resource version: ${from} (${oldest - 1})`);
      }
      for (const ev of this.history) if (ev.rv > from && this.matches(w, ev)) w.queue.push(ev);
    } else if (opts.sendInitialEvents) {
      const grs = gr === '*' ? [...this.tables.keys()] : [gr];
      for (const g of grs) {
        for (const obj of this.list(g, { namespace: opts.namespace, labelSelector: w.labels, fieldSelector: w.fields }).items) {
          w.queue.push({ gr: g, type: 'ADDED', object: obj, rv: Number(obj.metadata.resourceVersion) });
        }
      }
    }
    this.watchers.add(w);
    if (w.queue.length) this.scheduleFlush();
    return () => {
      w.closed = true;
      this.watchers.delete(w);
    };
  }

  private matches(w: Watcher, ev: StoreEvent): boolean {
    if (w.gr !== '*' && w.gr !== ev.gr) return false;
    if (w.namespace && ev.object.metadata.namespace !== w.namespace) return false;
    if (w.labels.length && !matchesLabels(w.labels, ev.object.metadata.labels)) return false;
    if (w.fields.length && !matchesFields(w.fields, ev.object)) return false;
    return true;
  }

  private emit(gr: GroupResource, type: WatchEventType, object: KObject): void {
    const ev: StoreEvent = { gr, type, object, rv: this.rv };
    this.history.push(ev);
    // Trimmed in batches of a sixteenth (0 for tiny histories): one splice of a 20,000-event array
    // per event was a measurable share of a large cluster's sync. Up to historySize * 17/16 are kept.
    if (this.history.length > this.historySize + (this.historySize >> 4)) this.history.splice(0, this.history.length - this.historySize);
    for (const w of this.watchers) if (this.matches(w, ev)) w.queue.push(ev);
    this.scheduleFlush();
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    queueMicrotask(() => this.flush());
  }

  private flush(): void {
    this.flushScheduled = false;
    for (const w of [...this.watchers]) {
      while (w.queue.length && !w.closed) {
        const ev = w.queue.shift()!;
        try {
          w.cb({ type: ev.type, object: ev.object, gr: ev.gr });
        } catch (err) {
          console.error(`[ERROR] store: watch handler for ${ev.gr} failed: ${(err as Error).stack ?? err}`);
        }
      }
    }
  }
}

export { groupResource };
