import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../api/config.js';
import { ObjectStore } from '../api/store.js';
import { GR } from '../api/types.js';
import { buildNode, nodeIP, nodePodCIDR, registerNodes } from './node-controller.js';

const config = defaultConfig({ upstreamDns: [], stateDir: '/nonexistent', nodes: 3 });
const host = { cpus: 8, memoryBytes: 16 * 1024 ** 3, arch: 'amd64' };
const now = new Date('2024-05-01T10:00:00.123Z');

describe('node registration', () => {
  it('addresses nodes kind-style on loopback', () => {
    expect([0, 1, 2].map((i) => nodeIP(config, i))).toEqual(['127.18.0.2', '127.18.0.3', '127.18.0.4']);
    expect([0, 1, 2].map((i) => nodePodCIDR(config, i))).toEqual(['127.244.0.0/24', '127.244.1.0/24', '127.244.2.0/24']);
    expect(() => nodePodCIDR({ podCidr: '127.244.0.0/25' }, 0)).toThrow('too small');
    expect(() => nodePodCIDR({ podCidr: '127.244.0.0/23' }, 2)).toThrow('room for 2 nodes');
  });

  it('builds a Ready node with info, capacity and role labels', () => {
    const n = buildNode(config, 2, host, now);
    expect(n.metadata.name).toBe('kdp-worker2');
    expect(n.metadata.labels).toMatchObject({ 'kubernetes.io/hostname': 'kdp-worker2', 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64' });
    expect(n.metadata.labels!['node-role.kubernetes.io/control-plane']).toBeUndefined();
    expect(buildNode(config, 0, host, now).metadata.labels!['node-role.kubernetes.io/control-plane']).toBe('');
    expect(n.status.capacity).toMatchObject({ cpu: '8', memory: '16777216Ki', pods: '110' });
    expect(n.status.nodeInfo).toMatchObject({ kubeletVersion: 'v1.31.0', containerRuntimeVersion: 'kdp://0.1.0', operatingSystem: 'linux', architecture: 'amd64' });
    expect(n.status.conditions.find((c: { type: string }) => c.type === 'Ready')).toMatchObject({ status: 'True', reason: 'KubeletReady', lastHeartbeatTime: '2024-05-01T10:00:00Z' });
  });

  it('creates nodes, and on restart keeps a cordon and user labels', () => {
    const store = new ObjectStore();
    registerNodes(store, config, now, host);
    expect(store.list(GR.nodes).items.map((n) => n.metadata.name)).toEqual(['kdp-control-plane', 'kdp-worker', 'kdp-worker2']);
    const w = structuredClone(store.get(GR.nodes, undefined, 'kdp-worker'));
    w.spec.unschedulable = true;
    w.metadata.labels!.disk = 'ssd';
    store.update(GR.nodes, w);
    registerNodes(store, config, now, host);
    const after = store.get(GR.nodes, undefined, 'kdp-worker');
    expect(after.spec.unschedulable).toBe(true);
    expect(after.metadata.labels!.disk).toBe('ssd');
    expect(after.status.addresses[0]).toEqual({ type: 'InternalIP', address: '127.18.0.3' });
  });
});
