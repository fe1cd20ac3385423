// The common shape of a REST strategy: defaults applied to every decoded body (create and update, as
// the apiserver defaults on decode), object-meta validation with the kind's name rule, and the
// kind's own checks. Kinds with allocation (Service) or special update rules (Pod) build on this.
import { errors, type StatusCause } from '../errors.js';
import type { Strategy, WriteContext } from '../store.js';
import { decodeTyped, TypeMismatch } from '../typed-decode.js';
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

/**
 * What the apiserver's JSON decoder refuses before any strategy runs: a value of the wrong JSON type
 * anywhere in a built-in object (a YAML `version: 1` label, `data: {a: {b: 1}}` in a ConfigMap), walked
 * against the kind's OpenAPI schema (typed-decode.ts). 400 BadRequest, as kube-apiserver words it:
 * `<Kind> in version "<version>" cannot be handled as a <Kind>: json: cannot unmarshal …`.
 */
export function checkDecodable(obj: KObject, ctx: WriteContext): void {
  const { kind, version, group } = ctx.info;
  try {
    decodeTyped(obj, group, version, kind);
  } catch (err) {
    if (!(err instanceof TypeMismatch)) throw err;
    throw errors.badRequest(`${kind} in version "${version}" cannot be handled as a ${kind}: ${err.message}`);
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
