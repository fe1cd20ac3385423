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
  // On a resumed cluster they exist, but the API may listen elsewhere now (--api-port 0): follow it,
  // as kube-apiserver's endpoint reconciler does.
  const svc = store.tryGet(GR.services, 'default', 'kubernetes');
  if (svc && svc.spec?.ports?.[0]?.targetPort !== apiPort) {
    const next = structuredClone(svc);
    next.spec.ports = [{ ...next.spec.ports[0], targetPort: apiPort }, ...next.spec.ports.slice(1)];
    store.update(GR.services, next);
  }
  const slice = store.tryGet(GR.endpointslices, 'default', 'kubernetes');
  if (slice && (slice.ports?.[0]?.port !== apiPort || slice.endpoints?.[0]?.addresses?.[0] !== apiAddress)) {
    const next = structuredClone(slice);
    next.endpoints = [{ addresses: [apiAddress], conditions: { ready: true, serving: true, terminating: false } }];
    next.ports = [{ name: 'https', port: apiPort, protocol: 'TCP' }];
    store.update(GR.endpointslices, next);
  }
  if (!slice) {
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
