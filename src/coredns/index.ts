// kdp's cluster DNS: the CoreDNS of a kubeadm cluster, as a chain of small handlers
// (kubernetes → forward) behind a UDP+TCP listener. Reads Services, EndpointSlices and Namespaces
// from the shared informers; writes nothing.
import type { InformerFactory } from '../api/informer.js';
import { GR, type KObject } from '../api/types.js';
import { ClusterRecords } from './cluster-records.js';
import { ForwardHandler, parseUpstream, type Exchange } from './forward.js';
import { KubernetesHandler } from './kubernetes.js';
import { listenDns } from './server.js';
import { chain } from './types.js';

export interface CoreDnsOptions {
  informers: InformerFactory;
  /** Listen address, e.g. `127.96.0.10` (the kube-dns ClusterIP). */
  address: string;
  /** Listen port, normally 53; 0 picks a free one (see the returned `port`). */
  port: number;
  /** Cluster domain, e.g. `cluster.local`. */
  zone: string;
  /** Resolvers for names outside the zone: `ip` or `ip:port`. Empty: such names get SERVFAIL. */
  upstreams: string[];
  /** TTL of cluster records, seconds (default 30, as kubeadm's Corefile). */
  ttl?: number;
  /** Per-upstream timeout in milliseconds (default 2000). */
  forwardTimeoutMs?: number;
  /** Replaces the real upstream exchange (tests). */
  exchange?: Exchange;
  log?: (line: string) => void;
}

export interface CoreDns {
  readonly address: string;
  readonly port: number;
  stop(): Promise<void>;
}

export { ClusterRecords, serviceRecords, reverseName } from './cluster-records.js';
export { KubernetesHandler, DNS_SCHEMA_VERSION } from './kubernetes.js';
export { ForwardHandler, parseUpstream } from './forward.js';
export { listenDns } from './server.js';
export type { Handler, DnsRequest, DnsResult, Reply, Rr, Query } from './types.js';

export async function startCoreDns(opts: CoreDnsOptions): Promise<CoreDns> {
  const log = opts.log ?? ((l: string) => console.error(l));
  const zone = opts.zone.toLowerCase().replace(/\.$/, '');
  if (!zone) throw new Error('coredns: zone must not be empty');
  const upstreams = opts.upstreams.map(parseUpstream);
  for (const u of upstreams) {
    if (u.address === opts.address && u.port === opts.port) {
      throw new Error(`coredns: forward: upstream ${opts.address}:${opts.port} is this server itself (a forwarding loop)`);
    }
  }

  const records = new ClusterRecords({ zone, ttl: opts.ttl ?? 30 });
  let stopped = false;
  const guard = (f: (o: KObject) => void) => (o: KObject) => { if (!stopped) f(o); };
  const handlers = [
    { gr: GR.services, add: (o: KObject) => records.upsertService(o), del: (o: KObject) => records.deleteService(o) },
    { gr: GR.endpointslices, add: (o: KObject) => records.upsertEndpointSlice(o), del: (o: KObject) => records.deleteEndpointSlice(o) },
    { gr: GR.namespaces, add: (o: KObject) => records.upsertNamespace(o), del: (o: KObject) => records.deleteNamespace(o) },
  ];
  for (const h of handlers) {
    // Informer handlers cannot be removed; `stopped` makes ours inert after stop().
    opts.informers.for(h.gr).addHandlers({ onAdd: guard(h.add), onUpdate: guard(h.add), onDelete: guard(h.del) }).start();
  }

  const kubernetes = new KubernetesHandler(records, { nsAddress: opts.address });
  const forward = new ForwardHandler({ upstreams, timeoutMs: opts.forwardTimeoutMs, exchange: opts.exchange, log });
  let server;
  try {
    server = await listenDns({ address: opts.address, port: opts.port, handler: chain([kubernetes, forward]), log });
  } catch (e) {
    stopped = true;
    throw e;
  }
  const fwd = upstreams.length ? upstreams.map((u) => `${u.address}:${u.port}`).join(' ') : 'nowhere (SERVFAIL)';
  log(`[INFO] coredns: serving ${zone} on ${server.address}:${server.port} (udp, tcp); forwarding . to ${fwd}`);
  const srv = server;
  return {
    address: srv.address,
    port: srv.port,
    stop: async () => {
      stopped = true;
      await srv.close();
    },
  };
}
