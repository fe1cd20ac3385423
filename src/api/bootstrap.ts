// What a fresh cluster has before anyone applies anything: the system namespaces and the
// `kubernetes` Service (first address of the service CIDR) with its apiserver EndpointSlice.
import type { ClusterConfig } from './config.js';
import type { ObjectStore } from './store.js';
import { GR } from './types.js';

export const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

export function firstServiceIP(serviceCidr: string): string {
  const [base] = serviceCidr.split('/');
  const parts = base.split('.').map(Number);
  parts[3] += 1;
  return parts.join('.');
}

/** Everything at once, for callers that know the API port up front (tests). */
export function bootstrap(store: ObjectStore, config: ClusterConfig): void {
  bootstrapNamespaces(store);
  bootstrapKubernetesService(store, config, config.apiAddress, config.apiPort);
}

export function bootstrapNamespaces(store: ObjectStore): void {
  for (const name of SYSTEM_NAMESPACES) {
    if (!store.tryGet(GR.namespaces, undefined, name)) {
      store.create(GR.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'kubernetes.io/metadata.name': name } }, spec: {}, status: { phase: 'Active' } });
    }
  }
}

/** The `kubernetes` Service and its EndpointSlice, pointing at where the API server really listens. */
export function bootstrapKubernetesService(store: ObjectStore, config: ClusterConfig, apiAddress: string, apiPort: number): void {
  if (!store.tryGet(GR.services, 'default', 'kubernetes')) {
    store.create(GR.services, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'kubernetes', namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' } },
      spec: {
        type: 'ClusterIP',
        clusterIP: firstServiceIP(config.serviceCidr),
        ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: apiPort }],
        sessionAffinity: 'None',
      },
    });
  }
  if (!store.tryGet(GR.endpointslices, 'default', 'kubernetes')) {
    store.create(GR.endpointslices, {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: 'kubernetes', namespace: 'default', labels: { 'kubernetes.io/service-name': 'kubernetes', 'endpointslice.kubernetes.io/managed-by': 'endpointslicemirroring-controller.k8s.io' } },
      addressType: 'IPv4',
      endpoints: [{ addresses: [apiAddress], conditions: { ready: true, serving: true, terminating: false } }],
      ports: [{ name: 'https', port: apiPort, protocol: 'TCP' }],
    });
  }
}
