// The records of the cluster zone, precomputed from Services, EndpointSlices and Namespaces: a map
// from every existing lower-cased name to its records, so a query costs one map lookup. Each
// Service's contribution is recomputed (lazily, on the next lookup) when the Service or one of its
// EndpointSlices changes. Pure: no I/O; the clock comes in through the options.
import type { EndpointSlice, KObject, Service } from '../api/types.js';
import { dashed, expandIPv6, isIPv4, reverseName } from './addresses.js';
import type { Rr } from './types.js';

/** The source cluster of a multicluster EndpointSlice, as MultiClusterSink (multicluster.ts) marks it. */
export const CLUSTER_ID_ANNOTATION = 'kdp.dev/multicluster-source-cluster';

export { dashed, reverseName };

export interface NameEntry {
  a: Rr[];
  aaaa: Rr[];
  srv: Rr[];
  /** Addresses of the SRV targets, for the additional section. */
  srvExtra: Rr[];
  cname?: Rr;
  txt?: Rr[];
}

export interface ClusterRecordsOptions {
  zone: string;
  ttl: number;
  /** `endpoint_pod_names`: endpoints without a hostname are named after their pod, not their dashed IP. */
  endpointPodNames?: boolean;
  /** `ignore empty_service`. */
  ignoreEmptyService?: boolean;
  /** `noendpoints`. */
  noEndpoints?: boolean;
  /** Records of a `multicluster` zone (fed by MultiClusterSink). */
  multicluster?: boolean;
  /** `labels`: only Services, EndpointSlices and Pods whose labels match exist. */
  labels?: (labels: Record<string, string> | undefined) => boolean;
  /** `namespace_labels`: only Namespaces whose labels match exist (and names in others do not). */
  namespaceLabels?: (labels: Record<string, string> | undefined) => boolean;
  /** Unix seconds; the SOA serial is the time of the last change. */
  now?: () => number;
}

const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

interface Contribution {
  names: string[];
  ptrs: string[];
  headless?: string;
}

export class ClusterRecords {
  readonly zone: string;
  readonly ttl: number;
  private readonly now: () => number;
  private readonly services = new Map<string, Service>();
  private readonly slicesByService = new Map<string, Map<string, EndpointSlice>>();
  private readonly sliceService = new Map<string, string>();
  private readonly namespaces = new Set<string>();
  private readonly servicesPerNamespace = new Map<string, number>();
  private readonly contributions = new Map<string, Contribution>();
  private readonly names = new Map<string, NameEntry>();
  private readonly ptrs = new Map<string, Map<string, PtrRecord[]>>();
  /** Headless service name → its endpoint items (for zone-scoped names). */
  private readonly headless = new Map<string, ServiceItem[]>();
  private readonly recordOptions: ServiceRecordOptions;
  private readonly dirty = new Set<string>();
  /** Pod IP → namespaces with a pod on it (for `pods verified`). */
  private readonly podIPs = new Map<string, Map<string, number>>();
  private readonly podIPOf = new Map<string, string>();
  readonly endpointPodNames: boolean;
  private readonly labels?: ClusterRecordsOptions['labels'];
  private readonly namespaceLabels?: ClusterRecordsOptions['namespaceLabels'];
  serial: number;
  /** Bumped by every change that can alter an answer (answer caches compare it). */
  generation = 0;

  constructor(opts: ClusterRecordsOptions) {
    this.zone = opts.zone.toLowerCase().replace(/\.$/, '');
    this.ttl = opts.ttl;
    this.endpointPodNames = opts.endpointPodNames ?? false;
    this.labels = opts.labels;
    this.namespaceLabels = opts.namespaceLabels;
    this.recordOptions = { endpointPodNames: this.endpointPodNames, ignoreEmptyService: opts.ignoreEmptyService, noEndpoints: opts.noEndpoints, multicluster: opts.multicluster };
    this.now = opts.now ?? (() => Math.floor(Date.now() / 1000));
    this.serial = this.now();
  }

  // --- changes (informer handlers call these) ---

  upsertService(obj: KObject): void {
    if (this.labels && !this.labels(obj.metadata.labels)) return this.deleteService(obj);
    this.generation++;
    const key = keyOf(obj);
    const had = this.services.has(key);
    this.services.set(key, obj as Service);
    if (!had) this.countNamespace(obj.metadata.namespace ?? '', 1);
    this.dirty.add(key);
  }

  deleteService(obj: KObject): void {
    this.generation++;
    const key = keyOf(obj);
    if (this.services.delete(key)) this.countNamespace(obj.metadata.namespace ?? '', -1);
    this.dirty.add(key);
  }

  upsertEndpointSlice(obj: KObject): void {
    if (this.labels && !this.labels(obj.metadata.labels)) return this.deleteEndpointSlice(obj);
    this.generation++;
    const sliceKey = keyOf(obj);
    const svc = obj.metadata.labels?.[SERVICE_NAME_LABEL];
    const svcKey = svc ? `${obj.metadata.namespace}/${svc}` : undefined;
    const before = this.sliceService.get(sliceKey);
    if (before && before !== svcKey) this.removeSlice(sliceKey, before);
    if (!svcKey) return;
    let m = this.slicesByService.get(svcKey);
    if (!m) this.slicesByService.set(svcKey, (m = new Map()));
    m.set(sliceKey, obj as EndpointSlice);
    this.sliceService.set(sliceKey, svcKey);
    this.dirty.add(svcKey);
  }

  deleteEndpointSlice(obj: KObject): void {
    this.generation++;
    const sliceKey = keyOf(obj);
    const svcKey = this.sliceService.get(sliceKey);
    if (svcKey) this.removeSlice(sliceKey, svcKey);
  }

  upsertNamespace(obj: KObject): void {
    if (this.namespaceLabels && !this.namespaceLabels(obj.metadata.labels)) return this.deleteNamespace(obj);
    this.generation++;
    this.namespaces.add(obj.metadata.name);
    this.serial = this.now();
  }

  deleteNamespace(obj: KObject): void {
    this.generation++;
    this.namespaces.delete(obj.metadata.name);
    this.serial = this.now();
  }

  upsertPod(obj: KObject): void {
    if (this.labels && !this.labels(obj.metadata.labels)) return this.deletePod(obj);
    const key = keyOf(obj);
    const ip: string | undefined = obj.status?.podIP;
    const before = this.podIPOf.get(key);
    if (before === ip) return;
    this.generation++;
    if (before) this.dropPodIP(before, obj.metadata.namespace ?? '');
    if (!ip) return;
    this.podIPOf.set(key, ip);
    let m = this.podIPs.get(ip);
    if (!m) this.podIPs.set(ip, (m = new Map()));
    const ns = obj.metadata.namespace ?? '';
    m.set(ns, (m.get(ns) ?? 0) + 1);
  }

  deletePod(obj: KObject): void {
    const key = keyOf(obj);
    const ip = this.podIPOf.get(key);
    if (!ip) return;
    this.generation++;
    this.podIPOf.delete(key);
    this.dropPodIP(ip, obj.metadata.namespace ?? '');
  }

  /** `pods verified`: is there a pod with this IP in this namespace? */
  podExists(ip: string, ns: string): boolean {
    return (this.podIPs.get(ip)?.get(ns) ?? 0) > 0;
  }

  private dropPodIP(ip: string, ns: string): void {
    const m = this.podIPs.get(ip);
    if (!m) return;
    const n = (m.get(ns) ?? 0) - 1;
    if (n > 0) m.set(ns, n);
    else m.delete(ns);
    if (m.size === 0) this.podIPs.delete(ip);
  }

  private removeSlice(sliceKey: string, svcKey: string): void {
    const m = this.slicesByService.get(svcKey);
    m?.delete(sliceKey);
    if (m && m.size === 0) this.slicesByService.delete(svcKey);
    this.sliceService.delete(sliceKey);
    this.dirty.add(svcKey);
  }

  private countNamespace(ns: string, d: number): void {
    const n = (this.servicesPerNamespace.get(ns) ?? 0) + d;
    if (n > 0) this.servicesPerNamespace.set(ns, n);
    else this.servicesPerNamespace.delete(ns);
  }

  // --- lookups ---

  /** The records of an existing name (lower-cased, no trailing dot), or undefined. */
  lookup(name: string): NameEntry | undefined {
    if (this.dirty.size) this.flush();
    return this.names.get(name);
  }

  /**
   * PTR records for a reverse name (`5.0.96.127.in-addr.arpa`), or undefined. As the plugin: the
   * first Service whose ClusterIP it is, alone; else every endpoint name on that address, of every
   * Service selecting it (each target once). `exposed` filters by namespace (`namespaces`).
   */
  lookupPtr(reverseName: string, exposed?: (ns: string) => boolean): Rr[] | undefined {
    if (this.dirty.size) this.flush();
    const m = this.ptrs.get(reverseName);
    if (!m) return undefined;
    const out: Rr[] = [];
    for (const list of m.values()) {
      for (const p of list) {
        if (p.clusterIP && (!exposed || exposed(p.namespace))) return [p.rr];
      }
    }
    const seen = new Set<string>();
    for (const list of m.values()) {
      for (const p of list) {
        if (p.clusterIP || seen.has(p.rr.type === 'PTR' ? p.rr.target : '') || (exposed && !exposed(p.namespace))) continue;
        if (p.rr.type === 'PTR') seen.add(p.rr.target);
        out.push(p.rr);
      }
    }
    return out.length ? out : undefined;
  }

  /** The endpoint items of a headless service (`<svc>.<ns>.svc.<zone>`), or undefined when it is none. */
  headlessItems(base: string): ServiceItem[] | undefined {
    if (this.dirty.size) this.flush();
    return this.headless.get(base);
  }

  namespaceExists(ns: string): boolean {
    return this.namespaces.has(ns) || (!this.namespaceLabels && this.servicesPerNamespace.has(ns));
  }

  /** Recomputes the contribution of every Service that changed since the last lookup. */
  flush(): void {
    if (!this.dirty.size) return;
    for (const key of this.dirty) {
      this.retract(key);
      const svc = this.services.get(key);
      if (!svc) continue;
      const slices = [...(this.slicesByService.get(key)?.values() ?? [])];
      const { names, ptrs, headless } = serviceRecords(svc, slices, this.zone, this.ttl, this.recordOptions);
      const contribution: Contribution = { names: [...names.keys()], ptrs: [], headless: headless?.base };
      for (const [name, entry] of names) this.names.set(name, entry);
      if (headless) this.headless.set(headless.base, headless.items);
      for (const p of ptrs) {
        let m = this.ptrs.get(p.rr.name);
        if (!m) this.ptrs.set(p.rr.name, (m = new Map()));
        const list = m.get(key) ?? [];
        list.push(p);
        m.set(key, list);
        contribution.ptrs.push(p.rr.name);
      }
      this.contributions.set(key, contribution);
    }
    this.dirty.clear();
    this.serial = this.now();
  }

  private retract(key: string): void {
    const c = this.contributions.get(key);
    if (!c) return;
    for (const n of c.names) this.names.delete(n);
    if (c.headless) this.headless.delete(c.headless);
    for (const p of c.ptrs) {
      const m = this.ptrs.get(p);
      m?.delete(key);
      if (m && m.size === 0) this.ptrs.delete(p);
    }
    this.contributions.delete(key);
  }
}

function keyOf(obj: KObject): string {
  return `${obj.metadata.namespace ?? ''}/${obj.metadata.name}`;
}

function emptyEntry(): NameEntry {
  return { a: [], aaaa: [], srv: [], srvExtra: [] };
}

function addressRr(name: string, ttl: number, ip: string): Rr | undefined {
  if (isIPv4(ip)) return { name, ttl, type: 'A', address: ip };
  if (ip.includes(':') && expandIPv6(ip)) return { name, ttl, type: 'AAAA', address: ip };
  return undefined;
}

/**
 * One address × port of a Service, as the kubernetes plugin enumerates them ("services" of its
 * backend): a ClusterIP per service port, or a ready endpoint address per EndpointSlice port
 * (port -1 when the slice has none: it names an address but never makes an SRV record).
 */
export interface ServiceItem {
  ip: string;
  port: number;
  portName: string;
  protocol: string;
  /** The SRV target / endpoint name: `<host>.<svc>.<ns>.svc.<zone>`, or the service name. */
  target: string;
  /** The endpoint's name label (hostname, pod name, dashed IP); '' for ClusterIP items. */
  host: string;
  /** The endpoint's topology zone, lower-cased ('' when the slice says none). */
  zone: string;
}

export interface ServiceRecordOptions {
  endpointPodNames?: boolean;
  /** `ignore empty_service`: a ClusterIP Service without a ready endpoint address has no names. */
  ignoreEmptyService?: boolean;
  /** `noendpoints`: endpoints are not read; headless services and endpoint names do not exist. */
  noEndpoints?: boolean;
  /** A multicluster zone: `<a>.<b>.<svc>…` without underscores names endpoint a of cluster b, not a port. */
  multicluster?: boolean;
}

/** A PTR record a Service contributes; ClusterIP ones win over endpoint ones for the same address. */
export interface PtrRecord {
  rr: Rr;
  namespace: string;
  clusterIP: boolean;
}

export interface ServiceContribution {
  names: Map<string, NameEntry>;
  ptrs: PtrRecord[];
  /** Headless services: the service name and its endpoint items (zone-scoped names pick from these). */
  headless?: { base: string; items: ServiceItem[] };
}

/**
 * The records of `owner` for `items`, as the plugin builds them: A/AAAA per distinct address, SRV
 * weight floor(100 / number of items) (at least 1), one SRV per distinct target and port (port -1
 * skipped), the targets' addresses once per target and address in the additional section.
 */
export function entryFor(owner: string, items: ServiceItem[], ttl: number): NameEntry {
  const e = emptyEntry();
  const seenIP = new Set<string>();
  const seenSrv = new Set<string>();
  const seenExtra = new Set<string>();
  const weight = Math.max(1, Math.floor(100 / Math.max(1, items.length)));
  for (const it of items) {
    if (!seenIP.has(it.ip)) {
      seenIP.add(it.ip);
      const rr = addressRr(owner, ttl, it.ip);
      if (rr) (rr.type === 'A' ? e.a : e.aaaa).push(rr);
    }
    if (it.port === -1) continue;
    const k = `${it.target}|${it.port}`;
    if (!seenSrv.has(k)) {
      seenSrv.add(k);
      e.srv.push({ name: owner, ttl, type: 'SRV', priority: 0, weight, port: it.port, target: it.target });
    }
    const x = `${it.target}|${it.ip}`;
    if (!seenExtra.has(x)) {
      seenExtra.add(x);
      const rr = addressRr(it.target, ttl, it.ip);
      if (rr) e.srvExtra.push(rr);
    }
  }
  return e;
}

/** The names `_port._proto.<base>` answers under (the plugin strips a leading `_` from either label). */
function portNames(name: string, protocol: string, base: string, multicluster = false): string[] {
  const n = name.toLowerCase();
  const p = protocol.toLowerCase();
  const out = [`_${n}._${p}.${base}`, `_${n}.${p}.${base}`, `${n}._${p}.${base}`];
  if (!multicluster) out.push(`${n}.${p}.${base}`);
  return out;
}

/** Sets the entries of `base` and of each named port (matched without regard to case). */
function addServiceNames(names: Map<string, NameEntry>, base: string, items: ServiceItem[], ttl: number, multicluster = false): void {
  names.set(base, entryFor(base, items, ttl));
  const pairs = new Map<string, [string, string]>();
  for (const it of items) if (it.portName) pairs.set(`${it.portName.toLowerCase()}|${it.protocol.toLowerCase()}`, [it.portName, it.protocol]);
  for (const [name, protocol] of pairs.values()) {
    const sel = items.filter((it) => it.portName.toLowerCase() === name.toLowerCase() && it.protocol.toLowerCase() === protocol.toLowerCase());
    for (const n of portNames(name, protocol, base, multicluster)) names.set(n, entryFor(n, sel, ttl));
  }
}

/** The records one Service contributes: its names, and the PTR records of its addresses. */
export function serviceRecords(svc: Service, slices: EndpointSlice[], zone: string, ttl: number, opts: ServiceRecordOptions | boolean = {}): ServiceContribution {
  const o: ServiceRecordOptions = typeof opts === 'boolean' ? { endpointPodNames: opts } : opts;
  const names = new Map<string, NameEntry>();
  const ptrs: PtrRecord[] = [];
  const ns = svc.metadata?.namespace ?? 'default';
  const svcName = (svc.metadata?.name ?? '').toLowerCase();
  const base = `${svcName}.${ns}.svc.${zone}`.toLowerCase();
  const spec = svc.spec ?? {};

  if (spec.type === 'ExternalName') {
    const target = (spec.externalName ?? '').replace(/\.$/, '');
    // An ExternalName that is an address is no name at all for the plugin.
    if (target && !isIPv4(target) && !target.includes(':')) {
      const e = emptyEntry();
      e.cname = { name: base, ttl, type: 'CNAME', target };
      names.set(base, e);
    }
    return { names, ptrs };
  }

  // Every ready endpoint address × slice port (the plugin reads slices of every Service).
  const eps: ServiceItem[] = [];
  const seenPtr = new Set<string>();
  for (const slice of o.noEndpoints ? [] : slices) {
    if (slice.addressType === 'FQDN') continue;
    const ports = slice.ports?.length
      ? slice.ports.map((p) => ({ port: p.port ?? -1, name: p.name ?? '', protocol: p.protocol ?? 'TCP' }))
      : [{ port: -1, name: '', protocol: '' }];
    // A multicluster slice's endpoints are named with their source cluster (`<host>.<cluster-id>`).
    const cluster = slice.metadata?.annotations?.[CLUSTER_ID_ANNOTATION];
    for (const ep of slice.endpoints ?? []) {
      if (ep.conditions?.ready === false) continue;
      for (const ip of ep.addresses ?? []) {
        const host = endpointName(ep, ip, o.endpointPodNames ?? false) + (cluster !== undefined ? `.${cluster.toLowerCase()}` : '');
        const target = `${host}.${base}`;
        const epZone = (ep.zone ?? '').toLowerCase();
        for (const p of ports) eps.push({ ip, port: p.port, portName: p.name, protocol: p.protocol, target, host, zone: epZone });
        const k = `${ip}|${target}`;
        if (!seenPtr.has(k) && addressRr(target, ttl, ip)) {
          seenPtr.add(k);
          ptrs.push({ rr: { name: reverseName(ip), ttl, type: 'PTR', target }, namespace: ns, clusterIP: false });
        }
      }
    }
  }
  const byHost = new Map<string, ServiceItem[]>();
  for (const it of eps) {
    const list = byHost.get(it.host);
    if (list) list.push(it);
    else byHost.set(it.host, [it]);
  }
  const endpointNames = () => {
    for (const [host, list] of byHost) names.set(`${host}.${base}`, entryFor(`${host}.${base}`, list, ttl));
  };

  if (spec.clusterIP === 'None') {
    if (eps.length) {
      addServiceNames(names, base, eps, ttl, o.multicluster);
      endpointNames();
    }
    return { names, ptrs, headless: o.noEndpoints ? undefined : { base, items: eps } };
  }

  const ips = (spec.clusterIPs?.length ? spec.clusterIPs : [spec.clusterIP]).filter((ip): ip is string => !!ip && ip !== 'None');
  for (const ip of ips) {
    if (addressRr(base, ttl, ip)) ptrs.push({ rr: { name: reverseName(ip), ttl, type: 'PTR', target: base }, namespace: ns, clusterIP: true });
  }
  // `ignore empty_service`: no ready endpoint address, no names (the search walk goes on).
  if (o.ignoreEmptyService && eps.length === 0) return { names, ptrs };
  const items: ServiceItem[] = [];
  for (const p of spec.ports ?? []) {
    if (p.port == null) continue;
    for (const ip of ips) items.push({ ip, port: p.port, portName: p.name ?? '', protocol: p.protocol ?? 'TCP', target: base, host: '', zone: '' });
  }
  // The plugin answers a ClusterIP Service through its ports: without one (or an IP) it is no name.
  if (!items.length) return { names, ptrs };
  addServiceNames(names, base, items, ttl, o.multicluster);
  endpointNames();
  return { names, ptrs };
}

/** hostname; else (endpoint_pod_names) the pod's name when it fits a label; else the dashed IP. */
function endpointName(ep: { hostname?: string; targetRef?: { kind?: string; name?: string } }, ip: string, podNames: boolean): string {
  if (ep.hostname) return ep.hostname.toLowerCase();
  const pod = ep.targetRef?.name;
  if (podNames && pod && pod.length <= 63) return pod.toLowerCase();
  return dashed(ip).toLowerCase();
}
