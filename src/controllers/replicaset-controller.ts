// The ReplicaSet controller: keeps spec.replicas active pods (not terminating, not Succeeded/Failed)
// made from the template and owned by the ReplicaSet, adopts matching orphans, releases owned pods
// that stopped matching, and reports replicas/fullyLabeled/ready/available in status.
import type { Informer } from '../api/informer.js';
import { keyOf } from '../api/informer.js';
import { fromLabelSelectorObject, matchesLabels, type Selector } from '../api/selectors.js';
import type { ObjectStore } from '../api/store.js';
import { rfc3339 } from '../api/store.js';
import { GR, type KObject } from '../api/types.js';
import { Controller, splitKey, type ReconcileResult } from './controller.js';
import type { EventRecorder } from '../api/events.js';
import { Expectations } from './expectations.js';
import { byController, CONTROLLER_INDEX, orphanValue, ownedBy } from './indexes.js';
import { controllerRef, isActive, isAvailable, isReady, ownerRefTo, readyCondition, restarts } from './pod-util.js';

const PHASE_RANK: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

/**
 * Orders pods for scale-down, most deletable first (controller.ActivePods): unscheduled before
 * scheduled, Pending < Unknown < Running, not ready before ready, ready for less time first, more
 * restarts first, newer first.
 */
export function rankForDeletion(pods: KObject[]): KObject[] {
  const key = (p: KObject) => ({
    assigned: p.spec?.nodeName ? 1 : 0,
    phase: PHASE_RANK[p.status?.phase ?? 'Pending'] ?? 0,
    ready: isReady(p) ? 1 : 0,
    readySince: Date.parse(readyCondition(p)?.lastTransitionTime ?? '') || 0,
    restarts: restarts(p),
    created: Date.parse(p.metadata.creationTimestamp ?? '') || 0,
  });
  return [...pods].sort((a, b) => {
    const x = key(a);
    const y = key(b);
    return x.assigned - y.assigned || x.phase - y.phase || x.ready - y.ready || y.readySince - x.readySince ||
      y.restarts - x.restarts || y.created - x.created || (a.metadata.name < b.metadata.name ? 1 : -1);
  });
}

export function podFromTemplate(rs: KObject): KObject {
  const tmpl = rs.spec?.template ?? {};
  const metadata: KObject['metadata'] = {
    name: '',
    generateName: `${rs.metadata.name}-`,
    namespace: rs.metadata.namespace,
    labels: { ...(tmpl.metadata?.labels ?? {}) },
    ownerReferences: [ownerRefTo(rs)],
  };
  if (tmpl.metadata?.annotations) metadata.annotations = { ...tmpl.metadata.annotations };
  if (tmpl.metadata?.finalizers) metadata.finalizers = [...tmpl.metadata.finalizers];
  delete (metadata as { name?: string }).name;
  return { apiVersion: 'v1', kind: 'Pod', metadata, spec: structuredClone(tmpl.spec ?? {}) };
}

export interface ReplicaSetStatus {
  replicas: number;
  fullyLabeledReplicas: number;
  readyReplicas: number;
  availableReplicas: number;
  observedGeneration?: number;
  conditions?: unknown[];
}

export function computeReplicaSetStatus(rs: KObject, active: KObject[], now: Date): ReplicaSetStatus {
  const templateLabels: Record<string, string> = rs.spec?.template?.metadata?.labels ?? {};
  const minReady = rs.spec?.minReadySeconds ?? 0;
  const status: ReplicaSetStatus = {
    replicas: active.length,
    fullyLabeledReplicas: active.filter((p) => Object.entries(templateLabels).every(([k, v]) => p.metadata.labels?.[k] === v)).length,
    readyReplicas: active.filter(isReady).length,
    availableReplicas: active.filter((p) => isAvailable(p, minReady, now)).length,
    observedGeneration: rs.metadata.generation,
  };
  return status;
}

export interface ReplicaSetControllerDeps {
  store: ObjectStore;
  replicaSets: Informer;
  pods: Informer;
  recorder: EventRecorder;
  now: () => Date;
}

export function createReplicaSetController(deps: ReplicaSetControllerDeps): Controller {
  const { store, replicaSets, pods, recorder, now } = deps;
  const expectations = new Expectations(() => now().getTime());

  const selectorOf = (rs: KObject): Selector => fromLabelSelectorObject(rs.spec?.selector);

  function reconcile(key: string): ReconcileResult | void {
    const { namespace, name } = splitKey(key);
    const rs = replicaSets.get(namespace, name);
    if (!rs) {
      expectations.forget(key);
      return;
    }
    const selector = selectorOf(rs);
    if (!selector.length) return; // validation refuses these; an empty selector would match every pod
    const owned: KObject[] = [];
    // Its own pods and the namespace's orphans: pods another controller owns are not its business.
    const candidates = [...ownedBy(pods, rs), ...pods.byIndex(CONTROLLER_INDEX, orphanValue(namespace))];
    for (const p of candidates) {
      const ref = controllerRef(p);
      const matches = matchesLabels(selector, p.metadata.labels);
      if (ref?.uid === rs.metadata.uid) {
        if (matches) owned.push(p);
        else if (!p.metadata.deletionTimestamp) release(rs, p);
      } else if (!ref && matches && !p.metadata.deletionTimestamp && !rs.metadata.deletionTimestamp) {
        const adopted = adopt(rs, p);
        if (adopted) owned.push(adopted);
      }
    }
    const active = owned.filter(isActive);
    if (expectations.satisfied(key) && !rs.metadata.deletionTimestamp) manage(key, rs, active);
    return updateStatus(rs, active);
  }

  function adopt(rs: KObject, pod: KObject): KObject | undefined {
    const current = store.tryGet(GR.pods, pod.metadata.namespace, pod.metadata.name);
    if (!current || controllerRef(current) || current.metadata.uid !== pod.metadata.uid) return undefined;
    const next = structuredClone(current) as KObject;
    next.metadata.ownerReferences = [...(next.metadata.ownerReferences ?? []), ownerRefTo(rs)];
    return store.update(GR.pods, next);
  }

  function release(rs: KObject, pod: KObject): void {
    const current = store.tryGet(GR.pods, pod.metadata.namespace, pod.metadata.name);
    if (!current) return;
    const next = structuredClone(current) as KObject;
    next.metadata.ownerReferences = (next.metadata.ownerReferences ?? []).filter((r) => r.uid !== rs.metadata.uid);
    if (!next.metadata.ownerReferences.length) delete next.metadata.ownerReferences;
    store.update(GR.pods, next);
  }

  function manage(key: string, rs: KObject, active: KObject[]): void {
    const desired = rs.spec?.replicas ?? 1;
    const diff = active.length - desired;
    if (diff < 0) {
      const n = Math.min(-diff, 500);
      expectations.expectCreations(key, n);
      for (let i = 0; i < n; i++) {
        try {
          const pod = store.create(GR.pods, podFromTemplate(rs));
          recorder.event(rs, 'Normal', 'SuccessfulCreate', `Created pod: ${pod.metadata.name}`);
        } catch (err) {
          for (let j = i; j < n; j++) expectations.creationFailed(key);
          recorder.event(rs, 'Warning', 'FailedCreate', `Error creating: ${(err as Error).message}`);
          setFailureCondition(rs, (err as Error).message);
          throw err;
        }
      }
    } else if (diff > 0) {
      const victims = rankForDeletion(active).slice(0, diff);
      expectations.expectDeletions(key, victims.map(keyOf));
      for (const pod of victims) {
        try {
          store.delete(GR.pods, pod.metadata.namespace, pod.metadata.name, { preconditions: { uid: pod.metadata.uid } });
          recorder.event(rs, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`);
        } catch (err) {
          expectations.deletionObserved(key, keyOf(pod));
          if ((err as { code?: number }).code !== 404) throw err;
        }
      }
    }
  }

  function setFailureCondition(rs: KObject, message: string): void {
    const current = store.tryGet(GR.replicasets, rs.metadata.namespace, rs.metadata.name);
    if (!current) return;
    const next = structuredClone(current) as KObject;
    next.status ??= {};
    next.status.conditions = [{ type: 'ReplicaFailure', status: 'True', lastTransitionTime: rfc3339(now()), reason: 'FailedCreate', message }];
    store.update(GR.replicasets, next, { subresource: 'status' });
  }

  function updateStatus(rs: KObject, active: KObject[]): ReconcileResult | void {
    const status = computeReplicaSetStatus(rs, active, now());
    const desired = rs.spec?.replicas ?? 1;
    // The failure condition stays until the ReplicaSet has all its pods again.
    const failure = (rs.status?.conditions ?? []).filter((c: { type: string }) => c.type === 'ReplicaFailure');
    if (failure.length && active.length < desired) status.conditions = failure;
    const old = { ...(rs.status ?? {}) };
    const same = ['replicas', 'fullyLabeledReplicas', 'readyReplicas', 'availableReplicas', 'observedGeneration']
      .every((f) => (old[f] ?? 0) === ((status as unknown as Record<string, unknown>)[f] ?? 0)) &&
      JSON.stringify(old.conditions ?? []) === JSON.stringify(status.conditions ?? []);
    if (!same) {
      const next = structuredClone(rs) as KObject;
      next.status = status;
      store.update(GR.replicasets, next, { subresource: 'status' });
    }
    // Pods that are ready but not yet available for minReadySeconds: look again when they will be.
    const minReady = rs.spec?.minReadySeconds ?? 0;
    if (minReady && status.readyReplicas > status.availableReplicas) return { requeueAfterMs: minReady * 1000 };
  }

  pods.addIndex(CONTROLLER_INDEX, byController);
  const controller = new Controller({ name: 'replicaset-controller', reconcile });

  const enqueueOwner = (pod: KObject) => {
    const ref = controllerRef(pod);
    if (ref?.kind === 'ReplicaSet') {
      controller.enqueue(`${pod.metadata.namespace}/${ref.name}`);
      return;
    }
    if (ref) return;
    for (const rs of replicaSets.list(pod.metadata.namespace)) {
      const sel = selectorOf(rs);
      if (sel.length && matchesLabels(sel, pod.metadata.labels)) controller.enqueue(keyOf(rs));
    }
  };
  const rsKeyOf = (pod: KObject) => {
    const ref = controllerRef(pod);
    return ref?.kind === 'ReplicaSet' ? `${pod.metadata.namespace}/${ref.name}` : undefined;
  };
  replicaSets.addHandlers({
    onAdd: (rs) => controller.enqueue(keyOf(rs)),
    onUpdate: (rs) => controller.enqueue(keyOf(rs)),
    onDelete: (rs) => controller.enqueue(keyOf(rs)),
  });
  pods.addHandlers({
    onAdd(pod) {
      const k = rsKeyOf(pod);
      if (k) expectations.creationObserved(k);
      if (pod.metadata.deletionTimestamp && k) expectations.deletionObserved(k, keyOf(pod));
      enqueueOwner(pod);
    },
    onUpdate(pod, old) {
      const k = rsKeyOf(pod);
      if (k && pod.metadata.deletionTimestamp && !old.metadata.deletionTimestamp) expectations.deletionObserved(k, keyOf(pod));
      if (JSON.stringify(controllerRef(old)) !== JSON.stringify(controllerRef(pod)) ||
        JSON.stringify(old.metadata.labels) !== JSON.stringify(pod.metadata.labels)) enqueueOwner(old);
      enqueueOwner(pod);
    },
    onDelete(pod) {
      const k = rsKeyOf(pod);
      if (k) expectations.deletionObserved(k, keyOf(pod));
      enqueueOwner(pod);
    },
  });
  return controller;
}
