// The pure core of kube-proxy: Services + EndpointSlices + Nodes → a routing table. No sockets, no clock.
//
// The table has two layers, as kube-proxy's ServicePortMap/EndpointsMap do:
//   frontend   (ip:port/protocol — ClusterIP, externalIP, NodePort on each node IP and on hostAddress,
//               LoadBalancer ingress IP and hostAddress)
//     → service port (ns/svc:port, or ns/svc:port@node for a node-local view — load-balancing state and
//       session affinity live here)
//       → endpoints (podIP:targetPort, already filtered: ready ones, else serving+terminating ones)
// Several frontends may point at one service port; they then share its round robin.
import type { EndpointSlice, Service } from '../api/types.js';
import { isIPv4 } from '../lib/ipv4.js';
import { selectEndpoints, type Protocol, type RoutedEndpoint } from './endpoint-selection.js';

export { sameEndpoints, selectEndpoints, type Protocol, type RoutedEndpoint } from './endpoint-selection.js';

/** `namespace/name:portName` (`namespace/name` for an unnamed port), kube-proxy's ServicePortName. */
export type ServicePortName = string;

export type SessionAffinity = { type: 'None' } | { type: 'ClientIP'; timeoutSeconds: number };

export interface ServicePortInfo {
  name: ServicePortName;
  namespace: string;
  service: string;
  /** The Service port's name ('' when unnamed). */
  portName: string;
  protocol: Protocol;
  sessionAffinity: SessionAffinity;
  /** Endpoints to balance over, sorted by ip then port; empty = connections are refused (or dropped). */
  endpoints: RoutedEndpoint[];
  /** A node-local view (traffic policy Local): only the endpoints on this node. */
  node?: string;
  /**
   * Node-local view with no local endpoint while the Service has endpoints elsewhere: traffic is
   * dropped (the client times out), not refused — kube-proxy's "no local endpoints" DROP.
   */
  drop?: boolean;
}

export type FrontendKind = 'ClusterIP' | 'ExternalIP' | 'NodePort' | 'LoadBalancer';

export interface Frontend {
  /** `ip:port/protocol`, the table key. */
  key: string;
  kind: FrontendKind;
  ip: string;
  port: number;
  protocol: Protocol;
  /** The service port whose endpoints answer (whose endpoints decide whether the frontend listens). */
  servicePort: ServicePortName;
  /** NodePort on a node's IP: the node receiving the traffic. */
  node?: string;
  /**
   * internalTrafficPolicy Local on a ClusterIP: each connection uses `<servicePort>@<client's node>`;
   * the client's node is the node whose IP or podCIDR holds the client address, else the first node.
   */
  clientNodeLocal?: boolean;
  /** Served on the cluster's hostAddress (Docker Desktop's localhost). */
  hostAddress?: boolean;
}

export interface TableProblem {
  /** `namespace/name` of the Service (or EndpointSlice) concerned. */
  object: string;
  kind: 'Service' | 'EndpointSlice';
  message: string;
}

/** A Node as kube-proxy needs it. */
export interface NodeInfo {
  name: string;
  /** status.addresses InternalIP */
  ip: string;
  podCIDR?: string;
}

export interface RoutingTableOptions {
  /** Nodes with an IPv4 InternalIP: NodePorts are served on each. */
  nodes?: readonly NodeInfo[];
  /** Where NodePorts and LoadBalancer ports are also served (Docker Desktop's localhost). */
  hostAddress?: string;
}

export interface RoutingTable {
  servicePorts: Map<ServicePortName, ServicePortInfo>;
  frontends: Map<string, Frontend>;
  /** Objects (or parts of them) that were skipped, and why. */
  problems: TableProblem[];
  /** The nodes, sorted by name (the dataplane maps a client address to its node with them). */
  nodes: NodeInfo[];
}

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
export const DEFAULT_AFFINITY_TIMEOUT_SECONDS = 10800;

export function frontendKey(ip: string, port: number, protocol: Protocol): string {
  return `${ip}:${port}/${protocol}`;
}

export function servicePortName(namespace: string, service: string, portName: string): ServicePortName {
  return portName ? `${namespace}/${service}:${portName}` : `${namespace}/${service}`;
}

/** `objs` sorted by namespace/name, each key built once (not once per comparison). */
function sortedByName<T extends { metadata?: { namespace?: string; name?: string } }>(objs: readonly T[]): T[] {
  const keyed = objs.map((o) => ({ k: `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`, o }));
  keyed.sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0));
  return keyed.map((x) => x.o);
}

/** The service port name of the node-local view of `spn` on `node`. */
export function localServicePortName(spn: ServicePortName, node: string): ServicePortName {
  return `${spn}@${node}`;
}

const isLoopback = (ip: string) => isIPv4(ip) && ip.startsWith('127.');

/**
 * Computes the whole routing table. Deterministic: the same inputs give an equal table whatever their
 * order. Frontend conflicts (two Services claiming one ip:port/protocol) go to the older-named one
 * (namespace/name order) and are reported in `problems`.
 *
 * Traffic policies (see README.md): a NodePort on a node's IP with `externalTrafficPolicy: Local`
 * uses only that node's endpoints; a ClusterIP with `internalTrafficPolicy: Local` uses the client's
 * node's; LoadBalancer IPs, externalIPs and hostAddress are front doors that, like a cloud load
 * balancer following healthCheckNodePort, only send to nodes with a local endpoint, so they use
 * every endpoint.
 */
export function computeRoutingTable(services: readonly Service[], slices: readonly EndpointSlice[], opts: RoutingTableOptions = {}): RoutingTable {
  const nodes = [...(opts.nodes ?? [])].filter((n) => isIPv4(n.ip)).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const table: RoutingTable = { servicePorts: new Map(), frontends: new Map(), problems: [], nodes };
  const hostAddress = opts.hostAddress && isIPv4(opts.hostAddress) ? opts.hostAddress : undefined;
  const context = `${hostAddress ?? ''}|${nodes.map((n) => `${n.name} ${n.ip} ${n.podCIDR ?? ''}`).join(',')}`;

  // Index the slices by owning service, as kube-proxy's EndpointSliceCache does.
  const slicesByService = new Map<string, EndpointSlice[]>();
  for (const slice of sortedByName(slices)) {
    const svc = slice.metadata?.labels?.[SERVICE_NAME_LABEL];
    if (!svc) continue;
    if (slice.addressType !== 'IPv4') continue; // IPv6 and FQDN slices are not proxied
    const key = `${slice.metadata?.namespace ?? 'default'}/${svc}`;
    let list = slicesByService.get(key);
    if (!list) slicesByService.set(key, (list = []));
    list.push(slice);
  }

  for (const svc of sortedByName(services)) {
    const object = `${svc.metadata?.namespace ?? 'default'}/${svc.metadata?.name ?? ''}`;
    const svcSlices = slicesByService.get(object) ?? NO_SLICES;
    let part = memo.get(svc);
    if (!part || part.context !== context || !sameRefs(part.slices, svcSlices)) {
      part = serviceRoutes(svc, svcSlices, nodes, hostAddress, context);
      memo.set(svc, part);
    }
    for (const sp of part.servicePorts) table.servicePorts.set(sp.name, sp);
    for (const p of part.problems) table.problems.push(p);
    for (const fe of part.frontends) {
      const taken = table.frontends.get(fe.key);
      if (taken) {
        table.problems.push({ object, kind: 'Service', message: `${fe.key} is already used by service port ${taken.servicePort}; not proxied there` });
        continue;
      }
      table.frontends.set(fe.key, fe);
    }
  }
  return table;
}

/** One Service's share of the table, before frontend conflicts between Services are settled. */
interface ServiceRoutes {
  context: string;
  slices: readonly EndpointSlice[];
  servicePorts: readonly ServicePortInfo[];
  frontends: readonly Frontend[];
  problems: readonly TableProblem[];
}

const NO_SLICES: readonly EndpointSlice[] = Object.freeze([]);

/**
 * Stored objects are immutable, so a Service whose object, slices (by identity) and nodes are the same
 * as at the last sync has the same routes: a sync of a large cluster recomputes only what changed.
 * The cached parts are frozen; dataplanes only read them.
 */
const memo = new WeakMap<Service, ServiceRoutes>();

function sameRefs<T>(a: readonly T[], b: readonly T[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function serviceRoutes(svc: Service, svcSlices: readonly EndpointSlice[], nodes: readonly NodeInfo[], hostAddress: string | undefined, context: string): ServiceRoutes {
  const servicePorts = new Map<ServicePortName, ServicePortInfo>();
  const frontends: Frontend[] = [];
  const problems: TableProblem[] = [];
  const done = (): ServiceRoutes => {
    for (const sp of servicePorts.values()) Object.freeze(sp);
    for (const fe of frontends) Object.freeze(fe);
    return Object.freeze({ context, slices: svcSlices, servicePorts: Object.freeze([...servicePorts.values()]), frontends: Object.freeze(frontends), problems: Object.freeze(problems) });
  };
  const namespace = svc.metadata?.namespace ?? 'default';
  const name = svc.metadata?.name ?? '';
  const object = `${namespace}/${name}`;
  const spec = svc.spec ?? {};
  if (spec.type === 'ExternalName') return done();
  const ips = (spec.clusterIPs?.length ? spec.clusterIPs : spec.clusterIP ? [spec.clusterIP] : []).filter((ip) => ip !== 'None');
  const clusterIP = ips.find((ip) => isIPv4(ip));
  if (!clusterIP) {
    if (ips.length && ips[0] !== '') {
      problems.push({ object, kind: 'Service', message: `no IPv4 cluster IP in ${JSON.stringify(ips)}; only IPv4 is proxied` });
    }
    return done(); // headless, or not allocated yet
  }
  const sessionAffinity: SessionAffinity =
    spec.sessionAffinity === 'ClientIP'
      ? { type: 'ClientIP', timeoutSeconds: spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? DEFAULT_AFFINITY_TIMEOUT_SECONDS }
      : { type: 'None' };
  const type = spec.type ?? 'ClusterIP';
  const externalLocal = spec.externalTrafficPolicy === 'Local' && (type === 'NodePort' || type === 'LoadBalancer');
  const internalLocal = spec.internalTrafficPolicy === 'Local' && nodes.length > 0;
  const externalIPs: string[] = [];
  for (const ip of (spec.externalIPs ?? []) as string[]) {
    if (isLoopback(ip)) externalIPs.push(ip);
    else problems.push({ object, kind: 'Service', message: `externalIP ${ip} is not a loopback address (127.0.0.0/8); not served` });
  }
  const lbIPs: string[] =
    type === 'LoadBalancer' ? ((svc as { status?: { loadBalancer?: { ingress?: { ip?: string }[] } } }).status?.loadBalancer?.ingress ?? []).map((i) => i.ip ?? '').filter(isLoopback) : [];

  for (const port of spec.ports ?? []) {
    const protocol = port.protocol ?? 'TCP';
    const portName = port.name ?? '';
    const spn = servicePortName(namespace, name, portName);
    if (protocol !== 'TCP' && protocol !== 'UDP') {
      problems.push({ object, kind: 'Service', message: `port ${JSON.stringify(portName || port.port)}: protocol ${protocol} is not supported by the userspace proxy` });
      continue;
    }
    if (!Number.isInteger(port.port) || port.port < 1 || port.port > 65535) {
      problems.push({ object, kind: 'Service', message: `port ${JSON.stringify(portName)}: invalid port ${port.port}` });
      continue;
    }
    const base = { namespace, service: name, portName, protocol, sessionAffinity } as const;
    const cluster: ServicePortInfo = { name: spn, ...base, endpoints: selectEndpoints(svcSlices, portName, protocol) };
    servicePorts.set(spn, cluster);
    const local = (node: string): ServicePortName => {
      const lname = localServicePortName(spn, node);
      if (!servicePorts.has(lname)) {
        const endpoints = selectEndpoints(svcSlices, portName, protocol, node);
        const info: ServicePortInfo = { name: lname, ...base, endpoints, node };
        if (!endpoints.length && cluster.endpoints.length) info.drop = true;
        servicePorts.set(lname, info);
      }
      return lname;
    };
    const add = (fe: Omit<Frontend, 'key' | 'protocol'>): void => {
      frontends.push({ key: frontendKey(fe.ip, fe.port, protocol), protocol, ...fe });
    };

    if (internalLocal) for (const n of nodes) local(n.name);
    add({ kind: 'ClusterIP', ip: clusterIP, port: port.port, servicePort: spn, ...(internalLocal ? { clientNodeLocal: true } : {}) });
    for (const ip of externalIPs) add({ kind: 'ExternalIP', ip, port: port.port, servicePort: spn });
    const nodePort: number | undefined = (type === 'NodePort' || type === 'LoadBalancer') && Number.isInteger(port.nodePort) ? port.nodePort : undefined;
    if (nodePort) {
      for (const n of nodes) add({ kind: 'NodePort', ip: n.ip, port: nodePort, servicePort: externalLocal ? local(n.name) : spn, node: n.name });
      if (hostAddress) add({ kind: 'NodePort', ip: hostAddress, port: nodePort, servicePort: spn, hostAddress: true });
    }
    if (type === 'LoadBalancer') {
      for (const ip of lbIPs) add({ kind: 'LoadBalancer', ip, port: port.port, servicePort: spn });
      if (hostAddress) add({ kind: 'LoadBalancer', ip: hostAddress, port: port.port, servicePort: spn, hostAddress: true });
    }
  }
  return done();
}
