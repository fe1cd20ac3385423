// kube-scheduler, reduced to what a one-machine cluster needs: a pod without spec.nodeName is bound
// to a feasible node (Ready, schedulable, nodeSelector/required node affinity match, taints
// tolerated); among those the node with the fewest non-terminated pods wins (ties: name order).
// Binding sets spec.nodeName and the PodScheduled condition, and records a Scheduled Event.
import type { Informer } from '../api/informer.js';
import { keyOf } from '../api/informer.js';
import { rfc3339, type ObjectStore } from '../api/store.js';
import { GR, type KObject } from '../api/types.js';
import { Controller, splitKey } from './controller.js';
import type { EventRecorder } from '../api/events.js';
import { byNode, NODE_INDEX } from './indexes.js';
import { isTerminal } from './pod-util.js';

export const SCHEDULER_NAME = 'default-scheduler';

export type ScheduleResult = { node: string } | { node?: undefined; message: string };

interface Toleration { key?: string; operator?: string; value?: string; effect?: string }
interface Taint { key: string; value?: string; effect: string }
interface NodeSelectorRequirement { key: string; operator: string; values?: string[] }

export function tolerates(tolerations: Toleration[] | undefined, taint: Taint): boolean {
  return (tolerations ?? []).some((t) => {
    if (t.effect && t.effect !== taint.effect) return false;
    if (t.operator === 'Exists') return !t.key || t.key === taint.key;
    return t.key === taint.key && (t.value ?? '') === (taint.value ?? '');
  });
}

function matchesRequirement(labels: Record<string, string>, r: NodeSelectorRequirement): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, r.key);
  const v = labels[r.key];
  switch (r.operator) {
    case 'In': return has && (r.values ?? []).includes(v);
    case 'NotIn': return !has || !(r.values ?? []).includes(v);
    case 'Exists': return has;
    case 'DoesNotExist': return !has;
    case 'Gt': return has && Number(v) > Number(r.values?.[0]);
    case 'Lt': return has && Number(v) < Number(r.values?.[0]);
    default: return false;
  }
}

/** spec.nodeSelector and requiredDuringSchedulingIgnoredDuringExecution node affinity. */
export function matchesNodeSelector(pod: KObject, node: KObject): boolean {
  const labels: Record<string, string> = node.metadata.labels ?? {};
  for (const [k, v] of Object.entries((pod.spec?.nodeSelector ?? {}) as Record<string, string>)) if (labels[k] !== v) return false;
  const terms: { matchExpressions?: NodeSelectorRequirement[]; matchFields?: NodeSelectorRequirement[] }[] | undefined =
    pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  if (!terms?.length) return true;
  return terms.some((t) =>
    (t.matchExpressions ?? []).every((r) => matchesRequirement(labels, r)) &&
    (t.matchFields ?? []).every((r) => matchesRequirement({ 'metadata.name': node.metadata.name }, r)),
  );
}

/** Picks a node for the pod; `podsPerNode` counts the non-terminated pods already on each node. */
export function selectNode(pod: KObject, nodes: KObject[], podsPerNode: Map<string, number>): ScheduleResult {
  const reasons = new Map<string, number>();
  const fail = (why: string) => reasons.set(why, (reasons.get(why) ?? 0) + 1);
  const feasible: KObject[] = [];
  for (const node of [...nodes].sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1))) {
    const ready = (node.status?.conditions ?? []).find((c: { type: string }) => c.type === 'Ready');
    const taints: Taint[] = [...(node.spec?.taints ?? [])];
    if (node.spec?.unschedulable) taints.push({ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' });
    if (ready && ready.status !== 'True') taints.push({ key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' });
    const untolerated = taints.find((t) => (t.effect === 'NoSchedule' || t.effect === 'NoExecute') && !tolerates(pod.spec?.tolerations, t));
    if (node.metadata.deletionTimestamp) fail('node(s) were being deleted');
    else if (untolerated?.key === 'node.kubernetes.io/unschedulable') fail('node(s) were unschedulable');
    else if (untolerated) fail(`node(s) had untolerated taint {${untolerated.key}: ${untolerated.value ?? ''}}`);
    else if (!matchesNodeSelector(pod, node)) fail("node(s) didn't match Pod's node affinity/selector");
    else if ((podsPerNode.get(node.metadata.name) ?? 0) >= Number(node.status?.allocatable?.pods ?? 110)) fail('Too many pods');
    else feasible.push(node);
  }
  if (!feasible.length) {
    const parts = [...reasons.entries()].map(([why, n]) => `${n} ${why}`).sort();
    return {
      message: `0/${nodes.length} nodes are available${parts.length ? `: ${parts.join(', ')}` : ''}. preemption: 0/${nodes.length} nodes are available: ${nodes.length} Preemption is not helpful for scheduling.`,
    };
  }
  let best = feasible[0];
  for (const n of feasible) if ((podsPerNode.get(n.metadata.name) ?? 0) < (podsPerNode.get(best.metadata.name) ?? 0)) best = n;
  return { node: best.metadata.name };
}

export function needsScheduling(pod: KObject): boolean {
  return !pod.spec?.nodeName && !pod.metadata.deletionTimestamp && !isTerminal(pod) &&
    (pod.spec?.schedulerName ?? SCHEDULER_NAME) === SCHEDULER_NAME;
}

function setCondition(pod: KObject, cond: { type: string; status: string; reason?: string; message?: string }, now: Date): KObject | undefined {
  const next = structuredClone(pod) as KObject;
  next.status ??= {};
  const conditions: Record<string, unknown>[] = next.status.conditions ?? [];
  const i = conditions.findIndex((c) => c.type === cond.type);
  const old = i >= 0 ? conditions[i] : undefined;
  if (old && old.status === cond.status && old.reason === cond.reason && old.message === cond.message) return undefined;
  const c: Record<string, unknown> = { type: cond.type, status: cond.status, lastProbeTime: null, lastTransitionTime: old?.status === cond.status ? old.lastTransitionTime : rfc3339(now) };
  if (cond.reason) c.reason = cond.reason;
  if (cond.message) c.message = cond.message;
  if (i >= 0) conditions[i] = c;
  else conditions.push(c);
  next.status.conditions = conditions;
  if (!next.status.phase) next.status.phase = 'Pending';
  return next;
}

export interface SchedulerDeps {
  store: ObjectStore;
  pods: Informer;
  nodes: Informer;
  recorder: EventRecorder;
  now: () => Date;
}

export function createScheduler(deps: SchedulerDeps): Controller {
  const { store, pods, nodes, recorder, now } = deps;
  /** Pods bound by us that the cache has not caught up with yet (the scheduler cache's "assumed" pods). */
  const assumed = new Map<string, string>();

  // Pods per node, kept by the informer's node index (bound, not terminated) as pods change, plus
  // the pods we bound that the cache still shows unbound.
  pods.addIndex(NODE_INDEX, byNode);
  const podsPerNode = (nodeList: KObject[]): Map<string, number> => {
    const counts = new Map<string, number>();
    for (const n of nodeList) counts.set(n.metadata.name, pods.indexCount(NODE_INDEX, n.metadata.name));
    for (const [k, node] of assumed) {
      const { namespace, name } = splitKey(k);
      const p = pods.get(namespace, name);
      if (p?.spec?.nodeName) assumed.delete(k);
      else if (p && !isTerminal(p)) counts.set(node, (counts.get(node) ?? 0) + 1);
    }
    return counts;
  };

  const controller = new Controller({
    name: 'scheduler',
    reconcile(key) {
      const { namespace, name } = splitKey(key);
      const pod = pods.get(namespace, name);
      if (!pod) {
        assumed.delete(key);
        return;
      }
      if (!needsScheduling(pod) || assumed.has(key)) return;
      const current = store.tryGet(GR.pods, namespace, name);
      if (!current || !needsScheduling(current)) return;
      const nodeList = nodes.list();
      const result = selectNode(current, nodeList, podsPerNode(nodeList));
      if (result.node === undefined) {
        const next = setCondition(current, { type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: result.message }, now());
        if (next) {
          store.update(GR.pods, next, { subresource: 'status' });
          recorder.event(current, 'Warning', 'FailedScheduling', result.message);
        }
        return; // a node change enqueues pending pods again
      }
      const bound = structuredClone(current) as KObject;
      bound.spec.nodeName = result.node;
      const updated = store.update(GR.pods, bound);
      assumed.set(key, result.node);
      const withCond = setCondition(updated, { type: 'PodScheduled', status: 'True' }, now());
      if (withCond) store.update(GR.pods, withCond, { subresource: 'status' });
      recorder.event(updated, 'Normal', 'Scheduled', `Successfully assigned ${namespace}/${name} to ${result.node}`);
    },
  });

  const enqueuePending = () => {
    for (const p of pods.list()) if (needsScheduling(p)) controller.enqueue(keyOf(p));
  };
  pods.addHandlers({
    onAdd: (p) => needsScheduling(p) && controller.enqueue(keyOf(p)),
    onUpdate: (p) => needsScheduling(p) && controller.enqueue(keyOf(p)),
    onDelete: (p) => assumed.delete(keyOf(p)),
  });
  nodes.addHandlers({ onAdd: enqueuePending, onUpdate: enqueuePending });
  return controller;
}
