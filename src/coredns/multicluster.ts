// `multicluster` zones (Multi-Cluster Services API, multicluster.x-k8s.io): a ServiceImport is the
// service of `<svc>.<ns>.svc.<clusterset zone>` (ClusterSetIP → its `spec.ips`, Headless → the
// endpoints), its endpoints are the EndpointSlices labelled `multicluster.kubernetes.io/service-name`,
// and each endpoint is named with its source cluster: `<host>.<cluster-id>.<svc>.<ns>.svc.<zone>`.
// The records are ordinary ClusterRecords, fed through this adapter with the objects translated.
import type { KObject } from '../api/types.js';
import { CLUSTER_ID_ANNOTATION, type ClusterRecords } from './cluster-records.js';
import type { RecordSink } from './record-source.js';

export const MCS_SERVICE_NAME = 'multicluster.kubernetes.io/service-name';
export const MCS_SOURCE_CLUSTER = 'multicluster.kubernetes.io/source-cluster';

/** A ServiceImport as the Service the records know. */
export function serviceOfImport(o: KObject): KObject {
  const spec = (o.spec ?? {}) as { type?: string; ips?: string[]; ports?: unknown[] };
  const headless = spec.type === 'Headless';
  const ips = spec.ips ?? [];
  return {
    apiVersion: 'v1', kind: 'Service', metadata: { name: o.metadata.name, namespace: o.metadata.namespace, labels: o.metadata.labels },
    spec: { type: 'ClusterIP', clusterIP: headless ? 'None' : ips[0], clusterIPs: headless ? ['None'] : ips, ports: spec.ports ?? [] },
  };
}

/** An MCS EndpointSlice as one of its ServiceImport's slices, or undefined when it is not one. */
export function sliceOfImport(o: KObject): KObject | undefined {
  const labels = o.metadata.labels ?? {};
  const svc = labels[MCS_SERVICE_NAME];
  if (!svc) return undefined;
  return {
    ...o,
    metadata: {
      ...o.metadata,
      labels: { ...labels, 'kubernetes.io/service-name': svc },
      annotations: { ...(o.metadata.annotations ?? {}), [CLUSTER_ID_ANNOTATION]: labels[MCS_SOURCE_CLUSTER] ?? '' },
    },
  };
}

/** Feeds a multicluster zone's records: ServiceImports and MCS slices in, Services and plain slices not. */
export class MultiClusterSink implements RecordSink {
  constructor(readonly records: ClusterRecords) {}
  upsertService(): void {}
  deleteService(): void {}
  upsertServiceImport(o: KObject): void { this.records.upsertService(serviceOfImport(o)); }
  deleteServiceImport(o: KObject): void { this.records.deleteService(serviceOfImport(o)); }
  upsertEndpointSlice(o: KObject): void {
    const s = sliceOfImport(o);
    if (s) this.records.upsertEndpointSlice(s);
    else this.records.deleteEndpointSlice(o);
  }
  deleteEndpointSlice(o: KObject): void { this.records.deleteEndpointSlice(o); }
  upsertNamespace(o: KObject): void { this.records.upsertNamespace(o); }
  deleteNamespace(o: KObject): void { this.records.deleteNamespace(o); }
  upsertPod(o: KObject): void { this.records.upsertPod(o); }
  deletePod(o: KObject): void { this.records.deletePod(o); }
}
