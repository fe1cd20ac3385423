// batch/v1 strategies: Job and CronJob, as kube-apiserver's job and cronjob REST strategies. A Job
// without `manualSelector` gets the generated selector and labels (`batch.kubernetes.io/controller-uid`,
// `batch.kubernetes.io/job-name` and their legacy forms) on create, defaults as SetDefaults_Job.
import { CronExpressionParser } from 'cron-parser';
import { field, type StatusCause } from '../errors.js';
import type { Strategy } from '../store.js';
import type { KObject } from '../types.js';
import { cronJobName } from './core-kinds.js';
import { deepEqual, kindStrategy } from './kind-strategy.js';
import { defaultPodSpec, validatePodSpec } from './pod-spec.js';
import { isDNS1123Subdomain, validateNonnegative } from './validation.js';

/* eslint-disable @typescript-eslint/no-explicit-any */

export const JOB_LABELS = {
  controllerUid: 'batch.kubernetes.io/controller-uid',
  jobName: 'batch.kubernetes.io/job-name',
  legacyControllerUid: 'controller-uid',
  legacyJobName: 'job-name',
  completionIndex: 'batch.kubernetes.io/job-completion-index',
} as const;

/** The cron macros Kubernetes accepts; `@midnight` is `@daily` (cron-parser lacks that alias). */
export function normalizeSchedule(schedule: string): string {
  const s = schedule.trim();
  return s === '@midnight' ? '@daily' : s;
}

/** Parses a CronJob schedule with cron-parser; throws with the library's message when invalid. */
export function parseSchedule(schedule: string, currentDate: Date, tz?: string) {
  return CronExpressionParser.parse(normalizeSchedule(schedule), { currentDate, tz: tz ?? 'UTC' });
}

export function isValidTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

function defaultJobSpec(spec: any): void {
  if (!spec || typeof spec !== 'object') return;
  if (spec.completions === undefined && spec.parallelism === undefined) {
    spec.completions = 1;
    spec.parallelism = 1;
  }
  spec.parallelism ??= 1;
  spec.backoffLimit ??= 6;
  spec.completionMode ||= 'NonIndexed';
  spec.suspend ??= false;
  spec.podReplacementPolicy ||= 'TerminatingOrFailed';
  spec.template ??= {};
  spec.template.metadata ??= {};
  spec.template.spec ??= {};
  defaultPodSpec(spec.template.spec);
}

function validateJobSpec(spec: any, path: string): StatusCause[] {
  const causes: StatusCause[] = [
    ...validateNonnegative(spec?.parallelism, `${path}.parallelism`),
    ...validateNonnegative(spec?.completions, `${path}.completions`),
    ...validateNonnegative(spec?.backoffLimit, `${path}.backoffLimit`),
    ...validateNonnegative(spec?.ttlSecondsAfterFinished, `${path}.ttlSecondsAfterFinished`),
  ];
  if (spec?.activeDeadlineSeconds !== undefined && !(spec.activeDeadlineSeconds > 0)) {
    causes.push(field.invalid(`${path}.activeDeadlineSeconds`, spec.activeDeadlineSeconds, 'must be greater than 0'));
  }
  if (!['NonIndexed', 'Indexed'].includes(spec?.completionMode)) {
    causes.push(field.notSupported(`${path}.completionMode`, spec?.completionMode ?? '', ['NonIndexed', 'Indexed']));
  }
  if (spec?.completionMode === 'Indexed' && typeof spec.completions !== 'number') {
    causes.push(field.required(`${path}.completions`, 'when completion mode is Indexed'));
  }
  causes.push(...validatePodSpec(spec?.template?.spec, `${path}.template.spec`));
  const rp = spec?.template?.spec?.restartPolicy;
  if (rp !== 'OnFailure' && rp !== 'Never') {
    causes.push(rp ? field.notSupported(`${path}.template.spec.restartPolicy`, rp, ['OnFailure', 'Never']) : field.required(`${path}.template.spec.restartPolicy`, 'valid values: "OnFailure", "Never"'));
  }
  return causes;
}

export function jobStrategy(): Strategy {
  return kindStrategy({
    name: isDNS1123Subdomain,
    defaults: (job) => defaultJobSpec((job.spec ??= {})),
    prepareCreate(job) {
      job.status = {};
      const spec = job.spec;
      if (spec.manualSelector) return;
      // The apiserver's generateSelector: a selector on the Job's uid, and the labels on the template.
      const uid = job.metadata.uid!;
      const labels = { [JOB_LABELS.controllerUid]: uid, [JOB_LABELS.jobName]: job.metadata.name, [JOB_LABELS.legacyControllerUid]: uid, [JOB_LABELS.legacyJobName]: job.metadata.name };
      spec.template.metadata.labels = { ...(spec.template.metadata.labels ?? {}), ...labels };
      spec.selector = { matchLabels: { [JOB_LABELS.controllerUid]: uid } };
    },
    validate(job: KObject) {
      const causes = validateJobSpec(job.spec, 'spec');
      if (job.spec?.manualSelector && !job.spec?.selector) causes.push(field.required('spec.selector'));
      return causes;
    },
    validateUpdate(job, old) {
      const causes: StatusCause[] = [];
      if (!deepEqual(job.spec?.selector ?? null, old.spec?.selector ?? null)) causes.push(field.invalid('spec.selector', job.spec?.selector, 'field is immutable'));
      if (!deepEqual(job.spec?.template ?? null, old.spec?.template ?? null) && !old.spec?.suspend) {
        causes.push(field.invalid('spec.template', job.spec?.template, 'field is immutable'));
      }
      if (job.spec?.completionMode !== old.spec?.completionMode) causes.push(field.invalid('spec.completionMode', job.spec?.completionMode, 'field is immutable'));
      return causes;
    },
  });
}

export function cronJobStrategy(): Strategy {
  return kindStrategy({
    name: cronJobName,
    defaults(cj) {
      const spec = (cj.spec ??= {});
      if (typeof spec !== 'object') return;
      spec.concurrencyPolicy ||= 'Allow';
      spec.suspend ??= false;
      spec.successfulJobsHistoryLimit ??= 3;
      spec.failedJobsHistoryLimit ??= 1;
      spec.jobTemplate ??= {};
      defaultJobSpec((spec.jobTemplate.spec ??= {}));
    },
    prepareCreate(cj) {
      cj.status = {};
    },
    validate(cj) {
      const spec = cj.spec ?? {};
      const causes: StatusCause[] = [];
      const schedule: string = spec.schedule ?? '';
      if (!schedule) causes.push(field.required('spec.schedule'));
      else if (/^(CRON_)?TZ=/.test(schedule)) causes.push(field.invalid('spec.schedule', schedule, 'cannot use TZ or CRON_TZ in schedule, use timeZone field instead'));
      else {
        try {
          parseSchedule(schedule, new Date());
        } catch (err) {
          causes.push(field.invalid('spec.schedule', schedule, (err as Error).message));
        }
      }
      if (spec.timeZone !== undefined && spec.timeZone !== null && !isValidTimeZone(spec.timeZone)) {
        causes.push(field.invalid('spec.timeZone', spec.timeZone, `unknown time zone ${spec.timeZone}`));
      }
      if (!['Allow', 'Forbid', 'Replace'].includes(spec.concurrencyPolicy)) {
        causes.push(field.notSupported('spec.concurrencyPolicy', spec.concurrencyPolicy ?? '', ['Allow', 'Forbid', 'Replace']));
      }
      causes.push(...validateNonnegative(spec.startingDeadlineSeconds, 'spec.startingDeadlineSeconds'));
      causes.push(...validateNonnegative(spec.successfulJobsHistoryLimit, 'spec.successfulJobsHistoryLimit'));
      causes.push(...validateNonnegative(spec.failedJobsHistoryLimit, 'spec.failedJobsHistoryLimit'));
      causes.push(...validateJobSpec(spec.jobTemplate?.spec, 'spec.jobTemplate.spec'));
      return causes;
    },
  });
}
