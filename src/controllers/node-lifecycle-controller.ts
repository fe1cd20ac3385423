// Nodes that come and go while kdp runs. A Node created through the API (`kdp node add`) is
// "joined" as a kind node's kubelet would join it: the next free index gives it an InternalIP
// (127.18.0.x), a pod CIDR (/24), node info, capacity and Ready=True (node-ipam + kubelet
// registration). Pods bound to a Node that no longer exists are deleted (the pod GC controller),
// so a removed node's pods go; their kubelet stops their processes within the grace period.
import type { ClusterConfig } from '../api/config.js';
import type { Informer } from '../api/informer.js';
import { keyOf } from '../api/informer.js';
import type { ObjectStore } from '../api/store.js';
import { GR, type KObject } from '../api/types.js';
import { Controller } from './controller.js';
import { buildNode, hostInfo, nodePodCIDR, type HostInfo } from './node-controller.js';

export interface NodeLifecycleDeps {
  store: ObjectStore;
  nodes: Informer;
  pods: Informer;
  config: ClusterConfig;
  now: () => Date;
  host?: HostInfo;
}

/** The smallest node index whose pod CIDR no node uses yet. */
export function freeNodeIndex(config: ClusterConfig, nodes: KObject[]): number {
  const used = new Set(nodes.map((n) => n.spec?.podCIDR).filter(Boolean));
  for (let i = 0; ; i++) if (!used.has(nodePodCIDR(config, i))) return i;
}

/** The joined form of a bare Node: spec and status of node `index`, under the Node's own name. */
export function joinNode(node: KObject, config: ClusterConfig, index: number, host: HostInfo, now: Date): { spec: KObject; status: unknown } {
  const built = buildNode(config, index, host, now);
  const name = node.metadata.name;
  const labels: Record<string, string> = { ...built.metadata.labels, 'kubernetes.io/hostname': name, ...(node.metadata.labels ?? {}) };
  if (index !== 0) {
    // Only the first node is the control plane.
    delete labels['node-role.kubernetes.io/control-plane'];
    delete labels['node.kubernetes.io/exclude-from-external-load-balancers'];
  }
  const spec = structuredClone(node) as KObject;
  spec.metadata.labels = labels;
  spec.metadata.annotations = { ...(built.metadata.annotations ?? {}), ...(node.metadata.annotations ?? {}) };
  spec.spec = { ...(node.spec ?? {}), podCIDR: built.spec.podCIDR, podCIDRs: built.spec.podCIDRs, providerID: `kdp://${config.clusterName}/${name}` };
  const status = built.status;
  status.addresses = status.addresses.map((a: { type: string; address: string }) => (a.type === 'Hostname' ? { ...a, address: name } : a));
  return { spec, status };
}

export function createNodeLifecycleController(deps: NodeLifecycleDeps): Controller {
  const { store, nodes, pods, config, now } = deps;
  const host = deps.host ?? hostInfo();

  function syncNode(name: string): void {
    const node = nodes.get(undefined, name);
    if (!node || node.metadata.deletionTimestamp || node.spec?.podCIDR) return;
    const index = freeNodeIndex(config, nodes.list().filter((n) => n.metadata.name !== name));
    const { spec, status } = joinNode(node, config, index, host, now());
    const updated = store.update(GR.nodes, spec);
    store.update(GR.nodes, { ...structuredClone(updated), status }, { subresource: 'status' });
    console.error(`[INFO] controllers: node ${name} joined with pod CIDR ${spec.spec.podCIDR}`);
  }

  function syncPod(namespace: string, name: string): void {
    const pod = pods.get(namespace, name);
    if (!pod?.spec?.nodeName || pod.metadata.deletionTimestamp) return;
    if (nodes.get(undefined, pod.spec.nodeName) || store.tryGet(GR.nodes, undefined, pod.spec.nodeName)) return;
    try {
      store.delete(GR.pods, namespace, name, { preconditions: { uid: pod.metadata.uid } });
    } catch (err) {
      if ((err as { code?: number }).code !== 404 && (err as { code?: number }).code !== 409) throw err;
    }
  }

  const controller = new Controller({
    name: 'node-lifecycle-controller',
    reconcile(key) {
      if (key.startsWith('node:')) return syncNode(key.slice(5));
      const [namespace, name] = key.slice(4).split('/');
      return syncPod(namespace, name);
    },
  });
  const podKey = (p: KObject) => {
    if (p.spec?.nodeName && !nodes.get(undefined, p.spec.nodeName)) controller.enqueue(`pod:${keyOf(p)}`);
  };
  nodes.addHandlers({
    onAdd: (n) => controller.enqueue(`node:${n.metadata.name}`),
    onUpdate: (n) => controller.enqueue(`node:${n.metadata.name}`),
    onDelete: (n) => {
      for (const p of pods.list()) if (p.spec?.nodeName === n.metadata.name) controller.enqueue(`pod:${keyOf(p)}`);
    },
  });
  pods.addHandlers({ onAdd: podKey, onUpdate: podKey });
  return controller;
}
