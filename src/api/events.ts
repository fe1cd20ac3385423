// Recording core/v1 Events about objects, as client-go's EventRecorder does (repeats counted).
import { rfc3339, type ObjectStore } from './store.js';
import { GR, type KObject } from './types.js';

export interface EventSource {
  component: string;
  host?: string;
}

export function recordEvent(store: ObjectStore, source: EventSource, obj: KObject, type: 'Normal' | 'Warning', reason: string, message: string, now = new Date()): void {
  const ns = obj.metadata.namespace ?? 'default';
  const name = `${obj.metadata.name}.${(obj.metadata.uid ?? '').slice(0, 8)}${reason.toLowerCase().slice(0, 8)}`;
  const ts = rfc3339(now);
  try {
    const existing = store.tryGet(GR.events, ns, name);
    if (existing && existing.message === message) {
      store.update(GR.events, { ...structuredClone(existing), count: (existing.count ?? 1) + 1, lastTimestamp: ts });
      return;
    }
    if (existing) store.delete(GR.events, ns, name);
    store.create(GR.events, {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace: ns },
      involvedObject: { apiVersion: obj.apiVersion, kind: obj.kind, name: obj.metadata.name, namespace: obj.metadata.namespace, uid: obj.metadata.uid, resourceVersion: obj.metadata.resourceVersion },
      reason,
      message,
      type,
      source,
      count: 1,
      firstTimestamp: ts,
      lastTimestamp: ts,
      reportingComponent: source.component,
      reportingInstance: source.host ?? '',
    });
  } catch {
    // Events are best effort, as in Kubernetes.
  }
}
