import { describe, expect, it } from 'vitest';
import { buildPodStatus, podPhase, type ContainerStatus } from './pod-status.js';

function cs(state: ContainerStatus['state'], extra: Partial<ContainerStatus> = {}): ContainerStatus {
  return { name: 'c', image: 'busybox', imageID: 'x', ready: false, started: false, restartCount: 0, state, lastState: {}, ...extra };
}
const done = { done: true, failed: false };
const term = (exitCode: number) => ({ terminated: { exitCode, reason: exitCode ? 'Error' : 'Completed', finishedAt: '2024-01-01T00:00:00Z' } });

describe('podPhase', () => {
  it('is Pending while a container never ran or init is incomplete', () => {
    expect(podPhase('Always', done, [cs({ waiting: { reason: 'ContainerCreating' } })])).toBe('Pending');
    expect(podPhase('Always', { done: false, failed: false }, [cs({ running: { startedAt: 'x' } })])).toBe('Pending');
  });

  it('is Running while one runs or restarts', () => {
    expect(podPhase('Always', done, [cs({ running: { startedAt: 'x' } }), cs(term(0))])).toBe('Running');
    expect(podPhase('Always', done, [cs({ waiting: { reason: 'CrashLoopBackOff' } }, { lastState: term(1) })])).toBe('Running');
  });

  it('ends per restartPolicy', () => {
    expect(podPhase('Never', done, [cs(term(0)), cs(term(0))])).toBe('Succeeded');
    expect(podPhase('Never', done, [cs(term(0)), cs(term(2))])).toBe('Failed');
    expect(podPhase('OnFailure', done, [cs(term(0))])).toBe('Succeeded');
    expect(podPhase('Never', { done: false, failed: true }, [])).toBe('Failed');
  });
});

describe('buildPodStatus', () => {
  const base = { restartPolicy: 'Always', hostIP: '127.77.0.2', podIP: '127.77.1.2', startTime: new Date('2024-01-01T00:00:00Z'), init: done, initStatuses: [] };

  it('reports Ready only when every container is ready, with the reason otherwise', () => {
    const s = buildPodStatus({ ...base, prev: undefined, statuses: [cs({ running: { startedAt: 'x' } }, { name: 'app' })], notReadyDetail: 'app must listen on $POD_IP:8080', now: new Date('2024-01-01T00:00:01Z') });
    const ready = s.conditions.find((c: { type: string }) => c.type === 'Ready');
    expect(ready).toMatchObject({ status: 'False', reason: 'ContainersNotReady', message: 'containers with unready status: [app]: app must listen on $POD_IP:8080' });
    expect(s).toMatchObject({ phase: 'Running', podIP: '127.77.1.2', podIPs: [{ ip: '127.77.1.2' }], hostIP: '127.77.0.2', startTime: '2024-01-01T00:00:00Z' });
  });

  it('keeps lastTransitionTime of unchanged conditions', () => {
    const first = buildPodStatus({ ...base, prev: undefined, statuses: [cs({ running: { startedAt: 'x' } }, { ready: true })], now: new Date('2024-01-01T00:00:01Z') });
    const second = buildPodStatus({ ...base, prev: first, statuses: [cs({ running: { startedAt: 'x' } }, { ready: true })], now: new Date('2024-01-01T00:05:00Z') });
    expect(second.conditions.find((c: { type: string }) => c.type === 'Ready').lastTransitionTime).toBe('2024-01-01T00:00:01Z');
    const third = buildPodStatus({ ...base, prev: second, statuses: [cs({ running: { startedAt: 'x' } }, { ready: false })], now: new Date('2024-01-01T00:06:00Z') });
    expect(third.conditions.find((c: { type: string }) => c.type === 'Ready')).toMatchObject({ status: 'False', lastTransitionTime: '2024-01-01T00:06:00Z' });
    expect(third.conditions.find((c: { type: string }) => c.type === 'PodScheduled').lastTransitionTime).toBe('2024-01-01T00:00:01Z');
  });
});
