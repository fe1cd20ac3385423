// A CRD version's openAPIV3Schema applied to a custom object as apiextensions-apiserver does it:
// unknown fields pruned, `default`s filled in, then the structural checks (type, enum, required,
// lengths, counts, ranges, pattern, list-type uniqueness). CEL `x-kubernetes-validations` are not
// evaluated (see README.md): the rules are accepted and stored with the CRD.
import type { StatusCause } from '../errors.js';

export interface JSONSchemaProps {
  type?: string;
  format?: string;
  properties?: Record<string, JSONSchemaProps>;
  additionalProperties?: JSONSchemaProps | boolean;
  items?: JSONSchemaProps;
  required?: string[];
  enum?: unknown[];
  default?: unknown;
  nullable?: boolean;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  maxProperties?: number;
  minProperties?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: boolean;
  exclusiveMaximum?: boolean;
  oneOf?: JSONSchemaProps[];
  anyOf?: JSONSchemaProps[];
  allOf?: JSONSchemaProps[];
  not?: JSONSchemaProps;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-embedded-resource'?: boolean;
  'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-validations'?: { rule: string; message?: string }[];
}

type Json = unknown;
const isObject = (v: Json): v is Record<string, Json> => !!v && typeof v === 'object' && !Array.isArray(v);

/** The root fields every object has, which the schema does not govern beyond their presence. */
const ROOT_META = new Set(['apiVersion', 'kind', 'metadata']);

/** Removes fields the schema does not know (unless it preserves unknown fields), in place. */
export function prune(value: Json, schema: JSONSchemaProps | undefined, root = false): void {
  if (!schema || schema['x-kubernetes-preserve-unknown-fields']) return;
  if (Array.isArray(value)) {
    for (const item of value) prune(item, schema.items);
    return;
  }
  if (!isObject(value)) return;
  const props = schema.properties;
  const extra = schema.additionalProperties;
  for (const key of Object.keys(value)) {
    if (root && ROOT_META.has(key)) continue;
    if (props && key in props) prune(value[key], props[key]);
    else if (isObject(extra)) prune(value[key], extra);
    else if (extra !== true && (props || extra === false || schema.type === 'object')) delete value[key];
  }
}

/** Fills in `default`s of absent properties, depth first, as the apiserver's structural defaulting. */
export function applyDefaults(value: Json, schema: JSONSchemaProps | undefined): void {
  if (!schema) return;
  if (Array.isArray(value)) {
    for (const item of value) applyDefaults(item, schema.items);
    return;
  }
  if (!isObject(value)) return;
  for (const [key, prop] of Object.entries(schema.properties ?? {})) {
    if (value[key] === undefined && prop.default !== undefined) value[key] = structuredClone(prop.default);
    if (value[key] !== undefined) applyDefaults(value[key], prop);
  }
  if (isObject(schema.additionalProperties)) {
    for (const key of Object.keys(value)) {
      if (!schema.properties || !(key in schema.properties)) applyDefaults(value[key], schema.additionalProperties);
    }
  }
}

const patternCache = new Map<string, RegExp | null>();
function compiled(pattern: string): RegExp | null {
  if (!patternCache.has(pattern)) {
    let re: RegExp | null = null;
    try {
      re = new RegExp(pattern);
    } catch {
      re = null; // an RE2 construct JavaScript does not know: the check is skipped
    }
    patternCache.set(pattern, re);
  }
  return patternCache.get(pattern)!;
}

function typeOf(v: Json): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function show(v: Json): string {
  return typeof v === 'string' ? `"${v}"` : JSON.stringify(v);
}

/** The structural checks of `value` against `schema`; `path` is the field path (`spec.listeners[0].port`). */
export function validate(value: Json, schema: JSONSchemaProps | undefined, path = ''): StatusCause[] {
  const out: StatusCause[] = [];
  walk(value, schema, path, out, true);
  return out;
}

function walk(value: Json, schema: JSONSchemaProps | undefined, path: string, out: StatusCause[], root = false): void {
  if (!schema) return;
  const field = path || '<root>';
  if (value === null) {
    if (!schema.nullable && schema.type) out.push({ reason: 'FieldValueTypeInvalid', field, message: `Invalid value: "null": ${field} in body must be of type ${schema.type}: "null"` });
    return;
  }
  const t = typeOf(value);
  if (schema['x-kubernetes-int-or-string']) {
    if (t !== 'integer' && t !== 'string') out.push({ reason: 'FieldValueTypeInvalid', field, message: `Invalid value: "${t}": ${field} in body must be of type integer or string: "${t}"` });
  } else if (schema.type && !(schema.type === t || (schema.type === 'number' && t === 'integer'))) {
    out.push({ reason: 'FieldValueTypeInvalid', field, message: `Invalid value: "${t}": ${field} in body must be of type ${schema.type}: "${t}"` });
    return;
  }
  if (schema.enum && !schema.enum.some((e) => JSON.stringify(e) === JSON.stringify(value))) {
    out.push({ reason: 'FieldValueNotSupported', field, message: `Unsupported value: ${show(value)}: supported values: ${schema.enum.map(show).join(', ')}` });
  }
  if (typeof value === 'string') {
    if (schema.maxLength !== undefined && [...value].length > schema.maxLength) out.push({ reason: 'FieldValueTooLong', field, message: `Too long: may not be more than ${schema.maxLength} bytes` });
    if (schema.minLength !== undefined && [...value].length < schema.minLength) out.push({ reason: 'FieldValueInvalid', field, message: `Invalid value: ${show(value)}: ${field} in body should be at least ${schema.minLength} chars long` });
    const re = schema.pattern ? compiled(schema.pattern) : null;
    if (re && !re.test(value)) out.push({ reason: 'FieldValueInvalid', field, message: `Invalid value: ${show(value)}: ${field} in body should match '${schema.pattern}'` });
  }
  if (typeof value === 'number') {
    if (schema.maximum !== undefined && (schema.exclusiveMaximum ? value >= schema.maximum : value > schema.maximum)) {
      out.push({ reason: 'FieldValueInvalid', field, message: `Invalid value: ${value}: ${field} in body should be less than ${schema.exclusiveMaximum ? '' : 'or equal to '}${schema.maximum}` });
    }
    if (schema.minimum !== undefined && (schema.exclusiveMinimum ? value <= schema.minimum : value < schema.minimum)) {
      out.push({ reason: 'FieldValueInvalid', field, message: `Invalid value: ${value}: ${field} in body should be greater than ${schema.exclusiveMinimum ? '' : 'or equal to '}${schema.minimum}` });
    }
  }
  if (Array.isArray(value)) {
    if (schema.maxItems !== undefined && value.length > schema.maxItems) out.push({ reason: 'FieldValueTooMany', field, message: `Too many: ${value.length}: must have at most ${schema.maxItems} items` });
    if (schema.minItems !== undefined && value.length < schema.minItems) out.push({ reason: 'FieldValueInvalid', field, message: `Invalid value: ${value.length}: ${field} in body should have at least ${schema.minItems} items` });
    checkListType(value, schema, field, out);
    value.forEach((item, i) => walk(item, schema.items, `${path}[${i}]`, out));
  }
  if (isObject(value)) {
    const keys = Object.keys(value).filter((k) => !(root && ROOT_META.has(k)));
    if (schema.maxProperties !== undefined && keys.length > schema.maxProperties) out.push({ reason: 'FieldValueTooMany', field, message: `Too many: ${keys.length}: must have at most ${schema.maxProperties} items` });
    if (schema.minProperties !== undefined && keys.length < schema.minProperties) out.push({ reason: 'FieldValueInvalid', field, message: `Invalid value: ${keys.length}: ${field} in body should have at least ${schema.minProperties} properties` });
    for (const req of schema.required ?? []) {
      if (value[req] === undefined) out.push({ reason: 'FieldValueRequired', field: path ? `${path}.${req}` : req, message: 'Required value' });
    }
    for (const key of keys) {
      const child = path ? `${path}.${key}` : key;
      const prop = schema.properties?.[key] ?? (isObject(schema.additionalProperties) ? schema.additionalProperties : undefined);
      walk(value[key], prop, child, out);
    }
  }
  for (const sub of schema.allOf ?? []) walkValueOnly(value, sub, path, out);
  if (schema.anyOf && !schema.anyOf.some((s) => validate(value, s, path).length === 0)) {
    out.push({ reason: 'FieldValueInvalid', field, message: `Invalid value: ${show(value)}: ${field} in body must match at least one schema (anyOf)` });
  }
  if (schema.oneOf && schema.oneOf.filter((s) => validate(value, s, path).length === 0).length !== 1) {
    out.push({ reason: 'FieldValueInvalid', field, message: `Invalid value: ${show(value)}: ${field} in body must validate one and only one schema (oneOf)` });
  }
  if (schema.not && validate(value, schema.not, path).length === 0) {
    out.push({ reason: 'FieldValueInvalid', field, message: `Invalid value: ${show(value)}: ${field} in body must not validate the schema (not)` });
  }
}

function walkValueOnly(value: Json, schema: JSONSchemaProps, path: string, out: StatusCause[]): void {
  out.push(...validate(value, schema, path));
}

function checkListType(list: Json[], schema: JSONSchemaProps, field: string, out: StatusCause[]): void {
  const type = schema['x-kubernetes-list-type'];
  if (type === 'set') {
    const seen = new Set<string>();
    list.forEach((item, i) => {
      const k = JSON.stringify(item);
      if (seen.has(k)) out.push({ reason: 'FieldValueDuplicate', field: `${field}[${i}]`, message: `Duplicate value: ${k}` });
      seen.add(k);
    });
  } else if (type === 'map') {
    const keys = schema['x-kubernetes-list-map-keys'] ?? [];
    const seen = new Set<string>();
    list.forEach((item, i) => {
      if (!isObject(item)) return;
      const k = JSON.stringify(Object.fromEntries(keys.map((key) => [key, item[key] ?? schema.items?.properties?.[key]?.default ?? null])));
      if (seen.has(k)) out.push({ reason: 'FieldValueDuplicate', field: `${field}[${i}]`, message: `Duplicate value: ${k}` });
      seen.add(k);
    });
  }
}
