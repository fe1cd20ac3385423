import { describe, expect, it } from 'vitest';
import type { KObject } from '../api/types.js';
import { computeDeploymentStatus, maxUnavailable, newReplicaSetReplicas, oldReplicaSetScaleDown, resolveFenceposts, scaledValue } from './deployment-rollout.js';

const deploy = (replicas: number, strategy?: object, status?: object): KObject => ({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default', generation: 1 },
  spec: { replicas, ...(strategy ? { strategy } : {}) }, ...(status ? { status } : {}),
});
const rs = (name: string, replicas: number, available: number, created = '2024-01-01T00:00:00Z', ready = available): KObject => ({
  apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name, namespace: 'default', creationTimestamp: created },
  spec: { replicas }, status: { replicas, availableReplicas: available, readyReplicas: ready },
});

describe('deployment rollout arithmetic', () => {
  it('resolves maxSurge up and maxUnavailable down (25% defaults)', () => {
    expect(resolveFenceposts(deploy(10))).toEqual({ maxSurge: 3, maxUnavailable: 2 });
    expect(resolveFenceposts(deploy(3))).toEqual({ maxSurge: 1, maxUnavailable: 0 });
    expect(resolveFenceposts(deploy(4, { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: '0%' } }))).toEqual({ maxSurge: 0, maxUnavailable: 1 });
    expect(resolveFenceposts(deploy(4, { type: 'RollingUpdate', rollingUpdate: { maxSurge: '50%', maxUnavailable: 3 } }))).toEqual({ maxSurge: 2, maxUnavailable: 3 });
    expect(maxUnavailable(deploy(2, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 5 } }))).toBe(2);
    expect(maxUnavailable(deploy(4, { type: 'Recreate' }))).toBe(0);
    expect(scaledValue('33%', 10, true, '25%')).toBe(4);
  });

  it('grows the new ReplicaSet within maxSurge', () => {
    const d = deploy(10);
    expect(newReplicaSetReplicas(d, [rs('old', 10, 10)], undefined)).toBe(3);
    const n = rs('new', 3, 0);
    expect(newReplicaSetReplicas(d, [rs('old', 10, 10), n], n)).toBe(3);
    const n2 = rs('new', 3, 3);
    expect(newReplicaSetReplicas(d, [rs('old', 8, 8), n2], n2)).toBe(5);
    expect(newReplicaSetReplicas(deploy(10, { type: 'Recreate' }), [rs('old', 10, 10)], undefined)).toBe(10);
  });

  it('scales old ReplicaSets down without going under desired - maxUnavailable', () => {
    const d = deploy(10);
    const n = rs('new', 3, 0);
    // 13 total, 8 must stay available, 3 new ones not yet available -> 2 may go
    expect(oldReplicaSetScaleDown(d, [rs('old', 10, 10), n], [rs('old', 10, 10)], n)).toEqual(new Map([['old', 8]]));
    // nothing available in the new RS and maxUnavailable 0: nothing may go
    const d3 = deploy(3);
    const n3 = rs('new', 1, 0);
    expect(oldReplicaSetScaleDown(d3, [rs('old', 3, 3), n3], [rs('old', 3, 3)], n3).size).toBe(0);
    // once the new pod is available, one old one goes
    const n3b = rs('new', 1, 1);
    expect(oldReplicaSetScaleDown(d3, [rs('old', 3, 3), n3b], [rs('old', 3, 3)], n3b)).toEqual(new Map([['old', 2]]));
  });

  it('removes unhealthy old replicas first, oldest ReplicaSet first', () => {
    const d = deploy(10);
    const n = rs('new', 3, 0);
    const older = rs('v1', 4, 1, '2024-01-01T00:00:00Z');
    const old = rs('v2', 6, 6, '2024-01-02T00:00:00Z');
    expect(oldReplicaSetScaleDown(d, [older, old, n], [older, old], n)).toEqual(new Map([['v1', 2]]));
  });

  it('reports status and the Available/Progressing conditions with Kubernetes reasons', () => {
    const now = new Date('2024-05-01T10:00:00Z');
    const n = rs('web-abc', 3, 3);
    const st = computeDeploymentStatus(deploy(3), [n], n, now);
    expect(st).toMatchObject({ observedGeneration: 1, replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3, unavailableReplicas: 0 });
    expect(st.conditions).toEqual([
      { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.', lastUpdateTime: '2024-05-01T10:00:00Z', lastTransitionTime: '2024-05-01T10:00:00Z' },
      { type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable', message: 'ReplicaSet "web-abc" has successfully progressed.', lastUpdateTime: '2024-05-01T10:00:00Z', lastTransitionTime: '2024-05-01T10:00:00Z' },
    ]);
    const pending = rs('web-abc', 3, 0);
    const st2 = computeDeploymentStatus(deploy(3), [pending], pending, now);
    expect(st2.conditions).toEqual(expect.arrayContaining([
      expect.objectContaining({ type: 'Available', status: 'False', reason: 'MinimumReplicasUnavailable', message: 'Deployment does not have minimum availability.' }),
      expect.objectContaining({ type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated', message: 'ReplicaSet "web-abc" is progressing.' }),
    ]));
  });

  it('marks ProgressDeadlineExceeded when nothing moved for progressDeadlineSeconds', () => {
    const since = '2024-05-01T10:00:00Z';
    const cond = [{ type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated', message: 'x', lastUpdateTime: since, lastTransitionTime: since }];
    const d = deploy(3, undefined, { replicas: 3, updatedReplicas: 3, readyReplicas: 0, availableReplicas: 0, conditions: cond });
    d.spec.progressDeadlineSeconds = 60;
    const n = rs('web-abc', 3, 0, since, 0);
    const early = computeDeploymentStatus(d, [n], n, new Date('2024-05-01T10:00:30Z'));
    expect((early.conditions as { type: string; reason: string }[]).find((c) => c.type === 'Progressing')?.reason).toBe('ReplicaSetUpdated');
    const late = computeDeploymentStatus(d, [n], n, new Date('2024-05-01T10:01:01Z'));
    expect((late.conditions as object[]).find((c) => (c as { type: string }).type === 'Progressing')).toMatchObject({
      status: 'False', reason: 'ProgressDeadlineExceeded', message: 'ReplicaSet "web-abc" has timed out progressing.',
    });
  });
});
