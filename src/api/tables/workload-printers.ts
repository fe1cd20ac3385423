// Printers for apps/v1 and batch/v1 workloads: deployments, replicasets, statefulsets, daemonsets,
// jobs, cronjobs.
import type { KObject } from '../types.js';
import { humanDuration, translateTimestampSince } from './duration.js';
import { containerCells, formatLabels, formatLabelSelector, int } from './format.js';
import { AGE_COLUMN, col, CONTAINERS_COLUMN, IMAGES_COLUMN, NAME_COLUMN, SELECTOR_COLUMN, type Cell, type Printer } from './table-types.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
const age = (o: KObject, now: Date) => translateTimestampSince(o.metadata.creationTimestamp, now);
const replicas = (o: KObject) => (typeof o.spec?.replicas === 'number' ? o.spec.replicas : 1);
const template = (o: KObject) => containerCells(o.spec?.template?.spec?.containers);

export const deploymentPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    col('Ready', 'Number of the pod with ready state'),
    col('Up-to-date', 'Total number of non-terminated pods targeted by this deployment that have the desired template spec.', { type: 'integer' }),
    col('Available', 'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.', { type: 'integer' }),
    AGE_COLUMN, CONTAINERS_COLUMN, IMAGES_COLUMN,
    col('Selector', 'Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment.', { wide: true }),
  ],
  cells(d, now) {
    const st = d.status ?? {};
    return [d.metadata.name, `${int(st.readyReplicas)}/${replicas(d)}`, int(st.updatedReplicas), int(st.availableReplicas), age(d, now), ...template(d), formatLabelSelector(d.spec?.selector)];
  },
};

export const replicaSetPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    col('Desired', 'Replicas is the number of desired pods.', { type: 'integer' }),
    col('Current', 'Replicas is the most recently observed number of non-terminating pods.', { type: 'integer' }),
    col('Ready', 'The number of non-terminating pods targeted by this ReplicaSet with a Ready Condition.', { type: 'integer' }),
    AGE_COLUMN, CONTAINERS_COLUMN, IMAGES_COLUMN, SELECTOR_COLUMN,
  ],
  cells(rs, now) {
    const st = rs.status ?? {};
    return [rs.metadata.name, replicas(rs), int(st.replicas), int(st.readyReplicas), age(rs, now), ...template(rs), formatLabelSelector(rs.spec?.selector)];
  },
};

export const statefulSetPrinter: Printer = {
  columns: [NAME_COLUMN, col('Ready', 'Number of the pod with ready state'), AGE_COLUMN, CONTAINERS_COLUMN, IMAGES_COLUMN],
  cells(s, now) {
    return [s.metadata.name, `${int(s.status?.readyReplicas)}/${replicas(s)}`, age(s, now), ...template(s)];
  },
};

export const daemonSetPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    col('Desired', 'The total number of nodes that should be running the daemon pod (including nodes correctly running the daemon pod).', { type: 'integer' }),
    col('Current', 'The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod.', { type: 'integer' }),
    col('Ready', 'numberReady is the number of nodes that should be running the daemon pod and have one or more of the daemon pod running with a Ready Condition.', { type: 'integer' }),
    col('Up-to-date', 'The total number of nodes that are running updated daemon pod', { type: 'integer' }),
    col('Available', 'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available (ready for at least spec.minReadySeconds)', { type: 'integer' }),
    col('Node Selector', 'NodeSelector is a selector which must be true for the pod to fit on a node.'),
    AGE_COLUMN, CONTAINERS_COLUMN, IMAGES_COLUMN, SELECTOR_COLUMN,
  ],
  cells(ds, now) {
    const st = ds.status ?? {};
    return [
      ds.metadata.name, int(st.desiredNumberScheduled), int(st.currentNumberScheduled), int(st.numberReady),
      int(st.updatedNumberScheduled), int(st.numberAvailable), formatLabels(ds.spec?.template?.spec?.nodeSelector),
      age(ds, now), ...template(ds), formatLabelSelector(ds.spec?.selector),
    ];
  },
};

function hasCondition(o: KObject, type: string): boolean {
  return (o.status?.conditions ?? []).some((c: any) => c.type === type && c.status === 'True');
}

export function jobStatus(job: KObject): string {
  if (hasCondition(job, 'Complete')) return 'Complete';
  if (hasCondition(job, 'Failed')) return 'Failed';
  if (job.metadata.deletionTimestamp) return 'Terminating';
  if (hasCondition(job, 'SuccessCriteriaMet')) return 'SuccessCriteriaMet';
  if (hasCondition(job, 'Suspended')) return 'Suspended';
  if (hasCondition(job, 'FailureTarget')) return 'FailureTarget';
  return 'Running';
}

export const jobPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    col('Status', 'Status of the job.'),
    col('Completions', 'The completion status of the job.'),
    col('Duration', 'Time required to complete the job.'),
    AGE_COLUMN, CONTAINERS_COLUMN, IMAGES_COLUMN,
    col('Selector', 'A label query over pods that should match the pod count.', { wide: true }),
  ],
  cells(job, now): Cell[] {
    const spec = job.spec ?? {};
    const st = job.status ?? {};
    const succeeded = int(st.succeeded);
    let completions: string;
    if (typeof spec.completions === 'number') completions = `${succeeded}/${spec.completions}`;
    else if (typeof spec.parallelism === 'number' && spec.parallelism > 1) completions = `${succeeded}/1 of ${spec.parallelism}`;
    else completions = `${succeeded}/1`;
    let duration = '';
    if (st.startTime) {
      const end = st.completionTime ? Date.parse(st.completionTime) : now.getTime();
      duration = humanDuration(end - Date.parse(st.startTime));
    }
    return [job.metadata.name, jobStatus(job), completions, duration, age(job, now), ...template(job), formatLabelSelector(spec.selector)];
  },
};

export const cronJobPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    col('Schedule', 'The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron.'),
    col('Timezone', 'The time zone name for the given schedule, see https://en.wikipedia.org/wiki/List_of_tz_database_time_zones.'),
    col('Suspend', 'This flag tells the controller to suspend subsequent executions, it does not apply to already started executions.', { type: 'boolean' }),
    col('Active', 'A list of pointers to currently running jobs.', { type: 'integer' }),
    col('Last Schedule', 'Information when was the last time the job was successfully scheduled.'),
    AGE_COLUMN, CONTAINERS_COLUMN, IMAGES_COLUMN,
    col('Selector', 'A label query over pods that should match the pod count.', { wide: true }),
  ],
  cells(cj, now) {
    const spec = cj.spec ?? {};
    const jobSpec = spec.jobTemplate?.spec ?? {};
    const last = cj.status?.lastScheduleTime ? translateTimestampSince(cj.status.lastScheduleTime, now) : '<none>';
    const suspend = typeof spec.suspend === 'boolean' ? (spec.suspend ? 'True' : 'False') : '<unset>';
    return [
      cj.metadata.name, spec.schedule ?? '', spec.timeZone ?? '<none>', suspend, (cj.status?.active ?? []).length, last,
      age(cj, now), ...containerCells(jobSpec.template?.spec?.containers), formatLabelSelector(jobSpec.selector),
    ];
  },
};
