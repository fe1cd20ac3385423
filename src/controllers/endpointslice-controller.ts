// The EndpointSlice controller: for every Service with a selector, EndpointSlices (`<svc>-<5 chars>`,
// labelled kubernetes.io/service-name and managed-by endpointslice-controller.k8s.io, owned by the
// Service) listing the selected pods with their ready/serving/terminating conditions. Slices are
// written only when their content changes; stale ones are deleted.
import type { Informer } from '../api/informer.js';
import type { ObjectStore } from '../api/store.js';
import { GR, type KObject } from '../api/types.js';
import { Controller, splitKey } from './controller.js';
import { computeEndpointSlices, managesEndpoints, MANAGED_BY, MANAGED_BY_LABEL, SERVICE_NAME_LABEL, sliceLabels, type DesiredSlice } from './endpoints-compute.js';
import { bySliceService, podsMatching, SLICE_SERVICE_INDEX } from './indexes.js';
import { canonicalJSON } from './pod-template-hash.js';
import { ownerRefTo } from './pod-util.js';
import { wireServicePodHandlers } from './service-pod-handlers.js';

export interface EndpointSliceControllerDeps {
  store: ObjectStore;
  services: Informer;
  pods: Informer;
  endpointSlices: Informer;
}

function sliceObject(svc: KObject, want: DesiredSlice, base?: KObject): KObject {
  const obj: KObject = base ? (structuredClone(base) as KObject) : {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: '', generateName: `${svc.metadata.name}-`, namespace: svc.metadata.namespace },
  };
  if (!base) delete (obj.metadata as { name?: string }).name;
  obj.metadata.labels = sliceLabels(svc);
  obj.metadata.ownerReferences = [{ ...ownerRefTo(svc), apiVersion: 'v1', kind: 'Service' }];
  obj.addressType = 'IPv4';
  obj.endpoints = want.endpoints;
  obj.ports = want.ports;
  return obj;
}

const content = (o: KObject) => canonicalJSON([o.metadata.labels, o.metadata.ownerReferences, o.addressType, o.endpoints, o.ports]);

export function createEndpointSliceController(deps: EndpointSliceControllerDeps): Controller {
  const { store, services, pods, endpointSlices } = deps;

  function reconcile(key: string): void {
    const { namespace, name } = splitKey(key);
    const svc = services.get(namespace, name);
    // A deleted Service's slices go with it (owner references); ExternalName and selector-less
    // Services are left alone, as Kubernetes does (their slices are the user's).
    if (!svc || svc.metadata.deletionTimestamp || !managesEndpoints(svc)) return;
    const existing = endpointSlices.byIndex(SLICE_SERVICE_INDEX, `${namespace}/${name}`).filter((s) => !s.metadata.deletionTimestamp)
      .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
    const desired = computeEndpointSlices(svc, podsMatching(pods, namespace, svc.spec.selector));
    const unused = [...existing];
    const pending: DesiredSlice[] = [];
    // Keep slices whose port set matches, updating their endpoints in place.
    for (const want of desired) {
      const i = unused.findIndex((s) => canonicalJSON(s.ports ?? []) === canonicalJSON(want.ports));
      if (i < 0) {
        pending.push(want);
        continue;
      }
      const [have] = unused.splice(i, 1);
      const next = sliceObject(svc, want, have);
      if (content(next) !== content(have)) store.update(GR.endpointslices, next);
    }
    // Reuse any leftover slice for a new port set before creating one.
    for (const want of pending) {
      const have = unused.shift();
      if (have) store.update(GR.endpointslices, sliceObject(svc, want, have));
      else store.create(GR.endpointslices, sliceObject(svc, want));
    }
    for (const s of unused) {
      try {
        store.delete(GR.endpointslices, s.metadata.namespace, s.metadata.name, { preconditions: { uid: s.metadata.uid } });
      } catch (err) {
        if ((err as { code?: number }).code !== 404) throw err;
      }
    }
  }

  endpointSlices.addIndex(SLICE_SERVICE_INDEX, bySliceService);
  const controller = new Controller({ name: 'endpointslice-controller', reconcile });
  wireServicePodHandlers(controller, services, pods);
  // Someone edited or deleted one of our slices: put it right.
  const onSlice = (s: KObject) => {
    if (s.metadata.labels?.[MANAGED_BY_LABEL] !== MANAGED_BY) return;
    const svcName = s.metadata.labels?.[SERVICE_NAME_LABEL];
    if (svcName) controller.enqueue(`${s.metadata.namespace}/${svcName}`);
  };
  endpointSlices.addHandlers({ onUpdate: onSlice, onDelete: onSlice });
  return controller;
}
