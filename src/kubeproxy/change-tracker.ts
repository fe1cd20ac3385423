// Service and EndpointSlice change trackers: the shared front of kube-proxy. Informer handlers feed
// them; they keep the current objects and say whether a change matters to proxying, so status-only
// or annotation-only updates don't cause a sync.
import type { EndpointSlice, KObject, Service } from '../api/types.js';
import { SERVICE_NAME_LABEL } from './routing-table.js';

function keyOf(obj: KObject | { metadata?: { namespace?: string; name?: string } }): string {
  return `${obj.metadata?.namespace ?? ''}/${obj.metadata?.name ?? ''}`;
}

/** Keeps objects by namespace/name; `update` returns true when the proxy-relevant view changed. */
abstract class ChangeTracker<T> {
  private readonly objects = new Map<string, T>();
  private readonly views = new Map<string, string>();
  private changed = new Set<string>();

  /** What kube-proxy looks at, serialised; equal views = nothing to do. */
  protected abstract view(obj: T): string;

  /** Records an add (prev undefined), update, or delete (cur undefined). */
  update(prev: KObject | undefined, cur: KObject | undefined): boolean {
    const obj = (cur ?? prev) as KObject | undefined;
    if (!obj) return false;
    const key = keyOf(obj);
    if (!cur) {
      this.objects.delete(key);
      const had = this.views.delete(key);
      if (had) this.changed.add(key);
      return had;
    }
    const v = this.view(cur as unknown as T);
    this.objects.set(key, cur as unknown as T);
    if (this.views.get(key) === v) return false;
    this.views.set(key, v);
    this.changed.add(key);
    return true;
  }

  list(): T[] {
    return [...this.objects.values()];
  }

  /** The keys changed since the last call (for logging and metrics), and resets them. */
  takeChanges(): string[] {
    const out = [...this.changed];
    this.changed = new Set();
    return out;
  }
}

export class ServiceChangeTracker extends ChangeTracker<Service> {
  protected view(svc: Service): string {
    const s = svc.spec ?? {};
    return JSON.stringify([
      s.type,
      s.clusterIP,
      s.clusterIPs,
      s.ports,
      s.sessionAffinity,
      s.sessionAffinityConfig,
      s.externalIPs,
      s.externalTrafficPolicy,
      s.internalTrafficPolicy,
      (svc as KObject).status?.loadBalancer,
    ]);
  }
}

export class EndpointSliceChangeTracker extends ChangeTracker<EndpointSlice> {
  protected view(slice: EndpointSlice): string {
    return JSON.stringify([slice.metadata?.labels?.[SERVICE_NAME_LABEL], slice.addressType, slice.ports, slice.endpoints]);
  }
}
