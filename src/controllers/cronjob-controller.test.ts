// The CronJob controller driven through a store with a fake clock: no real waiting for schedules.
import { afterEach, describe, expect, it } from 'vitest';
import { createEventRecorder } from '../api/events.js';
import { InformerFactory } from '../api/informer.js';
import { ObjectStore } from '../api/store.js';
import { registerStrategies } from '../api/strategies/index.js';
import { defaultConfig } from '../api/config.js';
import { GR, type KObject } from '../api/types.js';
import type { Controller } from './controller.js';
import { createCronJobController } from './cronjob-controller.js';

let clock = new Date('2024-05-01T09:59:30Z');
const now = () => clock;
let stopAll: (() => Promise<void>) | undefined;

afterEach(async () => {
  await stopAll?.();
});

async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
}

function setup(spec: object): { store: ObjectStore; controller: Controller } {
  const store = new ObjectStore({ now });
  registerStrategies(store, defaultConfig({ upstreamDns: [], stateDir: '/nonexistent' }));
  store.create('/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } });
  const informers = new InformerFactory(store);
  const cronJobs = informers.for(GR.cronjobs);
  const jobs = informers.for(GR.jobs);
  const controller = createCronJobController({ store, cronJobs, jobs, recorder: createEventRecorder(store, 'cronjob-controller', now), now });
  cronJobs.start();
  jobs.start();
  controller.start();
  stopAll = async () => {
    await controller.stop();
    informers.stop();
  };
  store.create(GR.cronjobs, {
    apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'tick', namespace: 'default' },
    spec: { schedule: '* * * * *', jobTemplate: { spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox', command: ['true'] }] } } } }, ...spec },
  });
  return { store, controller };
}

const jobNames = (store: ObjectStore) => store.list(GR.jobs, { namespace: 'default' }).items.map((j: KObject) => j.metadata.name).sort();
async function tick(controller: Controller, to: string): Promise<void> {
  clock = new Date(to);
  controller.enqueue('default/tick');
  await settle();
}
function finish(store: ObjectStore, name: string): void {
  const j = structuredClone(store.get(GR.jobs, 'default', name)) as KObject;
  j.status = { completionTime: clock.toISOString(), conditions: [{ type: 'Complete', status: 'True', lastTransitionTime: clock.toISOString() }] };
  store.update(GR.jobs, j, { subresource: 'status' });
}

describe('cronjob controller with a fake clock', () => {
  it('starts one Job per schedule time and records lastScheduleTime', async () => {
    clock = new Date('2024-05-01T09:59:30Z');
    const { store, controller } = setup({});
    await settle();
    expect(jobNames(store)).toEqual([]);
    await tick(controller, '2024-05-01T10:00:01Z');
    const m = Date.parse('2024-05-01T10:00:00Z') / 60_000;
    expect(jobNames(store)).toEqual([`tick-${m}`]);
    await tick(controller, '2024-05-01T10:00:20Z');
    expect(jobNames(store)).toEqual([`tick-${m}`]);
    expect(store.get(GR.cronjobs, 'default', 'tick').status).toMatchObject({ lastScheduleTime: '2024-05-01T10:00:00Z', active: [{ name: `tick-${m}` }] });
  });

  it('Forbid skips a run while one is active; Replace deletes the active one', async () => {
    clock = new Date('2024-05-01T09:59:30Z');
    const forbid = setup({ concurrencyPolicy: 'Forbid' });
    await tick(forbid.controller, '2024-05-01T10:00:01Z');
    await tick(forbid.controller, '2024-05-01T10:01:01Z');
    expect(jobNames(forbid.store)).toHaveLength(1);
    finish(forbid.store, jobNames(forbid.store)[0]);
    await tick(forbid.controller, '2024-05-01T10:01:05Z');
    expect(jobNames(forbid.store)).toHaveLength(2);
    await stopAll!();

    clock = new Date('2024-05-01T09:59:30Z');
    const replace = setup({ concurrencyPolicy: 'Replace' });
    await tick(replace.controller, '2024-05-01T10:00:01Z');
    await tick(replace.controller, '2024-05-01T10:01:01Z');
    expect(jobNames(replace.store)).toEqual([`tick-${Date.parse('2024-05-01T10:01:00Z') / 60_000}`]);
  });

  it('suspend: no Jobs', async () => {
    clock = new Date('2024-05-01T09:59:30Z');
    const { store, controller } = setup({ suspend: true });
    await tick(controller, '2024-05-01T10:05:01Z');
    expect(jobNames(store)).toEqual([]);
  });
});
