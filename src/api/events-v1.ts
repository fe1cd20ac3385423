// events.k8s.io/v1 Events: in Kubernetes one stored kind served in two versions, converted by
// k8s.io/kubernetes/pkg/apis/events/v1's field mapping. kdp does the same over the core `/events`
// table, so an Event written through either version is read, listed and watched through both
// (`kubectl events`, `kubectl get events`, `kubectl get events.events.k8s.io` agree).
//
//   events.k8s.io/v1              core/v1
//   regarding                  ↔  involvedObject
//   note                       ↔  message
//   reportingController        ↔  reportingComponent
//   deprecatedSource           ↔  source
//   deprecatedFirstTimestamp   ↔  firstTimestamp
//   deprecatedLastTimestamp    ↔  lastTimestamp
//   deprecatedCount            ↔  count
//   reason, type, action, related, eventTime, series, reportingInstance: the same
//
// Creating through events.k8s.io/v1 is validated strictly, as ValidateEventCreate does for that
// version (eventTime, reportingController, reportingInstance, action and reason required; type Normal
// or Warning; the deprecated fields unset).
import { ApiError, errors, field, type StatusCause } from './errors.js';
import type { ObjectStore } from './store.js';
import type { KObject } from './types.js';

export const EVENTS_V1 = 'events.k8s.io/events';
const CORE = '/events';

const RENAMES: [v1: string, core: string][] = [
  ['regarding', 'involvedObject'],
  ['note', 'message'],
  ['reportingController', 'reportingComponent'],
  ['deprecatedSource', 'source'],
  ['deprecatedFirstTimestamp', 'firstTimestamp'],
  ['deprecatedLastTimestamp', 'lastTimestamp'],
  ['deprecatedCount', 'count'],
];
const SAME = ['reason', 'type', 'action', 'related', 'eventTime', 'series', 'reportingInstance'];

function empty(v: unknown): boolean {
  return v === undefined || v === null || v === '' || v === 0 || (typeof v === 'object' && !Array.isArray(v) && Object.values(v as object).every(empty));
}

/** A core/v1 Event as events.k8s.io/v1 shows it. */
export function coreToV1(ev: KObject): KObject {
  const out: Record<string, unknown> = { apiVersion: 'events.k8s.io/v1', kind: 'Event', metadata: ev.metadata };
  const src = ev as Record<string, unknown>;
  out.eventTime = src.eventTime ?? null; // required in events.k8s.io/v1: null when the event has none
  for (const k of SAME) if (k !== 'eventTime' && !empty(src[k])) out[k] = src[k];
  for (const [v1, core] of RENAMES) if (!empty(src[core])) out[v1] = src[core];
  return out as unknown as KObject;
}

/** An events.k8s.io/v1 Event as core/v1 stores it. */
export function v1ToCore(ev: KObject): KObject {
  const out: Record<string, unknown> = { apiVersion: 'v1', kind: 'Event', metadata: ev.metadata };
  const src = ev as Record<string, unknown>;
  for (const k of SAME) if (!empty(src[k])) out[k] = src[k];
  for (const [v1, core] of RENAMES) if (!empty(src[v1])) out[core] = src[v1];
  out.involvedObject ??= {};
  return out as unknown as KObject;
}

/** ValidateEventCreate for a request in events.k8s.io/v1. */
export function validateV1EventCreate(ev: KObject): StatusCause[] {
  const e = ev as Record<string, any>;
  const causes: StatusCause[] = [];
  if (!e.eventTime) causes.push(field.required('eventTime'));
  else {
    if (!e.reportingController) causes.push(field.required('reportingController'));
    if (!e.reportingInstance) causes.push(field.required('reportingInstance'));
    if (!e.action) causes.push(field.required('action'));
    if (!e.reason) causes.push(field.required('reason'));
  }
  if (e.type !== 'Normal' && e.type !== 'Warning') causes.push(field.invalid('type', '', `has invalid value: ${e.type ?? ''}`));
  if (!empty(e.deprecatedFirstTimestamp)) causes.push(field.invalid('deprecatedFirstTimestamp', '', 'needs to be unset'));
  if (!empty(e.deprecatedLastTimestamp)) causes.push(field.invalid('deprecatedLastTimestamp', '', 'needs to be unset'));
  if (!empty(e.deprecatedCount)) causes.push(field.invalid('deprecatedCount', '', 'needs to be unset'));
  if (!empty(e.deprecatedSource)) causes.push(field.invalid('deprecatedSource', '', 'needs to be unset'));
  return causes;
}

/** Field selectors name events.k8s.io/v1 fields; the store filters core ones. */
function coreFieldSelector(sel: unknown): unknown {
  if (typeof sel !== 'string') return sel;
  return sel.replace(/(^|,)(regarding)\./g, '$1involvedObject.').replace(/(^|,)reportingController(?=[=!])/g, '$1reportingComponent');
}

/** NotFound and AlreadyExists name the resource as `events.events.k8s.io`. */
function renamed<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof ApiError && err.status.details?.kind === 'events' && !err.status.details.group) {
      const name = err.status.details.name ?? '';
      if (err.reason === 'NotFound') throw errors.notFound('events.k8s.io', 'events', name);
      if (err.reason === 'AlreadyExists') throw errors.alreadyExists('events.k8s.io', 'events', name);
      if (err.reason === 'Conflict') throw errors.conflict('events.k8s.io', 'events', name, err.message.replace(/^[^:]*: /, ''));
    }
    throw err;
  }
}

/**
 * The store as the events.k8s.io/v1 handler sees it: reads, writes and watches of
 * `events.k8s.io/events` go to the core table, converted; everything else passes through.
 */
export function eventsV1View(store: ObjectStore): ObjectStore {
  const view: Partial<ObjectStore> = {
    get: (gr, ns, name) => (gr === EVENTS_V1 ? renamed(() => coreToV1(store.get(CORE, ns, name))) : store.get(gr, ns, name)),
    tryGet: (gr, ns, name) => {
      if (gr !== EVENTS_V1) return store.tryGet(gr, ns, name);
      const ev = store.tryGet(CORE, ns, name);
      return ev && coreToV1(ev);
    },
    list: (gr, opts = {}) => {
      if (gr !== EVENTS_V1) return store.list(gr, opts);
      const list = store.list(CORE, { ...opts, fieldSelector: coreFieldSelector(opts.fieldSelector) as string | undefined });
      return { ...list, items: list.items.map(coreToV1) };
    },
    create: (gr, obj, opts) => {
      if (gr !== EVENTS_V1) return store.create(gr, obj, opts);
      const causes = validateV1EventCreate(obj);
      if (causes.length) throw errors.invalid('events.k8s.io', 'Event', obj.metadata?.name ?? '', causes);
      return renamed(() => coreToV1(store.create(CORE, v1ToCore(obj), opts)));
    },
    update: (gr, obj, opts) => (gr === EVENTS_V1 ? renamed(() => coreToV1(store.update(CORE, v1ToCore(obj), opts))) : store.update(gr, obj, opts)),
    delete: (gr, ns, name, opts) => (gr === EVENTS_V1 ? renamed(() => coreToV1(store.delete(CORE, ns, name, opts))) : store.delete(gr, ns, name, opts)),
    watch: (gr, opts, cb) => {
      if (gr !== EVENTS_V1) return store.watch(gr, opts, cb);
      return store.watch(CORE, { ...opts, fieldSelector: coreFieldSelector(opts.fieldSelector) as string | undefined }, (ev) => cb({ ...ev, gr: EVENTS_V1, object: coreToV1(ev.object) }));
    },
  };
  return new Proxy(store, {
    get(target, prop, receiver) {
      if (prop in view) return view[prop as keyof ObjectStore];
      const v = Reflect.get(target, prop, receiver);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}
