// DELETE as kube-apiserver's DeleteResource handler and generic registry answer it.
//
// Options: a request body (DeleteOptions) wins; only a DELETE without a body reads the query
// (`gracePeriodSeconds`, `propagationPolicy`, `orphanDependents`, `dryRun`), strictly (400 on a bad
// integer). Then ValidateDeleteOptions: propagationPolicy one of Foreground|Background|Orphan, not
// together with orphanDependents (422 `DeleteOptions.meta.k8s.io "" is invalid: …`).
//
// Response (registry/generic/registry/store.go Delete + handlers/delete.go):
// - the object went at once: most kinds answer `Status{status: Success, details: {name, group, kind:
//   <resource>, uid}}`; the kinds whose registry sets ReturnDeletedObject (pods, services,
//   namespaces, serviceaccounts, podtemplates, storageclasses) answer the deleted object;
// - the object stays (finalizers, a pod's grace period, a namespace): the object as it now is, with
//   deletionTimestamp — 200, or 202 Accepted only when the caller sent `orphanDependents: false`.
import { errors, field, type StatusCause } from './errors.js';
import { int64Param, optionalBoolParam } from './query-params.js';
import type { ResourceInfo } from './resources.js';
import type { DeleteOptions, ObjectStore } from './store.js';
import type { KObject } from './types.js';

export interface RequestDeleteOptions extends DeleteOptions {
  /** The deprecated boolean, as sent (undefined when absent). */
  orphanDependents?: boolean;
  dryRun?: string[];
}

const POLICIES = ['Foreground', 'Background', 'Orphan'];

/** Reads DeleteOptions from the body, or from the query when there is no body, and validates them. */
export function parseDeleteOptions(body: unknown, q: URLSearchParams): RequestDeleteOptions {
  let opts: RequestDeleteOptions;
  if (body !== undefined && body !== null) {
    if (typeof body !== 'object' || Array.isArray(body)) throw errors.badRequest('couldn\'t get version/kind; json parse error: expected a DeleteOptions object');
    const b = body as Record<string, any>;
    opts = {
      gracePeriodSeconds: b.gracePeriodSeconds ?? undefined,
      propagationPolicy: b.propagationPolicy ?? undefined,
      orphanDependents: b.orphanDependents ?? undefined,
      preconditions: b.preconditions ?? undefined,
      dryRun: b.dryRun ?? undefined,
    };
  } else {
    opts = {
      gracePeriodSeconds: int64Param(q, 'gracePeriodSeconds'),
      propagationPolicy: (q.get('propagationPolicy') ?? undefined) as DeleteOptions['propagationPolicy'],
      orphanDependents: optionalBoolParam(q, 'orphanDependents'),
      dryRun: q.has('dryRun') ? q.getAll('dryRun') : undefined,
    };
  }
  const causes: StatusCause[] = [];
  if (opts.orphanDependents !== undefined && opts.propagationPolicy !== undefined) {
    causes.push(field.invalid('propagationPolicy', opts.propagationPolicy, 'orphanDependents and deletionPropagation cannot be both set'));
  }
  if (opts.propagationPolicy !== undefined && !POLICIES.includes(opts.propagationPolicy)) {
    causes.push(field.notSupported('propagationPolicy', opts.propagationPolicy, [...POLICIES, 'nil']));
  }
  for (const [i, d] of (opts.dryRun ?? []).entries()) {
    if (d !== 'All') causes.push(field.notSupported(`dryRun[${i}]`, d, ['All']));
  }
  if (causes.length) throw errors.invalid('meta.k8s.io', 'DeleteOptions', '', causes);
  return opts;
}

/** The store's policy: the deprecated boolean maps to Orphan / Background. */
export function storeDeleteOptions(o: RequestDeleteOptions): DeleteOptions {
  let propagationPolicy = o.propagationPolicy;
  if (o.orphanDependents === true) propagationPolicy = 'Orphan';
  else if (o.orphanDependents === false) propagationPolicy = 'Background';
  return { gracePeriodSeconds: o.gracePeriodSeconds, propagationPolicy, preconditions: o.preconditions };
}

/** Registries whose Store sets ReturnDeletedObject: true (k8s.io/kubernetes/pkg/registry). */
const RETURNS_DELETED_OBJECT = new Set(['/pods', '/services', '/namespaces', '/serviceaccounts', '/podtemplates', 'storage.k8s.io/storageclasses']);

/**
 * The body and code of a DELETE answer. `deleted` = the object left storage (it is not in the store
 * any more under the same uid); otherwise `current` is the object as it is now.
 */
export function deleteResponse(info: ResourceInfo, opts: RequestDeleteOptions, removed: KObject, current: KObject | undefined): { code: number; body: unknown } {
  const stays = current !== undefined && current.metadata.uid === removed.metadata.uid;
  if (stays) return { code: opts.orphanDependents === false ? 202 : 200, body: current };
  const gr = `${info.group}/${info.resource}`;
  if (RETURNS_DELETED_OBJECT.has(gr)) return { code: 200, body: removed };
  return {
    code: 200,
    body: {
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success',
      details: { name: removed.metadata.name, group: info.group || undefined, kind: info.resource, uid: removed.metadata.uid },
    },
  };
}

/** DELETE of one object: the store's delete, then the apiserver's answer for it. */
export function deleteObject(store: ObjectStore, info: ResourceInfo, gr: string, ns: string | undefined, name: string, opts: RequestDeleteOptions): { code: number; body: unknown } {
  if (opts.dryRun?.includes('All')) {
    // Nothing is written; answer as the delete would (marked when finalizers hold it).
    const old = store.get(gr, ns, name);
    return deleteResponse(info, opts, old, old.metadata.finalizers?.length ? old : undefined);
  }
  const removed = store.delete(gr, ns, name, storeDeleteOptions(opts));
  return deleteResponse(info, opts, removed, store.tryGet(gr, ns, name));
}
