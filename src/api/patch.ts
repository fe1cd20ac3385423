// The three PATCH flavours kube-apiserver accepts: JSON merge patch (RFC 7386), JSON patch
// (RFC 6902) and strategic merge patch (lists of known kinds merged by their patchMergeKey).
import { errors } from './errors.js';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type JsonObject = { [k: string]: Json };

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function mergePatch(target: unknown, patch: unknown): Json {
  if (!isObject(patch)) return structuredClone(patch) as Json;
  const out: JsonObject = isObject(target) ? { ...(structuredClone(target) as JsonObject) } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

// ---------------------------------------------------------------- strategic merge patch

/** patchMergeKey of the list fields kubectl's patches touch, keyed by field name. */
const MERGE_KEYS: Record<string, string | ((items: JsonObject[]) => string)> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  env: 'name',
  volumes: 'name',
  volumeMounts: 'mountPath',
  volumeDevices: 'devicePath',
  imagePullSecrets: 'name',
  hostAliases: 'ip',
  conditions: 'type',
  ownerReferences: 'uid',
  topologySpreadConstraints: 'topologyKey',
  // container ports merge by containerPort; Service ports by port
  ports: (items) => (items.some((i) => 'containerPort' in i) ? 'containerPort' : 'port'),
};

/** The key a list field's items merge by (strategic merge patch), or undefined for an atomic list. */
export function mergeKeyOf(field: string, items: unknown[]): string | undefined {
  const spec = MERGE_KEYS[field];
  if (!spec) return undefined;
  return typeof spec === 'function' ? spec(items.filter(isObject)) : spec;
}

/** Lists of scalars merged as sets rather than replaced. */
const SET_LISTS = new Set(['finalizers']);

export function strategicMergePatch(target: unknown, patch: unknown): Json {
  if (!isObject(patch)) return structuredClone(patch) as Json;
  if (patch.$patch === 'replace') {
    const { $patch: _ignored, ...rest } = patch;
    return structuredClone(rest) as Json;
  }
  if (patch.$patch === 'delete') return null;
  const out: JsonObject = isObject(target) ? { ...(structuredClone(target) as JsonObject) } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (k.startsWith('$setElementOrder/') || k === '$retainKeys' || k === '$patch') continue;
    if (k.startsWith('$deleteFromPrimitiveList/')) {
      const field = k.slice('$deleteFromPrimitiveList/'.length);
      if (Array.isArray(out[field]) && Array.isArray(v)) out[field] = (out[field] as Json[]).filter((x) => !v.includes(x));
      continue;
    }
    if (v === null) {
      delete out[k];
      continue;
    }
    const cur = out[k];
    if (Array.isArray(v) && Array.isArray(cur)) {
      out[k] = mergeList(k, cur, v);
    } else if (isObject(v)) {
      out[k] = strategicMergePatch(cur, v);
    } else {
      out[k] = structuredClone(v) as Json;
    }
  }
  if (isObject(patch.$retainKeys as unknown) || Array.isArray(patch.$retainKeys)) {
    const keep = new Set(patch.$retainKeys as string[]);
    for (const k of Object.keys(out)) if (!keep.has(k)) delete out[k];
  }
  return out;
}

function mergeList(field: string, cur: Json[], patch: Json[]): Json[] {
  if (SET_LISTS.has(field)) return [...new Set([...cur, ...patch])] as Json[];
  const keySpec = MERGE_KEYS[field];
  const objs = patch.filter(isObject);
  if (!keySpec || objs.length !== patch.length) {
    // replace, but honour `$patch: replace` / `delete` markers in the list
    return patch.filter((p) => !(isObject(p) && p.$patch)).map((p) => structuredClone(p)) as Json[];
  }
  const key = typeof keySpec === 'function' ? keySpec([...objs, ...cur.filter(isObject)]) : keySpec;
  if (objs.some((o) => o.$patch === 'replace')) {
    return objs.filter((o) => o.$patch !== 'replace').map((o) => structuredClone(o)) as Json[];
  }
  const out = cur.map((c) => structuredClone(c)) as Json[];
  for (const p of objs) {
    const idx = out.findIndex((c) => isObject(c) && c[key] === p[key]);
    if (p.$patch === 'delete') {
      if (idx >= 0) out.splice(idx, 1);
      continue;
    }
    if (idx >= 0) out[idx] = strategicMergePatch(out[idx], p);
    else out.push(strategicMergePatch({}, p));
  }
  return out;
}

// ---------------------------------------------------------------- JSON patch

interface Op {
  op: 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test';
  path: string;
  from?: string;
  value?: Json;
}

function parsePointer(p: string): string[] {
  if (p === '') return [];
  if (!p.startsWith('/')) throw errors.badRequest(`json patch path ${JSON.stringify(p)} must start with /`);
  return p.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function parentOf(doc: Json, segs: string[], path: string): { parent: Json; last: string } {
  let cur: Json = doc;
  for (const s of segs.slice(0, -1)) {
    if (Array.isArray(cur)) cur = cur[Number(s)];
    else if (isObject(cur)) cur = cur[s];
    else cur = undefined as unknown as Json;
    if (cur === undefined) throw errors.badRequest(`jsonpatch: path ${path} does not exist`);
  }
  return { parent: cur, last: segs[segs.length - 1] };
}

function getAt(doc: Json, path: string): Json {
  let cur: Json = doc;
  for (const s of parsePointer(path)) {
    cur = Array.isArray(cur) ? cur[Number(s)] : isObject(cur) ? cur[s] : (undefined as unknown as Json);
    if (cur === undefined) throw errors.badRequest(`jsonpatch: path ${path} does not exist`);
  }
  return cur;
}

export function jsonPatch(target: unknown, ops: unknown): Json {
  if (!Array.isArray(ops)) throw errors.badRequest('json patch must be an array of operations');
  let doc = structuredClone(target) as Json;
  for (const raw of ops as Op[]) {
    const segs = parsePointer(raw.path);
    if (segs.length === 0) {
      if (raw.op === 'add' || raw.op === 'replace') doc = structuredClone(raw.value as Json);
      continue;
    }
    const apply = (op: string, value?: Json) => {
      const { parent, last } = parentOf(doc, segs, raw.path);
      if (Array.isArray(parent)) {
        const i = last === '-' ? parent.length : Number(last);
        if (op === 'add') parent.splice(i, 0, value as Json);
        else if (op === 'remove') parent.splice(i, 1);
        else parent[i] = value as Json;
      } else if (isObject(parent)) {
        if (op === 'remove') {
          if (!(last in parent)) throw errors.badRequest(`jsonpatch remove operation does not apply: doc is missing path: "${raw.path}"`);
          delete parent[last];
        } else {
          if (op === 'replace' && !(last in parent)) throw errors.badRequest(`jsonpatch replace operation does not apply: doc is missing key: ${raw.path}`);
          parent[last] = value as Json;
        }
      } else throw errors.badRequest(`jsonpatch: path ${raw.path} does not exist`);
    };
    switch (raw.op) {
      case 'add':
      case 'replace':
        apply(raw.op, structuredClone(raw.value as Json));
        break;
      case 'remove':
        apply('remove');
        break;
      case 'copy':
      case 'move': {
        const value = structuredClone(getAt(doc, raw.from ?? ''));
        if (raw.op === 'move') {
          const from = parsePointer(raw.from ?? '');
          const { parent, last } = parentOf(doc, from, raw.from ?? '');
          if (Array.isArray(parent)) parent.splice(Number(last), 1);
          else if (isObject(parent)) delete parent[last];
        }
        apply('add', value);
        break;
      }
      case 'test':
        if (JSON.stringify(getAt(doc, raw.path)) !== JSON.stringify(raw.value)) {
          throw errors.badRequest(`testing value ${raw.path} failed`);
        }
        break;
      default:
        throw errors.badRequest(`Unexpected kind: ${(raw as Op).op}`);
    }
  }
  return doc;
}

export type PatchType = 'merge' | 'strategic' | 'json' | 'apply';

export function patchTypeOf(contentType: string | undefined): PatchType | undefined {
  const ct = (contentType ?? '').split(';')[0].trim();
  switch (ct) {
    case 'application/merge-patch+json': return 'merge';
    case 'application/strategic-merge-patch+json': return 'strategic';
    case 'application/json-patch+json': return 'json';
    case 'application/apply-patch+yaml': return 'apply';
    default: return undefined;
  }
}

export function applyPatch(type: PatchType, target: unknown, patch: unknown): Json {
  switch (type) {
    case 'merge': return mergePatch(target, patch);
    case 'json': return jsonPatch(target, patch);
    case 'strategic':
    case 'apply': return strategicMergePatch(target, patch);
  }
}
