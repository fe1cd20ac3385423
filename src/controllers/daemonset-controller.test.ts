import { describe, expect, it } from 'vitest';
import type { KObject } from '../api/types.js';
import { daemonPod, daemonRevision, planDaemonSet, shouldRunOn } from './daemonset-controller.js';

const ds: KObject = {
  apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'agent', namespace: 'default', uid: 'ds-uid', generation: 1 },
  spec: { selector: { matchLabels: { app: 'agent' } }, template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'a', image: 'busybox', command: ['sleep', 'infinity'] }] } } },
};
const node = (name: string, o: { labels?: object; taints?: object[]; unschedulable?: boolean } = {}): KObject => ({
  apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'kubernetes.io/hostname': name, ...(o.labels ?? {}) } }, spec: { taints: o.taints, unschedulable: o.unschedulable },
});
function pod(nodeName: string, o: { revision?: string; phase?: string } = {}): KObject {
  const p = daemonPod(ds, nodeName);
  p.metadata.name = `agent-${nodeName}`;
  if (o.revision) p.metadata.labels!['controller-revision-hash'] = o.revision;
  p.spec.nodeName = nodeName;
  p.status = { phase: o.phase ?? 'Running', conditions: [{ type: 'Ready', status: 'True' }] };
  return p;
}

describe('daemonset controller', () => {
  it('pins its pods to a node by affinity and tolerates unschedulable', () => {
    const p = daemonPod(ds, 'n1');
    expect(p.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms).toEqual([{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }] }]);
    expect(p.spec.tolerations).toContainEqual({ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' });
    expect(p.metadata.labels).toMatchObject({ app: 'agent', 'controller-revision-hash': daemonRevision(ds) });
  });

  it('eligibility: nodeSelector, taints (tolerated or not); cordoned nodes stay eligible', () => {
    const sel = { ...ds, spec: { ...ds.spec, template: { ...ds.spec.template, spec: { ...ds.spec.template.spec, nodeSelector: { gpu: 'yes' } } } } };
    expect(shouldRunOn(sel, node('a'))).toBe(false);
    expect(shouldRunOn(sel, node('b', { labels: { gpu: 'yes' } }))).toBe(true);
    expect(shouldRunOn(ds, node('c', { taints: [{ key: 'dedicated', value: 'x', effect: 'NoSchedule' }] }))).toBe(false);
    expect(shouldRunOn(ds, node('d', { unschedulable: true }))).toBe(true);
  });

  it('creates a pod for each node without one, deletes pods of nodes that went', () => {
    const plan = planDaemonSet(ds, [node('a'), node('b')], [pod('a'), pod('gone')]);
    expect(plan.create).toEqual(['b']);
    expect(plan.remove.map((p) => p.metadata.name)).toEqual(['agent-gone']);
    expect(plan.status).toMatchObject({ desiredNumberScheduled: 2, currentNumberScheduled: 1, numberReady: 1, numberMisscheduled: 1, numberUnavailable: 1 });
  });

  it('rolls outdated pods one node at a time, only when all are available', () => {
    const plan = planDaemonSet(ds, [node('a'), node('b')], [pod('a', { revision: 'old' }), pod('b', { revision: 'old' })]);
    expect(plan.remove.map((p) => p.metadata.name)).toEqual(['agent-a']);
    expect(planDaemonSet(ds, [node('a'), node('b')], [pod('a', { revision: 'old' })]).remove).toEqual([]);
  });
});
