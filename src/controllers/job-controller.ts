// The Job controller: runs a Job's pods to completion (completions, parallelism, Indexed mode),
// replaces failed pods with back-off up to backoffLimit, enforces activeDeadlineSeconds, writes
// status and the Complete/Failed conditions, and deletes finished Jobs after ttlSecondsAfterFinished
// (the TTL-after-finished controller). The decisions are in job-logic.ts.
import type { EventRecorder } from '../api/events.js';
import type { Informer } from '../api/informer.js';
import { keyOf } from '../api/informer.js';
import type { ObjectStore } from '../api/store.js';
import { GR, type KObject } from '../api/types.js';
import { Controller, splitKey, type ReconcileResult } from './controller.js';
import { Expectations } from './expectations.js';
import { byController, CONTROLLER_INDEX, ownedBy } from './indexes.js';
import { COMPLETION_INDEX, planJob, type JobPlan } from './job-logic.js';
import { controllerRef, ownerRefTo } from './pod-util.js';

/* eslint-disable @typescript-eslint/no-explicit-any */

export interface JobControllerDeps {
  store: ObjectStore;
  jobs: Informer;
  pods: Informer;
  recorder: EventRecorder;
  now: () => Date;
  backoff?: { baseMs: number; maxMs: number };
}

/** A pod for the Job; Indexed pods get their index as annotation, label, env and hostname. */
export function jobPodFromTemplate(job: KObject, index: number | undefined): KObject {
  const tmpl = job.spec?.template ?? {};
  const spec = structuredClone(tmpl.spec ?? {});
  const metadata: KObject['metadata'] = {
    name: '',
    generateName: index === undefined ? `${job.metadata.name}-` : `${job.metadata.name}-${index}-`,
    namespace: job.metadata.namespace,
    labels: { ...(tmpl.metadata?.labels ?? {}) },
    annotations: { ...(tmpl.metadata?.annotations ?? {}) },
    ownerReferences: [ownerRefTo(job)],
  };
  delete (metadata as { name?: string }).name;
  if (index !== undefined) {
    metadata.annotations![COMPLETION_INDEX] = String(index);
    metadata.labels![COMPLETION_INDEX] = String(index);
    spec.hostname ??= `${job.metadata.name}-${index}`;
    const env = { name: 'JOB_COMPLETION_INDEX', valueFrom: { fieldRef: { fieldPath: `metadata.annotations['${COMPLETION_INDEX}']` } } };
    for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) c.env = [...(c.env ?? []).filter((e: any) => e.name !== env.name), env];
  }
  if (!Object.keys(metadata.annotations!).length) delete metadata.annotations;
  return { apiVersion: 'v1', kind: 'Pod', metadata, spec };
}

export function createJobController(deps: JobControllerDeps): Controller {
  const { store, jobs, pods, recorder, now } = deps;
  pods.addIndex(CONTROLLER_INDEX, byController);
  const expectations = new Expectations(() => now().getTime());

  function ownedPods(job: KObject): KObject[] {
    return ownedBy(pods, job);
  }

  function reconcile(key: string): ReconcileResult | void {
    const { namespace, name } = splitKey(key);
    const job = jobs.get(namespace, name);
    if (!job) return void expectations.forget(key);
    if (job.metadata.deletionTimestamp) return;
    if (!expectations.satisfied(key)) return { requeueAfterMs: 1000 };
    const plan = planJob(job, ownedPods(job), now(), deps.backoff);
    if (plan.expired) {
      store.delete(GR.jobs, namespace, name, { propagationPolicy: 'Background', preconditions: { uid: job.metadata.uid } });
      return;
    }
    apply(key, job, plan);
    return plan.requeueAfterMs !== undefined ? { requeueAfterMs: Math.max(plan.requeueAfterMs, 10) } : undefined;
  }

  function apply(key: string, job: KObject, plan: JobPlan): void {
    if (plan.remove.length) {
      expectations.expectDeletions(key, plan.remove.map(keyOf));
      for (const p of plan.remove) {
        try {
          store.delete(GR.pods, p.metadata.namespace, p.metadata.name, { preconditions: { uid: p.metadata.uid } });
          recorder.event(job, 'Normal', 'SuccessfulDelete', `Deleted pod: ${p.metadata.name}`);
        } catch (err) {
          expectations.deletionObserved(key, keyOf(p));
          if ((err as { code?: number }).code !== 404) throw err;
        }
      }
    }
    if (plan.create.length) {
      expectations.expectCreations(key, plan.create.length);
      plan.create.forEach((index, i) => {
        try {
          const pod = store.create(GR.pods, jobPodFromTemplate(job, index));
          recorder.event(job, 'Normal', 'SuccessfulCreate', `Created pod: ${pod.metadata.name}`);
        } catch (err) {
          for (let j = i; j < plan.create.length; j++) expectations.creationFailed(key);
          recorder.event(job, 'Warning', 'FailedCreate', `Error creating: ${(err as Error).message}`);
          throw err;
        }
      });
    }
    if (JSON.stringify(plan.status) !== JSON.stringify(job.status ?? {})) {
      const next = structuredClone(job) as KObject;
      next.status = plan.status;
      store.update(GR.jobs, next, { subresource: 'status' });
    }
    if (plan.finished?.type === 'Complete') recorder.event(job, 'Normal', 'Completed', 'Job completed');
    else if (plan.finished) recorder.event(job, 'Warning', plan.finished.reason ?? 'Failed', plan.finished.message ?? 'Job failed');
  }

  const controller = new Controller({ name: 'job-controller', reconcile });
  const jobKeyOf = (pod: KObject) => {
    const ref = controllerRef(pod);
    return ref?.kind === 'Job' ? `${pod.metadata.namespace}/${ref.name}` : undefined;
  };
  jobs.addHandlers({
    onAdd: (j) => controller.enqueue(keyOf(j)),
    onUpdate: (j) => controller.enqueue(keyOf(j)),
    onDelete: (j) => controller.enqueue(keyOf(j)),
  });
  pods.addHandlers({
    onAdd(pod) {
      const k = jobKeyOf(pod);
      if (!k) return;
      expectations.creationObserved(k);
      controller.enqueue(k);
    },
    onUpdate(pod, old) {
      const k = jobKeyOf(pod);
      if (!k) return;
      if (pod.metadata.deletionTimestamp && !old.metadata.deletionTimestamp) expectations.deletionObserved(k, keyOf(pod));
      controller.enqueue(k);
    },
    onDelete(pod) {
      const k = jobKeyOf(pod);
      if (!k) return;
      expectations.deletionObserved(k, keyOf(pod));
      controller.enqueue(k);
    },
  });
  return controller;
}
