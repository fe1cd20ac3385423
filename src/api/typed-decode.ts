// The typed boundary: what kube-apiserver's JSON decoder refuses before any strategy runs. Objects of
// the built-in kinds are walked against their OpenAPI schemas (src/api/openapi/schemas.json, from
// the Kubernetes API's own definitions), and a value of the wrong JSON type is refused with the
// apiserver's 400: `ConfigMap in version "v1" cannot be handled as a ConfigMap: json: cannot
// unmarshal object into Go struct field ConfigMap.data of type string` (Go's UnmarshalTypeError:
// the innermost struct, the JSON path from the root, the Go type). Unknown fields are collected for
// `fieldValidation` (Strict: 400 `strict decoding error: unknown field "spec.replica"`; Warn: a
// warning). A stored object can therefore always be read back by typed clients.
import { createRequire } from 'node:module';

interface Schema {
  type?: string;
  properties?: Record<string, Schema>;
  additionalProperties?: Schema | boolean;
  items?: Schema;
  $ref?: string;
  allOf?: Schema[];
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-group-version-kind'?: { group: string; version: string; kind: string }[];
}

const require = createRequire(import.meta.url);
let defs: Record<string, Schema> | undefined;
let byGvk: Map<string, string> | undefined;

function load(): { defs: Record<string, Schema>; byGvk: Map<string, string> } {
  if (!defs || !byGvk) {
    defs = (require('./openapi/schemas.json') as { schemas: Record<string, Schema> }).schemas;
    byGvk = new Map();
    for (const [name, s] of Object.entries(defs)) {
      for (const g of s['x-kubernetes-group-version-kind'] ?? []) byGvk.set(`${g.group}/${g.version}/${g.kind}`, name);
    }
  }
  return { defs, byGvk };
}

/** Definitions whose Go types decode themselves (custom UnmarshalJSON): any JSON is theirs to judge. */
const OPAQUE = new Set(['Quantity', 'Time', 'MicroTime', 'RawExtension', 'FieldsV1', 'IntOrString', 'JSON']);

/** Fields Kubernetes declares int64 (the schemas keep only `integer`); the rest are int32. */
const INT64 = new Set([
  'activeDeadlineSeconds', 'terminationGracePeriodSeconds', 'deletionGracePeriodSeconds', 'generation', 'observedGeneration',
  'runAsUser', 'runAsGroup', 'fsGroup', 'supplementalGroups', 'tolerationSeconds', 'expirationSeconds', 'startingDeadlineSeconds',
  'gracePeriodSeconds', 'seconds', 'value', 'revision', 'count',
]);

function defName(ref: string): string {
  return ref.slice(ref.lastIndexOf('/') + 1);
}

function goName(def: string): string {
  const parts = def.split('.');
  return `${parts[parts.length - 2]}.${parts[parts.length - 1]}`;
}

function resolve(s: Schema): { schema: Schema; def?: string } {
  const ref = s.$ref ?? s.allOf?.[0]?.$ref;
  if (!ref) return { schema: s };
  const def = defName(ref);
  return { schema: load().defs[def] ?? {}, def };
}

function jsonType(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'null';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return 'number';
  return typeof v;
}

function goType(s: Schema, field: string): string {
  const { schema, def } = resolve(s);
  if (def) return OPAQUE.has(def.split('.').pop()!) ? def.split('.').pop()! : goName(def);
  switch (schema.type) {
    case 'string': return 'string';
    case 'integer': return INT64.has(field) ? 'int64' : 'int32';
    case 'number': return 'float64';
    case 'boolean': return 'bool';
    case 'array': return `[]${schema.items ? goType(schema.items, field) : 'interface {}'}`;
    case 'object': {
      const ap = schema.additionalProperties;
      return typeof ap === 'object' ? `map[string]${goType(ap, field)}` : 'map[string]interface {}';
    }
    default: return 'interface {}';
  }
}

export class TypeMismatch extends Error {}

interface Walk {
  unknown: string[];
}

/** Checks `v` against `s`; `struct` is the innermost struct's Go name, `path` the JSON path from the root. */
function check(v: unknown, s: Schema, struct: string, path: string, field: string, shown: string, w: Walk): void {
  if (v === null || v === undefined) return; // null leaves a Go field at its zero value
  const { schema, def } = resolve(s);
  if (def && OPAQUE.has(def.split('.').pop()!)) return;
  if (schema['x-kubernetes-int-or-string']) {
    if (typeof v !== 'string' && typeof v !== 'number') throw new TypeMismatch(`json: cannot unmarshal ${jsonType(v)} into Go struct field ${struct}.${path} of type intstr.IntOrString`);
    return;
  }
  const fail = (literal = false): never => {
    // Go names the literal only for a number that does not fit the integer field ("number 1.5")
    const value = literal ? `number ${v}` : jsonType(v);
    throw new TypeMismatch(`json: cannot unmarshal ${value} into Go struct field ${struct}.${path} of type ${goType(s, field)}`);
  };
  const type = schema.type ?? (schema.properties ? 'object' : undefined);
  switch (type) {
    case 'string': if (typeof v !== 'string') fail(); return;
    case 'boolean': if (typeof v !== 'boolean') fail(); return;
    case 'integer':
      if (typeof v !== 'number') fail();
      if (!Number.isInteger(v) || (!INT64.has(field) && Math.abs(v as number) > 2 ** 31)) fail(true);
      return;
    case 'number': if (typeof v !== 'number') fail(); return;
    case 'array':
      if (!Array.isArray(v)) fail();
      (v as unknown[]).forEach((item, i) => schema.items && check(item, schema.items, struct, path, field, `${shown}[${i}]`, w));
      return;
    case 'object': {
      if (typeof v !== 'object' || Array.isArray(v)) fail();
      if (schema['x-kubernetes-preserve-unknown-fields']) return;
      const inner = def ? def.split('.').pop()! : struct;
      const props = schema.properties;
      const ap = schema.additionalProperties;
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
        const sub = props?.[k];
        if (sub) check(x, sub, inner, path ? `${path}.${k}` : k, k, shown ? `${shown}.${k}` : k, w);
        else if (typeof ap === 'object') check(x, ap, struct, path, field, `${shown}.${k}`, w);
        else if (props && !ap) w.unknown.push(shown ? `${shown}.${k}` : k);
      }
      return;
    }
    default:
  }
}

export interface TypedDecodeResult {
  /** The request body's unknown fields (`spec.replica`, `spec.containers[0].imagePullPolicyX`). */
  unknownFields: string[];
}

/**
 * Walks a built-in object. Throws TypeMismatch with Go's decode error for a wrong type; returns its
 * unknown fields. Kinds without a schema (custom resources, unknown kinds) pass untouched.
 */
export function decodeTyped(obj: Record<string, unknown>, group: string, version: string, kind: string): TypedDecodeResult {
  const name = load().byGvk.get(`${group}/${version}/${kind}`);
  const w: Walk = { unknown: [] };
  if (!name) return { unknownFields: [] };
  const root = load().defs[name];
  const rest = { ...obj };
  delete rest.apiVersion;
  delete rest.kind;
  check(rest, root, kind, '', '', '', w);
  return { unknownFields: w.unknown };
}
