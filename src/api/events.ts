// Records core/v1 Events about objects, as client-go's EventRecorder: `kubectl describe` and
// `kubectl get events` show them. Repeats of the same event (object, reason, message) bump `count`
// and `lastTimestamp` of the existing Event instead of creating a new one. Like the apiserver's
// one-hour event TTL, a recorder deletes the Events it wrote once they are older than `ttlMs`.
import { rfc3339, type ObjectStore } from './store.js';
import { GR, type KObject } from './types.js';

export type EventType = 'Normal' | 'Warning';

export interface EventRecorder {
  event(obj: KObject, type: EventType, reason: string, message: string): void;
}

/** `component` is the Event source (`kubelet`, `default-scheduler`…); `host` the node, for the kubelet. */
/** Shared by every recorder, so two components recording in the same millisecond never collide. */
let nextSeq = 0;

export function createEventRecorder(store: ObjectStore, component: string, now: () => Date = () => new Date(), ttlMs = 3_600_000, host = ''): EventRecorder {
  const seen = new Map<string, { namespace: string; name: string }>();
  const written: { namespace: string; name: string; at: number }[] = [];
  const prune = () => {
    const cutoff = now().getTime() - ttlMs;
    while (written.length && written[0].at < cutoff) {
      const { namespace, name } = written.shift()!;
      const ev = store.tryGet(GR.events, namespace, name);
      // an Event that is still being counted up lives on; it is written again below
      if (ev && Date.parse(ev.lastTimestamp ?? '') < cutoff) {
        try {
          store.delete(GR.events, namespace, name);
        } catch {
          /* gone */
        }
      } else if (ev) written.push({ namespace, name, at: Date.parse(ev.lastTimestamp) });
    }
  };
  return {
    event(obj, type, reason, message) {
      prune();
      const namespace = obj.metadata.namespace || 'default';
      const aggKey = `${obj.metadata.uid}|${type}|${reason}|${message}`;
      const ts = rfc3339(now());
      try {
        const prior = seen.get(aggKey);
        const existing = prior && store.tryGet(GR.events, prior.namespace, prior.name);
        if (existing) {
          const next = structuredClone(existing) as KObject;
          next.count = (existing.count ?? 1) + 1;
          next.lastTimestamp = ts;
          store.update(GR.events, next);
          return;
        }
        const name = `${obj.metadata.name}.${now().getTime().toString(16)}${(nextSeq++ % 0x100000).toString(16).padStart(5, '0')}`;
        store.create(GR.events, {
          apiVersion: 'v1',
          kind: 'Event',
          metadata: { name, namespace },
          involvedObject: {
            apiVersion: obj.apiVersion,
            kind: obj.kind,
            name: obj.metadata.name,
            namespace: obj.metadata.namespace,
            uid: obj.metadata.uid,
            resourceVersion: obj.metadata.resourceVersion,
          },
          reason,
          message,
          type,
          source: host ? { component, host } : { component },
          firstTimestamp: ts,
          lastTimestamp: ts,
          count: 1,
          reportingComponent: component,
          reportingInstance: host,
        });
        seen.set(aggKey, { namespace, name });
        written.push({ namespace, name, at: now().getTime() });
        if (seen.size > 10_000) seen.delete(seen.keys().next().value!);
      } catch {
        // Events are best effort (the namespace may be going away).
      }
    },
  };
}

const recorders = new WeakMap<ObjectStore, Map<string, { at: Date; rec: EventRecorder }>>();

/** One-off recording through a shared recorder per (store, component, host), so repeats are counted. */
export function recordEvent(store: ObjectStore, source: { component: string; host?: string }, obj: KObject, type: EventType, reason: string, message: string, now = new Date()): void {
  let byKey = recorders.get(store);
  if (!byKey) recorders.set(store, (byKey = new Map()));
  const key = `${source.component}|${source.host ?? ''}`;
  let entry = byKey.get(key);
  if (!entry) {
    const e = { at: now, rec: undefined as unknown as EventRecorder };
    e.rec = createEventRecorder(store, source.component, () => e.at, undefined, source.host ?? '');
    byKey.set(key, (entry = e));
  }
  entry.at = now;
  entry.rec.event(obj, type, reason, message);
}
