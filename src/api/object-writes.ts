// The write paths that merge into the live object: PATCH (merge, JSON, strategic) and server-side
// apply, both retried on a conflicting concurrent write as the apiserver's GuaranteedUpdate does, and
// both recording metadata.managedFields for their field manager.
import { ApiError, errors } from './errors.js';
import { recordUpdate, type ManagedFieldsEntry } from './managed-fields.js';
import { applyPatch, type patchTypeOf } from './patch.js';
import { apiVersionOf, type ResourceInfo } from './resources.js';
import { serverSideApply } from './server-side-apply.js';
import type { ObjectStore } from './store.js';
import type { KObject } from './types.js';

export function isKObject(v: unknown): v is KObject {
  return !!v && typeof v === 'object' && !Array.isArray(v) && typeof (v as KObject).kind === 'string';
}

export function requireObject(body: unknown): KObject {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw errors.badRequest('Object \'Kind\' is missing in \'null\'');
  return body as KObject;
}

export function checkKind(info: ResourceInfo, obj: KObject): void {
  if (obj.kind && obj.kind !== info.kind) {
    // the decoder's conversion of the body's kind into the resource's fails, and names both
    const version = typeof obj.apiVersion === 'string' ? obj.apiVersion.split('/').pop() : info.version;
    const group = info.group ? info.group.split('.')[0] : 'core';
    throw errors.badRequest(`${obj.kind} in version "${version}" cannot be handled as a ${info.kind}: converting (${version}.${obj.kind}) to (${group}.${info.kind}): unknown conversion`);
  }
}

export function nowRfc3339(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, 'Z');
}

/** Server-side apply: creates the object when it is missing (201), else merges as `manager` (200). */
export function applyObject(store: ObjectStore, resInfo: ResourceInfo, gr: string, ns: string | undefined, name: string, body: unknown, manager: string, force: boolean, dryRun: boolean): { code: number; object: KObject } {
  const applied = requireObject(body);
  checkKind(resInfo, applied);
  if (applied.metadata?.name && applied.metadata.name !== name) {
    throw errors.badRequest(`the name of the object (${applied.metadata.name}) does not match the name on the URL (${name})`);
  }
  for (let attempt = 0; ; attempt++) {
    const current = store.tryGet(gr, ns, name);
    const next = serverSideApply({ current, applied, manager, force, now: nowRfc3339() });
    if (!current) {
      next.metadata = { ...next.metadata, name, namespace: ns } as KObject['metadata'];
      return { code: 201, object: store.create(gr, next, { dryRun }) };
    }
    const rv = applied.metadata?.resourceVersion;
    next.metadata = { ...next.metadata, name, namespace: ns, resourceVersion: rv ?? current.metadata.resourceVersion } as KObject['metadata'];
    try {
      return { code: 200, object: store.update(gr, next, { dryRun }) };
    } catch (err) {
      if (!rv && err instanceof ApiError && err.reason === 'Conflict' && attempt < 5) continue;
      throw err;
    }
  }
}

export function patchObject(store: ObjectStore, gr: string, ns: string | undefined, name: string, type: ReturnType<typeof patchTypeOf> & string, patch: unknown, status: boolean, dryRun: boolean, manager?: string): KObject {
  // Optimistic retry: a patch applies to whatever is current, as the apiserver's GuaranteedUpdate does.
  for (let attempt = 0; ; attempt++) {
    const cur = store.get(gr, ns, name);
    const next = applyPatch(type, cur, patch) as unknown as KObject;
    if (!isKObject(next)) throw errors.badRequest('patch produced an invalid object');
    const patchedRv = (patch as KObject | undefined)?.metadata?.resourceVersion;
    next.metadata = { ...next.metadata, name, namespace: ns, resourceVersion: patchedRv ?? cur.metadata.resourceVersion } as KObject['metadata'];
    if (manager) next.metadata.managedFields = recordUpdate(cur.metadata.managedFields as ManagedFieldsEntry[] | undefined, cur, next, manager, nowRfc3339(), status ? 'status' : undefined);
    try {
      return store.update(gr, next, { subresource: status ? 'status' : undefined, dryRun });
    } catch (err) {
      if (!patchedRv && err instanceof ApiError && err.reason === 'Conflict' && attempt < 5) continue;
      throw err;
    }
  }
}
