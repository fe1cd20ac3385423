// The DaemonSet controller: one pod per eligible node (nodeSelector / required node affinity of the
// template, NoSchedule/NoExecute taints tolerated). Pods are pinned with node affinity on
// `metadata.name` and bound by the scheduler, as in Kubernetes; they carry the DaemonSet's default
// tolerations (not-ready, unreachable, pressure, unschedulable), so a cordoned node keeps its daemon
// pod. A node that joins or starts matching gets one; a pod whose node went or stopped matching is
// deleted; RollingUpdate replaces outdated pods one node at a time (maxUnavailable 1).
import type { EventRecorder } from '../api/events.js';
import type { Informer } from '../api/informer.js';
import { keyOf } from '../api/informer.js';
import type { ObjectStore } from '../api/store.js';
import { GR, type KObject } from '../api/types.js';
import { Controller, splitKey, type ReconcileResult } from './controller.js';
import { byController, CONTROLLER_INDEX, ownedBy } from './indexes.js';
import { computeHash } from './pod-template-hash.js';
import { controllerRef, isActive, isReady, ownerRefTo } from './pod-util.js';
import { matchesNodeSelector, tolerates } from './scheduler.js';

/* eslint-disable @typescript-eslint/no-explicit-any */

const REVISION_LABEL = 'controller-revision-hash';

export const DAEMON_TOLERATIONS = [
  { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
];

export function daemonRevision(ds: KObject): string {
  return computeHash(ds.spec?.template ?? {});
}

/** nodeShouldRunDaemonPod: the template's node selection matches and the node's taints are tolerated. */
export function shouldRunOn(ds: KObject, node: KObject): boolean {
  if (node.metadata.deletionTimestamp) return false;
  const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: '' }, spec: ds.spec?.template?.spec ?? {} } as KObject;
  if (!matchesNodeSelector(pod, node)) return false;
  const tolerations = [...(ds.spec?.template?.spec?.tolerations ?? []), ...DAEMON_TOLERATIONS];
  return (node.spec?.taints ?? []).every((t: any) => (t.effect !== 'NoSchedule' && t.effect !== 'NoExecute') || tolerates(tolerations, t));
}

export function daemonPod(ds: KObject, nodeName: string): KObject {
  const tmpl = ds.spec?.template ?? {};
  const spec = structuredClone(tmpl.spec ?? {});
  const term = { matchFields: [{ key: 'metadata.name', operator: 'In', values: [nodeName] }] };
  spec.affinity = { ...(spec.affinity ?? {}), nodeAffinity: { ...(spec.affinity?.nodeAffinity ?? {}), requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [term] } } };
  const have = new Set((spec.tolerations ?? []).map((t: any) => `${t.key}/${t.effect}`));
  spec.tolerations = [...(spec.tolerations ?? []), ...DAEMON_TOLERATIONS.filter((t) => !have.has(`${t.key}/${t.effect}`))];
  const metadata: KObject['metadata'] = {
    name: '',
    generateName: `${ds.metadata.name}-`,
    namespace: ds.metadata.namespace,
    labels: { ...(tmpl.metadata?.labels ?? {}), [REVISION_LABEL]: daemonRevision(ds), 'pod-template-generation': String(ds.metadata.generation ?? 1) },
    ownerReferences: [ownerRefTo(ds)],
  };
  delete (metadata as { name?: string }).name;
  if (tmpl.metadata?.annotations) metadata.annotations = { ...tmpl.metadata.annotations };
  return { apiVersion: 'v1', kind: 'Pod', metadata, spec };
}

/** The node a daemon pod is for: its spec.nodeName, else the node its affinity pins it to. */
export function podNode(pod: KObject): string | undefined {
  return pod.spec?.nodeName ?? pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms?.[0]?.matchFields?.[0]?.values?.[0];
}

export interface DaemonSetPlan {
  create: string[];
  remove: KObject[];
  status: any;
}

export function planDaemonSet(ds: KObject, nodes: KObject[], pods: KObject[]): DaemonSetPlan {
  const plan: DaemonSetPlan = { create: [], remove: [], status: {} };
  const revision = daemonRevision(ds);
  const byNode = new Map<string, KObject[]>();
  for (const p of pods) {
    const n = podNode(p);
    if (!n) continue;
    if (!byNode.has(n)) byNode.set(n, []);
    byNode.get(n)!.push(p);
  }
  const eligible = nodes.filter((n) => shouldRunOn(ds, n));
  const eligibleNames = new Set(eligible.map((n) => n.metadata.name));
  let desired = 0, current = 0, ready = 0, updated = 0, misscheduled = 0;
  const outdated: KObject[] = [];
  let unavailable = 0;
  for (const node of eligible) {
    desired++;
    const list = byNode.get(node.metadata.name) ?? [];
    const failed = list.filter((p) => p.status?.phase === 'Failed' && !p.metadata.deletionTimestamp);
    plan.remove.push(...failed);
    const active = list.filter(isActive);
    if (!active.length) {
      if (!list.some((p) => p.metadata.deletionTimestamp)) plan.create.push(node.metadata.name);
      unavailable++;
      continue;
    }
    current++;
    // More than one daemon pod on a node: keep the oldest.
    const sorted = [...active].sort((a, b) => Date.parse(a.metadata.creationTimestamp ?? '') - Date.parse(b.metadata.creationTimestamp ?? ''));
    plan.remove.push(...sorted.slice(1));
    const pod = sorted[0];
    if (isReady(pod)) ready++;
    else unavailable++;
    if (pod.metadata.labels?.[REVISION_LABEL] === revision) updated++;
    else outdated.push(pod);
  }
  for (const [node, list] of byNode) {
    if (eligibleNames.has(node)) continue;
    const active = list.filter((p) => !p.metadata.deletionTimestamp);
    if (list.some(isActive)) misscheduled++;
    plan.remove.push(...active);
  }
  if ((ds.spec?.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate' && outdated.length && unavailable === 0) {
    plan.remove.push(outdated[0]);
  }
  plan.status = {
    currentNumberScheduled: current,
    desiredNumberScheduled: desired,
    numberMisscheduled: misscheduled,
    numberReady: ready,
    updatedNumberScheduled: updated,
    numberAvailable: ready,
    observedGeneration: ds.metadata.generation,
  };
  if (desired - ready > 0) plan.status.numberUnavailable = desired - ready;
  return plan;
}

export interface DaemonSetControllerDeps {
  store: ObjectStore;
  daemonSets: Informer;
  pods: Informer;
  nodes: Informer;
  recorder: EventRecorder;
}

export function createDaemonSetController(deps: DaemonSetControllerDeps): Controller {
  const { store, daemonSets, pods, nodes, recorder } = deps;
  pods.addIndex(CONTROLLER_INDEX, byController);
  /** Nodes a pod was just created for, until the cache shows it (a lagging cache must not double up). */
  const pending = new Map<string, Set<string>>();

  function reconcile(key: string): ReconcileResult | void {
    const { namespace, name } = splitKey(key);
    const ds = daemonSets.get(namespace, name);
    if (!ds || ds.metadata.deletionTimestamp) return void pending.delete(key);
    const owned = ownedBy(pods, ds);
    const plan = planDaemonSet(ds, nodes.list(), owned);
    const seen = new Set(owned.map(podNode));
    const waiting = pending.get(key) ?? new Set<string>();
    for (const n of [...waiting]) if (seen.has(n)) waiting.delete(n);
    for (const nodeName of plan.create) {
      if (waiting.has(nodeName)) continue;
      try {
        const pod = store.create(GR.pods, daemonPod(ds, nodeName));
        waiting.add(nodeName);
        recorder.event(ds, 'Normal', 'SuccessfulCreate', `Created pod: ${pod.metadata.name}`);
      } catch (err) {
        recorder.event(ds, 'Warning', 'FailedCreate', `Error creating: ${(err as Error).message}`);
        throw err;
      }
    }
    pending.set(key, waiting);
    for (const pod of plan.remove) {
      try {
        store.delete(GR.pods, namespace, pod.metadata.name, { preconditions: { uid: pod.metadata.uid } });
        recorder.event(ds, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`);
      } catch (err) {
        if ((err as { code?: number }).code !== 404 && (err as { code?: number }).code !== 409) throw err;
      }
    }
    const status = { ...(ds.status ?? {}), ...plan.status };
    if (!plan.status.numberUnavailable) delete status.numberUnavailable;
    if (JSON.stringify(status) !== JSON.stringify(ds.status ?? {})) {
      const next = structuredClone(ds) as KObject;
      next.status = status;
      store.update(GR.daemonsets, next, { subresource: 'status' });
    }
    if (waiting.size) return { requeueAfterMs: 1000 };
  }

  const controller = new Controller({ name: 'daemonset-controller', reconcile });
  const enqueueOwner = (pod: KObject) => {
    const ref = controllerRef(pod);
    if (ref?.kind === 'DaemonSet') controller.enqueue(`${pod.metadata.namespace}/${ref.name}`);
  };
  const enqueueAll = () => {
    for (const ds of daemonSets.list()) controller.enqueue(keyOf(ds));
  };
  daemonSets.addHandlers({
    onAdd: (d) => controller.enqueue(keyOf(d)),
    onUpdate: (d) => controller.enqueue(keyOf(d)),
    onDelete: (d) => controller.enqueue(keyOf(d)),
  });
  pods.addHandlers({ onAdd: enqueueOwner, onUpdate: enqueueOwner, onDelete: enqueueOwner });
  nodes.addHandlers({ onAdd: enqueueAll, onUpdate: enqueueAll, onDelete: enqueueAll });
  return controller;
}
