// Writes the statuses the model wants through the status subresource, only when they differ (apart
// from lastTransitionTime, kept while a condition's status stays): GatewayClass conditions, Gateway
// addresses/conditions/listeners, HTTPRoute status.parents (other controllers' entries kept).
import { ApiError } from '../api/errors.js';
import type { ObjectStore } from '../api/store.js';
import type { KObject } from '../api/types.js';
import type { Condition } from './route-table.js';

type Stamped = Condition & { lastTransitionTime: string };

function stamp(wanted: Condition[], previous: Stamped[] | undefined, now: string): Stamped[] {
  return wanted.map((c) => {
    const old = previous?.find((p) => p.type === c.type);
    return { ...c, lastTransitionTime: old && old.status === c.status && old.lastTransitionTime ? old.lastTransitionTime : now };
  });
}

const strip = (v: unknown): unknown => JSON.parse(JSON.stringify(v, (k, x) => (k === 'lastTransitionTime' ? undefined : x)));
const same = (a: unknown, b: unknown) => JSON.stringify(strip(a)) === JSON.stringify(strip(b));

export class StatusWriter {
  constructor(private readonly store: ObjectStore, private readonly log: (level: string, msg: string) => void) {}

  /** Returns false when a write conflicted (the caller rebuilds and tries again). */
  private write(gr: string, obj: KObject, status: Record<string, unknown>): boolean {
    if (same(obj.status ?? {}, status)) return true;
    try {
      this.store.update(gr, { ...obj, status } as KObject, { subresource: 'status' });
      return true;
    } catch (err) {
      if (err instanceof ApiError && (err.reason === 'Conflict' || err.reason === 'NotFound')) return false;
      this.log('ERROR', `status of ${gr} ${obj.metadata.namespace ?? ''}/${obj.metadata.name}: ${(err as Error).message}`);
      return true;
    }
  }

  gatewayClass(gr: string, obj: KObject, conditions: Condition[], supportedFeatures: { name: string }[], now: string): boolean {
    const prev = (obj.status as any)?.conditions as Stamped[] | undefined;
    return this.write(gr, obj, { ...(obj.status ?? {}), conditions: stamp(conditions, prev, now), supportedFeatures });
  }

  gateway(gr: string, obj: KObject, wanted: Record<string, any>, now: string): boolean {
    const prev = (obj.status ?? {}) as any;
    const listeners = (wanted.listeners as any[]).map((l) => ({ ...l, conditions: stamp(l.conditions, prev.listeners?.find((p: any) => p.name === l.name)?.conditions, now) }));
    return this.write(gr, obj, { ...prev, addresses: wanted.addresses, conditions: stamp(wanted.conditions, prev.conditions, now), listeners });
  }

  route(gr: string, obj: KObject, ours: Record<string, any>[], controllerName: string, now: string): boolean {
    const prev = ((obj.status as any)?.parents ?? []) as any[];
    const others = prev.filter((p) => p.controllerName !== controllerName);
    const mine = ours.map((p) => {
      const old = prev.find((x) => x.controllerName === controllerName && same(x.parentRef, p.parentRef));
      return { ...p, conditions: stamp(p.conditions, old?.conditions, now) };
    });
    return this.write(gr, obj, { ...(obj.status ?? {}), parents: [...others, ...mine] });
  }
}
