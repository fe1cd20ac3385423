import { describe, expect, it } from 'vitest';
import type { KObject } from '../api/types.js';
import { computeReplicaSetStatus, podFromTemplate, rankForDeletion } from './replicaset-controller.js';

const rs: KObject = {
  apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web-5d9c7b', namespace: 'default', uid: 'rs-uid', generation: 2 },
  spec: {
    replicas: 3, minReadySeconds: 10, selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web', tier: 'fe' }, annotations: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } },
  },
};

function pod(name: string, o: { node?: string; phase?: string; ready?: boolean; readySince?: string; created?: string; restarts?: number; labels?: object } = {}): KObject {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, namespace: 'default', creationTimestamp: o.created ?? '2024-01-01T00:00:00Z', labels: { app: 'web', tier: 'fe', ...(o.labels ?? {}) } },
    spec: { nodeName: o.node },
    status: {
      phase: o.phase ?? 'Running',
      conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True', lastTransitionTime: o.readySince ?? '2024-01-01T00:00:00Z' }],
      containerStatuses: [{ restartCount: o.restarts ?? 0 }],
    },
  };
}

describe('replicaset controller', () => {
  it('makes pods from the template with generateName and a controller reference', () => {
    const p = podFromTemplate(rs);
    expect(p.metadata).toEqual({
      generateName: 'web-5d9c7b-', namespace: 'default', labels: { app: 'web', tier: 'fe' }, annotations: { a: 'b' },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-5d9c7b', uid: 'rs-uid', controller: true, blockOwnerDeletion: true }],
    });
    expect(p.spec).toEqual(rs.spec.template.spec);
    expect(p.spec).not.toBe(rs.spec.template.spec);
  });

  it('deletes unscheduled, then pending, then not-ready, then newest pods first', () => {
    const pods = [
      pod('ready-old', { node: 'n1', created: '2024-01-01T00:00:00Z' }),
      pod('ready-new', { node: 'n1', created: '2024-01-02T00:00:00Z' }),
      pod('ready-restarts', { node: 'n1', restarts: 3 }),
      pod('notready', { node: 'n1', ready: false }),
      pod('pending', { node: 'n1', phase: 'Pending', ready: false }),
      pod('unscheduled', { phase: 'Pending', ready: false }),
      pod('ready-recently', { node: 'n1', readySince: '2024-01-03T00:00:00Z' }),
    ];
    expect(rankForDeletion(pods).map((p) => p.metadata.name)).toEqual([
      'unscheduled', 'pending', 'notready', 'ready-recently', 'ready-restarts', 'ready-new', 'ready-old',
    ]);
  });

  it('counts replicas, fully labelled, ready and available (minReadySeconds) pods', () => {
    const now = new Date('2024-01-01T00:00:30Z');
    const pods = [
      pod('a', { node: 'n' }),
      pod('b', { node: 'n', readySince: '2024-01-01T00:00:25Z' }), // ready, not yet for 10 s
      pod('c', { node: 'n', ready: false, labels: { tier: 'other' } }),
    ];
    expect(computeReplicaSetStatus(rs, pods, now)).toEqual({ replicas: 3, fullyLabeledReplicas: 2, readyReplicas: 2, availableReplicas: 1, observedGeneration: 2 });
  });
});
