// kdp's cluster DNS: CoreDNS as a kubeadm cluster runs it — a Corefile of server blocks, each a chain
// of small plugins (kubernetes, forward, cache, hosts, rewrite, log, …) behind UDP+TCP listeners.
// Reads Services, EndpointSlices, Namespaces and Pods from the shared informers; writes nothing.
// The coredns pods (src/pods/images/coredns.ts) run a CoreDnsInstance each; addon.ts creates the
// kube-system objects of a kubeadm cluster.
import type { InformerFactory } from '../api/informer.js';
import type { Exchange } from './forward.js';
import { CoreDnsInstance } from './instance.js';

export interface CoreDnsOptions {
  informers: InformerFactory;
  /** Listen address, e.g. `127.96.0.10`. */
  address: string;
  /** Listen port, normally 53; 0 picks a free one (see the returned `port`). */
  port: number;
  /** Cluster domain, e.g. `cluster.local`. */
  zone: string;
  /** Resolvers for names outside the zone: `ip` or `ip:port`. Empty: such names get SERVFAIL. */
  upstreams: string[];
  /** TTL of cluster records, seconds (default 30, as kubeadm's Corefile). */
  ttl?: number;
  /** Replaces the real upstream exchange (tests). */
  exchange?: Exchange;
  log?: (line: string) => void;
}

export interface CoreDns {
  readonly address: string;
  readonly port: number;
  readonly instance: CoreDnsInstance;
  stop(): Promise<void>;
}

export { ClusterRecords, serviceRecords, reverseName } from './cluster-records.js';
export { KubernetesHandler, DNS_SCHEMA_VERSION } from './kubernetes.js';
export { ForwardHandler, parseUpstream } from './forward.js';
export { listenDns } from './server.js';
export { CoreDnsInstance, type CoreDnsInstanceOptions } from './instance.js';
export { parseCorefile, CorefileError } from './corefile.js';
export { kubeadmCorefile, createCoreDnsAddon, coreDnsObjects, waitForClusterDns, type CoreDnsAddonOptions } from './addon.js';
export type { Handler, DnsRequest, DnsResult, Reply, Rr, Query } from './types.js';
export { corednsImage, corednsImageWith, corefileSource } from './image.js';

/** A Corefile with just the cluster zone and forwarding, as the options say. */
export function simpleCorefile(port: number, zone: string, upstreams: string[], ttl = 30): string {
  return [
    `.:${port} {`,
    '    errors',
    `    kubernetes ${zone} in-addr.arpa ip6.arpa {`,
    '        pods insecure',
    '        fallthrough in-addr.arpa ip6.arpa',
    `        ttl ${ttl}`,
    '    }',
    ...(upstreams.length ? [`    forward . ${upstreams.join(' ')}`] : []),
    '}',
    '',
  ].join('\n');
}

/** Runs a CoreDNS with a generated Corefile on `address:port` (tests and embedders). */
export async function startCoreDns(opts: CoreDnsOptions): Promise<CoreDns> {
  const log = opts.log ?? ((l: string) => console.error(l));
  const zone = opts.zone.toLowerCase().replace(/\.$/, '');
  if (!zone) throw new Error('coredns: zone must not be empty');
  let instance: CoreDnsInstance;
  try {
    instance = await CoreDnsInstance.start({
      informers: opts.informers, address: opts.address, nsAddress: opts.address, exchange: opts.exchange, log,
      corefile: simpleCorefile(opts.port, zone, opts.upstreams, opts.ttl ?? 30),
    });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw Object.assign(new Error(err.message.startsWith('coredns:') ? err.message : `coredns: ${err.message}`), { code: err.code });
  }
  const port = instance.port(opts.port)!;
  const fwd = opts.upstreams.length ? opts.upstreams.join(' ') : 'nowhere (SERVFAIL)';
  log(`[INFO] coredns: serving ${zone} on ${opts.address}:${port} (udp, tcp); forwarding . to ${fwd}`);
  return { address: opts.address, port, instance, stop: () => instance.stop() };
}
