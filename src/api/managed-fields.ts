// metadata.managedFields: which field manager set which fields, as FieldsV1 sets — nested maps whose
// keys are `f:<field>`, `k:{"name":"x"}` (an item of a list keyed by its merge key), `v:<json>` (an
// item of a set-like list) and `.` (the item itself). The apiserver keeps one entry per manager and
// operation (Apply or Update); server-side apply uses them to find conflicts and removed fields.
import { mergeKeyOf } from './patch.js';
import type { KObject } from './types.js';

export type FieldSet = { [key: string]: FieldSet };
type Json = unknown;

export interface ManagedFieldsEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time: string;
  fieldsType: 'FieldsV1';
  fieldsV1: FieldSet;
  subresource?: string;
}

const SERVER_METADATA = new Set(['name', 'namespace', 'uid', 'resourceVersion', 'creationTimestamp', 'generation', 'managedFields', 'selfLink', 'deletionTimestamp', 'deletionGracePeriodSeconds']);
const SET_LISTS = new Set(['finalizers']);

function isObject(v: unknown): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The key of one list item, e.g. `k:{"port":80,"protocol":"TCP"}` for a Service port. */
export function itemKey(field: string, item: Json, items: Json[]): string | undefined {
  if (SET_LISTS.has(field)) return `v:${JSON.stringify(item)}`;
  const key = mergeKeyOf(field, items);
  if (!key || !isObject(item) || item[key] === undefined) return undefined;
  const k: Record<string, Json> = { [key]: item[key] };
  if (key === 'port' || key === 'containerPort') k.protocol = item.protocol ?? 'TCP';
  return `k:${JSON.stringify(k)}`;
}

function listIsKeyed(field: string, items: Json[]): boolean {
  return items.length > 0 && items.every((i) => itemKey(field, i, items) !== undefined);
}

/** Every field an object (or a partial object, such as an applied configuration) sets. */
export function fieldsOf(obj: Json, top = true): FieldSet {
  const out: FieldSet = {};
  if (!isObject(obj)) return out;
  for (const [k, v] of Object.entries(obj)) {
    if (top && (k === 'apiVersion' || k === 'kind' || k === 'status')) continue;
    if (v === undefined) continue;
    if (top && k === 'metadata' && isObject(v)) {
      const meta: FieldSet = {};
      for (const [mk, mv] of Object.entries(v)) {
        if (SERVER_METADATA.has(mk) || mv === undefined) continue;
        meta[`f:${mk}`] = isObject(mv) ? fieldsOf(mv, false) : {};
      }
      if (Object.keys(meta).length) out['f:metadata'] = meta;
      continue;
    }
    out[`f:${k}`] = childFields(k, v);
  }
  return out;
}

function childFields(field: string, v: Json): FieldSet {
  if (isObject(v)) return fieldsOf(v, false);
  if (Array.isArray(v) && listIsKeyed(field, v)) {
    const set: FieldSet = {};
    for (const item of v) set[itemKey(field, item, v)!] = isObject(item) ? { '.': {}, ...fieldsOf(item, false) } : {};
    return set;
  }
  return {};
}

/** The fields whose values differ between two versions of an object (what an Update wrote). */
export function changedFields(before: Json, after: Json, top = true): FieldSet {
  const out: FieldSet = {};
  if (!isObject(after)) return out;
  const b = isObject(before) ? before : {};
  for (const [k, v] of Object.entries(after)) {
    if (top && (k === 'apiVersion' || k === 'kind' || k === 'status')) continue;
    if (top && k === 'metadata') {
      const meta: FieldSet = {};
      const bm = isObject(b.metadata) ? b.metadata : {};
      for (const [mk, mv] of Object.entries(isObject(v) ? v : {})) {
        if (SERVER_METADATA.has(mk)) continue;
        if (JSON.stringify(mv) === JSON.stringify(bm[mk])) continue;
        meta[`f:${mk}`] = isObject(mv) ? changedFields(bm[mk], mv, false) : {};
      }
      if (Object.keys(meta).length) out['f:metadata'] = meta;
      continue;
    }
    if (JSON.stringify(v) === JSON.stringify(b[k])) continue;
    if (isObject(v) && isObject(b[k])) out[`f:${k}`] = changedFields(b[k], v, false);
    else if (Array.isArray(v) && Array.isArray(b[k]) && listIsKeyed(k, v)) {
      const set: FieldSet = {};
      const prev = b[k] as Json[];
      for (const item of v) {
        const key = itemKey(k, item, v)!;
        const old = prev.find((p) => itemKey(k, p, prev) === key);
        if (JSON.stringify(old) === JSON.stringify(item)) continue;
        set[key] = old === undefined && isObject(item) ? { '.': {}, ...fieldsOf(item, false) } : changedFields(old, item, false);
      }
      out[`f:${k}`] = set;
    } else out[`f:${k}`] = childFields(k, v);
  }
  return out;
}

export function union(a: FieldSet, b: FieldSet): FieldSet {
  const out: FieldSet = structuredClone(a);
  for (const [k, v] of Object.entries(b)) out[k] = k in out ? union(out[k], v) : structuredClone(v);
  return out;
}

/** `a` without the leaves in `b`; a branch whose children are all gone goes too. */
export function subtract(a: FieldSet, b: FieldSet): FieldSet {
  const out: FieldSet = {};
  for (const [k, v] of Object.entries(a)) {
    if (!(k in b)) {
      out[k] = structuredClone(v);
      continue;
    }
    if (!Object.keys(v).length || !Object.keys(b[k]).length) continue;
    const rest = subtract(v, b[k]);
    if (Object.keys(rest).length && !(Object.keys(rest).length === 1 && '.' in rest)) out[k] = rest;
  }
  return out;
}

/** Leaf paths of a set, as the apiserver prints them in conflicts: `.spec.replicas`, `.spec.ports[port=80,protocol="TCP"]`. */
export function leafPaths(set: FieldSet, prefix = ''): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(set)) {
    if (k === '.') continue;
    let seg: string;
    if (k.startsWith('f:')) seg = `.${k.slice(2)}`;
    else if (k.startsWith('k:')) seg = `[${Object.entries(JSON.parse(k.slice(2)) as Record<string, Json>).map(([kk, vv]) => `${kk}=${JSON.stringify(vv)}`).join(',')}]`;
    else seg = `[${k}]`;
    const kids = Object.keys(v).filter((x) => x !== '.');
    if (!kids.length) out.push(prefix + seg);
    else out.push(...leafPaths(v, prefix + seg));
  }
  return out;
}

/** Records an Update by `manager`: it now owns what changed; other managers lose those fields. */
export function recordUpdate(entries: ManagedFieldsEntry[] | undefined, before: KObject | undefined, after: KObject, manager: string, now: string, subresource?: string): ManagedFieldsEntry[] {
  const written = before ? changedFields(before, after) : fieldsOf(after);
  const list = (entries ?? []).map((e) => structuredClone(e));
  if (!Object.keys(written).length && !subresource) return list;
  const out: ManagedFieldsEntry[] = [];
  let mine: ManagedFieldsEntry | undefined;
  for (const e of list) {
    if (e.manager === manager && e.operation === 'Update' && e.subresource === subresource) {
      mine = e;
      continue;
    }
    const rest = subtract(e.fieldsV1 ?? {}, written);
    if (Object.keys(rest).length) out.push({ ...e, fieldsV1: rest });
  }
  const fields = union(mine?.fieldsV1 ?? {}, written);
  if (!Object.keys(fields).length) return out;
  const entry: ManagedFieldsEntry = { manager, operation: 'Update', apiVersion: after.apiVersion, time: now, fieldsType: 'FieldsV1', fieldsV1: fields };
  if (subresource) entry.subresource = subresource;
  out.push(entry);
  return out;
}

/** The manager the apiserver records for a request: `?fieldManager=` or the User-Agent's program name. */
export function managerOf(query: URLSearchParams, userAgent: string | undefined): string {
  const fm = query.get('fieldManager');
  if (fm) return fm;
  const ua = (userAgent ?? 'unknown').split('/')[0].trim();
  return ua || 'unknown';
}
