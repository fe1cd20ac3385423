// kube-controller-manager's serviceaccount-controller and root-ca-cert-publisher: every namespace
// gets a `default` ServiceAccount and the `kube-root-ca.crt` ConfigMap (the cluster CA, which pods'
// projected token volumes mount as ca.crt). Both come back when deleted, and the ConfigMap is
// rewritten when its content drifts, as upstream's controllers do.
import { ApiError } from '../api/errors.js';
import type { Informer } from '../api/informer.js';
import type { ObjectStore } from '../api/store.js';
import { GR, type KObject } from '../api/types.js';
import { Controller } from './controller.js';

export const ROOT_CA_CONFIGMAP = 'kube-root-ca.crt';

export interface ServiceAccountControllerDeps {
  store: ObjectStore;
  namespaces: Informer;
  serviceAccounts: Informer;
  configMaps: Informer;
  /** PEM of the cluster CA. */
  rootCA: string;
}

export function createServiceAccountController(deps: ServiceAccountControllerDeps): Controller {
  const { store, namespaces, serviceAccounts, configMaps, rootCA } = deps;
  const ignoreExists = (fn: () => unknown) => {
    try {
      fn();
    } catch (err) {
      if (!(err instanceof ApiError && err.code === 409)) throw err;
    }
  };
  const controller = new Controller({
    name: 'serviceaccount-controller',
    reconcile(ns) {
      const namespace = namespaces.get(undefined, ns);
      if (!namespace || namespace.metadata.deletionTimestamp) return;
      if (!serviceAccounts.get(ns, 'default')) {
        ignoreExists(() => store.create(GR.serviceaccounts, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: ns } }));
      }
      const cm = configMaps.get(ns, ROOT_CA_CONFIGMAP);
      if (!cm) {
        ignoreExists(() => store.create(GR.configmaps, {
          apiVersion: 'v1', kind: 'ConfigMap',
          metadata: { name: ROOT_CA_CONFIGMAP, namespace: ns, annotations: { 'kubernetes.io/description': 'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.' } },
          data: { 'ca.crt': rootCA },
        }));
      } else if (cm.data?.['ca.crt'] !== rootCA) {
        const next = structuredClone(cm) as KObject;
        next.data = { ...(next.data ?? {}), 'ca.crt': rootCA };
        store.update(GR.configmaps, next);
      }
    },
  });
  const byNamespace = (o: KObject) => controller.enqueue(o.metadata.namespace ?? '');
  namespaces.addHandlers({ onAdd: (n) => controller.enqueue(n.metadata.name), onUpdate: (n) => controller.enqueue(n.metadata.name) });
  serviceAccounts.addHandlers({ onDelete: byNamespace });
  configMaps.addHandlers({ onUpdate: (o) => o.metadata.name === ROOT_CA_CONFIGMAP && byNamespace(o), onDelete: (o) => o.metadata.name === ROOT_CA_CONFIGMAP && byNamespace(o) });
  return controller;
}
