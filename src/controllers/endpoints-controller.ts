// The (legacy) Endpoints controller: keeps a v1 Endpoints object named like each Service with a
// selector, with ready addresses, notReadyAddresses and ports per subset — what
// `kubectl describe service` and older tools read. Deleted with its Service.
import type { Informer } from '../api/informer.js';
import type { ObjectStore } from '../api/store.js';
import { GR, type KObject } from '../api/types.js';
import { Controller, splitKey } from './controller.js';
import { computeEndpointsSubsets, HEADLESS_LABEL, managesEndpoints } from './endpoints-compute.js';
import { podsMatching } from './indexes.js';
import { canonicalJSON } from './pod-template-hash.js';
import { wireServicePodHandlers } from './service-pod-handlers.js';

export interface EndpointsControllerDeps {
  store: ObjectStore;
  services: Informer;
  pods: Informer;
  endpoints: Informer;
}

export function desiredEndpoints(svc: KObject, pods: KObject[]): KObject {
  const labels: Record<string, string> = { ...(svc.metadata.labels ?? {}) };
  if (svc.spec?.clusterIP === 'None') labels[HEADLESS_LABEL] = '';
  const ep: KObject = { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: svc.metadata.name, namespace: svc.metadata.namespace, labels } };
  const subsets = computeEndpointsSubsets(svc, pods);
  if (subsets.length) ep.subsets = subsets;
  return ep;
}

export function createEndpointsController(deps: EndpointsControllerDeps): Controller {
  const { store, services, pods, endpoints } = deps;

  function reconcile(key: string): void {
    const { namespace, name } = splitKey(key);
    const svc = services.get(namespace, name);
    const current = store.tryGet(GR.endpoints, namespace, name);
    if (!svc) {
      if (current) {
        try {
          store.delete(GR.endpoints, namespace, name, { preconditions: { uid: current.metadata.uid } });
        } catch (err) {
          if ((err as { code?: number }).code !== 404) throw err;
        }
      }
      return;
    }
    if (svc.metadata.deletionTimestamp || !managesEndpoints(svc)) return;
    const want = desiredEndpoints(svc, podsMatching(pods, namespace, svc.spec.selector));
    if (!current) {
      store.create(GR.endpoints, want);
      return;
    }
    if (canonicalJSON([current.metadata.labels ?? {}, current.subsets ?? []]) === canonicalJSON([want.metadata.labels, want.subsets ?? []])) return;
    const next = structuredClone(current) as KObject;
    next.metadata.labels = want.metadata.labels;
    if (want.subsets) next.subsets = want.subsets;
    else delete next.subsets;
    store.update(GR.endpoints, next);
  }

  const controller = new Controller({ name: 'endpoint-controller', reconcile });
  wireServicePodHandlers(controller, services, pods);
  endpoints.addHandlers({ onDelete: (e) => controller.enqueue(`${e.metadata.namespace}/${e.metadata.name}`) });
  return controller;
}
