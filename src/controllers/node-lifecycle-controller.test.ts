import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../api/config.js';
import type { KObject } from '../api/types.js';
import { freeNodeIndex, joinNode } from './node-lifecycle-controller.js';

const config = defaultConfig({ upstreamDns: [], stateDir: '/x' });
const host = { cpus: 2, memoryBytes: 2 ** 30, arch: 'amd64' };
const withCidr = (name: string, cidr: string): KObject => ({ apiVersion: 'v1', kind: 'Node', metadata: { name }, spec: { podCIDR: cidr } });

describe('node lifecycle', () => {
  it('a joining node takes the first free index (IP and /24)', () => {
    expect(freeNodeIndex(config, [withCidr('a', '127.244.0.0/24'), withCidr('b', '127.244.1.0/24')])).toBe(2);
    expect(freeNodeIndex(config, [withCidr('a', '127.244.0.0/24'), withCidr('c', '127.244.2.0/24')])).toBe(1);
  });

  it('joins a bare Node under its own name with InternalIP, pod CIDR, Ready, user labels kept', () => {
    const bare: KObject = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'edge', labels: { zone: 'a' } } };
    const { spec, status } = joinNode(bare, config, 2, host, new Date('2024-01-01T00:00:00Z')) as { spec: KObject; status: any };
    expect(spec.spec).toMatchObject({ podCIDR: '127.244.2.0/24', podCIDRs: ['127.244.2.0/24'], providerID: 'kdp://kdp/edge' });
    expect(spec.metadata.labels).toMatchObject({ zone: 'a', 'kubernetes.io/hostname': 'edge', 'kubernetes.io/os': 'linux' });
    expect(spec.metadata.labels!['node-role.kubernetes.io/control-plane']).toBeUndefined();
    expect(status.addresses).toEqual([{ type: 'InternalIP', address: '127.18.0.4' }, { type: 'Hostname', address: 'edge' }]);
    expect(status.conditions.find((c: any) => c.type === 'Ready').status).toBe('True');
  });
});
