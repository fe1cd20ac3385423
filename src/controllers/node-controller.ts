// Registers the cluster's nodes, as each kind node's kubelet does at start: a Node per configured
// node, named as kind names them, with its InternalIP on loopback, its pod CIDR, Ready=True, node
// info and capacity. kdp runs no node heartbeat: the nodes are this process, so they are Ready while
// it runs (no Lease renewals, no NotReady taints).
import { arch, cpus, totalmem } from 'node:os';
import { IPv4, IPv4CidrRange } from 'ip-num';
import { nodeName, type ClusterConfig } from '../api/config.js';
import { rfc3339, type ObjectStore } from '../api/store.js';
import { GR, type KObject } from '../api/types.js';

export const KUBELET_VERSION = 'v1.31.0';
export const CONTAINER_RUNTIME_VERSION = 'kdp://0.1.0';

export interface HostInfo {
  cpus: number;
  memoryBytes: number;
  /** Go's GOARCH naming: amd64, arm64 */
  arch: string;
}

export function hostInfo(): HostInfo {
  const a = arch();
  return { cpus: cpus().length || 1, memoryBytes: totalmem(), arch: a === 'x64' ? 'amd64' : a === 'ia32' ? '386' : a };
}

/** Node i's InternalIP: nodeIpStart + i. */
export function nodeIP(config: Pick<ClusterConfig, 'nodeIpStart'>, index: number): string {
  return IPv4.fromNumber(new IPv4(config.nodeIpStart).getValue() + BigInt(index)).toString();
}

/** Node i (0-based) gets the i-th /24 of the pod CIDR, as kind: 127.244.0.0/24, 127.244.1.0/24, … */
export function nodePodCIDR(config: Pick<ClusterConfig, 'podCidr'>, index: number): string {
  const range = IPv4CidrRange.fromCidr(config.podCidr);
  const prefix = Number(range.getPrefix().getValue());
  if (prefix > 24) throw new Error(`pod CIDR ${config.podCidr} is too small: need a /24 per node`);
  const size = 2 ** (24 - prefix);
  if (index >= size) throw new Error(`pod CIDR ${config.podCidr} has room for ${size} nodes, not ${index + 1}`);
  const first = range.getFirst().getValue() + BigInt(index) * 256n;
  return `${IPv4.fromNumber(first).toString()}/24`;
}

export function buildNode(config: ClusterConfig, index: number, host: HostInfo, now: Date): KObject {
  const name = nodeName(config, index);
  const ts = rfc3339(now);
  const podCIDR = nodePodCIDR(config, index);
  const labels: Record<string, string> = {
    'beta.kubernetes.io/arch': host.arch,
    'beta.kubernetes.io/os': 'linux',
    'kubernetes.io/arch': host.arch,
    'kubernetes.io/hostname': name,
    'kubernetes.io/os': 'linux',
  };
  if (index === 0) {
    labels['node-role.kubernetes.io/control-plane'] = '';
    labels['node.kubernetes.io/exclude-from-external-load-balancers'] = '';
  }
  const resources = { cpu: String(host.cpus), 'ephemeral-storage': '102400000Ki', memory: `${Math.floor(host.memoryBytes / 1024)}Ki`, pods: '110' };
  const condition = (type: string, status: string, reason: string, message: string) => ({
    type, status, lastHeartbeatTime: ts, lastTransitionTime: ts, reason, message,
  });
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels, annotations: { 'node.alpha.kubernetes.io/ttl': '0' } },
    spec: { podCIDR, podCIDRs: [podCIDR], providerID: `kdp://${config.clusterName}/${name}` },
    status: {
      addresses: [
        { type: 'InternalIP', address: nodeIP(config, index) },
        { type: 'Hostname', address: name },
      ],
      capacity: resources,
      allocatable: resources,
      conditions: [
        condition('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
        condition('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
        condition('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
        condition('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'),
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: {
        architecture: host.arch,
        bootID: '',
        containerRuntimeVersion: CONTAINER_RUNTIME_VERSION,
        kernelVersion: '',
        kubeProxyVersion: KUBELET_VERSION,
        kubeletVersion: KUBELET_VERSION,
        machineID: '',
        operatingSystem: 'linux',
        osImage: 'kdp (loopback dataplane)',
        systemUUID: '',
      },
    },
  };
}

/**
 * Creates the configured nodes, or refreshes the status of nodes kept from an earlier run (their
 * spec — e.g. `unschedulable` from a cordon — and labels added by users are kept).
 */
export function registerNodes(store: ObjectStore, config: ClusterConfig, now: Date, host: HostInfo = hostInfo()): KObject[] {
  const out: KObject[] = [];
  for (let i = 0; i < config.nodes; i++) {
    const desired = buildNode(config, i, host, now);
    const existing = store.tryGet(GR.nodes, undefined, desired.metadata.name);
    if (!existing) {
      const { status: _status, ...spec } = desired;
      const created = store.create(GR.nodes, spec as KObject);
      out.push(store.update(GR.nodes, { ...structuredClone(created), status: desired.status }, { subresource: 'status' }));
      continue;
    }
    const next = structuredClone(existing) as KObject;
    next.metadata.labels = { ...desired.metadata.labels, ...(existing.metadata.labels ?? {}) };
    next.spec = { ...(existing.spec ?? {}), podCIDR: desired.spec.podCIDR, podCIDRs: desired.spec.podCIDRs };
    const updated = store.update(GR.nodes, next);
    out.push(store.update(GR.nodes, { ...structuredClone(updated), status: desired.status }, { subresource: 'status' }));
  }
  return out;
}
