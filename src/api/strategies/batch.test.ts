import { describe, expect, test } from 'vitest';
import { GR } from '../types.js';
import { apiError, newStore, obj } from './testing.js';

const podTemplate = (restartPolicy = 'Never') => ({ spec: { restartPolicy, containers: [{ name: 'c', image: 'busybox', command: ['true'] }] } });

describe('Job', () => {
  test('defaults and the generated selector and labels (controller-uid, job-name)', () => {
    const { store } = newStore();
    const j = store.create(GR.jobs, obj('pi', { spec: { template: podTemplate() } }));
    expect(j.spec).toMatchObject({ completions: 1, parallelism: 1, backoffLimit: 6, completionMode: 'NonIndexed', suspend: false });
    expect(j.spec.selector).toEqual({ matchLabels: { 'batch.kubernetes.io/controller-uid': j.metadata.uid } });
    expect(j.spec.template.metadata.labels).toEqual({
      'batch.kubernetes.io/controller-uid': j.metadata.uid, 'batch.kubernetes.io/job-name': 'pi', 'controller-uid': j.metadata.uid, 'job-name': 'pi',
    });
  });

  test('parallelism alone leaves completions unset', () => {
    const { store } = newStore();
    expect(store.create(GR.jobs, obj('w', { spec: { parallelism: 3, template: podTemplate() } })).spec.completions).toBeUndefined();
  });

  test('restartPolicy must be OnFailure or Never; Indexed needs completions; template immutable', () => {
    const { store } = newStore();
    expect(apiError(() => store.create(GR.jobs, obj('a', { spec: { template: podTemplate('Always') } }))).message)
      .toBe('Job.batch "a" is invalid: spec.template.spec.restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never"');
    expect(apiError(() => store.create(GR.jobs, obj('b', { spec: { completionMode: 'Indexed', parallelism: 2, template: podTemplate() } }))).message)
      .toMatch(/spec\.completions: Required value: when completion mode is Indexed/);
    const j = store.create(GR.jobs, obj('c', { spec: { template: podTemplate() } }));
    const changed = structuredClone(j);
    changed.spec.template.spec.containers[0].image = 'alpine';
    expect(apiError(() => store.update(GR.jobs, changed)).message).toMatch(/spec\.template: Invalid value: .*field is immutable/);
  });
});

describe('CronJob', () => {
  test('defaults: Allow, history 3/1, not suspended', () => {
    const { store } = newStore();
    const cj = store.create(GR.cronjobs, obj('c', { spec: { schedule: '@hourly', jobTemplate: { spec: { template: podTemplate() } } } }));
    expect(cj.spec).toMatchObject({ concurrencyPolicy: 'Allow', successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 1, suspend: false });
  });

  test('schedule, timeZone, TZ= and concurrencyPolicy are validated', () => {
    const { store } = newStore();
    const make = (spec: object) => apiError(() => store.create(GR.cronjobs, obj('c', { spec: { schedule: '* * * * *', jobTemplate: { spec: { template: podTemplate() } }, ...spec } }))).message;
    expect(make({ schedule: 'every minute' })).toMatch(/spec\.schedule: Invalid value: "every minute": /);
    expect(make({ schedule: 'TZ=UTC 0 * * * *' })).toMatch(/cannot use TZ or CRON_TZ in schedule, use timeZone field instead/);
    expect(make({ timeZone: 'Nowhere/City' })).toMatch(/spec\.timeZone: Invalid value: "Nowhere\/City": unknown time zone Nowhere\/City/);
    expect(make({ concurrencyPolicy: 'Sometimes' })).toMatch(/spec\.concurrencyPolicy: Unsupported value: "Sometimes": supported values: "Allow", "Forbid", "Replace"/);
    expect(apiError(() => store.create(GR.cronjobs, obj('a-name-that-is-far-too-long-for-a-cronjob-because-of-the-suffix', { spec: { schedule: '@daily', jobTemplate: { spec: { template: podTemplate() } } } }))).message)
      .toMatch(/must be no more than 52 characters/);
  });
});

describe('StatefulSet', () => {
  test('volumeMounts may name volumeClaimTemplates', () => {
    const { store } = newStore();
    const sts = store.create(GR.statefulsets, obj('web', {
      spec: {
        serviceName: 'nginx', selector: { matchLabels: { app: 'web' } },
        template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'n', image: 'nginx', volumeMounts: [{ name: 'www', mountPath: '/usr/share/nginx/html' }] }] } },
        volumeClaimTemplates: [{ metadata: { name: 'www' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
      },
    }));
    expect(sts.spec.template.spec.volumes).toBeUndefined();
  });
});
