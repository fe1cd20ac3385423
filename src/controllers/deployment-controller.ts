// The Deployment controller: owns one ReplicaSet per pod template (`<deployment>-<pod-template-hash>`),
// rolls from the old ones to the new one (RollingUpdate within maxSurge/maxUnavailable, or Recreate),
// follows scale changes, prunes history beyond revisionHistoryLimit and reports status + conditions.
import type { Informer } from '../api/informer.js';
import { keyOf } from '../api/informer.js';
import type { ObjectStore } from '../api/store.js';
import { GR, type KObject } from '../api/types.js';
import { Controller, splitKey, type ReconcileResult } from './controller.js';
import {
  computeDeploymentStatus, DESIRED_REPLICAS_ANNOTATION, isComplete, isRollingUpdate, MAX_REPLICAS_ANNOTATION, maxSurge,
  newReplicaSetReplicas, oldReplicaSetScaleDown, progressDeadlineExceeded, progressDeadlineSeconds, replicasOf,
  REVISION_ANNOTATION, REVISION_HISTORY_ANNOTATION, setCondition, type Condition,
} from './deployment-rollout.js';
import type { EventRecorder } from '../api/events.js';
import { POD_TEMPLATE_HASH_LABEL, computeHash, templatesEqualIgnoringHash } from './pod-template-hash.js';
import { controllerRef, isTerminal, ownerRefTo } from './pod-util.js';
import { canonicalJSON } from './pod-template-hash.js';
import { byController, CONTROLLER_INDEX, ownedBy } from './indexes.js';

export function revisionOf(rs: KObject): number {
  return Number(rs.metadata.annotations?.[REVISION_ANNOTATION] ?? 0) || 0;
}

/** The ReplicaSet a Deployment's current template asks for, named `<deployment>-<hash>`. */
export function newReplicaSetFor(d: KObject, replicas: number, revision: number): KObject {
  const hash = computeHash(d.spec.template, d.status?.collisionCount);
  const template = structuredClone(d.spec.template ?? {});
  template.metadata ??= {};
  template.metadata.labels = { ...(template.metadata.labels ?? {}), [POD_TEMPLATE_HASH_LABEL]: hash };
  const selector = structuredClone(d.spec.selector ?? {});
  selector.matchLabels = { ...(selector.matchLabels ?? {}), [POD_TEMPLATE_HASH_LABEL]: hash };
  const spec: Record<string, unknown> = { replicas, selector, template };
  if (d.spec.minReadySeconds) spec.minReadySeconds = d.spec.minReadySeconds;
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: `${d.metadata.name}-${hash}`,
      namespace: d.metadata.namespace,
      labels: { ...template.metadata.labels },
      annotations: {
        [DESIRED_REPLICAS_ANNOTATION]: String(replicasOf(d)),
        [MAX_REPLICAS_ANNOTATION]: String(replicasOf(d) + maxSurge(d)),
        [REVISION_ANNOTATION]: String(revision),
      },
      ownerReferences: [ownerRefTo(d)],
    },
    spec,
  };
}

export interface DeploymentControllerDeps {
  store: ObjectStore;
  deployments: Informer;
  replicaSets: Informer;
  pods: Informer;
  recorder: EventRecorder;
  now: () => Date;
}

export function createDeploymentController(deps: DeploymentControllerDeps): Controller {
  const { store, deployments, replicaSets, pods, recorder, now } = deps;
  replicaSets.addIndex(CONTROLLER_INDEX, byController);
  pods.addIndex(CONTROLLER_INDEX, byController);

  function scale(d: KObject, rs: KObject, to: number): KObject {
    const from = rs.spec?.replicas ?? 0;
    const next = structuredClone(rs) as KObject;
    next.spec.replicas = to;
    next.metadata.annotations = {
      ...(next.metadata.annotations ?? {}),
      [DESIRED_REPLICAS_ANNOTATION]: String(replicasOf(d)),
      [MAX_REPLICAS_ANNOTATION]: String(replicasOf(d) + maxSurge(d)),
    };
    const updated = store.update(GR.replicasets, next);
    if (from !== to) recorder.event(d, 'Normal', 'ScalingReplicaSet', `Scaled ${to > from ? 'up' : 'down'} replica set ${rs.metadata.name} from ${from} to ${to}`);
    return updated;
  }

  function createNewReplicaSet(d: KObject, replicas: number, revision: number): KObject | undefined {
    const want = newReplicaSetFor(d, replicas, revision);
    try {
      const rs = store.create(GR.replicasets, want);
      if (replicas > 0) recorder.event(d, 'Normal', 'ScalingReplicaSet', `Scaled up replica set ${rs.metadata.name} from 0 to ${replicas}`);
      const fresh = store.get(GR.deployments, d.metadata.namespace, d.metadata.name);
      const next = structuredClone(fresh) as KObject;
      next.status = { ...(next.status ?? {}) };
      next.status.conditions = setCondition(next.status.conditions ?? [], { type: 'Progressing', status: 'True', reason: 'NewReplicaSetCreated', message: `Created new replica set "${rs.metadata.name}"` }, now());
      store.update(GR.deployments, next, { subresource: 'status' });
      return rs;
    } catch (err) {
      if ((err as { reason?: string }).reason !== 'AlreadyExists') throw err;
      const existing = store.tryGet(GR.replicasets, d.metadata.namespace, want.metadata.name);
      // Our own ReplicaSet that the cache has not shown us yet.
      if (existing && controllerRef(existing)?.uid === d.metadata.uid && templatesEqualIgnoringHash(existing.spec?.template, d.spec.template)) return existing;
      // A hash collision: count it, so the next hash differs.
      const fresh = structuredClone(store.get(GR.deployments, d.metadata.namespace, d.metadata.name)) as KObject;
      fresh.status = { ...(fresh.status ?? {}), collisionCount: (fresh.status?.collisionCount ?? 0) + 1 };
      store.update(GR.deployments, fresh, { subresource: 'status' });
      return undefined; // the status update enqueues the Deployment again
    }
  }

  function reconcile(key: string): ReconcileResult | void {
    const { namespace, name } = splitKey(key);
    const d = deployments.get(namespace, name);
    if (!d || d.metadata.deletionTimestamp) return;
    const owned = ownedBy(replicaSets, d).filter((rs) => !rs.metadata.deletionTimestamp);
    const byAge = owned.sort((a, b) => (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? '') || a.metadata.name.localeCompare(b.metadata.name));
    let newRS = byAge.find((rs) => templatesEqualIgnoringHash(rs.spec?.template, d.spec?.template));
    let oldRSs = byAge.filter((rs) => rs !== newRS);
    const maxOldRevision = Math.max(0, ...oldRSs.map(revisionOf));
    const desired = replicasOf(d);

    if (!d.spec?.paused) {
      // Recreate: the old pods go entirely before the new ReplicaSet gets any.
      if (!isRollingUpdate(d)) {
        const scaledOld = oldRSs.filter((rs) => (rs.spec?.replicas ?? 0) > 0).map((rs) => scale(d, rs, 0));
        if (scaledOld.length) return syncStatus(d, newRS);
        const oldPodsRunning = oldRSs.some((rs) => ownedBy(pods, rs).some((p) => !isTerminal(p)));
        if (oldPodsRunning) return syncStatus(d, newRS);
      }
      if (!newRS) {
        const created = createNewReplicaSet(d, newReplicaSetReplicas(d, byAge, undefined), maxOldRevision + 1);
        if (!created) return;
        newRS = created;
        return syncStatus(d, newRS);
      }
      if (revisionOf(newRS) <= maxOldRevision && oldRSs.length) {
        // a rollback to an older template: it becomes the newest revision again
        // (the revisions it had are kept in revision-history, as SetNewReplicaSetAnnotations does)
        const next = structuredClone(newRS) as KObject;
        const history = next.metadata.annotations?.[REVISION_HISTORY_ANNOTATION];
        next.metadata.annotations = {
          ...(next.metadata.annotations ?? {}),
          [REVISION_ANNOTATION]: String(maxOldRevision + 1),
          [REVISION_HISTORY_ANNOTATION]: history ? `${history},${revisionOf(newRS)}` : String(revisionOf(newRS)),
        };
        newRS = store.update(GR.replicasets, next);
      }
      const current = newRS.spec?.replicas ?? 0;
      const target = current > desired ? desired : newReplicaSetReplicas(d, byAge, newRS);
      if (target !== current) {
        scale(d, newRS, target);
        return syncStatus(d, newRS);
      }
      if (isRollingUpdate(d)) {
        const downs = oldReplicaSetScaleDown(d, byAge, oldRSs, newRS);
        for (const rs of oldRSs) if (downs.has(rs.metadata.name)) scale(d, rs, downs.get(rs.metadata.name)!);
        if (downs.size) return syncStatus(d, newRS);
      }
      oldRSs = oldRSs.filter((rs) => replicaSets.get(rs.metadata.namespace, rs.metadata.name));
      cleanupHistory(d, oldRSs);
    }
    return syncStatus(d, newRS);
  }

  function cleanupHistory(d: KObject, oldRSs: KObject[]): void {
    const limit = d.spec?.revisionHistoryLimit ?? 10;
    const idle = oldRSs.filter((rs) => (rs.spec?.replicas ?? 0) === 0 && (rs.status?.replicas ?? 0) === 0).sort((a, b) => revisionOf(a) - revisionOf(b));
    for (const rs of idle.slice(0, Math.max(0, idle.length - limit))) {
      try {
        store.delete(GR.replicasets, rs.metadata.namespace, rs.metadata.name, { preconditions: { uid: rs.metadata.uid } });
      } catch {
        /* gone already */
      }
    }
  }

  function syncStatus(d: KObject, newRS: KObject | undefined): ReconcileResult | void {
    const fresh = store.tryGet(GR.deployments, d.metadata.namespace, d.metadata.name);
    if (!fresh || fresh.metadata.uid !== d.metadata.uid) return;
    const allRSs = ownedBy(replicaSets, d);
    const nrs = newRS && (replicaSets.get(newRS.metadata.namespace, newRS.metadata.name) ?? newRS);
    const status = computeDeploymentStatus(fresh, allRSs, nrs, now());
    const next = structuredClone(fresh) as KObject;
    if (nrs) {
      next.metadata.annotations = { ...(next.metadata.annotations ?? {}), [REVISION_ANNOTATION]: String(revisionOf(nrs)) };
    }
    if (JSON.stringify(next.metadata.annotations ?? {}) !== JSON.stringify(fresh.metadata.annotations ?? {})) {
      const updated = store.update(GR.deployments, next);
      next.metadata.resourceVersion = updated.metadata.resourceVersion;
    }
    if (canonicalJSON(status) !== canonicalJSON(fresh.status ?? {})) {
      next.status = status;
      store.update(GR.deployments, next, { subresource: 'status' });
    }
    // Come back when the progress deadline passes, to report ProgressDeadlineExceeded.
    const cond = (status.conditions as Condition[]).find((c) => c.type === 'Progressing');
    if (cond && !d.spec?.paused && !isComplete(fresh, status) && !progressDeadlineExceeded(fresh, cond, now())) {
      const due = (Date.parse(cond.lastUpdateTime ?? '') || 0) + progressDeadlineSeconds(fresh) * 1000 - now().getTime();
      return { requeueAfterMs: Math.max(1000, due + 1000) };
    }
  }

  const controller = new Controller({ name: 'deployment-controller', reconcile });
  const enqueueOwnerOfRS = (rs: KObject) => {
    const ref = controllerRef(rs);
    if (ref?.kind === 'Deployment') controller.enqueue(`${rs.metadata.namespace}/${ref.name}`);
  };
  deployments.addHandlers({
    onAdd: (d) => controller.enqueue(keyOf(d)),
    onUpdate: (d) => controller.enqueue(keyOf(d)),
    onDelete: (d) => controller.enqueue(keyOf(d)),
  });
  replicaSets.addHandlers({ onAdd: enqueueOwnerOfRS, onUpdate: enqueueOwnerOfRS, onDelete: enqueueOwnerOfRS });
  // Recreate waits for the old pods to be gone.
  pods.addHandlers({
    onDelete(pod) {
      const ref = controllerRef(pod);
      if (ref?.kind !== 'ReplicaSet') return;
      const rs = replicaSets.get(pod.metadata.namespace, ref.name);
      if (rs) enqueueOwnerOfRS(rs);
    },
  });
  return controller;
}
