// Service links: the docker-link style variables (`NGINX_SERVICE_HOST`, `NGINX_PORT_80_TCP…`) that
// the kubelet puts in every container's environment for the Services of the pod's namespace (and
// `default/kubernetes`). With S Services that is ~7·S variables per container, so kdp builds them
// once per change of a namespace's Services and shares them, read-only, between the containers
// started meanwhile: each Service's variables are made once, a namespace's set is an immutable
// list of them, and its lookup Map is only built when someone reads it (a host process is
// spawned, an image reads an unusual key) — the built-in images that only read their own keys
// never pay for it.
import type { KObject } from '../api/types.js';

type Pairs = readonly (readonly [string, string])[];

function envName(service: string): string {
  return service.toUpperCase().replace(/-/g, '_');
}

/** One Service's variables: `X_SERVICE_HOST`, `X_SERVICE_PORT[_NAME]`, `X_PORT`, `X_PORT_80_TCP[_PROTO|_PORT|_ADDR]`. */
export function serviceLinkPairs(svc: KObject): [string, string][] {
  const out: [string, string][] = [];
  const ip: string | undefined = svc.spec?.clusterIP;
  const ports: { name?: string; port: number; protocol?: string }[] = svc.spec?.ports ?? [];
  if (!ip || ip === 'None' || !ports.length) return out;
  const n = envName(svc.metadata.name);
  out.push([`${n}_SERVICE_HOST`, ip], [`${n}_SERVICE_PORT`, String(ports[0].port)]);
  for (const p of ports) if (p.name) out.push([`${n}_SERVICE_PORT_${envName(p.name)}`, String(p.port)]);
  const proto0 = (ports[0].protocol ?? 'TCP').toLowerCase();
  out.push([`${n}_PORT`, `${proto0}://${ip}:${ports[0].port}`]);
  for (const p of ports) {
    const proto = (p.protocol ?? 'TCP').toLowerCase();
    const prefix = `${n}_PORT_${p.port}_${proto.toUpperCase()}`;
    out.push([prefix, `${proto}://${ip}:${p.port}`], [`${prefix}_PROTO`, proto], [`${prefix}_PORT`, String(p.port)], [`${prefix}_ADDR`, ip]);
  }
  return out;
}

/**
 * Whether `key` can be a service-link variable at all: every one of them contains `_SERVICE_` or
 * `_PORT` (see serviceLinkPairs). Lets a lookup of `PATH` or `HOSTNAME` skip the links entirely.
 */
export function mayBeServiceLink(key: string): boolean {
  return key.includes('_PORT') || key.includes('_SERVICE_');
}

const byName = (a: KObject, b: KObject) => (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0);

/** The variables of these Services, in name order (a later duplicate key overrides an earlier one). */
export function serviceLinkEnv(services: KObject[]): [string, string][] {
  return [...services].sort(byName).flatMap(serviceLinkPairs);
}

/**
 * An immutable set of service-link variables: the Services' variables in name order, read as a
 * Map. The Map (one per set, shared by every container that got the set) is built on first read.
 */
export class ServiceLinkSet implements ReadonlyMap<string, string> {
  private map: Map<string, string> | undefined;

  constructor(private readonly parts: readonly Pairs[]) {}

  private lookup(): Map<string, string> {
    if (!this.map) {
      this.map = new Map();
      for (const pairs of this.parts) for (const [k, v] of pairs) this.map.set(k, v);
    }
    return this.map;
  }

  get size(): number {
    return this.parts.length ? this.lookup().size : 0;
  }

  get(key: string): string | undefined {
    return this.parts.length && mayBeServiceLink(key) ? this.lookup().get(key) : undefined;
  }

  has(key: string): boolean {
    return this.parts.length > 0 && mayBeServiceLink(key) && this.lookup().has(key);
  }

  entries(): MapIterator<[string, string]> {
    return this.lookup().entries();
  }

  keys(): MapIterator<string> {
    return this.lookup().keys();
  }

  values(): MapIterator<string> {
    return this.lookup().values();
  }

  forEach(fn: (value: string, key: string, map: ReadonlyMap<string, string>) => void, thisArg?: unknown): void {
    for (const [k, v] of this.lookup()) fn.call(thisArg, v, k, this);
  }

  [Symbol.iterator](): MapIterator<[string, string]> {
    return this.entries();
  }
}

const EMPTY = new ServiceLinkSet([]);

/**
 * The Services of every namespace, fed by a Service informer (upsert/remove), and the link sets
 * containers get: `forNamespace` (enableServiceLinks, the default) and `kubernetesOnly`.
 */
export class ServiceLinks {
  /** namespace → Service name → its variables (frozen; shared by the sets that include it). */
  private readonly services = new Map<string, Map<string, Pairs>>();
  /** namespace → its current set; dropped when a Service of the namespace changes its variables. */
  private readonly sets = new Map<string, ServiceLinkSet>();
  private kubernetesSet: ServiceLinkSet | undefined;

  /** A Service was added or changed; only a change of its variables (IP, ports) makes new sets. */
  upsert(svc: KObject): void {
    const ns = svc.metadata.namespace ?? 'default';
    const pairs = serviceLinkPairs(svc);
    let byName = this.services.get(ns);
    const old = byName?.get(svc.metadata.name);
    if (old && samePairs(old, pairs)) return;
    if (!byName) this.services.set(ns, (byName = new Map()));
    byName.set(svc.metadata.name, Object.freeze(pairs.map((p) => Object.freeze(p))));
    this.changed(ns, svc.metadata.name);
  }

  remove(svc: KObject): void {
    const ns = svc.metadata.namespace ?? 'default';
    const byName = this.services.get(ns);
    if (!byName?.delete(svc.metadata.name)) return;
    if (!byName.size) this.services.delete(ns);
    this.changed(ns, svc.metadata.name);
  }

  private changed(ns: string, name: string): void {
    if (ns === 'default' && name === 'kubernetes') {
      // Every namespace sees default/kubernetes.
      this.sets.clear();
      this.kubernetesSet = undefined;
    } else {
      this.sets.delete(ns);
    }
  }

  private kubernetesPairs(): Pairs | undefined {
    return this.services.get('default')?.get('kubernetes');
  }

  /** The variables of the namespace's Services and of `default/kubernetes`, in Service name order. */
  forNamespace(namespace: string): ServiceLinkSet {
    let set = this.sets.get(namespace);
    if (set) return set;
    const names = [...(this.services.get(namespace)?.entries() ?? [])].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const parts: Pairs[] = names.map(([, pairs]) => pairs);
    const kubernetes = this.kubernetesPairs();
    if (namespace !== 'default' && kubernetes) {
      // After the namespace's own Service of that name, if it has one (a stable sort by name).
      let i = 0;
      while (i < names.length && names[i][0] <= 'kubernetes') i++;
      parts.splice(i, 0, kubernetes);
    }
    set = parts.every((p) => p.length === 0) ? EMPTY : new ServiceLinkSet(parts.filter((p) => p.length > 0));
    this.sets.set(namespace, set);
    return set;
  }

  /** enableServiceLinks: false — only `default/kubernetes`. */
  kubernetesOnly(): ServiceLinkSet {
    if (!this.kubernetesSet) {
      const kubernetes = this.kubernetesPairs();
      this.kubernetesSet = kubernetes?.length ? new ServiceLinkSet([kubernetes]) : EMPTY;
    }
    return this.kubernetesSet;
  }
}

function samePairs(a: Pairs, b: Pairs): boolean {
  return a.length === b.length && a.every(([k, v], i) => b[i][0] === k && b[i][1] === v);
}
