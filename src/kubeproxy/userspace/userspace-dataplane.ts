// The userspace Dataplane: a real listening socket per frontend that has endpoints. A frontend whose
// service port has no usable endpoint has no socket, so the kernel refuses (TCP RST, ICMP port
// unreachable for UDP) exactly as kube-proxy's REJECT rule does.
import type { Socket } from 'node:net';
import { cidrContains } from '../../lib/ipv4.js';
import type { Dataplane, DataplaneSyncResult, FrontendFailure } from '../dataplane.js';
import { localServicePortName, type Frontend, type NodeInfo, type RoutingTable, type ServicePortName } from '../routing-table.js';
import { describeBindError } from './bind-errors.js';
import { RoundRobin } from './round-robin.js';
import { destroyConnection, TcpProxy } from './tcp-proxy.js';
import { UdpProxy } from './udp-proxy.js';
import type { TrafficCounters } from '../../lib/traffic-counters.js';

export interface UserspaceDataplaneOptions {
  /** Per dial attempt, before the next endpoint is tried. Default 1000 ms. */
  connectTimeoutMs?: number;
  /** UDP session idle timeout. Default 30 s. */
  udpIdleTimeoutMs?: number;
  now?: () => number;
  /** Counts each TCP connection per endpoint (src/lib/traffic-counters.ts); absent: nothing counted. */
  counters?: TrafficCounters;
}

type Proxy = TcpProxy | UdpProxy;

export class UserspaceDataplane implements Dataplane {
  readonly name = 'userspace';
  private readonly balancers = new Map<ServicePortName, RoundRobin>();
  private readonly proxies = new Map<string, Proxy>();
  private readonly connections = new Set<Socket>();
  private readonly now: () => number;

  constructor(private readonly opts: UserspaceDataplaneOptions = {}) {
    this.now = opts.now ?? Date.now;
  }

  /** Frontends currently listening (for tests and `kdp` status output). */
  listening(): string[] {
    return [...this.proxies.keys()].sort();
  }

  /** Live proxied TCP connections. */
  connectionCount(): number {
    return this.connections.size;
  }

  async sync(table: RoutingTable): Promise<DataplaneSyncResult> {
    // Endpoints first: a frontend that stays open sees the new endpoints from its next connection.
    for (const [name, info] of table.servicePorts) {
      const b = this.balancers.get(name);
      if (b) b.update(info);
      else this.balancers.set(name, new RoundRobin(info, this.now));
    }
    for (const name of this.balancers.keys()) if (!table.servicePorts.has(name)) this.balancers.delete(name);

    const wanted = new Map<string, Frontend>();
    for (const [key, fe] of table.frontends) {
      const b = this.balancers.get(fe.servicePort);
      if (b && (b.endpoints.length > 0 || b.drop)) wanted.set(key, fe);
    }
    const nodeOf = clientNodeResolver(table.nodes);

    const closing: Promise<void>[] = [];
    for (const [key, proxy] of this.proxies) {
      const fe = wanted.get(key);
      if (!fe) {
        this.proxies.delete(key);
        closing.push(proxy.close());
        continue;
      }
      proxy.balancer = this.balancers.get(fe.servicePort)!; // the frontend may now belong to another service port
      this.route(proxy, fe, nodeOf);
    }
    await Promise.all(closing);

    const failed: FrontendFailure[] = [];
    const opening: Promise<void>[] = [];
    for (const [key, fe] of wanted) {
      if (this.proxies.has(key)) continue;
      const balancer = this.balancers.get(fe.servicePort)!;
      const proxy: Proxy =
        fe.protocol === 'UDP'
          ? new UdpProxy(fe, balancer, { idleTimeoutMs: this.opts.udpIdleTimeoutMs, now: this.now })
          : new TcpProxy(fe, balancer, { connectTimeoutMs: this.opts.connectTimeoutMs, connections: this.connections, counters: this.opts.counters });
      this.route(proxy, fe, nodeOf);
      this.proxies.set(key, proxy);
      opening.push(
        proxy.listen().catch((err: NodeJS.ErrnoException) => {
          this.proxies.delete(key);
          void proxy.close();
          failed.push({ frontend: fe, code: err.code, message: describeBindError(fe, err) });
        }),
      );
    }
    await Promise.all(opening);
    failed.sort((a, b) => (a.frontend.key < b.frontend.key ? -1 : 1));
    return { failed };
  }

  /** internalTrafficPolicy Local: each client uses the node-local view of its own node. */
  private route(proxy: Proxy, fe: Frontend, nodeOf: (ip: string | undefined) => string | undefined): void {
    if (!fe.clientNodeLocal) {
      proxy.balancerFor = () => proxy.balancer;
      return;
    }
    const balancers = this.balancers;
    proxy.balancerFor = (ip) => {
      const node = nodeOf(ip);
      return node === undefined ? proxy.balancer : balancers.get(localServicePortName(fe.servicePort, node));
    };
  }

  async stop(): Promise<void> {
    const all = [...this.proxies.values()];
    this.proxies.clear();
    this.balancers.clear();
    const closing = all.map((p) => p.close());
    for (const c of [...this.connections]) destroyConnection(c);
    this.connections.clear();
    await Promise.all(closing);
  }
}

/**
 * The node a client address belongs to: the node with that InternalIP or whose podCIDR holds it;
 * any other address (127.0.0.1, the hostAddress, a host process) counts as the first node's.
 */
export function clientNodeResolver(nodes: readonly NodeInfo[]): (ip: string | undefined) => string | undefined {
  if (!nodes.length) return () => undefined;
  const first = nodes[0].name;
  return (ip) => {
    if (!ip) return first;
    const v4 = ip.startsWith('::ffff:') ? ip.slice(7) : ip;
    for (const n of nodes) if (n.ip === v4 || (n.podCIDR && cidrContains(n.podCIDR, v4))) return n.name;
    return first;
  };
}
