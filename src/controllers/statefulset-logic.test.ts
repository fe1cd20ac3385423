import { describe, expect, it } from 'vitest';
import type { KObject } from '../api/types.js';
import { claimsFor, planStatefulSet, podForOrdinal, REVISION_LABEL, statefulSetStatus, updateRevision } from './statefulset-logic.js';

function sts(spec: object = {}): KObject {
  return {
    apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'web', namespace: 'default', uid: 'sts-uid', generation: 1 },
    spec: {
      replicas: 3, serviceName: 'nginx', podManagementPolicy: 'OrderedReady', selector: { matchLabels: { app: 'web' } },
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'nginx' }] } },
      volumeClaimTemplates: [{ metadata: { name: 'www' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
      ...spec,
    },
  };
}
function pod(s: KObject, ordinal: number, o: { ready?: boolean; phase?: string; terminating?: boolean; revision?: string } = {}): KObject {
  const p = podForOrdinal(s, ordinal, o.revision);
  p.status = { phase: o.phase ?? 'Running', conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }] };
  if (o.terminating) p.metadata.deletionTimestamp = '2024-01-01T00:00:00Z';
  return p;
}

describe('statefulset logic', () => {
  it('pods get their identity: name, hostname, subdomain, claim volumes, labels', () => {
    const p = podForOrdinal(sts(), 1);
    expect(p.metadata.name).toBe('web-1');
    expect(p.spec).toMatchObject({ hostname: 'web-1', subdomain: 'nginx', volumes: [{ name: 'www', persistentVolumeClaim: { claimName: 'www-web-1' } }] });
    expect(p.metadata.labels).toMatchObject({ app: 'web', 'statefulset.kubernetes.io/pod-name': 'web-1', 'apps.kubernetes.io/pod-index': '1', [REVISION_LABEL]: updateRevision(sts()) });
    expect(claimsFor(sts(), 2)[0].metadata).toEqual({ name: 'www-web-2', namespace: 'default', labels: { app: 'web' } });
    expect(claimsFor(sts({ persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete' } }), 0)[0].metadata.ownerReferences?.[0].uid).toBe('sts-uid');
  });

  it('OrderedReady creates one at a time, waiting for Running and Ready', () => {
    const s = sts();
    expect(planStatefulSet(s, []).create).toEqual([0]);
    expect(planStatefulSet(s, [pod(s, 0, { ready: false })]).create).toEqual([]);
    expect(planStatefulSet(s, [pod(s, 0)]).create).toEqual([1]);
    expect(planStatefulSet(s, [pod(s, 0), pod(s, 1)]).create).toEqual([2]);
  });

  it('Parallel creates every missing ordinal at once; ordinals.start shifts them', () => {
    expect(planStatefulSet(sts({ podManagementPolicy: 'Parallel' }), []).create).toEqual([0, 1, 2]);
    expect(planStatefulSet(sts({ podManagementPolicy: 'Parallel', ordinals: { start: 5 } }), []).create).toEqual([5, 6, 7]);
  });

  it('scale-down deletes the highest ordinal first, one at a time; claims stay unless whenScaled Delete', () => {
    const s = sts({ replicas: 1 });
    const pods = [pod(s, 0), pod(s, 1), pod(s, 2)];
    const step = planStatefulSet(s, pods);
    expect(step.remove.map((p) => p.metadata.name)).toEqual(['web-2']);
    expect(step.deleteClaimsOf).toEqual([]);
    expect(planStatefulSet(s, [pod(s, 0), pod(s, 1), pod(s, 2, { terminating: true })]).remove).toEqual([]);
    const del = sts({ replicas: 1, persistentVolumeClaimRetentionPolicy: { whenScaled: 'Delete' } });
    expect(planStatefulSet(del, [pod(del, 0), pod(del, 1)]).deleteClaimsOf).toEqual([1]);
  });

  it('a failed pod is deleted to be re-created under the same name', () => {
    const s = sts();
    expect(planStatefulSet(s, [pod(s, 0, { phase: 'Failed' })]).remove.map((p) => p.metadata.name)).toEqual(['web-0']);
  });

  it('RollingUpdate replaces outdated pods from the highest ordinal, respecting the partition', () => {
    const s = sts();
    const old = [0, 1, 2].map((o) => pod(s, o, { revision: 'web-old' }));
    expect(planStatefulSet(s, old).remove.map((p) => p.metadata.name)).toEqual(['web-2']);
    expect(planStatefulSet(s, [old[0], old[1], pod(s, 2)]).remove.map((p) => p.metadata.name)).toEqual(['web-1']);
    const part = sts({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 2 } } });
    expect(planStatefulSet(part, [old[0], old[1], pod(part, 2)]).remove).toEqual([]);
    expect(planStatefulSet(sts({ updateStrategy: { type: 'OnDelete' } }), old).remove).toEqual([]);
  });

  it('status counts replicas, ready, updated and the revisions', () => {
    const s = sts();
    expect(statefulSetStatus(s, [pod(s, 0), pod(s, 1, { ready: false, revision: 'web-old' })])).toMatchObject({
      replicas: 2, readyReplicas: 1, updatedReplicas: 1, currentReplicas: 1, currentRevision: 'web-old', updateRevision: updateRevision(s),
    });
  });
});
