// The CronJob controller: starts a Job per schedule time (names `<cronjob>-<minutes since epoch>`),
// honours suspend, concurrencyPolicy Allow/Forbid/Replace and startingDeadlineSeconds, keeps
// status.active / lastScheduleTime / lastSuccessfulTime, and prunes finished Jobs beyond the history
// limits. Time comes from `now`, so tests drive schedules with a fake clock.
import type { EventRecorder } from '../api/events.js';
import type { Informer } from '../api/informer.js';
import { keyOf } from '../api/informer.js';
import type { ObjectStore } from '../api/store.js';
import { GR, type KObject } from '../api/types.js';
import { Controller, splitKey, type ReconcileResult } from './controller.js';
import { isJobFinished, jobFromCronJob, jobNameFor, jobsOverHistory, objectRef, planSchedule } from './cronjob-logic.js';
import { finishedCondition } from './job-logic.js';
import { byController, CONTROLLER_INDEX, ownedBy } from './indexes.js';
import { controllerRef } from './pod-util.js';

export interface CronJobControllerDeps {
  store: ObjectStore;
  cronJobs: Informer;
  jobs: Informer;
  recorder: EventRecorder;
  now: () => Date;
}

const rfc3339 = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

export function createCronJobController(deps: CronJobControllerDeps): Controller {
  const { store, cronJobs, jobs, recorder, now } = deps;
  jobs.addIndex(CONTROLLER_INDEX, byController);

  function reconcile(key: string): ReconcileResult | void {
    const { namespace, name } = splitKey(key);
    const cj = cronJobs.get(namespace, name);
    if (!cj || cj.metadata.deletionTimestamp) return;
    const t = now();
    const children = ownedBy(jobs, cj);
    const status = structuredClone(cj.status ?? {});
    const prevActive = new Set((status.active ?? []).map((r: { uid: string }) => r.uid));
    let active = children.filter((j) => !isJobFinished(j) && !j.metadata.deletionTimestamp);

    for (const j of children) {
      const done = finishedCondition(j);
      if (done && prevActive.has(j.metadata.uid)) recorder.event(cj, 'Normal', 'SawCompletedJob', `Saw completed job: ${j.metadata.name}, status: ${done.type}`);
      if (done?.type === 'Complete' && j.status?.completionTime && (!status.lastSuccessfulTime || j.status.completionTime > status.lastSuccessfulTime)) {
        status.lastSuccessfulTime = j.status.completionTime;
      }
    }

    let requeueAfterMs: number | undefined;
    let plan;
    try {
      plan = cj.spec?.suspend ? undefined : planSchedule(cj, t);
    } catch (err) {
      recorder.event(cj, 'Warning', 'UnparseableSchedule', `unparseable schedule: ${JSON.stringify(cj.spec?.schedule)} : ${(err as Error).message}`);
      return;
    }
    if (plan?.tooManyMissed) {
      recorder.event(cj, 'Warning', 'TooManyMissedTimes', 'too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew');
    }
    if (plan?.next) requeueAfterMs = plan.next.getTime() - t.getTime() + 100;
    const due = plan?.due;
    if (due && !children.some((j) => j.metadata.name === jobNameFor(cj.metadata.name, due))) {
      const policy = cj.spec?.concurrencyPolicy ?? 'Allow';
      if (policy === 'Forbid' && active.length) {
        recorder.event(cj, 'Normal', 'JobAlreadyActive', 'Not starting job because prior execution is running and concurrency policy is Forbid');
        // Kubernetes keeps retrying this schedule time while it is within the deadline: look again soon.
        requeueAfterMs = Math.min(requeueAfterMs ?? Infinity, 1000);
      } else {
        if (policy === 'Replace') {
          for (const j of active) {
            try {
              store.delete(GR.jobs, namespace, j.metadata.name, { propagationPolicy: 'Background' });
              recorder.event(cj, 'Normal', 'SuccessfulDelete', `Deleted job ${j.metadata.name}`);
            } catch (err) {
              if ((err as { code?: number }).code !== 404) throw err;
            }
          }
          active = [];
        }
        try {
          const job = store.create(GR.jobs, jobFromCronJob(cj, due));
          recorder.event(cj, 'Normal', 'SuccessfulCreate', `Created job ${job.metadata.name}`);
          active.push(job);
        } catch (err) {
          if ((err as { code?: number }).code !== 409) {
            recorder.event(cj, 'Warning', 'FailedCreate', `Error creating job: ${(err as Error).message}`);
            throw err;
          }
        }
        status.lastScheduleTime = rfc3339(due);
      }
    }

    for (const j of jobsOverHistory(cj, children)) {
      try {
        store.delete(GR.jobs, namespace, j.metadata.name, { propagationPolicy: 'Background' });
        recorder.event(cj, 'Normal', 'SuccessfulDelete', `Deleted job ${j.metadata.name}`);
      } catch (err) {
        if ((err as { code?: number }).code !== 404) throw err;
      }
    }

    status.active = active.map(objectRef);
    if (!status.active.length) delete status.active;
    if (JSON.stringify(status) !== JSON.stringify(cj.status ?? {})) {
      const next = structuredClone(cj) as KObject;
      next.status = status;
      store.update(GR.cronjobs, next, { subresource: 'status' });
    }
    // Timers cannot wait weeks (a monthly schedule): look again within the hour at the latest.
    return requeueAfterMs !== undefined ? { requeueAfterMs: Math.min(requeueAfterMs, 3_600_000) } : undefined;
  }

  const controller = new Controller({ name: 'cronjob-controller', reconcile });
  const enqueueOwner = (job: KObject) => {
    const ref = controllerRef(job);
    if (ref?.kind === 'CronJob') controller.enqueue(`${job.metadata.namespace}/${ref.name}`);
  };
  cronJobs.addHandlers({
    onAdd: (cj) => controller.enqueue(keyOf(cj)),
    onUpdate: (cj) => controller.enqueue(keyOf(cj)),
  });
  jobs.addHandlers({ onAdd: enqueueOwner, onUpdate: enqueueOwner, onDelete: enqueueOwner });
  return controller;
}
