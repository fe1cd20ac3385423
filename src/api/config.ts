// The cluster's address plan and settings, shared by every component. Defaults mirror kind/kubeadm
// on loopback (see ARCHITECTURE.md); every address is configurable so tests can run side by side.
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface ClusterConfig {
  /** API server listen address and port. */
  apiAddress: string;
  apiPort: number;
  /** Service ClusterIPs; the first address is the `kubernetes` Service's. */
  serviceCidr: string;
  /** Pod IPs; node n (0-based) gets the n-th /24 inside it. */
  podCidr: string;
  /** First node's IP; further nodes count up from it. */
  nodeIpStart: string;
  nodes: number;
  /** Name prefix of nodes: `<prefix>-control-plane`, `<prefix>-worker`, `<prefix>-worker2`, … */
  clusterName: string;
  dnsAddress: string;
  dnsPort: number;
  clusterDomain: string;
  nodePortRange: { min: number; max: number };
  loadBalancerPool: string;
  /** Where Services' externalIPs may come from (besides the LoadBalancer pool): a range kdp owns. */
  externalIPCidr: string;
  /**
   * The host's own address where NodePorts and LoadBalancer ports are also served when free, as
   * Docker Desktop's `localhost` (default 127.0.0.1). Tests give each cluster its own.
   */
  hostAddress: string;
  /** kube-proxy's --proxy-mode; absent = nftables when kdp runs as root and nft works, else userspace. */
  proxyMode?: 'nftables' | 'userspace';
  /** Upstream resolvers for names outside the cluster zone, `ip` or `ip:port`. */
  upstreamDns: string[];
  stateDir: string;
  /** The dashboard's port on 127.0.0.1; 0 = any free port. */
  dashboardPort?: number;
}

export const DEFAULT_CONFIG: Omit<ClusterConfig, 'upstreamDns' | 'stateDir'> = {
  apiAddress: '127.0.0.1',
  apiPort: 6443,
  serviceCidr: '127.96.0.0/12',
  podCidr: '127.244.0.0/16',
  nodeIpStart: '127.18.0.2',
  nodes: 2,
  clusterName: 'kdp',
  dnsAddress: '127.96.0.10',
  dnsPort: 53,
  clusterDomain: 'cluster.local',
  nodePortRange: { min: 30000, max: 32767 },
  loadBalancerPool: '127.200.0.0/16',
  externalIPCidr: '127.201.0.0/16',
  hostAddress: '127.0.0.1',
};

/** The host's resolvers from /etc/resolv.conf (CoreDNS's `forward . /etc/resolv.conf`). */
export function hostResolvers(path = '/etc/resolv.conf'): string[] {
  try {
    return readFileSync(path, 'utf8')
      .split('\n')
      .map((l) => l.trim().match(/^nameserver\s+(\S+)/)?.[1])
      .filter((x): x is string => !!x);
  } catch {
    return [];
  }
}

export function defaultConfig(overrides: Partial<ClusterConfig> = {}): ClusterConfig {
  return {
    ...DEFAULT_CONFIG,
    upstreamDns: overrides.upstreamDns ?? hostResolvers(),
    stateDir: overrides.stateDir ?? join(homedir(), '.kdp'),
    ...overrides,
  };
}

/** Node names as kind names them. */
export function nodeName(config: Pick<ClusterConfig, 'clusterName'>, index: number): string {
  if (index === 0) return `${config.clusterName}-control-plane`;
  return `${config.clusterName}-worker${index === 1 ? '' : index}`;
}
