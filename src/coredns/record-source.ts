// The objects the `kubernetes` plugin reads — Services, EndpointSlices, Namespaces, Pods — from the
// process's shared informers, fanned out to every subscribed ClusterRecords. Informer handlers cannot
// be removed, so each InformerFactory gets one set of handlers for good, and CoreDNS instances (one
// per coredns pod, restarted with it) subscribe and unsubscribe here without leaking handlers.
import type { InformerFactory } from '../api/informer.js';
import { GR, type KObject } from '../api/types.js';

export interface RecordSink {
  upsertService(o: KObject): void;
  deleteService(o: KObject): void;
  upsertEndpointSlice(o: KObject): void;
  deleteEndpointSlice(o: KObject): void;
  upsertNamespace(o: KObject): void;
  deleteNamespace(o: KObject): void;
  upsertPod(o: KObject): void;
  deletePod(o: KObject): void;
  /** Multi-Cluster Services API ServiceImports (multicluster.x-k8s.io), for `multicluster` zones. */
  upsertServiceImport?(o: KObject): void;
  deleteServiceImport?(o: KObject): void;
}

/** Where the store keeps ServiceImports (`/apis/multicluster.x-k8s.io/v1alpha1/…/serviceimports`). */
export const SERVICE_IMPORTS = 'multicluster.x-k8s.io/serviceimports';

type Kind = 'Service' | 'EndpointSlice' | 'Namespace' | 'Pod' | 'ServiceImport';
const KINDS: [Kind, string][] = [['Namespace', GR.namespaces], ['Service', GR.services], ['EndpointSlice', GR.endpointslices], ['Pod', GR.pods], ['ServiceImport', SERVICE_IMPORTS]];

class Fanout {
  readonly sinks = new Set<RecordSink>();

  constructor(private readonly informers: InformerFactory) {
    for (const [kind, gr] of KINDS) {
      const up = (o: KObject) => { for (const s of this.sinks) upsert(s, kind, o); };
      const del = (o: KObject) => { for (const s of this.sinks) remove(s, kind, o); };
      informers.for(gr).addHandlers({ onAdd: up, onUpdate: up, onDelete: del }).start();
    }
  }

  subscribe(sink: RecordSink): () => void {
    for (const [kind, gr] of KINDS) for (const o of this.informers.for(gr).list()) upsert(sink, kind, o);
    this.sinks.add(sink);
    return () => this.sinks.delete(sink);
  }
}

function upsert(s: RecordSink, kind: Kind, o: KObject): void {
  if (kind === 'Service') s.upsertService(o);
  else if (kind === 'EndpointSlice') s.upsertEndpointSlice(o);
  else if (kind === 'Namespace') s.upsertNamespace(o);
  else if (kind === 'ServiceImport') s.upsertServiceImport?.(o);
  else s.upsertPod(o);
}

function remove(s: RecordSink, kind: Kind, o: KObject): void {
  if (kind === 'Service') s.deleteService(o);
  else if (kind === 'EndpointSlice') s.deleteEndpointSlice(o);
  else if (kind === 'Namespace') s.deleteNamespace(o);
  else if (kind === 'ServiceImport') s.deleteServiceImport?.(o);
  else s.deletePod(o);
}

const fanouts = new WeakMap<InformerFactory, Fanout>();

/** Feeds `sink` every current object at once, then every change; returns the unsubscribe function. */
export function subscribeRecords(informers: InformerFactory, sink: RecordSink): () => void {
  let f = fanouts.get(informers);
  if (!f) fanouts.set(informers, (f = new Fanout(informers)));
  return f.subscribe(sink);
}
