// The StatefulSet controller: pods `<set>-<ordinal>` with stable hostnames (`spec.hostname`, and
// `spec.subdomain` = serviceName, so `web-0.nginx.default.svc.cluster.local` resolves), one PVC per
// volumeClaimTemplate and ordinal (`www-web-0`, kept on scale-down and delete unless the retention
// policy says Delete), OrderedReady or Parallel management, RollingUpdate in reverse ordinal order.
import type { EventRecorder } from '../api/events.js';
import type { Informer } from '../api/informer.js';
import { keyOf } from '../api/informer.js';
import type { ObjectStore } from '../api/store.js';
import { GR, type KObject } from '../api/types.js';
import { Controller, splitKey, type ReconcileResult } from './controller.js';
import { byController, CONTROLLER_INDEX, ownedBy } from './indexes.js';
import { controllerRef } from './pod-util.js';
import { claimName, claimsFor, ordinalOf, planStatefulSet, podForOrdinal, statefulSetStatus } from './statefulset-logic.js';

export interface StatefulSetControllerDeps {
  store: ObjectStore;
  statefulSets: Informer;
  pods: Informer;
  recorder: EventRecorder;
}

const PVC = '/persistentvolumeclaims';

export function createStatefulSetController(deps: StatefulSetControllerDeps): Controller {
  const { store, statefulSets, pods, recorder } = deps;
  pods.addIndex(CONTROLLER_INDEX, byController);

  function reconcile(key: string): ReconcileResult | void {
    const { namespace, name } = splitKey(key);
    const sts = statefulSets.get(namespace, name);
    if (!sts || sts.metadata.deletionTimestamp) return;
    const owned = ownedBy(pods, sts).filter((p) => ordinalOf(sts, p) !== undefined);
    const step = planStatefulSet(sts, owned);

    for (const ordinal of step.create) {
      for (const claim of claimsFor(sts, ordinal)) {
        if (store.tryGet(PVC, namespace, claim.metadata.name)) continue;
        try {
          store.create(PVC, claim);
          recorder.event(sts, 'Normal', 'SuccessfulCreate', `create Claim ${claim.metadata.name} Pod ${sts.metadata.name}-${ordinal} in StatefulSet ${sts.metadata.name} success`);
        } catch (err) {
          recorder.event(sts, 'Warning', 'FailedCreate', `create Claim ${claim.metadata.name} for Pod ${sts.metadata.name}-${ordinal} in StatefulSet ${sts.metadata.name} failed error: ${(err as Error).message}`);
          throw err;
        }
      }
      const pod = podForOrdinal(sts, ordinal);
      try {
        store.create(GR.pods, pod);
        recorder.event(sts, 'Normal', 'SuccessfulCreate', `create Pod ${pod.metadata.name} in StatefulSet ${sts.metadata.name} successful`);
      } catch (err) {
        if ((err as { code?: number }).code === 409) continue; // the old pod is still being deleted
        recorder.event(sts, 'Warning', 'FailedCreate', `create Pod ${pod.metadata.name} in StatefulSet ${sts.metadata.name} failed error: ${(err as Error).message}`);
        throw err;
      }
    }
    for (const pod of step.remove) {
      try {
        store.delete(GR.pods, namespace, pod.metadata.name, { preconditions: { uid: pod.metadata.uid } });
        recorder.event(sts, 'Normal', 'SuccessfulDelete', `delete Pod ${pod.metadata.name} in StatefulSet ${sts.metadata.name} successful`);
      } catch (err) {
        if ((err as { code?: number }).code !== 404 && (err as { code?: number }).code !== 409) throw err;
      }
    }
    for (const ordinal of step.deleteClaimsOf) {
      for (const t of sts.spec?.volumeClaimTemplates ?? []) {
        try {
          store.delete(PVC, namespace, claimName(t.metadata?.name ?? '', sts, ordinal));
        } catch (err) {
          if ((err as { code?: number }).code !== 404) throw err;
        }
      }
    }

    const status = statefulSetStatus(sts, owned);
    if (JSON.stringify(status) !== JSON.stringify(sts.status ?? {})) {
      const next = structuredClone(sts) as KObject;
      next.status = status;
      store.update(GR.statefulsets, next, { subresource: 'status' });
    }
  }

  const controller = new Controller({ name: 'statefulset-controller', reconcile });
  const enqueueOwner = (pod: KObject) => {
    const ref = controllerRef(pod);
    if (ref?.kind === 'StatefulSet') controller.enqueue(`${pod.metadata.namespace}/${ref.name}`);
  };
  statefulSets.addHandlers({
    onAdd: (s) => controller.enqueue(keyOf(s)),
    onUpdate: (s) => controller.enqueue(keyOf(s)),
  });
  pods.addHandlers({ onAdd: enqueueOwner, onUpdate: enqueueOwner, onDelete: enqueueOwner });
  return controller;
}
