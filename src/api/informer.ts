// A shared-informer-like cache over the in-process store: list once, then watch from that
// resourceVersion; handlers are told which object changed. Components read the cache, never mutate
// what it holds (objects are frozen), and write through the store.
import type { GroupResource } from './resources.js';
import type { ListOptions, ObjectStore, WatchEvent } from './store.js';
import type { KObject } from './types.js';

export interface InformerHandlers {
  onAdd?(obj: KObject): void;
  onUpdate?(obj: KObject, old: KObject): void;
  onDelete?(obj: KObject): void;
}

export class Informer {
  private readonly cache = new Map<string, KObject>();
  private readonly handlers: InformerHandlers[] = [];
  private stopWatch?: () => void;

  constructor(private readonly store: ObjectStore, readonly gr: GroupResource, private readonly opts: ListOptions = {}) {}

  /** Lists and starts watching; handlers added before start see every initial object as onAdd. */
  start(): this {
    if (this.stopWatch) return this;
    const { items, resourceVersion } = this.store.list(this.gr, this.opts);
    for (const obj of items) this.cache.set(keyOf(obj), obj);
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
    const all = [...this.cache.values()];
    return namespace ? all.filter((o) => o.metadata.namespace === namespace) : all;
  }

  private onEvent(ev: WatchEvent): void {
    const k = keyOf(ev.object);
    const old = this.cache.get(k);
    if (ev.type === 'DELETED') {
      this.cache.delete(k);
      for (const h of this.handlers) h.onDelete?.(ev.object);
      return;
    }
    this.cache.set(k, ev.object);
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
