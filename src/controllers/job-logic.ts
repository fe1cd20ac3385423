// The pure core of the Job controller (pkg/controller/job): from a Job and its pods, what to create,
// what to delete, and the status to write. No store, no clock: `now` is passed in.
import type { KObject } from '../api/types.js';
import { isActive, isReady } from './pod-util.js';

/* eslint-disable @typescript-eslint/no-explicit-any */

export const COMPLETION_INDEX = 'batch.kubernetes.io/job-completion-index';
/** Pod failure back-off: 10 s doubling, capped at 6 min (DefaultJobPodFailureBackOff / MaxJobPodFailureBackOff). */
export const BACKOFF_BASE_MS = 10_000;
export const BACKOFF_MAX_MS = 360_000;

export interface JobCondition {
  type: string;
  status: string;
  lastProbeTime: string;
  lastTransitionTime: string;
  reason?: string;
  message?: string;
}

export interface JobPlan {
  /** Pods to create now: index for Indexed jobs, undefined otherwise. */
  create: (number | undefined)[];
  /** Active pods to delete (job finished, too many, suspended). */
  remove: KObject[];
  status: any;
  /** Reconcile again after this long (deadline, back-off, TTL). */
  requeueAfterMs?: number;
  /** Newly reached: Complete / Failed(reason). */
  finished?: { type: 'Complete' | 'Failed'; reason?: string; message?: string };
  /** Job finished and its TTL ran out: delete it. */
  expired?: boolean;
}

export function podIndex(pod: KObject): number | undefined {
  const v = pod.metadata.annotations?.[COMPLETION_INDEX] ?? pod.metadata.labels?.[COMPLETION_INDEX];
  const n = v === undefined ? NaN : Number(v);
  return Number.isInteger(n) && n >= 0 ? n : undefined;
}

export function finishedCondition(job: KObject): JobCondition | undefined {
  return (job.status?.conditions ?? []).find((c: JobCondition) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
}

/** "1,3-5" from [1,3,4,5], as status.completedIndexes. */
export function formatIndexes(indexes: Iterable<number>): string {
  const sorted = [...new Set(indexes)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; i++) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    parts.push(j === i ? String(sorted[i]) : `${sorted[i]}-${sorted[j]}`);
    i = j;
  }
  return parts.join(',');
}

const ts = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

function lastFailureTime(pods: KObject[]): number {
  let t = 0;
  for (const p of pods) {
    for (const cs of p.status?.containerStatuses ?? []) {
      const f = cs.state?.terminated?.finishedAt ?? cs.lastState?.terminated?.finishedAt;
      if (f) t = Math.max(t, Date.parse(f));
    }
    if (!t && p.status?.phase === 'Failed') t = Math.max(t, Date.parse(p.metadata.creationTimestamp ?? '') || 0);
  }
  return t;
}

export function planJob(job: KObject, pods: KObject[], now: Date, backoff = { baseMs: BACKOFF_BASE_MS, maxMs: BACKOFF_MAX_MS }): JobPlan {
  const spec = job.spec ?? {};
  const prev = job.status ?? {};
  const indexed = spec.completionMode === 'Indexed';
  const active = pods.filter(isActive);
  const succeededPods = pods.filter((p) => p.status?.phase === 'Succeeded');
  const failedPods = pods.filter((p) => p.status?.phase === 'Failed');
  // With OnFailure the kubelet restarts containers in place: each restart counts as a failure.
  const restarts = active.reduce((n, p) => n + (p.status?.containerStatuses ?? []).reduce((m: number, c: any) => m + (c.restartCount ?? 0), 0), 0);
  const completions: number | undefined = typeof spec.completions === 'number' ? spec.completions : undefined;
  const parallelism: number = spec.parallelism ?? 1;
  const completedIndexes = new Set<number>();
  if (indexed) for (const p of succeededPods) {
    const i = podIndex(p);
    if (i !== undefined && i < (completions ?? 0)) completedIndexes.add(i);
  }
  const succeeded = Math.max(prev.succeeded ?? 0, indexed ? completedIndexes.size : succeededPods.length);
  const failed = Math.max(prev.failed ?? 0, failedPods.length);
  const status: any = {
    ...prev,
    active: active.length,
    ready: active.filter(isReady).length,
    succeeded,
    failed,
    terminating: pods.filter((p) => p.metadata.deletionTimestamp && !(p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed')).length,
    uncountedTerminatedPods: {},
  };
  if (indexed) status.completedIndexes = formatIndexes(completedIndexes);
  if (!status.active) delete status.active;
  if (!status.succeeded) delete status.succeeded;
  if (!status.failed) delete status.failed;
  if (!status.terminating) delete status.terminating;
  if (indexed && !status.completedIndexes) delete status.completedIndexes;
  const plan: JobPlan = { create: [], remove: [], status };

  const done = finishedCondition(job);
  if (done) {
    plan.remove = active;
    const ttl = spec.ttlSecondsAfterFinished;
    if (typeof ttl === 'number') {
      const at = Date.parse(prev.completionTime ?? done.lastTransitionTime) + ttl * 1000;
      if (now.getTime() >= at) plan.expired = true;
      else plan.requeueAfterMs = at - now.getTime();
    }
    return plan;
  }

  const conditions: JobCondition[] = [...(prev.conditions ?? [])];
  const setCondition = (type: string, st: string, reason?: string, message?: string) => {
    const i = conditions.findIndex((c) => c.type === type);
    if (i >= 0 && conditions[i].status === st && conditions[i].reason === reason) return;
    const c: JobCondition = { type, status: st, lastProbeTime: ts(now), lastTransitionTime: ts(now), ...(reason ? { reason } : {}), ...(message ? { message } : {}) };
    if (i >= 0) conditions[i] = c;
    else conditions.push(c);
  };

  if (spec.suspend) {
    plan.remove = active;
    setCondition('Suspended', 'True', 'JobSuspended', 'Job suspended');
    delete status.startTime;
    status.conditions = conditions;
    return plan;
  }
  if (conditions.some((c) => c.type === 'Suspended' && c.status === 'True')) setCondition('Suspended', 'False', 'JobResumed', 'Job resumed');
  status.startTime ??= ts(now);

  const finish = (type: 'Complete' | 'Failed', reason?: string, message?: string) => {
    if (type === 'Failed') setCondition('FailureTarget', 'True', reason, message);
    setCondition(type, 'True', reason, message);
    status.conditions = conditions;
    if (type === 'Complete') status.completionTime = ts(now);
    plan.finished = { type, reason, message };
    plan.remove = active;
    delete status.active;
    status.ready = 0;
  };

  // Success first: a Job whose last pod succeeded is Complete even if its deadline just passed.
  const complete = indexed ? completedIndexes.size >= (completions ?? 0)
    : completions !== undefined ? succeeded >= completions : succeeded > 0 && active.length === 0;
  if (complete) {
    finish('Complete');
    return plan;
  }
  const deadline = spec.activeDeadlineSeconds;
  if (typeof deadline === 'number') {
    const left = Date.parse(status.startTime) + deadline * 1000 - now.getTime();
    if (left <= 0) {
      finish('Failed', 'DeadlineExceeded', 'Job was active longer than specified deadline');
      return plan;
    }
    plan.requeueAfterMs = left;
  }
  if (failed + restarts > (spec.backoffLimit ?? 6)) {
    finish('Failed', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit');
    return plan;
  }
  if (conditions.length) status.conditions = conditions;

  // Back-off before replacing failed pods: 10 s × 2^(failures-1), from the last failure.
  if (failed > 0) {
    const delay = Math.min(backoff.baseMs * 2 ** (failed - 1), backoff.maxMs);
    const wait = lastFailureTime(failedPods) + delay - now.getTime();
    if (wait > 0) {
      plan.requeueAfterMs = Math.min(plan.requeueAfterMs ?? Infinity, wait);
      return plan;
    }
  }

  if (indexed) {
    const busy = new Set(active.map(podIndex));
    const want = Math.max(0, parallelism - active.length);
    for (let i = 0; i < (completions ?? 0) && plan.create.length < want; i++) {
      if (!completedIndexes.has(i) && !busy.has(i)) plan.create.push(i);
    }
  } else {
    const remaining = completions !== undefined ? completions - succeeded : succeeded > 0 ? 0 : parallelism;
    const wantActive = Math.min(parallelism, remaining);
    for (let n = active.length; n < wantActive; n++) plan.create.push(undefined);
    if (active.length > wantActive) plan.remove = active.slice(0, active.length - wantActive);
  }
  return plan;
}
