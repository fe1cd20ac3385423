import { describe, expect, it } from 'vitest';
import type { KObject } from '../api/types.js';
import { newReplicaSetFor, revisionOf } from './deployment-controller.js';
import { computeHash } from './pod-template-hash.js';

const d: KObject = {
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'nginx', namespace: 'default', uid: 'd-uid', generation: 1 },
  spec: {
    replicas: 4, selector: { matchLabels: { app: 'nginx' } },
    template: { metadata: { labels: { app: 'nginx' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.27' }] } },
  },
};

describe('deployment controller: the new ReplicaSet', () => {
  it('is named <deployment>-<hash>, labelled, selected and owned', () => {
    const hash = computeHash(d.spec.template);
    const rs = newReplicaSetFor(d, 1, 3);
    expect(rs.metadata.name).toBe(`nginx-${hash}`);
    expect(rs.metadata.labels).toEqual({ app: 'nginx', 'pod-template-hash': hash });
    expect(rs.spec.selector).toEqual({ matchLabels: { app: 'nginx', 'pod-template-hash': hash } });
    expect(rs.spec.template.metadata.labels).toEqual({ app: 'nginx', 'pod-template-hash': hash });
    expect(rs.spec.replicas).toBe(1);
    expect(rs.metadata.ownerReferences).toEqual([{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'nginx', uid: 'd-uid', controller: true, blockOwnerDeletion: true }]);
    expect(rs.metadata.annotations).toEqual({
      'deployment.kubernetes.io/desired-replicas': '4', 'deployment.kubernetes.io/max-replicas': '5', 'deployment.kubernetes.io/revision': '3',
    });
    expect(revisionOf(rs)).toBe(3);
    // the Deployment itself is not touched
    expect(d.spec.template.metadata.labels).toEqual({ app: 'nginx' });
  });

  it('takes the collision count into the hash', () => {
    const collided = { ...d, status: { collisionCount: 1 } };
    expect(newReplicaSetFor(collided, 1, 1).metadata.name).toBe(`nginx-${computeHash(d.spec.template, 1)}`);
    expect(newReplicaSetFor(collided, 1, 1).metadata.name).not.toBe(newReplicaSetFor(d, 1, 1).metadata.name);
  });
});
