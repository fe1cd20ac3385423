// A shared-informer-like cache over the in-process store: list once, then watch from that
// resourceVersion; handlers are told which object changed. Components read the cache, never mutate
// what it holds (objects are frozen), and write through the store. Like client-go's Indexer, the
// cache keeps named indexes (an index function maps an object to the values it is found under),
// updated before any handler hears of the change; `list(namespace)` uses a built-in one.
import type { GroupResource } from './resources.js';
import type { ListOptions, ObjectStore, WatchEvent } from './store.js';
import type { KObject } from './types.js';

export interface InformerHandlers {
  onAdd?(obj: KObject): void;
  onUpdate?(obj: KObject, old: KObject): void;
  onDelete?(obj: KObject): void;
}

/** The values an object is indexed under (client-go's IndexFunc); [] leaves it out of the index. */
export type IndexFn = (obj: KObject) => string[];

interface Index {
  fn: IndexFn;
  /** value → object key → object, in the order objects entered that value. */
  byValue: Map<string, Map<string, KObject>>;
}

const NAMESPACE_INDEX = '\0namespace';
const byNamespace: IndexFn = (obj) => [obj.metadata.namespace ?? ''];

export class Informer {
  private readonly cache = new Map<string, KObject>();
  private readonly indexes = new Map<string, Index>([[NAMESPACE_INDEX, { fn: byNamespace, byValue: new Map() }]]);
  private readonly handlers: InformerHandlers[] = [];
  private stopWatch?: () => void;

  constructor(private readonly store: ObjectStore, readonly gr: GroupResource, private readonly opts: ListOptions = {}) {}

  /** Lists and starts watching; handlers added before start see every initial object as onAdd. */
  start(): this {
    if (this.stopWatch) return this;
    const { items, resourceVersion } = this.store.list(this.gr, this.opts);
    for (const obj of items) this.put(keyOf(obj), obj, this.cache.get(keyOf(obj)));
    this.stopWatch = this.store.watch(this.gr, { ...this.opts, resourceVersion }, (ev) => this.onEvent(ev));
    for (const obj of items) for (const h of this.handlers) h.onAdd?.(obj);
    return this;
  }

  stop(): void {
    this.stopWatch?.();
    this.stopWatch = undefined;
  }

  addHandlers(h: InformerHandlers): this {
    this.handlers.push(h);
    if (this.stopWatch) for (const obj of this.cache.values()) h.onAdd?.(obj);
    return this;
  }

  get(namespace: string | undefined, name: string): KObject | undefined {
    return this.cache.get(namespace ? `${namespace}/${name}` : name);
  }

  list(namespace?: string): KObject[] {
    if (!namespace) return [...this.cache.values()];
    return this.byIndex(NAMESPACE_INDEX, namespace);
  }

  /**
   * Adds a named index; objects already cached are indexed at once. Adding the same function under
   * the same name again is a no-op (components share indexes); another function under it is a bug.
   */
  addIndex(name: string, fn: IndexFn): this {
    const have = this.indexes.get(name);
    if (have) {
      if (have.fn !== fn) throw new Error(`informer ${this.gr}: index "${name}" already exists with another function`);
      return this;
    }
    const index: Index = { fn, byValue: new Map() };
    this.indexes.set(name, index);
    for (const [k, obj] of this.cache) this.indexAdd(index, k, obj);
    return this;
  }

  /** The cached objects indexed under `value` by the index `name`. */
  byIndex(name: string, value: string): KObject[] {
    const m = this.index(name).byValue.get(value);
    return m ? [...m.values()] : [];
  }

  /** How many cached objects the index `name` holds under `value`. */
  indexCount(name: string, value: string): number {
    return this.index(name).byValue.get(value)?.size ?? 0;
  }

  private index(name: string): Index {
    const index = this.indexes.get(name);
    if (!index) throw new Error(`informer ${this.gr}: no index "${name}"`);
    return index;
  }

  private indexAdd(index: Index, k: string, obj: KObject): void {
    for (const v of index.fn(obj)) {
      let m = index.byValue.get(v);
      if (!m) index.byValue.set(v, (m = new Map()));
      m.set(k, obj);
    }
  }

  private indexRemove(index: Index, k: string, obj: KObject): void {
    for (const v of index.fn(obj)) {
      const m = index.byValue.get(v);
      if (!m) continue;
      m.delete(k);
      if (!m.size) index.byValue.delete(v);
    }
  }

  /** Stores (obj) or forgets (undefined) the object under key k, keeping every index in step. */
  private put(k: string, obj: KObject | undefined, old: KObject | undefined): void {
    for (const index of this.indexes.values()) {
      if (old && obj) {
        const before = index.fn(old);
        const after = index.fn(obj);
        // Unchanged values: replace in place, keeping the object's position under each value.
        if (before.length === after.length && before.every((v, i) => v === after[i])) {
          for (const v of after) index.byValue.get(v)?.set(k, obj);
          continue;
        }
      }
      if (old) this.indexRemove(index, k, old);
      if (obj) this.indexAdd(index, k, obj);
    }
    if (obj) this.cache.set(k, obj);
    else this.cache.delete(k);
  }

  private onEvent(ev: WatchEvent): void {
    const k = keyOf(ev.object);
    const old = this.cache.get(k);
    if (ev.type === 'DELETED') {
      if (old) this.put(k, undefined, old);
      for (const h of this.handlers) h.onDelete?.(ev.object);
      return;
    }
    this.put(k, ev.object, old);
    for (const h of this.handlers) {
      if (old) h.onUpdate?.(ev.object, old);
      else h.onAdd?.(ev.object);
    }
  }
}

export function keyOf(obj: KObject): string {
  return obj.metadata.namespace ? `${obj.metadata.namespace}/${obj.metadata.name}` : obj.metadata.name;
}

/** One informer per group/resource, shared by every component in the process. */
export class InformerFactory {
  private readonly informers = new Map<GroupResource, Informer>();
  constructor(private readonly store: ObjectStore) {}

  for(gr: GroupResource): Informer {
    let inf = this.informers.get(gr);
    if (!inf) {
      inf = new Informer(this.store, gr);
      this.informers.set(gr, inf);
    }
    return inf;
  }

  start(): void {
    for (const inf of this.informers.values()) inf.start();
  }

  stop(): void {
    for (const inf of this.informers.values()) inf.stop();
  }
}
