import { describe, expect, it } from 'vitest';
import type { KObject } from '../api/types.js';
import { matchesNodeSelector, needsScheduling, selectNode, tolerates } from './scheduler.js';

const node = (name: string, extra: { labels?: Record<string, string>; spec?: object; ready?: string } = {}): KObject => ({
  apiVersion: 'v1', kind: 'Node',
  metadata: { name, labels: { 'kubernetes.io/hostname': name, ...(extra.labels ?? {}) } },
  spec: extra.spec ?? {},
  status: { conditions: [{ type: 'Ready', status: extra.ready ?? 'True' }], allocatable: { pods: '110' } },
});
const pod = (spec: object = {}, meta: object = {}): KObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default', ...meta }, spec: { containers: [], ...spec } });

describe('scheduler', () => {
  const nodes = [node('kdp-control-plane'), node('kdp-worker', { labels: { disk: 'ssd' } }), node('kdp-worker2')];

  it('spreads: picks the node with the fewest pods, ties by name', () => {
    expect(selectNode(pod(), nodes, new Map())).toEqual({ node: 'kdp-control-plane' });
    expect(selectNode(pod(), nodes, new Map([['kdp-control-plane', 1]]))).toEqual({ node: 'kdp-worker' });
    expect(selectNode(pod(), nodes, new Map([['kdp-control-plane', 2], ['kdp-worker', 1], ['kdp-worker2', 3]]))).toEqual({ node: 'kdp-worker' });
  });

  it('honours nodeSelector and required node affinity', () => {
    expect(selectNode(pod({ nodeSelector: { disk: 'ssd' } }), nodes, new Map([['kdp-worker', 9]]))).toEqual({ node: 'kdp-worker' });
    const affinity = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['kdp-worker2'] }] }] } } };
    expect(selectNode(pod({ affinity }), nodes, new Map())).toEqual({ node: 'kdp-worker2' });
    expect(matchesNodeSelector(pod({ nodeSelector: { disk: 'hdd' } }), nodes[1])).toBe(false);
  });

  it('skips cordoned, not-ready and tainted nodes', () => {
    const ns = [
      node('a', { spec: { unschedulable: true } }),
      node('b', { ready: 'False' }),
      node('c', { spec: { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] } }),
    ];
    const r = selectNode(pod(), ns, new Map());
    expect(r).toEqual({
      message: '0/3 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}, 1 node(s) had untolerated taint {node.kubernetes.io/not-ready: }, 1 node(s) were unschedulable. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.',
    });
    expect(selectNode(pod({ tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }] }), ns, new Map())).toEqual({ node: 'c' });
    expect(tolerates([{ operator: 'Exists' }], { key: 'x', effect: 'NoSchedule' })).toBe(true);
  });

  it('reports a selector no node matches', () => {
    expect(selectNode(pod({ nodeSelector: { zone: 'moon' } }), nodes, new Map())).toEqual({
      message: "0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.",
    });
  });

  it('only schedules unbound, live pods of the default scheduler', () => {
    expect(needsScheduling(pod())).toBe(true);
    expect(needsScheduling(pod({ nodeName: 'a' }))).toBe(false);
    expect(needsScheduling(pod({}, { deletionTimestamp: '2024-01-01T00:00:00Z' }))).toBe(false);
    expect(needsScheduling(pod({ schedulerName: 'other' }))).toBe(false);
  });
});
