// The pure core of kube-proxy: Services + EndpointSlices → a routing table. No sockets, no clock.
//
// The table has two layers, as kube-proxy's ServicePortMap/EndpointsMap do:
//   frontend   (ip:port/protocol — a ClusterIP today; NodePort, LoadBalancer IP and externalIPs later)
//     → service port (ns/svc:port — load-balancing state and session affinity live here)
//       → endpoints (podIP:targetPort, already filtered: ready ones, else serving+terminating ones)
// Several frontends may point at one service port; they then share its round robin.
import type { EndpointSlice, Service } from '../api/types.js';

export type Protocol = 'TCP' | 'UDP';

/** `namespace/name:portName` (`namespace/name` for an unnamed port), kube-proxy's ServicePortName. */
export type ServicePortName = string;

export interface RoutedEndpoint {
  ip: string;
  port: number;
  nodeName?: string;
  /** True when no endpoint was ready and this serving-but-terminating one is used as a fallback. */
  terminating?: boolean;
}

export type SessionAffinity = { type: 'None' } | { type: 'ClientIP'; timeoutSeconds: number };

export interface ServicePortInfo {
  name: ServicePortName;
  namespace: string;
  service: string;
  /** The Service port's name ('' when unnamed). */
  portName: string;
  protocol: Protocol;
  sessionAffinity: SessionAffinity;
  /** Endpoints to balance over, sorted by ip then port; empty = connections are refused. */
  endpoints: RoutedEndpoint[];
}

export type FrontendKind = 'ClusterIP';

export interface Frontend {
  /** `ip:port/protocol`, the table key. */
  key: string;
  kind: FrontendKind;
  ip: string;
  port: number;
  protocol: Protocol;
  servicePort: ServicePortName;
}

export interface TableProblem {
  /** `namespace/name` of the Service (or EndpointSlice) concerned. */
  object: string;
  kind: 'Service' | 'EndpointSlice';
  message: string;
}

export interface RoutingTable {
  servicePorts: Map<ServicePortName, ServicePortInfo>;
  frontends: Map<string, Frontend>;
  /** Objects (or parts of them) that were skipped, and why. */
  problems: TableProblem[];
}

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
export const DEFAULT_AFFINITY_TIMEOUT_SECONDS = 10800;

export function frontendKey(ip: string, port: number, protocol: Protocol): string {
  return `${ip}:${port}/${protocol}`;
}

export function servicePortName(namespace: string, service: string, portName: string): ServicePortName {
  return portName ? `${namespace}/${service}:${portName}` : `${namespace}/${service}`;
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

function byName(a: { metadata?: { namespace?: string; name?: string } }, b: typeof a): number {
  const ka = `${a.metadata?.namespace ?? ''}/${a.metadata?.name ?? ''}`;
  const kb = `${b.metadata?.namespace ?? ''}/${b.metadata?.name ?? ''}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

interface Candidate extends RoutedEndpoint {
  ready: boolean;
  serving: boolean;
}

/**
 * Computes the whole routing table. Deterministic: the same inputs give an equal table whatever their
 * order. Frontend conflicts (two Services claiming one ip:port/protocol) go to the older-named one
 * (namespace/name order) and are reported in `problems`.
 */
export function computeRoutingTable(services: readonly Service[], slices: readonly EndpointSlice[]): RoutingTable {
  const table: RoutingTable = { servicePorts: new Map(), frontends: new Map(), problems: [] };

  // Index the slices by owning service, as kube-proxy's EndpointSliceCache does.
  const slicesByService = new Map<string, EndpointSlice[]>();
  for (const slice of [...slices].sort(byName)) {
    const svc = slice.metadata?.labels?.[SERVICE_NAME_LABEL];
    if (!svc) continue;
    if (slice.addressType !== 'IPv4') continue; // IPv6 and FQDN slices are not proxied
    const key = `${slice.metadata?.namespace ?? 'default'}/${svc}`;
    let list = slicesByService.get(key);
    if (!list) slicesByService.set(key, (list = []));
    list.push(slice);
  }

  for (const svc of [...services].sort(byName)) {
    const namespace = svc.metadata?.namespace ?? 'default';
    const name = svc.metadata?.name ?? '';
    const spec = svc.spec ?? {};
    if (spec.type === 'ExternalName') continue;
    const ips = (spec.clusterIPs?.length ? spec.clusterIPs : spec.clusterIP ? [spec.clusterIP] : []).filter((ip) => ip !== 'None');
    const clusterIP = ips.find((ip) => IPV4.test(ip));
    if (!clusterIP) {
      if (ips.length && ips[0] !== '') {
        table.problems.push({ object: `${namespace}/${name}`, kind: 'Service', message: `no IPv4 cluster IP in ${JSON.stringify(ips)}; only IPv4 is proxied` });
      }
      continue; // headless, or not allocated yet
    }
    const sessionAffinity: SessionAffinity =
      spec.sessionAffinity === 'ClientIP'
        ? { type: 'ClientIP', timeoutSeconds: spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? DEFAULT_AFFINITY_TIMEOUT_SECONDS }
        : { type: 'None' };
    const svcSlices = slicesByService.get(`${namespace}/${name}`) ?? [];

    for (const port of spec.ports ?? []) {
      const protocol = port.protocol ?? 'TCP';
      const portName = port.name ?? '';
      const spn = servicePortName(namespace, name, portName);
      if (protocol !== 'TCP' && protocol !== 'UDP') {
        table.problems.push({ object: `${namespace}/${name}`, kind: 'Service', message: `port ${JSON.stringify(portName || port.port)}: protocol ${protocol} is not supported by the userspace proxy` });
        continue;
      }
      if (!Number.isInteger(port.port) || port.port < 1 || port.port > 65535) {
        table.problems.push({ object: `${namespace}/${name}`, kind: 'Service', message: `port ${JSON.stringify(portName)}: invalid port ${port.port}` });
        continue;
      }
      const info: ServicePortInfo = {
        name: spn,
        namespace,
        service: name,
        portName,
        protocol,
        sessionAffinity,
        endpoints: selectEndpoints(svcSlices, portName, protocol),
      };
      const key = frontendKey(clusterIP, port.port, protocol);
      const taken = table.frontends.get(key);
      if (taken) {
        table.problems.push({ object: `${namespace}/${name}`, kind: 'Service', message: `${key} is already used by service port ${taken.servicePort}; not proxied` });
        continue;
      }
      table.servicePorts.set(spn, info);
      table.frontends.set(key, { key, kind: 'ClusterIP', ip: clusterIP, port: port.port, protocol, servicePort: spn });
    }
  }
  return table;
}

/**
 * The endpoints of one service port across its slices: the first address of each endpoint (as
 * kube-proxy), the slice port whose name and protocol match. Duplicates (an endpoint moving between
 * slices) are merged. Ready ones win; with none ready, serving+terminating ones are the fallback.
 */
export function selectEndpoints(slices: readonly EndpointSlice[], portName: string, protocol: Protocol): RoutedEndpoint[] {
  const seen = new Map<string, Candidate>();
  for (const slice of slices) {
    const sp = slice.ports?.find((p) => (p.name ?? '') === portName && (p.protocol ?? 'TCP') === protocol);
    if (!sp || sp.port == null) continue;
    for (const ep of slice.endpoints ?? []) {
      const ip = ep.addresses?.[0];
      if (!ip || !IPV4.test(ip)) continue;
      const c = ep.conditions ?? {};
      // nil conditions mean ready/serving, not terminating (discovery/v1 API docs, kube-proxy).
      const ready = c.ready !== false;
      const serving = c.serving ?? ready;
      const terminating = c.terminating === true;
      const key = `${ip}:${sp.port}`;
      const prev = seen.get(key);
      if (prev) {
        prev.ready ||= ready;
        prev.serving ||= serving;
        prev.terminating = (prev.terminating ?? false) && terminating;
        continue;
      }
      const cand: Candidate = { ip, port: sp.port, ready, serving, terminating };
      if (ep.nodeName) cand.nodeName = ep.nodeName;
      seen.set(key, cand);
    }
  }
  const all = [...seen.values()];
  let chosen = all.filter((c) => c.ready);
  let fallback = false;
  if (!chosen.length) {
    chosen = all.filter((c) => c.serving && c.terminating);
    fallback = true;
  }
  chosen.sort((a, b) => compareIp(a.ip, b.ip) || a.port - b.port);
  return chosen.map((c) => {
    const out: RoutedEndpoint = { ip: c.ip, port: c.port };
    if (c.nodeName) out.nodeName = c.nodeName;
    if (fallback) out.terminating = true;
    return out;
  });
}

function compareIp(a: string, b: string): number {
  const pa = a.split('.');
  const pb = b.split('.');
  for (let i = 0; i < 4; i++) {
    const d = Number(pa[i]) - Number(pb[i]);
    if (d) return d;
  }
  return 0;
}

/** Same endpoints in the same order (the dataplane uses this to keep balancer state). */
export function sameEndpoints(a: readonly RoutedEndpoint[], b: readonly RoutedEndpoint[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i].ip !== b[i].ip || a[i].port !== b[i].port) return false;
  return true;
}
