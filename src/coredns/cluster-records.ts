// The records of the cluster zone, precomputed from Services, EndpointSlices and Namespaces: a map
// from every existing lower-cased name to its records, so a query costs one map lookup. Each
// Service's contribution is recomputed (lazily, on the next lookup) when the Service or one of its
// EndpointSlices changes. Pure: no I/O; the clock comes in through the options.
import type { EndpointSlice, KObject, Service } from '../api/types.js';
import { dashed, expandIPv6, isIPv4, reverseName } from './addresses.js';
import type { Rr } from './types.js';

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
  /** Unix seconds; the SOA serial is the time of the last change. */
  now?: () => number;
}

const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

interface Contribution {
  names: string[];
  ptrs: string[];
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
  private readonly ptrs = new Map<string, Map<string, Rr[]>>();
  private readonly dirty = new Set<string>();
  /** Pod IP → namespaces with a pod on it (for `pods verified`). */
  private readonly podIPs = new Map<string, Map<string, number>>();
  private readonly podIPOf = new Map<string, string>();
  readonly endpointPodNames: boolean;
  serial: number;
  /** Bumped by every change that can alter an answer (answer caches compare it). */
  generation = 0;

  constructor(opts: ClusterRecordsOptions) {
    this.zone = opts.zone.toLowerCase().replace(/\.$/, '');
    this.ttl = opts.ttl;
    this.endpointPodNames = opts.endpointPodNames ?? false;
    this.now = opts.now ?? (() => Math.floor(Date.now() / 1000));
    this.serial = this.now();
  }

  // --- changes (informer handlers call these) ---

  upsertService(obj: KObject): void {
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

  /** PTR records for a reverse name (`5.0.96.127.in-addr.arpa`), or undefined. */
  lookupPtr(reverseName: string): Rr[] | undefined {
    if (this.dirty.size) this.flush();
    const m = this.ptrs.get(reverseName);
    return m ? [...m.values()].flat() : undefined;
  }

  namespaceExists(ns: string): boolean {
    return this.namespaces.has(ns) || this.servicesPerNamespace.has(ns);
  }

  /** Recomputes the contribution of every Service that changed since the last lookup. */
  flush(): void {
    if (!this.dirty.size) return;
    for (const key of this.dirty) {
      this.retract(key);
      const svc = this.services.get(key);
      if (!svc) continue;
      const slices = [...(this.slicesByService.get(key)?.values() ?? [])];
      const { names, ptrs } = serviceRecords(svc, slices, this.zone, this.ttl, this.endpointPodNames);
      const contribution: Contribution = { names: [...names.keys()], ptrs: [] };
      for (const [name, entry] of names) this.names.set(name, entry);
      for (const rr of ptrs) {
        let m = this.ptrs.get(rr.name);
        if (!m) this.ptrs.set(rr.name, (m = new Map()));
        const list = m.get(key) ?? [];
        list.push(rr);
        m.set(key, list);
        contribution.ptrs.push(rr.name);
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

function addAddress(e: NameEntry, rr: Rr): void {
  (rr.type === 'A' ? e.a : e.aaaa).push(rr);
}

/** The records one Service contributes: its names, and the PTR records of its addresses. */
export function serviceRecords(svc: Service, slices: EndpointSlice[], zone: string, ttl: number, endpointPodNames = false): { names: Map<string, NameEntry>; ptrs: Rr[] } {
  const names = new Map<string, NameEntry>();
  const ptrs: Rr[] = [];
  const ns = svc.metadata?.namespace ?? 'default';
  const base = `${svc.metadata?.name}.${ns}.svc.${zone}`.toLowerCase();
  const spec = svc.spec ?? {};

  if (spec.type === 'ExternalName') {
    if (spec.externalName) {
      const e = emptyEntry();
      e.cname = { name: base, ttl, type: 'CNAME', target: spec.externalName.replace(/\.$/, '') };
      names.set(base, e);
    }
    return { names, ptrs };
  }

  if (spec.clusterIP === 'None') {
    // Headless: one name per ready endpoint, and the service name answers with all of them.
    const svcEntry = emptyEntry();
    const seen = new Set<string>();
    const srvByPort = new Map<string, { port: number; target: string }[]>();
    const allSrv: { port: number; target: string }[] = [];
    for (const slice of slices) {
      if (slice.addressType === 'FQDN') continue;
      for (const ep of slice.endpoints ?? []) {
        if (ep.conditions?.ready === false) continue;
        for (const ip of ep.addresses ?? []) {
          const host = endpointName(ep, ip, endpointPodNames);
          const epName = `${host}.${base}`;
          const rr = addressRr(base, ttl, ip);
          if (!rr) continue;
          let epEntry = names.get(epName);
          if (!epEntry) names.set(epName, (epEntry = emptyEntry()));
          if (seen.has(ip)) continue;
          seen.add(ip);
          addAddress(svcEntry, rr);
          addAddress(epEntry, { ...rr, name: epName });
          ptrs.push({ name: reverseName(ip), ttl, type: 'PTR', target: epName });
          for (const p of slice.ports ?? []) {
            if (p.port == null) continue;
            const target = { port: p.port, target: epName };
            allSrv.push(target);
            if (p.name) {
              const srvName = `_${p.name}._${(p.protocol ?? 'TCP').toLowerCase()}.${base}`;
              const list = srvByPort.get(srvName) ?? [];
              list.push(target);
              srvByPort.set(srvName, list);
            }
          }
        }
      }
    }
    if (seen.size === 0) return { names: new Map(), ptrs: [] };
    names.set(base, svcEntry);
    setSrv(svcEntry, base, allSrv, names, ttl);
    for (const [srvName, list] of srvByPort) {
      const e = emptyEntry();
      setSrv(e, srvName, list, names, ttl);
      names.set(srvName, e);
    }
    return { names, ptrs };
  }

  const ips = (spec.clusterIPs?.length ? spec.clusterIPs : [spec.clusterIP]).filter((ip): ip is string => !!ip);
  const entry = emptyEntry();
  for (const ip of ips) {
    const rr = addressRr(base, ttl, ip);
    if (!rr) continue;
    addAddress(entry, rr);
    ptrs.push({ name: reverseName(ip), ttl, type: 'PTR', target: base });
  }
  if (entry.a.length + entry.aaaa.length === 0) return { names, ptrs: [] }; // no ClusterIP yet
  names.set(base, entry);
  const all = (spec.ports ?? []).filter((p) => p.port != null).map((p) => ({ port: p.port, target: base }));
  setSrv(entry, base, all, names, ttl);
  for (const p of spec.ports ?? []) {
    if (!p.name || p.port == null) continue;
    const e = emptyEntry();
    const srvName = `_${p.name}._${(p.protocol ?? 'TCP').toLowerCase()}.${base}`.toLowerCase();
    setSrv(e, srvName, [{ port: p.port, target: base }], names, ttl);
    names.set(srvName, e);
  }
  return { names, ptrs };
}

/** hostname; else (endpoint_pod_names) the pod's name when it fits a label; else the dashed IP. */
function endpointName(ep: { hostname?: string; targetRef?: { kind?: string; name?: string } }, ip: string, podNames: boolean): string {
  if (ep.hostname) return ep.hostname.toLowerCase();
  const pod = ep.targetRef?.kind === 'Pod' ? ep.targetRef.name : undefined;
  if (podNames && pod && pod.length <= 63) return pod.toLowerCase();
  return dashed(ip);
}

function setSrv(e: NameEntry, owner: string, list: { port: number; target: string }[], names: Map<string, NameEntry>, ttl: number): void {
  if (!list.length) return;
  const weight = Math.floor(100 / list.length);
  const extra = new Set<string>();
  for (const t of list) {
    e.srv.push({ name: owner, ttl, type: 'SRV', priority: 0, weight, port: t.port, target: t.target });
    if (extra.has(t.target)) continue;
    extra.add(t.target);
    const te = names.get(t.target);
    if (te) e.srvExtra.push(...te.a, ...te.aaaa);
  }
}
