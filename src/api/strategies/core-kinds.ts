// Light strategies for the kinds kdp stores and reads but does not allocate for: Namespace,
// ConfigMap, Secret, Node, Event, EndpointSlice (and names-only for a few more).
import { errors, field, type StatusCause } from '../errors.js';
import type { Strategy, WriteContext } from '../store.js';
import type { KObject } from '../types.js';
import { deepEqual, kindStrategy } from './kind-strategy.js';
import { PROTOCOLS } from './pod-spec.js';
import { invalidEach, isConfigMapKey, isDNS1123Label, isDNS1123Subdomain, isIPv4, isValidPortNum, maxLenError, type NameValidator } from './validation.js';

/* eslint-disable @typescript-eslint/no-explicit-any */

const MAX_DATA_SIZE = 1024 * 1024;
const IMMUTABLE_SET = 'field is immutable when `immutable` is set';
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

export function namespaceStrategy(): Strategy {
  return kindStrategy({
    name: isDNS1123Label,
    defaults(ns) {
      // the apiserver labels every namespace with its own name
      ns.metadata.labels = { ...(ns.metadata.labels ?? {}), [NAMESPACE_NAME_LABEL]: ns.metadata.name };
    },
    prepareCreate(ns) {
      ns.status = { phase: 'Active' };
    },
  });
}

function validateKeys(obj: KObject, keys: string[]): StatusCause[] {
  const causes: StatusCause[] = [];
  for (const k of Object.keys(obj.data ?? {})) causes.push(...invalidEach(`data[${k}]`, k, isConfigMapKey(k)));
  for (const k of keys) causes.push(...invalidEach(`binaryData[${k}]`, k, isConfigMapKey(k)));
  return causes;
}

function validateImmutable(obj: KObject, old: KObject, dataFields: string[]): StatusCause[] {
  if (old.immutable !== true) return [];
  const causes: StatusCause[] = [];
  if (obj.immutable !== true) causes.push(field.forbidden('immutable', IMMUTABLE_SET));
  for (const f of dataFields) if (!deepEqual(obj[f] ?? {}, old[f] ?? {})) causes.push(field.forbidden(f, IMMUTABLE_SET));
  return causes;
}

function dataSize(...maps: unknown[]): number {
  let n = 0;
  for (const m of maps) for (const [k, v] of Object.entries((m ?? {}) as Record<string, unknown>)) n += k.length + String(v).length;
  return n;
}

export function configMapStrategy(): Strategy {
  return kindStrategy({
    name: isDNS1123Subdomain,
    validate(cm) {
      const binary = Object.keys(cm.binaryData ?? {});
      const causes = validateKeys(cm, binary);
      for (const k of binary) if (cm.data && k in cm.data) causes.push(field.invalid(`data[${k}]`, k, 'duplicate of key present in binaryData'));
      if (dataSize(cm.data, cm.binaryData) > MAX_DATA_SIZE) causes.push({ reason: 'FieldValueTooLong', field: '', message: `Too long: must have at most ${MAX_DATA_SIZE} bytes` });
      return causes;
    },
    validateUpdate: (cm, old) => validateImmutable(cm, old, ['data', 'binaryData']),
  });
}

/** Go's base64.StdEncoding strictness: the offset of the first bad byte, or undefined when valid. */
export function base64Error(s: string): number | undefined {
  const clean = s.replace(/[\r\n]/g, '');
  const bad = clean.search(/[^A-Za-z0-9+/=]/);
  if (bad >= 0) return bad;
  const pad = clean.indexOf('=');
  if (pad >= 0 && !/^={1,2}$/.test(clean.slice(pad))) return pad;
  if (clean.length % 4 !== 0) return clean.length - (clean.length % 4);
  return undefined;
}

function decodeError(ctx: WriteContext, detail: string) {
  return errors.badRequest(`${ctx.info.kind} in version "${ctx.info.version}" cannot be handled as a ${ctx.info.kind}: ${detail}`);
}

/** What decoding a v1 Secret does: `data` must be base64, `stringData` is merged into `data`. */
function decodeSecret(secret: KObject, ctx: WriteContext): void {
  for (const [k, v] of Object.entries(secret.data ?? {})) {
    if (typeof v !== 'string') throw decodeError(ctx, `json: cannot unmarshal ${typeof v} into Go struct field Secret.data of type []uint8`);
    const at = base64Error(v);
    if (at !== undefined) throw decodeError(ctx, `illegal base64 data at input byte ${at}`);
    if (/[\r\n]/.test(v)) secret.data[k] = v.replace(/[\r\n]/g, '');
  }
  if (secret.stringData && typeof secret.stringData === 'object') {
    secret.data ??= {};
    for (const [k, v] of Object.entries(secret.stringData)) secret.data[k] = Buffer.from(String(v), 'utf8').toString('base64');
    delete secret.stringData;
  }
}

const REQUIRED_SECRET_KEYS: Record<string, string[]> = {
  'kubernetes.io/tls': ['tls.crt', 'tls.key'],
  'kubernetes.io/dockerconfigjson': ['.dockerconfigjson'],
  'kubernetes.io/dockercfg': ['.dockercfg'],
  'kubernetes.io/ssh-auth': ['ssh-privatekey'],
};

export function secretStrategy(): Strategy {
  const base = kindStrategy({
    name: isDNS1123Subdomain,
    defaults(secret) {
      secret.type ||= 'Opaque';
    },
    validate(secret) {
      const causes = validateKeys(secret, []);
      for (const k of REQUIRED_SECRET_KEYS[secret.type] ?? []) if (!(secret.data && k in secret.data)) causes.push(field.required(`data[${k}]`));
      if (dataSize(secret.data) > MAX_DATA_SIZE * 1.4) causes.push({ reason: 'FieldValueTooLong', field: 'data', message: `Too long: must have at most ${MAX_DATA_SIZE} bytes` });
      return causes;
    },
    validateUpdate(secret, old) {
      const causes = validateImmutable(secret, old, ['data']);
      if (secret.type !== old.type) causes.push(field.invalid('type', secret.type, 'field is immutable'));
      return causes;
    },
  });
  return {
    ...base,
    prepareForCreate(secret, ctx) {
      decodeSecret(secret, ctx);
      base.prepareForCreate!(secret, ctx);
    },
    prepareForUpdate(secret, old, ctx) {
      decodeSecret(secret, ctx);
      base.prepareForUpdate!(secret, old, ctx);
    },
  };
}

export function nodeStrategy(): Strategy {
  return kindStrategy({ name: isDNS1123Subdomain });
}

export function eventStrategy(): Strategy {
  return kindStrategy({
    name: isDNS1123Subdomain,
    validate(ev) {
      const ns = ev.involvedObject?.namespace;
      if (ns && ns !== ev.metadata.namespace) return [field.invalid('involvedObject.namespace', ns, 'does not match event.namespace')];
      return [];
    },
  });
}

const ADDRESS_TYPES = ['FQDN', 'IPv4', 'IPv6'];

export function endpointSliceStrategy(): Strategy {
  return kindStrategy({
    name: isDNS1123Subdomain,
    validate(es) {
      const causes: StatusCause[] = [];
      if (!es.addressType) causes.push(field.required('addressType'));
      else if (!ADDRESS_TYPES.includes(es.addressType)) causes.push(field.notSupported('addressType', es.addressType, ADDRESS_TYPES));
      (Array.isArray(es.endpoints) ? es.endpoints : []).forEach((ep: any, i: number) => {
        const at = `endpoints[${i}]`;
        const addrs: unknown[] = Array.isArray(ep?.addresses) ? ep.addresses : [];
        if (!addrs.length) causes.push(field.required(`${at}.addresses`, 'must contain at least 1 address'));
        else if (addrs.length > 100) causes.push({ reason: 'FieldValueTooMany', field: `${at}.addresses`, message: `Too many: ${addrs.length}: must have at most 100 items` });
        if (es.addressType === 'IPv4') {
          addrs.forEach((a, j) => {
            if (!isIPv4(a)) causes.push(field.invalid(`${at}.addresses[${j}]`, a, 'must be a valid IPv4 address'));
          });
        }
        if (ep?.hostname) causes.push(...invalidEach(`${at}.hostname`, ep.hostname, isDNS1123Label(String(ep.hostname))));
        if (ep?.nodeName) causes.push(...invalidEach(`${at}.nodeName`, ep.nodeName, isDNS1123Subdomain(String(ep.nodeName))));
      });
      const names = new Set<string>();
      (Array.isArray(es.ports) ? es.ports : []).forEach((p: any, i: number) => {
        const at = `ports[${i}]`;
        const name = p?.name ?? '';
        if (name) causes.push(...invalidEach(`${at}.name`, name, isDNS1123Label(String(name))));
        if (names.has(name)) causes.push(field.duplicate(`${at}.name`, name));
        names.add(name);
        if (!p?.protocol) causes.push(field.required(`${at}.protocol`));
        else if (!PROTOCOLS.includes(p.protocol)) causes.push(field.notSupported(`${at}.protocol`, p.protocol, PROTOCOLS));
        if (p?.port !== undefined && p?.port !== null) causes.push(...invalidEach(`${at}.port`, p.port, isValidPortNum(p.port)));
      });
      return causes;
    },
    defaults(es) {
      for (const p of Array.isArray(es.ports) ? es.ports : []) if (p && typeof p === 'object') p.protocol ||= 'TCP';
      for (const ep of Array.isArray(es.endpoints) ? es.endpoints : []) if (ep && typeof ep === 'object') ep.conditions ??= {};
    },
    validateUpdate(es, old) {
      return es.addressType !== old.addressType ? [field.invalid('addressType', es.addressType, 'field is immutable')] : [];
    },
  });
}

/** CronJob names leave room for the 11-character Job suffix. */
export const cronJobName: NameValidator = (name) => {
  const errs = isDNS1123Subdomain(name);
  if (name.length > 52) errs.unshift(maxLenError(52));
  return errs;
};

/** Kinds whose only rule kdp enforces is the name. */
export function namesOnlyStrategy(name: NameValidator = isDNS1123Subdomain): Strategy {
  return kindStrategy({ name });
}
