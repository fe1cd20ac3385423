// Issue 15.2: a CronJob controller that comes back after kdp was down (the store reloaded from
// state.db) catches up as kube-controller-manager does after downtime: one Job for the most recent
// missed time if it is within startingDeadlineSeconds, none otherwise; Jobs that had completed stay
// completed.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { defaultConfig } from '../api/config.js';
import { createEventRecorder } from '../api/events.js';
import { InformerFactory } from '../api/informer.js';
import { SqliteStorage } from '../api/storage/sqlite-storage.js';
import { ObjectStore } from '../api/store.js';
import { registerStrategies } from '../api/strategies/index.js';
import { GR, type KObject } from '../api/types.js';
import { createCronJobController } from './cronjob-controller.js';

const dir = mkdtempSync(join(tmpdir(), 'kdp-cronjob-resume-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let clock = new Date();
const now = () => clock;
let running: { stop(): Promise<void> } | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

const settle = async () => {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
};

/** kdp up on `path`: the store loaded from state.db, the CronJob controller started. */
async function up(path: string) {
  const storage = new SqliteStorage(path);
  const store = new ObjectStore({ storage, now });
  registerStrategies(store, defaultConfig({ upstreamDns: [], stateDir: dir }), { log: () => undefined });
  if (!store.tryGet(GR.namespaces, undefined, 'default')) store.create(GR.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } });
  const informers = new InformerFactory(store);
  const cronJobs = informers.for(GR.cronjobs);
  const jobs = informers.for(GR.jobs);
  const controller = createCronJobController({ store, cronJobs, jobs, recorder: createEventRecorder(store, 'cronjob-controller', now), now });
  cronJobs.start();
  jobs.start();
  controller.start();
  await settle();
  const stop = async () => {
    await controller.stop();
    informers.stop();
    storage.close();
  };
  running = { stop };
  return { store, controller, stop };
}

const minute = (iso: string) => Date.parse(iso) / 60_000;
const jobs = (store: ObjectStore) => store.list(GR.jobs, { namespace: 'default' }).items.map((j: KObject) => j.metadata.name).sort();

async function firstRun(path: string, spec: object) {
  clock = new Date('2024-05-01T10:00:30Z');
  const c = await up(path);
  c.store.create(GR.cronjobs, {
    apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'tick', namespace: 'default' },
    spec: { schedule: '* * * * *', concurrencyPolicy: 'Forbid', jobTemplate: { spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox', command: ['true'] }] } } } }, ...spec },
  });
  clock = new Date('2024-05-01T10:01:01Z');
  c.controller.enqueue('default/tick');
  await settle();
  const name = `tick-${minute('2024-05-01T10:01:00Z')}`;
  expect(jobs(c.store)).toEqual([name]);
  const j = structuredClone(c.store.get(GR.jobs, 'default', name)) as KObject;
  j.status = { succeeded: 1, completionTime: clock.toISOString(), conditions: [{ type: 'Complete', status: 'True', lastTransitionTime: clock.toISOString() }] };
  c.store.update(GR.jobs, j, { subresource: 'status' });
  await settle();
  await c.stop(); // kdp goes down
  running = undefined;
  return name;
}

describe('CronJob catch-up after kdp was down', () => {
  it('one Job for the most recent missed time; the completed Job stays completed', async () => {
    const path = join(dir, 'catch-up.db');
    const done = await firstRun(path, {});
    clock = new Date('2024-05-01T10:05:10Z'); // down for 10:02 … 10:05
    const c = await up(path);
    expect(jobs(c.store)).toEqual([done, `tick-${minute('2024-05-01T10:05:00Z')}`]);
    expect(c.store.get(GR.jobs, 'default', done).status.conditions[0]).toMatchObject({ type: 'Complete', status: 'True' });
    expect(c.store.get(GR.cronjobs, 'default', 'tick').status.lastScheduleTime).toBe('2024-05-01T10:05:00Z');
  });

  it('none when the missed time is older than startingDeadlineSeconds', async () => {
    const path = join(dir, 'deadline.db');
    const done = await firstRun(path, { startingDeadlineSeconds: 5 });
    clock = new Date('2024-05-01T10:05:10Z'); // 10:05 is 10 s late, more than 5
    const c = await up(path);
    expect(jobs(c.store)).toEqual([done]);
  });
});
