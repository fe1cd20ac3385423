import { describe, expect, it } from 'vitest';
import type { KObject } from '../api/types.js';
import { formatIndexes, planJob } from './job-logic.js';

const T0 = new Date('2024-05-01T10:00:00Z');
const at = (s: number) => new Date(T0.getTime() + s * 1000);

function job(spec: object, status: object = {}): KObject {
  return { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j', namespace: 'default', uid: 'u' }, spec: { parallelism: 1, completions: 1, backoffLimit: 6, ...spec }, status };
}
function pod(name: string, phase: string, o: { index?: number; finishedAt?: string; restarts?: number; ready?: boolean } = {}): KObject {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, namespace: 'default', creationTimestamp: T0.toISOString(), ...(o.index !== undefined ? { annotations: { 'batch.kubernetes.io/job-completion-index': String(o.index) } } : {}) },
    status: {
      phase,
      conditions: [{ type: 'Ready', status: o.ready ? 'True' : 'False' }],
      containerStatuses: [{ restartCount: o.restarts ?? 0, state: o.finishedAt ? { terminated: { finishedAt: o.finishedAt } } : { running: {} } }],
    },
  };
}

describe('job controller logic', () => {
  it('starts parallelism pods, never more than the completions still needed', () => {
    expect(planJob(job({ completions: 5, parallelism: 2 }), [], T0).create).toEqual([undefined, undefined]);
    const p = planJob(job({ completions: 3, parallelism: 3 }), [pod('a', 'Succeeded'), pod('b', 'Succeeded'), pod('c', 'Running')], T0);
    expect(p.create).toEqual([]);
    expect(p.status).toMatchObject({ active: 1, succeeded: 2, startTime: '2024-05-01T10:00:00Z' });
  });

  it('is Complete when succeeded reaches completions, with completionTime', () => {
    const p = planJob(job({ completions: 2 }), [pod('a', 'Succeeded'), pod('b', 'Succeeded')], at(5));
    expect(p.finished).toEqual({ type: 'Complete', reason: undefined, message: undefined });
    expect(p.status.conditions).toEqual([{ type: 'Complete', status: 'True', lastProbeTime: '2024-05-01T10:00:05Z', lastTransitionTime: '2024-05-01T10:00:05Z' }]);
    expect(p.status.completionTime).toBe('2024-05-01T10:00:05Z');
  });

  it('with no completions, one success and no active pods completes (work queue pattern)', () => {
    const spec = { completions: undefined, parallelism: 2 };
    expect(planJob(job(spec), [pod('a', 'Succeeded'), pod('b', 'Running')], T0).finished).toBeUndefined();
    expect(planJob(job(spec), [pod('a', 'Succeeded'), pod('b', 'Succeeded')], T0).finished?.type).toBe('Complete');
  });

  it('Indexed: creates the missing indexes, reports completedIndexes', () => {
    const p = planJob(job({ completions: 4, parallelism: 2, completionMode: 'Indexed' }), [pod('a', 'Succeeded', { index: 0 }), pod('b', 'Running', { index: 1 })], T0);
    expect(p.create).toEqual([2]);
    expect(p.status.completedIndexes).toBe('0');
    expect(formatIndexes([5, 1, 2, 3, 7, 8])).toBe('1-3,5,7-8');
  });

  it('backs off 10 s doubling after failures, then fails past backoffLimit', () => {
    const failed1 = pod('a', 'Failed', { finishedAt: '2024-05-01T10:00:00Z' });
    const wait = planJob(job({ backoffLimit: 2 }), [failed1], at(4));
    expect(wait.create).toEqual([]);
    expect(wait.requeueAfterMs).toBe(6000);
    expect(planJob(job({ backoffLimit: 2 }), [failed1], at(10)).create).toEqual([undefined]);
    const failed2 = pod('b', 'Failed', { finishedAt: '2024-05-01T10:00:12Z' });
    expect(planJob(job({ backoffLimit: 2 }), [failed1, failed2], at(20)).requeueAfterMs).toBe(12_000); // 20 s after the last failure
    const p = planJob(job({ backoffLimit: 1 }), [failed1, failed2], at(20));
    expect(p.finished).toEqual({ type: 'Failed', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' });
    expect(p.status.conditions.map((c: { type: string }) => c.type)).toEqual(['FailureTarget', 'Failed']);
  });

  it('counts OnFailure restarts towards the backoff limit', () => {
    const p = planJob(job({ backoffLimit: 2 }), [pod('a', 'Running', { restarts: 3 })], T0);
    expect(p.finished?.reason).toBe('BackoffLimitExceeded');
    expect(p.remove.map((x) => x.metadata.name)).toEqual(['a']);
  });

  it('activeDeadlineSeconds fails the Job and removes its active pods; before it, requeues for it', () => {
    const running = [pod('a', 'Running')];
    const started = { startTime: '2024-05-01T10:00:00Z' };
    expect(planJob(job({ activeDeadlineSeconds: 30 }, started), running, at(10)).requeueAfterMs).toBe(20_000);
    const p = planJob(job({ activeDeadlineSeconds: 30 }, started), running, at(30));
    expect(p.finished).toMatchObject({ type: 'Failed', reason: 'DeadlineExceeded' });
    expect(p.remove).toHaveLength(1);
  });

  it('ttlSecondsAfterFinished: waits, then expires the finished Job', () => {
    const done = { completionTime: '2024-05-01T10:00:00Z', conditions: [{ type: 'Complete', status: 'True', lastTransitionTime: '2024-05-01T10:00:00Z' }] };
    expect(planJob(job({ ttlSecondsAfterFinished: 60 }, done), [], at(10))).toMatchObject({ requeueAfterMs: 50_000 });
    expect(planJob(job({ ttlSecondsAfterFinished: 60 }, done), [], at(60)).expired).toBe(true);
    expect(planJob(job({}, done), [], at(6000)).expired).toBeUndefined();
  });

  it('suspend removes active pods and sets Suspended', () => {
    const p = planJob(job({ suspend: true }), [pod('a', 'Running')], T0);
    expect(p.remove).toHaveLength(1);
    expect(p.status.conditions[0]).toMatchObject({ type: 'Suspended', status: 'True', reason: 'JobSuspended' });
  });
});
