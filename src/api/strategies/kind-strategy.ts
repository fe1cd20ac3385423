// The common shape of a REST strategy: defaults applied to every decoded body (create and update, as
// the apiserver defaults on decode), object-meta validation with the kind's name rule, and the
// kind's own checks. Kinds with allocation (Service) or special update rules (Pod) build on this.
import { errors, type StatusCause } from '../errors.js';
import type { Strategy, WriteContext } from '../store.js';
import type { KObject } from '../types.js';
import { validateObjectMeta, type NameValidator } from './validation.js';

export interface KindRules {
  /** The name rule (DNS-1123 subdomain for most kinds). */
  name: NameValidator;
  /** Defaults, applied on create and on update. */
  defaults?(obj: KObject): void;
  /** Create-only preparation (e.g. resetting status). Runs after defaults. */
  prepareCreate?(obj: KObject, ctx: WriteContext): void;
  /** The kind's own validation (spec, data…), on create and update. */
  validate?(obj: KObject): StatusCause[];
  /** Extra update checks (immutable fields). */
  validateUpdate?(obj: KObject, old: KObject): StatusCause[];
}

function jsonType(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'null';
  if (typeof v === 'boolean') return 'bool';
  return typeof v;
}

/**
 * What the apiserver's JSON decoder refuses before any strategy runs: metadata maps whose values are
 * not strings (a YAML `version: 1` label). 400 BadRequest, as kube-apiserver words it.
 */
export function checkDecodable(obj: KObject, ctx: WriteContext): void {
  const meta = obj.metadata ?? {};
  for (const key of ['labels', 'annotations'] as const) {
    const m = meta[key] as unknown;
    if (m === undefined || m === null) continue;
    const bad = typeof m !== 'object' || Array.isArray(m) ? m : Object.values(m as object).find((v) => typeof v !== 'string');
    if (bad === undefined) continue;
    const target = typeof m !== 'object' || Array.isArray(m) ? 'map[string]string' : 'string';
    const { kind, version } = ctx.info;
    const gv = ctx.info.group ? `${ctx.info.group}/${version}` : version;
    throw errors.badRequest(`${kind} in version "${gv}" cannot be handled as a ${kind}: json: cannot unmarshal ${jsonType(bad)} into Go struct field ObjectMeta.metadata.${key} of type ${target}`);
  }
}

export function kindStrategy(rules: KindRules): Strategy {
  const validate = (obj: KObject): StatusCause[] => [...validateObjectMeta(obj.metadata, rules.name), ...(rules.validate?.(obj) ?? [])];
  return {
    prepareForCreate(obj, ctx) {
      checkDecodable(obj, ctx);
      rules.defaults?.(obj);
      rules.prepareCreate?.(obj, ctx);
    },
    validate,
    prepareForUpdate(obj, _old, ctx) {
      checkDecodable(obj, ctx);
      rules.defaults?.(obj);
    },
    validateUpdate(obj, old) {
      return [...validate(obj), ...(rules.validateUpdate?.(obj, old) ?? [])];
    },
  };
}

/** Deep equality for JSON values, ignoring key order. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((x, i) => deepEqual(x, bb[i]));
  }
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  return ka.length === kb.length && ka.every((k) => deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}
