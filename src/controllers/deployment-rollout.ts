// The pure arithmetic of the deployment controller (pkg/controller/deployment/util): fenceposts of a
// rolling update, how far to scale the new and the old ReplicaSets, the Deployment's status and its
// Available / Progressing conditions with Kubernetes' reasons and messages.
import { rfc3339 } from '../api/store.js';
import type { KObject } from '../api/types.js';

export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';
export const REVISION_HISTORY_ANNOTATION = 'deployment.kubernetes.io/revision-history';
export const DESIRED_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/desired-replicas';
export const MAX_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/max-replicas';

export function replicasOf(obj: KObject): number {
  return obj.spec?.replicas ?? 1;
}

export function isRollingUpdate(d: KObject): boolean {
  return (d.spec?.strategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
}

/** intstr.GetScaledValueFromIntOrPercent */
export function scaledValue(v: number | string | undefined, total: number, roundUp: boolean, dflt: string): number {
  const x = v ?? dflt;
  if (typeof x === 'number') return x;
  const m = /^(\d+)%$/.exec(x);
  if (!m) return Number.isFinite(Number(x)) ? Number(x) : 0;
  const exact = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(exact) : Math.floor(exact);
}

/** ResolveFenceposts: maxSurge rounds up, maxUnavailable down; both 0 would deadlock, so unavailable = 1. */
export function resolveFenceposts(d: KObject): { maxSurge: number; maxUnavailable: number } {
  const desired = replicasOf(d);
  const ru = d.spec?.strategy?.rollingUpdate ?? {};
  const maxSurge = scaledValue(ru.maxSurge, desired, true, '25%');
  let maxUnavailable = scaledValue(ru.maxUnavailable, desired, false, '25%');
  if (maxSurge === 0 && maxUnavailable === 0) maxUnavailable = 1;
  return { maxSurge, maxUnavailable };
}

export function maxUnavailable(d: KObject): number {
  const desired = replicasOf(d);
  if (!isRollingUpdate(d) || desired === 0) return 0;
  return Math.min(resolveFenceposts(d).maxUnavailable, desired);
}

export function maxSurge(d: KObject): number {
  return isRollingUpdate(d) ? resolveFenceposts(d).maxSurge : 0;
}

const sum = (rss: KObject[], f: (rs: KObject) => number) => rss.reduce((n, rs) => n + f(rs), 0);
export const specReplicas = (rss: KObject[]) => sum(rss, (rs) => rs.spec?.replicas ?? 0);

/** NewRSNewReplicas for RollingUpdate: grow the new ReplicaSet as far as maxSurge allows. */
export function newReplicaSetReplicas(d: KObject, allRSs: KObject[], newRS: KObject | undefined): number {
  const desired = replicasOf(d);
  const current = newRS?.spec?.replicas ?? 0;
  if (!isRollingUpdate(d)) return desired;
  const maxTotal = desired + maxSurge(d);
  const total = specReplicas(allRSs);
  if (total >= maxTotal) return current;
  return current + Math.max(0, Math.min(maxTotal - total, desired - current));
}

/**
 * How many old replicas may go now (reconcileOldReplicaSets): never below desired - maxUnavailable
 * available pods, counting the new ReplicaSet's not-yet-available pods as unavailable.
 */
export function oldReplicaSetScaleDown(d: KObject, allRSs: KObject[], oldRSs: KObject[], newRS: KObject | undefined): Map<string, number> {
  const out = new Map<string, number>();
  const oldCount = specReplicas(oldRSs);
  if (oldCount === 0) return out;
  const minAvailable = replicasOf(d) - maxUnavailable(d);
  const newUnavailable = (newRS?.spec?.replicas ?? 0) - (newRS?.status?.availableReplicas ?? 0);
  let budget = specReplicas(allRSs) - minAvailable - newUnavailable;
  if (budget <= 0) return out;
  const byAge = [...oldRSs].sort((a, b) => (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? '') || a.metadata.name.localeCompare(b.metadata.name));
  const target = new Map(byAge.map((rs) => [rs.metadata.name, rs.spec?.replicas ?? 0]));
  // First the unhealthy old replicas (cleanupUnhealthyReplicas) …
  for (const rs of byAge) {
    if (budget <= 0) break;
    const unhealthy = (rs.spec?.replicas ?? 0) - (rs.status?.availableReplicas ?? 0);
    const n = Math.min(Math.max(unhealthy, 0), budget);
    if (n > 0) {
      target.set(rs.metadata.name, target.get(rs.metadata.name)! - n);
      budget -= n;
    }
  }
  // … then healthy ones, as far as availability allows (scaleDownOldReplicaSetsForRollingUpdate).
  const available = sum(allRSs, (rs) => rs.status?.availableReplicas ?? 0);
  let allowed = available - minAvailable;
  for (const rs of byAge) {
    if (allowed <= 0) break;
    const cur = target.get(rs.metadata.name)!;
    const n = Math.min(cur, allowed);
    if (n > 0) {
      target.set(rs.metadata.name, cur - n);
      allowed -= n;
    }
  }
  for (const rs of byAge) if (target.get(rs.metadata.name) !== (rs.spec?.replicas ?? 0)) out.set(rs.metadata.name, target.get(rs.metadata.name)!);
  return out;
}

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  lastUpdateTime?: string;
  lastTransitionTime?: string;
  reason: string;
  message: string;
}

/** SetDeploymentCondition: same status and reason keeps the old one; a status flip moves lastTransitionTime. */
export function setCondition(conditions: Condition[], c: Condition, now: Date, refresh = false): Condition[] {
  const cur = conditions.find((x) => x.type === c.type);
  if (cur && cur.status === c.status && cur.reason === c.reason && !refresh) return conditions;
  const ts = rfc3339(now);
  const next: Condition = { ...c, lastUpdateTime: ts, lastTransitionTime: cur && cur.status === c.status ? cur.lastTransitionTime : ts };
  return [...conditions.filter((x) => x.type !== c.type), next];
}

export function computeDeploymentStatus(d: KObject, allRSs: KObject[], newRS: KObject | undefined, now: Date): Record<string, unknown> {
  const desired = replicasOf(d);
  const available = sum(allRSs, (rs) => rs.status?.availableReplicas ?? 0);
  const status: Record<string, unknown> = {
    observedGeneration: d.metadata.generation,
    replicas: sum(allRSs, (rs) => rs.status?.replicas ?? 0),
    updatedReplicas: newRS?.status?.replicas ?? 0,
    readyReplicas: sum(allRSs, (rs) => rs.status?.readyReplicas ?? 0),
    availableReplicas: available,
    unavailableReplicas: Math.max(0, specReplicas(allRSs) - available),
  };
  if (d.status?.collisionCount !== undefined) status.collisionCount = d.status.collisionCount;
  let conditions: Condition[] = [...(d.status?.conditions ?? [])];
  conditions = available >= desired - maxUnavailable(d)
    ? setCondition(conditions, { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.' }, now)
    : setCondition(conditions, { type: 'Available', status: 'False', reason: 'MinimumReplicasUnavailable', message: 'Deployment does not have minimum availability.' }, now);
  status.conditions = progressing(d, conditions, status, newRS, now);
  return status;
}

/** DeploymentComplete: every desired replica updated and available, no old ones left. */
export function isComplete(d: KObject, status: Record<string, unknown>): boolean {
  const desired = replicasOf(d);
  return status.updatedReplicas === desired && status.replicas === desired && status.availableReplicas === desired &&
    (status.observedGeneration as number ?? 0) >= (d.metadata.generation ?? 0);
}

function progressing(d: KObject, conditions: Condition[], status: Record<string, unknown>, newRS: KObject | undefined, now: Date): Condition[] {
  if (!newRS || d.spec?.paused) return conditions;
  const rsName = `ReplicaSet "${newRS.metadata.name}"`;
  const cur = conditions.find((c) => c.type === 'Progressing');
  if (cur?.reason === 'NewReplicaSetAvailable' && isComplete(d, status)) return conditions;
  const old = d.status ?? {};
  const oldOld = (old.replicas ?? 0) - (old.updatedReplicas ?? 0);
  const newOld = (status.replicas as number) - (status.updatedReplicas as number);
  const moved = (status.updatedReplicas as number) > (old.updatedReplicas ?? 0) || newOld < oldOld ||
    (status.readyReplicas as number) > (old.readyReplicas ?? 0) || (status.availableReplicas as number) > (old.availableReplicas ?? 0);
  if (isComplete(d, status)) {
    return setCondition(conditions, { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable', message: `${rsName} has successfully progressed.` }, now);
  }
  if (moved) {
    return setCondition(conditions, { type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated', message: `${rsName} is progressing.` }, now, true);
  }
  if (cur && progressDeadlineExceeded(d, cur, now)) {
    return setCondition(conditions, { type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: `${rsName} has timed out progressing.` }, now);
  }
  if (!cur) return setCondition(conditions, { type: 'Progressing', status: 'True', reason: 'FoundNewReplicaSet', message: `Found new replica set "${newRS.metadata.name}"` }, now);
  return conditions;
}

export function progressDeadlineSeconds(d: KObject): number {
  return d.spec?.progressDeadlineSeconds ?? 600;
}

export function progressDeadlineExceeded(d: KObject, cond: Condition, now: Date): boolean {
  if (cond.reason === 'NewReplicaSetAvailable' || cond.reason === 'ProgressDeadlineExceeded') return false;
  const since = Date.parse(cond.lastUpdateTime ?? '') || 0;
  return since + progressDeadlineSeconds(d) * 1000 < now.getTime();
}
