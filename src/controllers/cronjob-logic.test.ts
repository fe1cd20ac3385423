import { describe, expect, it } from 'vitest';
import type { KObject } from '../api/types.js';
import { jobFromCronJob, jobNameFor, jobsOverHistory, planSchedule } from './cronjob-logic.js';

function cj(spec: object, status: object = {}, created = '2024-05-01T09:00:00Z'): KObject {
  return { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'backup', namespace: 'default', uid: 'cj-uid', creationTimestamp: created }, spec: { schedule: '*/5 * * * *', ...spec }, status };
}
const d = (s: string) => new Date(s);

describe('cronjob schedule (fake clock)', () => {
  it('names Jobs <cronjob>-<minutes since the epoch>', () => {
    expect(jobNameFor('backup', d('2024-05-01T10:05:00Z'))).toBe(`backup-${Date.parse('2024-05-01T10:05:00Z') / 60_000}`);
  });

  it('finds the latest unmet time ≤ now and the next one', () => {
    const p = planSchedule(cj({}, { lastScheduleTime: '2024-05-01T10:00:00Z' }), d('2024-05-01T10:07:30Z'));
    expect(p.due?.toISOString()).toBe('2024-05-01T10:05:00.000Z');
    expect(p.next?.toISOString()).toBe('2024-05-01T10:10:00.000Z');
    const none = planSchedule(cj({}, { lastScheduleTime: '2024-05-01T10:05:00Z' }), d('2024-05-01T10:07:30Z'));
    expect(none.due).toBeUndefined();
  });

  it('starts from creation when never scheduled; startingDeadlineSeconds drops times too old', () => {
    expect(planSchedule(cj({}), d('2024-05-01T09:04:59Z')).due).toBeUndefined();
    expect(planSchedule(cj({}), d('2024-05-01T09:05:00Z')).due?.toISOString()).toBe('2024-05-01T09:05:00.000Z');
    expect(planSchedule(cj({ startingDeadlineSeconds: 60 }), d('2024-05-01T09:07:00Z')).due).toBeUndefined();
    expect(planSchedule(cj({ startingDeadlineSeconds: 180 }), d('2024-05-01T09:07:00Z')).due?.toISOString()).toBe('2024-05-01T09:05:00.000Z');
  });

  it('flags more than 100 missed start times', () => {
    expect(planSchedule(cj({ schedule: '* * * * *' }), d('2024-05-01T11:00:00Z')).tooManyMissed).toBe(true);
    expect(planSchedule(cj({ schedule: '* * * * *', startingDeadlineSeconds: 600 }), d('2024-05-01T11:00:00Z')).tooManyMissed).toBeUndefined();
  });

  it('understands macros (@hourly, @midnight) and timeZone', () => {
    expect(planSchedule(cj({ schedule: '@hourly' }), d('2024-05-01T10:30:00Z')).due?.toISOString()).toBe('2024-05-01T10:00:00.000Z');
    expect(planSchedule(cj({ schedule: '@midnight' }, {}, '2024-04-30T12:00:00Z'), d('2024-05-01T10:30:00Z')).due?.toISOString()).toBe('2024-05-01T00:00:00.000Z');
    // 02:00 in New York (EDT, UTC-4) is 06:00 UTC.
    const ny = planSchedule(cj({ schedule: '0 2 * * *', timeZone: 'America/New_York' }, {}, '2024-04-30T12:00:00Z'), d('2024-05-01T10:00:00Z'));
    expect(ny.due?.toISOString()).toBe('2024-05-01T06:00:00.000Z');
  });

  it('keeps 3 succeeded and 1 failed Job by default, deleting the oldest', () => {
    const j = (name: string, type: string, start: string): KObject => ({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name }, status: { startTime: start, conditions: [{ type, status: 'True' }] } });
    const jobs = [j('a', 'Complete', '2024-05-01T01:00:00Z'), j('b', 'Complete', '2024-05-01T02:00:00Z'), j('c', 'Complete', '2024-05-01T03:00:00Z'),
      j('d', 'Complete', '2024-05-01T04:00:00Z'), j('e', 'Failed', '2024-05-01T01:30:00Z'), j('f', 'Failed', '2024-05-01T02:30:00Z')];
    expect(jobsOverHistory(cj({}), jobs).map((x) => x.metadata.name)).toEqual(['a', 'e']);
    expect(jobsOverHistory(cj({ successfulJobsHistoryLimit: 0, failedJobsHistoryLimit: 2 }), jobs).map((x) => x.metadata.name)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('makes the Job from the template, owned by the CronJob, with the scheduled timestamp', () => {
    const job = jobFromCronJob(cj({ jobTemplate: { metadata: { labels: { x: 'y' } }, spec: { template: { spec: { restartPolicy: 'Never' } } } } }), d('2024-05-01T10:05:00Z'));
    expect(job.metadata).toMatchObject({
      name: `backup-${Date.parse('2024-05-01T10:05:00Z') / 60_000}`, labels: { x: 'y' },
      annotations: { 'batch.kubernetes.io/cronjob-scheduled-timestamp': '2024-05-01T10:05:00Z' },
      ownerReferences: [{ kind: 'CronJob', name: 'backup', uid: 'cj-uid', controller: true }],
    });
  });

  it('makes kubectl create job --from=cronjob/x\'s Job: the given name, marked manual', () => {
    const job = jobFromCronJob(cj({ jobTemplate: { metadata: { annotations: { a: 'b' } }, spec: { template: { spec: { restartPolicy: 'Never' } } } } }), 'manual', 'backup-now');
    expect(job.metadata).toMatchObject({ name: 'backup-now', annotations: { a: 'b', 'cronjob.kubernetes.io/instantiate': 'manual' }, ownerReferences: [{ kind: 'CronJob', controller: true }] });
    expect(job.metadata.annotations?.['batch.kubernetes.io/cronjob-scheduled-timestamp']).toBeUndefined();
    expect(job.spec.template.spec.restartPolicy).toBe('Never');
  });
});
