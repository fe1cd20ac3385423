// The pure core: GatewayClasses, Gateways, HTTPRoutes, ReferenceGrants, Services, Secrets and
// Namespaces → the listeners to serve (per address and port, each with its routes' rules in the
// spec's precedence order) and the status every object should have. No I/O, no clock: the shell
// (controller.ts) assigns addresses, serves the table and writes the statuses.
import { X509Certificate, createPrivateKey } from 'node:crypto';
import type { KObject } from '../api/types.js';
import { hostnameMatches, intersectHostnames } from './hostnames.js';
import { matchesLabels } from './labels.js';

export const GATEWAY_GROUP = 'gateway.networking.k8s.io';
export const KDP_CONTROLLER_NAME = 'kdp.dev/gateway-controller';

/**
 * The conformance features kdp claims (GatewayClass status.supportedFeatures, sorted): those whose
 * upstream tests pass in test/e2e/gateway-conformance.test.ts.
 */
export const SUPPORTED_FEATURES = [
  'Gateway', 'GatewayHTTPListenerIsolation', 'GatewayHTTPSListenerDetectMisdirectedRequests', 'GatewayPort8080', 'HTTPRoute',
  'HTTPRoute303RedirectStatusCode', 'HTTPRoute307RedirectStatusCode', 'HTTPRoute308RedirectStatusCode', 'HTTPRouteHostRewrite',
  'HTTPRouteMethodMatching', 'HTTPRouteParentRefPort', 'HTTPRoutePathRedirect', 'HTTPRoutePathRewrite', 'HTTPRoutePortRedirect',
  'HTTPRouteQueryParamMatching', 'HTTPRouteRequestMirror', 'HTTPRouteRequestTimeout', 'HTTPRouteResponseHeaderModification',
  'HTTPRouteSchemeRedirect', 'ReferenceGrant',
];

// --------------------------------------------------------------------------------------- types

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  observedGeneration?: number;
}

export interface HeaderMatch { type: 'Exact' | 'RegularExpression'; name: string; value: string; re?: RegExp }
export interface CompiledMatch {
  path: { type: 'Exact' | 'PathPrefix' | 'RegularExpression'; value: string; re?: RegExp };
  headers: HeaderMatch[];
  queryParams: HeaderMatch[];
  method?: string;
}

export type Filter = { type: string; [k: string]: any };

export type Backend =
  | { kind: 'service'; namespace: string; name: string; port: number; weight: number; filters: Filter[] }
  | { kind: 'invalid'; weight: number; reason: string };

export interface CompiledRule {
  route: string; // namespace/name
  ruleIndex: number;
  filters: Filter[];
  backends: Backend[];
  timeouts?: { request?: string; backendRequest?: string };
}

export interface RouteEntry {
  /** Effective hostnames on this listener; [] = any host. */
  hostnames: string[];
  match: CompiledMatch;
  rule: CompiledRule;
  /** Position in the precedence order apart from hostnames (lower wins). */
  order: number;
}

export interface ServedListener {
  gateway: string; // namespace/name
  name: string;
  protocol: 'HTTP' | 'HTTPS';
  hostname?: string;
  tls?: { cert: string; key: string }[];
  entries: RouteEntry[];
}

/** Everything served on one address:port. */
export interface PortGroup {
  address: string;
  port: number;
  protocol: 'HTTP' | 'HTTPS';
  listeners: ServedListener[];
}

export interface GatewayInputs {
  controllerName: string;
  gatewayClasses: KObject[];
  gateways: KObject[];
  httpRoutes: KObject[];
  referenceGrants: KObject[];
  services: KObject[];
  secrets: KObject[];
  namespaces: KObject[];
  /** The address each Gateway (namespace/name) got, or why it got none. */
  addresses: Map<string, { address?: string; error?: { reason: string; message: string } }>;
}

export interface GatewayModel {
  /** Our GatewayClasses' wanted status: conditions and supportedFeatures. */
  classStatus: Map<string, { conditions: Condition[]; supportedFeatures: { name: string }[] }>;
  /** Our Gateways' wanted status (namespace/name → status). */
  gatewayStatus: Map<string, Record<string, unknown>>;
  /** Our status.parents entries for each HTTPRoute (namespace/name). */
  routeParents: Map<string, Record<string, unknown>[]>;
  ports: PortGroup[];
}

// ------------------------------------------------------------------------------------- helpers

const keyOf = (o: KObject) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
const cond = (type: string, ok: boolean, reason: string, message: string, observedGeneration?: number): Condition => ({
  type, status: ok ? 'True' : 'False', reason, message, ...(observedGeneration !== undefined ? { observedGeneration } : {}),
});

function compileRegex(src: string, anchored: boolean): RegExp | undefined {
  try {
    return new RegExp(anchored ? `^(?:${src})$` : src);
  } catch {
    return undefined;
  }
}

/** Is a reference from (group, kind, namespace) to (group, kind, name) in `toNs` permitted by a ReferenceGrant? */
export function referenceGranted(grants: KObject[], from: { group: string; kind: string; namespace: string }, to: { group: string; kind: string; namespace: string; name: string }): boolean {
  if (from.namespace === to.namespace) return true;
  return grants.some((g) => {
    if (g.metadata.namespace !== to.namespace) return false;
    const spec = (g.spec ?? {}) as { from?: any[]; to?: any[] };
    const fromOk = (spec.from ?? []).some((f) => (f.group ?? '') === from.group && f.kind === from.kind && f.namespace === from.namespace);
    const toOk = (spec.to ?? []).some((t) => (t.group ?? '') === to.group && t.kind === to.kind && (!t.name || t.name === to.name));
    return fromOk && toOk;
  });
}

function validKeyPair(secret: KObject | undefined): { cert: string; key: string } | undefined {
  if (!secret || secret.type !== 'kubernetes.io/tls') return undefined;
  const data = (secret.data ?? {}) as Record<string, string>;
  const cert = Buffer.from(data['tls.crt'] ?? '', 'base64').toString('utf8');
  const key = Buffer.from(data['tls.key'] ?? '', 'base64').toString('utf8');
  try {
    new X509Certificate(cert);
    createPrivateKey(key);
    return { cert, key };
  } catch {
    return undefined;
  }
}

// ----------------------------------------------------------------------------------- listeners

interface ListenerState {
  spec: any;
  gateway: KObject;
  supportedKinds: { group: string; kind: string }[];
  conditions: Condition[];
  valid: boolean;
  attached: number;
  tls?: { cert: string; key: string }[];
  served?: ServedListener;
}

const SUPPORTED_ROUTE_KINDS = new Set(['HTTPRoute']);

function evaluateListeners(gw: KObject, inputs: GatewayInputs): ListenerState[] {
  const gen = gw.metadata.generation;
  const ns = gw.metadata.namespace!;
  const listeners: any[] = (gw.spec as any)?.listeners ?? [];
  const states = listeners.map((l): ListenerState => {
    const conditions: Condition[] = [];
    const http = l.protocol === 'HTTP' || l.protocol === 'HTTPS';
    if (!http) {
      return {
        spec: l, gateway: gw, supportedKinds: [], valid: false, attached: 0,
        conditions: [
          cond('Accepted', false, 'UnsupportedProtocol', `protocol ${l.protocol} is not supported`, gen),
          cond('Programmed', false, 'Invalid', 'the listener is not valid', gen),
          cond('ResolvedRefs', true, 'ResolvedRefs', 'all references resolved', gen),
          cond('Conflicted', false, 'NoConflicts', 'no conflicts', gen),
        ],
      };
    }
    let resolved: Condition = cond('ResolvedRefs', true, 'ResolvedRefs', 'all references resolved', gen);
    const asked: any[] | undefined = l.allowedRoutes?.kinds;
    const supportedKinds = asked
      ? asked.filter((k) => (k.group ?? GATEWAY_GROUP) === GATEWAY_GROUP && SUPPORTED_ROUTE_KINDS.has(k.kind)).map((k) => ({ group: GATEWAY_GROUP, kind: k.kind }))
      : [{ group: GATEWAY_GROUP, kind: 'HTTPRoute' }];
    if (asked && supportedKinds.length < asked.length) resolved = cond('ResolvedRefs', false, 'InvalidRouteKinds', 'some of the route kinds are not supported', gen);
    let tls: { cert: string; key: string }[] | undefined;
    let valid = true;
    if (l.protocol === 'HTTPS') {
      tls = [];
      const refs: any[] = l.tls?.certificateRefs ?? [];
      if ((l.tls?.mode ?? 'Terminate') !== 'Terminate') {
        resolved = cond('ResolvedRefs', false, 'InvalidCertificateRef', 'only tls.mode Terminate is supported on HTTPS listeners', gen);
      }
      for (const ref of refs) {
        const refNs = ref.namespace ?? ns;
        if ((ref.group ?? '') !== '' || (ref.kind ?? 'Secret') !== 'Secret') {
          resolved = cond('ResolvedRefs', false, 'InvalidCertificateRef', `certificateRef ${ref.group ?? ''}/${ref.kind} is not a Secret`, gen);
          continue;
        }
        if (!referenceGranted(inputs.referenceGrants, { group: GATEWAY_GROUP, kind: 'Gateway', namespace: ns }, { group: '', kind: 'Secret', namespace: refNs, name: ref.name })) {
          resolved = cond('ResolvedRefs', false, 'RefNotPermitted', `certificateRef to Secret ${refNs}/${ref.name} is not permitted by any ReferenceGrant`, gen);
          continue;
        }
        const pair = validKeyPair(inputs.secrets.find((s) => s.metadata.namespace === refNs && s.metadata.name === ref.name));
        if (!pair) {
          resolved = cond('ResolvedRefs', false, 'InvalidCertificateRef', `Secret ${refNs}/${ref.name} does not exist or holds no valid kubernetes.io/tls key pair`, gen);
          continue;
        }
        tls.push(pair);
      }
      if (!refs.length) resolved = cond('ResolvedRefs', false, 'InvalidCertificateRef', 'an HTTPS listener needs tls.certificateRefs', gen);
      if (!tls.length) valid = false;
    }
    conditions.push(cond('Accepted', true, 'Accepted', 'listener accepted', gen), resolved);
    return { spec: l, gateway: gw, supportedKinds, conditions, valid, attached: 0, tls };
  });
  // Conflicts among the valid-protocol listeners of one port.
  const byPort = new Map<number, ListenerState[]>();
  for (const s of states) {
    if (!s.conditions.some((c) => c.type === 'Accepted' && c.status === 'True')) continue;
    byPort.set(s.spec.port, [...(byPort.get(s.spec.port) ?? []), s]);
  }
  for (const group of byPort.values()) {
    const protocols = new Set(group.map((s) => s.spec.protocol));
    for (const s of group) {
      let conflict: Condition | undefined;
      if (protocols.size > 1) conflict = cond('Conflicted', true, 'ProtocolConflict', `port ${s.spec.port} is used with several protocols`, gen);
      else if (group.filter((o) => (o.spec.hostname ?? '') === (s.spec.hostname ?? '')).length > 1) conflict = cond('Conflicted', true, 'HostnameConflict', `hostname ${s.spec.hostname ?? '(none)'} is used twice on port ${s.spec.port}`, gen);
      if (conflict) {
        s.valid = false;
        s.conditions.push(conflict);
      } else s.conditions.push(cond('Conflicted', false, 'NoConflicts', 'no conflicts', gen));
    }
  }
  for (const s of states) {
    if (!s.conditions.some((c) => c.type === 'Programmed')) {
      s.conditions.push(s.valid ? cond('Programmed', true, 'Programmed', 'listener programmed', gen) : cond('Programmed', false, 'Invalid', 'the listener is not valid', gen));
    }
  }
  return states;
}

function allowsNamespace(l: ListenerState, routeNs: string, namespaces: KObject[]): boolean {
  const from = l.spec.allowedRoutes?.namespaces?.from ?? 'Same';
  if (from === 'All') return true;
  if (from === 'Same') return routeNs === l.gateway.metadata.namespace;
  if (from === 'Selector') {
    const ns = namespaces.find((n) => n.metadata.name === routeNs);
    return !!ns && matchesLabels(l.spec.allowedRoutes?.namespaces?.selector, ns.metadata.labels ?? {});
  }
  return false;
}

// -------------------------------------------------------------------------------------- routes

const SUPPORTED_FILTERS = new Set(['RequestHeaderModifier', 'ResponseHeaderModifier', 'RequestRedirect', 'URLRewrite', 'RequestMirror']);

function compileMatch(m: any): CompiledMatch | undefined {
  const pathType = m?.path?.type ?? 'PathPrefix';
  const pathValue = m?.path?.value ?? '/';
  const path: CompiledMatch['path'] = { type: pathType, value: pathValue };
  if (pathType === 'RegularExpression') {
    path.re = compileRegex(pathValue, true);
    if (!path.re) return undefined;
  }
  const compileList = (list: any[] | undefined, lower: boolean): HeaderMatch[] | undefined => {
    const out: HeaderMatch[] = [];
    const seen = new Set<string>();
    for (const h of list ?? []) {
      const name = lower ? String(h.name).toLowerCase() : String(h.name);
      if (seen.has(name)) continue; // only the first of equivalent names counts
      seen.add(name);
      const type = h.type ?? 'Exact';
      const hm: HeaderMatch = { type, name, value: String(h.value) };
      if (type === 'RegularExpression') {
        hm.re = compileRegex(hm.value, false);
        if (!hm.re) return undefined;
      }
      out.push(hm);
    }
    return out;
  };
  const headers = compileList(m?.headers, true);
  const queryParams = compileList(m?.queryParams, false);
  if (!headers || !queryParams) return undefined;
  return { path, headers, queryParams, ...(m?.method ? { method: m.method } : {}) };
}

interface RouteEval {
  route: KObject;
  rules: { rule: CompiledRule; matches: CompiledMatch[] }[];
  resolvedRefs: Condition;
  unsupported?: string;
}

function evaluateRoute(route: KObject, inputs: GatewayInputs, services: Map<string, KObject>): RouteEval {
  const ns = route.metadata.namespace!;
  const gen = route.metadata.generation;
  let resolvedRefs = cond('ResolvedRefs', true, 'ResolvedRefs', 'all references resolved', gen);
  const problem = (reason: string, message: string) => {
    if (resolvedRefs.status === 'True') resolvedRefs = cond('ResolvedRefs', false, reason, message, gen);
  };
  let unsupported: string | undefined;
  // A RequestMirror's backendRef defaults to the route's namespace.
  const withNamespace = (filters: Filter[] | undefined): Filter[] => (filters ?? []).map((f) => (f.type === 'RequestMirror' && f.requestMirror?.backendRef
    ? { ...f, requestMirror: { ...f.requestMirror, backendRef: { ...f.requestMirror.backendRef, namespace: f.requestMirror.backendRef.namespace ?? ns } } } : f));
  const rules = (((route.spec as any)?.rules ?? []) as any[]).map((r, ruleIndex) => {
    const filters: Filter[] = withNamespace(r.filters);
    for (const f of filters) if (!SUPPORTED_FILTERS.has(f.type)) unsupported ??= `filter ${f.type} is not supported`;
    const backends: Backend[] = ((r.backendRefs ?? []) as any[]).map((b): Backend => {
      const weight = b.weight ?? 1;
      const group = b.group ?? '';
      const kind = b.kind ?? 'Service';
      const bns = b.namespace ?? ns;
      if (group !== '' || kind !== 'Service') {
        problem('InvalidKind', `backendRef ${group}/${kind} ${b.name} is not a Service`);
        return { kind: 'invalid', weight, reason: 'InvalidKind' };
      }
      if (!referenceGranted(inputs.referenceGrants, { group: GATEWAY_GROUP, kind: 'HTTPRoute', namespace: ns }, { group: '', kind: 'Service', namespace: bns, name: b.name })) {
        problem('RefNotPermitted', `backendRef to Service ${bns}/${b.name} is not permitted by any ReferenceGrant`);
        return { kind: 'invalid', weight, reason: 'RefNotPermitted' };
      }
      const svc = services.get(`${bns}/${b.name}`);
      if (!svc) {
        problem('BackendNotFound', `Service ${bns}/${b.name} not found`);
        return { kind: 'invalid', weight, reason: 'BackendNotFound' };
      }
      if (b.port === undefined || !((svc.spec as any)?.ports ?? []).some((p: any) => p.port === b.port)) {
        problem('BackendNotFound', `Service ${bns}/${b.name} has no port ${b.port ?? '(unset)'}`);
        return { kind: 'invalid', weight, reason: 'BackendNotFound' };
      }
      for (const f of (b.filters ?? []) as Filter[]) if (!SUPPORTED_FILTERS.has(f.type)) unsupported ??= `filter ${f.type} is not supported`;
      return { kind: 'service', namespace: bns, name: b.name, port: b.port, weight, filters: withNamespace(b.filters) };
    });
    const rawMatches: any[] = r.matches?.length ? r.matches : [{ path: { type: 'PathPrefix', value: '/' } }];
    const matches: CompiledMatch[] = [];
    for (const m of rawMatches) {
      const c = compileMatch(m);
      if (c) matches.push(c);
      else unsupported ??= 'a regular expression does not compile';
    }
    const rule: CompiledRule = { route: keyOf(route), ruleIndex, filters, backends, ...(r.timeouts ? { timeouts: r.timeouts } : {}) };
    return { rule, matches };
  });
  return { route, rules, resolvedRefs, unsupported };
}

/** The spec's precedence, apart from hostnames: Exact, longest prefix, method, most headers, most query params. */
function matchRank(m: CompiledMatch): number[] {
  const pathRank = m.path.type === 'Exact' ? 3 : m.path.type === 'PathPrefix' ? 2 : 1;
  return [-pathRank, -m.path.value.length, m.method ? -1 : 0, -m.headers.length, -m.queryParams.length];
}

function compareRoutes(a: KObject, b: KObject): number {
  const ta = a.metadata.creationTimestamp ?? '';
  const tb = b.metadata.creationTimestamp ?? '';
  if (ta !== tb) return ta < tb ? -1 : 1;
  const ka = keyOf(a);
  const kb = keyOf(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

// -------------------------------------------------------------------------------------- build

export function buildGatewayModel(inputs: GatewayInputs): GatewayModel {
  const model: GatewayModel = { classStatus: new Map(), gatewayStatus: new Map(), routeParents: new Map(), ports: [] };
  const ourClasses = new Set<string>();
  for (const gc of inputs.gatewayClasses) {
    if ((gc.spec as any)?.controllerName !== inputs.controllerName) continue;
    ourClasses.add(gc.metadata.name);
    const gen = gc.metadata.generation;
    model.classStatus.set(gc.metadata.name, {
      conditions: [
        cond('Accepted', true, 'Accepted', 'GatewayClass accepted by kdp', gen),
        cond('SupportedVersion', true, 'SupportedVersion', 'the Gateway API CRDs installed are a supported version', gen),
      ],
      supportedFeatures: SUPPORTED_FEATURES.map((name) => ({ name })),
    });
  }
  const services = new Map(inputs.services.map((s) => [keyOf(s), s]));
  const gateways = inputs.gateways.filter((g) => ourClasses.has((g.spec as any)?.gatewayClassName) && !g.metadata.deletionTimestamp);
  const listenerStates = new Map<string, ListenerState[]>();
  for (const gw of gateways) listenerStates.set(keyOf(gw), evaluateListeners(gw, inputs));

  // Routes: attach to listeners, status per parent.
  const routes = [...inputs.httpRoutes].filter((r) => !r.metadata.deletionTimestamp).sort(compareRoutes);
  const attachments: { listener: ListenerState; hostnames: string[]; ev: RouteEval; routeIndex: number }[] = [];
  routes.forEach((route, routeIndex) => {
    const ns = route.metadata.namespace!;
    const gen = route.metadata.generation;
    const spec = (route.spec ?? {}) as any;
    let ev: RouteEval | undefined;
    const parents: Record<string, unknown>[] = [];
    for (const ref of (spec.parentRefs ?? []) as any[]) {
      if ((ref.group ?? GATEWAY_GROUP) !== GATEWAY_GROUP || (ref.kind ?? 'Gateway') !== 'Gateway') continue;
      const gwKey = `${ref.namespace ?? ns}/${ref.name}`;
      const states = listenerStates.get(gwKey);
      if (!states) continue; // not one of our Gateways
      ev ??= evaluateRoute(route, inputs, services);
      const candidates = states.filter((l) => (ref.sectionName === undefined || l.spec.name === ref.sectionName) && (ref.port === undefined || l.spec.port === ref.port));
      const allowed = candidates.filter((l) => l.supportedKinds.some((k) => k.kind === 'HTTPRoute') && allowsNamespace(l, ns, inputs.namespaces));
      const fitting = allowed.map((l) => ({ l, hostnames: intersectHostnames(l.spec.hostname, spec.hostnames ?? []) })).filter((x) => x.hostnames !== null);
      let accepted: Condition;
      if (!candidates.length) accepted = cond('Accepted', false, 'NoMatchingParent', 'no listener matches the parentRef\'s sectionName/port', gen);
      else if (!allowed.length) accepted = cond('Accepted', false, 'NotAllowedByListeners', 'no listener of the parent allows this route', gen);
      else if (!fitting.length) accepted = cond('Accepted', false, 'NoMatchingListenerHostname', 'no listener hostname intersects the route\'s hostnames', gen);
      else if (ev.unsupported) accepted = cond('Accepted', false, 'UnsupportedValue', ev.unsupported, gen);
      else accepted = cond('Accepted', true, 'Accepted', 'route accepted', gen);
      if (accepted.status === 'True') {
        for (const { l, hostnames } of fitting) {
          l.attached++;
          attachments.push({ listener: l, hostnames: hostnames!, ev, routeIndex });
        }
      }
      parents.push({ parentRef: { ...ref }, controllerName: inputs.controllerName, conditions: [accepted, ev.resolvedRefs] });
    }
    if (parents.length) model.routeParents.set(keyOf(route), parents);
  });

  // Gateways: status and the served listeners.
  const groups = new Map<string, PortGroup>();
  for (const gw of gateways) {
    const key = keyOf(gw);
    const gen = gw.metadata.generation;
    const states = listenerStates.get(key)!;
    const addr = inputs.addresses.get(key);
    const acceptedCount = states.filter((s) => s.conditions.some((c) => c.type === 'Accepted' && c.status === 'True')).length;
    let accepted: Condition;
    if (addr?.error?.reason === 'UnsupportedAddress') accepted = cond('Accepted', false, 'UnsupportedAddress', addr.error.message, gen);
    else if (states.length && acceptedCount === 0) accepted = cond('Accepted', false, 'ListenersNotValid', 'no listener is valid', gen);
    else if (acceptedCount < states.length) accepted = cond('Accepted', true, 'ListenersNotValid', 'some listeners are not valid', gen);
    else accepted = cond('Accepted', true, 'Accepted', 'Gateway accepted', gen);
    let programmed: Condition;
    if (!addr?.address) programmed = cond('Programmed', false, 'AddressNotAssigned', addr?.error?.message ?? 'no address assigned yet', gen);
    else if (accepted.status !== 'True') programmed = cond('Programmed', false, 'Invalid', 'the Gateway is not accepted', gen);
    else programmed = cond('Programmed', true, 'Programmed', 'Gateway programmed', gen);
    model.gatewayStatus.set(key, {
      addresses: addr?.address ? [{ type: 'IPAddress', value: addr.address }] : [],
      conditions: [accepted, programmed],
      listeners: states.map((s) => ({ name: s.spec.name, supportedKinds: s.supportedKinds, attachedRoutes: s.attached, conditions: s.conditions })),
    });
    if (!addr?.address || accepted.status !== 'True') continue;
    for (const s of states) {
      if (!s.valid) continue;
      const served: ServedListener = { gateway: key, name: s.spec.name, protocol: s.spec.protocol, ...(s.spec.hostname ? { hostname: s.spec.hostname } : {}), ...(s.tls ? { tls: s.tls } : {}), entries: [] };
      s.served = served;
      const gk = `${addr.address}:${s.spec.port}`;
      const group: PortGroup = groups.get(gk) ?? { address: addr.address, port: s.spec.port, protocol: s.spec.protocol, listeners: [] };
      group.listeners.push(served);
      groups.set(gk, group);
    }
  }

  // Entries per listener, in precedence order (hostnames are compared per request).
  const pending = new Map<ServedListener, { entry: RouteEntry; rank: number[] }[]>();
  for (const a of attachments) {
    const served = a.listener.served;
    if (!served) continue;
    const list = pending.get(served) ?? [];
    for (const { rule, matches } of a.ev.rules) {
      matches.forEach((match, mi) => {
        list.push({ entry: { hostnames: a.hostnames, match, rule, order: 0 }, rank: [...matchRank(match), a.routeIndex, rule.ruleIndex, mi] });
      });
    }
    pending.set(served, list);
  }
  for (const [served, list] of pending) {
    list.sort((x, y) => {
      for (let i = 0; i < x.rank.length; i++) if (x.rank[i] !== y.rank[i]) return x.rank[i] - y.rank[i];
      return 0;
    });
    served.entries = list.map(({ entry }, order) => ({ ...entry, order }));
  }
  model.ports = [...groups.values()].sort((a, b) => a.address.localeCompare(b.address) || a.port - b.port);
  return model;
}

/** The listener of a port group that serves `host`: exact hostname, else the longest wildcard, else one without hostname. */
export function selectListener(group: PortGroup, host: string): ServedListener | undefined {
  let best: ServedListener | undefined;
  let bestScore = -1;
  for (const l of group.listeners) {
    let score: number;
    if (!l.hostname) score = 0;
    else if (!hostnameMatches(l.hostname, host)) continue;
    else score = l.hostname.startsWith('*.') ? l.hostname.length : 10_000 + l.hostname.length;
    if (score > bestScore) {
      best = l;
      bestScore = score;
    }
  }
  return best;
}
