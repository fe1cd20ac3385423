// Server-side apply (PATCH `application/apply-patch+yaml`, `kubectl apply --server-side`): the applied
// configuration is merged into the live object (lists by merge key), fields this manager applied
// before and dropped now are removed (unless another manager owns them too), and changing a field
// another manager owns is a 409 conflict unless `force=true`, which takes the field over.
import { ApiError } from './errors.js';
import { changedFields, fieldsOf, itemKey, leafPaths, subtract, type FieldSet, type ManagedFieldsEntry } from './managed-fields.js';
import { strategicMergePatch } from './patch.js';
import type { KObject } from './types.js';

export interface ApplyArgs {
  current: KObject | undefined;
  applied: KObject;
  manager: string;
  force: boolean;
  now: string;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function intersect(a: FieldSet, b: FieldSet): FieldSet {
  const out: FieldSet = {};
  for (const [k, v] of Object.entries(a)) {
    if (!(k in b)) continue;
    const av = Object.keys(v);
    const bv = Object.keys(b[k]);
    if (!av.length || !bv.length) {
      out[k] = av.length ? structuredClone(v) : structuredClone(b[k]);
      if (!av.length && !bv.length) out[k] = {};
      continue;
    }
    const sub = intersect(v, b[k]);
    if (Object.keys(sub).filter((x) => x !== '.').length) out[k] = sub;
  }
  return out;
}

/** Removes the leaf fields of `set` from `obj` (in place). */
export function removeFields(obj: unknown, set: FieldSet): void {
  if (!isObject(obj)) return;
  for (const [k, sub] of Object.entries(set)) {
    if (!k.startsWith('f:')) continue;
    const field = k.slice(2);
    const kids = Object.keys(sub).filter((x) => x !== '.');
    const v = obj[field];
    if (!kids.length) {
      delete obj[field];
      continue;
    }
    if (Array.isArray(v)) {
      for (const [ik, isub] of Object.entries(sub)) {
        const idx = v.findIndex((item) => itemKey(field, item, v) === ik);
        if (idx < 0) continue;
        // `.` in the dropped set: the item itself is gone; otherwise only some of its fields
        if ('.' in isub || !Object.keys(isub).length) v.splice(idx, 1);
        else removeFields(v[idx], isub);
      }
    } else {
      removeFields(v, sub);
      if (isObject(v) && !Object.keys(v).length) delete obj[field];
    }
  }
}

function conflictError(obj: KObject, conflicts: { manager: string; paths: string[] }[]): ApiError {
  const total = conflicts.reduce((n, c) => n + c.paths.length, 0);
  const parts = conflicts.map((c) =>
    c.paths.length === 1
      ? `conflict with "${c.manager}" using ${obj.apiVersion}: ${c.paths[0]}`
      : `conflicts with "${c.manager}" using ${obj.apiVersion}:\n${c.paths.map((p) => `- ${p}`).join('\n')}`,
  );
  const message = `Apply failed with ${total} conflict${total === 1 ? '' : 's'}: ${parts.join('\n')}`;
  return new ApiError({
    kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason: 'Conflict', code: 409,
    details: { causes: conflicts.flatMap((c) => c.paths.map((field) => ({ reason: 'FieldManagerConflict', message: `conflict with "${c.manager}" using ${obj.apiVersion}`, field }))) },
  });
}

/** The object that results from applying `applied` as `manager` (to create when `current` is undefined). */
export function serverSideApply(a: ApplyArgs): KObject {
  const appliedSet = fieldsOf(a.applied);
  const mine: ManagedFieldsEntry = { manager: a.manager, operation: 'Apply', apiVersion: a.applied.apiVersion, time: a.now, fieldsType: 'FieldsV1', fieldsV1: appliedSet };
  if (!a.current) {
    const obj = structuredClone(a.applied);
    obj.metadata = { ...obj.metadata, managedFields: [mine] };
    return obj;
  }
  const entries = (a.current.metadata.managedFields ?? []) as ManagedFieldsEntry[];
  const merged = strategicMergePatch(a.current, a.applied) as unknown as KObject;
  const changes = changedFields(a.current, merged);
  const others = entries.filter((e) => !(e.manager === a.manager && e.operation === 'Apply'));
  const conflicts = others
    .map((e) => ({ manager: e.manager, set: intersect(changes, e.fieldsV1 ?? {}) }))
    .filter((c) => leafPaths(c.set).length);
  if (conflicts.length && !a.force) throw conflictError(a.current, conflicts.map((c) => ({ manager: c.manager, paths: leafPaths(c.set) })));

  const previous = entries.find((e) => e.manager === a.manager && e.operation === 'Apply')?.fieldsV1 ?? {};
  let dropped = subtract(previous, appliedSet);
  for (const e of others) dropped = subtract(dropped, e.fieldsV1 ?? {});
  removeFields(merged, dropped);

  const kept: ManagedFieldsEntry[] = [];
  for (const e of others) {
    const lost = conflicts.find((c) => c.manager === e.manager)?.set;
    const fields = lost ? subtract(e.fieldsV1 ?? {}, lost) : e.fieldsV1;
    if (Object.keys(fields ?? {}).length) kept.push({ ...e, fieldsV1: fields });
  }
  merged.metadata = { ...merged.metadata, managedFields: [...kept, mine] };
  return merged;
}
