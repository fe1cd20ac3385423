// The pure core of the CronJob controller (pkg/controller/cronjob, v2): which scheduled time is due,
// the Job name for it, what concurrencyPolicy allows, which finished Jobs fall out of the history
// limits, and when to look again. Schedules are parsed by cron-parser, in spec.timeZone (default UTC,
// as kube-controller-manager's local time in kind is UTC).
import { parseSchedule } from '../api/strategies/batch.js';
import type { KObject } from '../api/types.js';
import { finishedCondition } from './job-logic.js';

/* eslint-disable @typescript-eslint/no-explicit-any */

export const SCHEDULED_TIMESTAMP = 'batch.kubernetes.io/cronjob-scheduled-timestamp';
/** kubectl create job --from=cronjob/x marks its Job so. */
export const INSTANTIATE = 'cronjob.kubernetes.io/instantiate';
const MAX_MISSED = 100;

/** `<cronjob>-<scheduled time in minutes since the epoch>` (getJobName). */
export function jobNameFor(cronJobName: string, scheduled: Date): string {
  return `${cronJobName}-${Math.floor(scheduled.getTime() / 60_000)}`;
}

export interface CronPlan {
  /** A Job is due for this scheduled time. */
  due?: Date;
  /** Due but not started, and why (Forbid with active jobs, too late for startingDeadlineSeconds). */
  skipped?: string;
  /** More than 100 start times were missed (the controller's TooManyMissedTimes warning). */
  tooManyMissed?: boolean;
  /** The next schedule time after now; the controller looks again then. */
  next?: Date;
}

/** mostRecentScheduleTime + nextScheduleTime: the latest unmet schedule time ≤ now, and the next one. */
export function planSchedule(cj: KObject, now: Date): CronPlan {
  const spec = cj.spec ?? {};
  const plan: CronPlan = {};
  let earliest = new Date(cj.status?.lastScheduleTime ?? cj.metadata.creationTimestamp ?? now.toISOString());
  const sds = spec.startingDeadlineSeconds;
  if (typeof sds === 'number') {
    const floor = new Date(now.getTime() - sds * 1000);
    if (floor > earliest) earliest = floor;
  }
  const it = parseSchedule(spec.schedule, earliest, spec.timeZone);
  let missed = 0;
  let last: Date | undefined;
  for (;;) {
    const t = it.next().toDate();
    if (t.getTime() > now.getTime()) {
      plan.next = t;
      break;
    }
    last = t;
    if (++missed > MAX_MISSED * 1000) break; // a schedule far in the past; stop counting
  }
  if (missed > MAX_MISSED) plan.tooManyMissed = true;
  if (last) plan.due = last;
  return plan;
}

export function isJobFinished(job: KObject): boolean {
  return !!finishedCondition(job);
}

/** Finished Jobs beyond successfulJobsHistoryLimit / failedJobsHistoryLimit, oldest first. */
export function jobsOverHistory(cj: KObject, jobs: KObject[]): KObject[] {
  const spec = cj.spec ?? {};
  const byStart = (a: KObject, b: KObject) =>
    Date.parse(a.status?.startTime ?? a.metadata.creationTimestamp ?? '') - Date.parse(b.status?.startTime ?? b.metadata.creationTimestamp ?? '');
  const out: KObject[] = [];
  for (const [type, limit] of [['Complete', spec.successfulJobsHistoryLimit ?? 3], ['Failed', spec.failedJobsHistoryLimit ?? 1]] as const) {
    const finished = jobs.filter((j) => finishedCondition(j)?.type === type).sort(byStart);
    if (finished.length > limit) out.push(...finished.slice(0, finished.length - limit));
  }
  return out;
}

/**
 * A Job from a CronJob's jobTemplate, owned by the CronJob: the controller's for `scheduled`
 * (getJobFromTemplate2, annotated with the scheduled time), or `kubectl create job --from=cronjob/x`'s
 * (`when: 'manual'`, annotated `cronjob.kubernetes.io/instantiate: manual`).
 */
export function jobFromCronJob(cj: KObject, when: Date | 'manual', name = jobNameFor(cj.metadata.name, when === 'manual' ? new Date() : when)): KObject {
  const tmpl = cj.spec?.jobTemplate ?? {};
  const stamp = when === 'manual' ? { [INSTANTIATE]: 'manual' } : { [SCHEDULED_TIMESTAMP]: when.toISOString().replace(/\.\d{3}Z$/, 'Z') };
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name,
      namespace: cj.metadata.namespace,
      labels: { ...(tmpl.metadata?.labels ?? {}) },
      annotations: { ...(tmpl.metadata?.annotations ?? {}), ...stamp },
      ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name: cj.metadata.name, uid: cj.metadata.uid!, controller: true, blockOwnerDeletion: true }],
    },
    spec: structuredClone(tmpl.spec ?? {}),
  };
}

export function objectRef(job: KObject): any {
  return { apiVersion: 'batch/v1', kind: 'Job', name: job.metadata.name, namespace: job.metadata.namespace, uid: job.metadata.uid, resourceVersion: job.metadata.resourceVersion };
}
