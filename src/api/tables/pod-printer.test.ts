import { describe, expect, it } from 'vitest';
import type { KObject } from '../types.js';
import { toTable } from './to-table.js';

const now = new Date('2024-05-01T12:00:00Z');
const PODS = { group: '', resource: 'pods' };

function pod(extra: Partial<KObject> & { status?: unknown; spec?: unknown } = {}): KObject {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name: 'web', namespace: 'default', creationTimestamp: '2024-05-01T11:55:58Z', ...(extra.metadata ?? {}) },
    spec: { containers: [{ name: 'nginx', image: 'nginx' }], nodeName: 'kdp-worker', ...(extra.spec as object ?? {}) },
    status: extra.status ?? {},
  } as KObject;
}

const cells = (p: KObject) => toTable(PODS, [p], { now }).rows[0].cells;

describe('pod printer', () => {
  it('has kubectl columns, the wide ones at priority 1', () => {
    const t = toTable(PODS, [], { now, resourceVersion: '42' });
    expect(t.kind).toBe('Table');
    expect(t.apiVersion).toBe('meta.k8s.io/v1');
    expect(t.metadata.resourceVersion).toBe('42');
    expect(t.columnDefinitions.map((c) => [c.name, c.priority])).toEqual([
      ['Name', 0], ['Ready', 0], ['Status', 0], ['Restarts', 0], ['Age', 0],
      ['IP', 1], ['Node', 1], ['Nominated Node', 1], ['Readiness Gates', 1],
    ]);
    expect(t.columnDefinitions[0].format).toBe('name');
  });

  it('prints a running ready pod', () => {
    const p = pod({ status: {
      phase: 'Running', podIP: '127.244.1.5', podIPs: [{ ip: '127.244.1.5' }],
      containerStatuses: [{ name: 'nginx', ready: true, restartCount: 0, state: { running: { startedAt: '2024-05-01T11:56:00Z' } } }],
    } });
    expect(cells(p)).toEqual(['web', '1/1', 'Running', '0', '4m2s', '127.244.1.5', 'kdp-worker', '<none>', '<none>']);
  });

  it('shows waiting reasons: ContainerCreating, ErrImagePull, CrashLoopBackOff with restarts ago', () => {
    const waiting = (reason: string, extra: object = {}) => pod({ status: { phase: 'Pending', containerStatuses: [{ name: 'nginx', ready: false, restartCount: 0, state: { waiting: { reason } }, ...extra }] } });
    expect(cells(waiting('ContainerCreating')).slice(1, 4)).toEqual(['0/1', 'ContainerCreating', '0']);
    expect(cells(waiting('ErrImagePull'))[2]).toBe('ErrImagePull');
    const crash = waiting('CrashLoopBackOff', { restartCount: 2, lastState: { terminated: { exitCode: 1, finishedAt: '2024-05-01T11:55:00Z' } } });
    expect(cells(crash).slice(2, 4)).toEqual(['CrashLoopBackOff', '2 (5m ago)']);
  });

  it('prints Completed and ExitCode for finished containers, and marks the row Completed', () => {
    const done = pod({ status: { phase: 'Succeeded', containerStatuses: [{ name: 'c', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } }] } });
    const t = toTable(PODS, [done], { now });
    expect(t.rows[0].cells[2]).toBe('Completed');
    expect(t.rows[0].conditions?.[0]).toMatchObject({ type: 'Completed', status: 'True' });
    const failed = pod({ status: { phase: 'Failed', containerStatuses: [{ name: 'c', state: { terminated: { exitCode: 3 } } }] } });
    expect(cells(failed)[2]).toBe('ExitCode:3');
    const killed = pod({ status: { phase: 'Failed', containerStatuses: [{ name: 'c', state: { terminated: { exitCode: 137, signal: 9 } } }] } });
    expect(cells(killed)[2]).toBe('Signal:9');
  });

  it('is Terminating once deletionTimestamp is set, unless the pod already finished', () => {
    const p = pod({ metadata: { name: 'web', deletionTimestamp: '2024-05-01T11:59:00Z' } as KObject['metadata'], status: { phase: 'Running', containerStatuses: [{ name: 'nginx', ready: true, state: { running: {} } }] } });
    expect(cells(p)[2]).toBe('Terminating');
    const done = pod({ metadata: { name: 'web', deletionTimestamp: '2024-05-01T11:59:00Z' } as KObject['metadata'], status: { phase: 'Succeeded' } });
    expect(cells(done)[2]).toBe('Succeeded');
  });

  it('reports init containers as Init:N/M and Init:<reason>', () => {
    const spec = { initContainers: [{ name: 'a', image: 'busybox' }, { name: 'b', image: 'busybox' }] };
    const p = pod({ spec, status: { phase: 'Pending', initContainerStatuses: [
      { name: 'a', state: { terminated: { exitCode: 0, reason: 'Completed' } } },
      { name: 'b', state: { running: {} } },
    ], containerStatuses: [{ name: 'nginx', state: { waiting: { reason: 'PodInitializing' } } }] } });
    expect(cells(p)[2]).toBe('Init:1/2');
    const q = pod({ spec, status: { phase: 'Pending', initContainerStatuses: [{ name: 'a', restartCount: 3, state: { waiting: { reason: 'CrashLoopBackOff' } } }] } });
    expect(cells(q).slice(2, 4)).toEqual(['Init:CrashLoopBackOff', '3']);
  });

  it('counts restartable (sidecar) init containers in READY', () => {
    const p = pod({ spec: { initContainers: [{ name: 'side', image: 'x', restartPolicy: 'Always' }] }, status: {
      phase: 'Running', conditions: [{ type: 'Initialized', status: 'True' }],
      initContainerStatuses: [{ name: 'side', started: true, ready: true, state: { running: {} } }],
      containerStatuses: [{ name: 'nginx', ready: true, state: { running: {} } }],
    } });
    expect(cells(p).slice(1, 3)).toEqual(['2/2', 'Running']);
  });

  it('prints pending pods without node or IP, and readiness gates', () => {
    const p = pod({ spec: { nodeName: undefined, readinessGates: [{ conditionType: 'x/ready' }] }, status: { phase: 'Pending', conditions: [{ type: 'x/ready', status: 'True' }] } });
    expect(cells(p).slice(2)).toEqual(['Pending', '0', '4m2s', '<none>', '<none>', '<none>', '1/1']);
  });

  it('honours includeObject', () => {
    const p = pod({ status: { phase: 'Running' } });
    expect(toTable(PODS, [p], { now, includeObject: 'None' }).rows[0].object).toBeUndefined();
    expect(toTable(PODS, [p], { now, includeObject: 'Object' }).rows[0].object).toBe(p);
    expect(toTable(PODS, [p], { now }).rows[0].object).toEqual({ kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: p.metadata });
  });
});
