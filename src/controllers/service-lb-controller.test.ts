import { describe, expect, it } from 'vitest';
import type { KObject } from '../api/types.js';
import { assignLoadBalancerIP, LoadBalancerPool } from './service-lb-controller.js';

function svc(name: string, spec: Record<string, unknown>, status: Record<string, unknown> = {}, annotations?: Record<string, string>): KObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default', uid: name, ...(annotations ? { annotations } : {}) }, spec, status } as KObject;
}
const lb = (ip: string) => ({ loadBalancer: { ingress: [{ ip }] } });

describe('LoadBalancerPool', () => {
  it('hands out the lowest free address, skipping .0 and .255', () => {
    const pool = new LoadBalancerPool('127.200.0.0/16');
    expect(pool.next(new Set())).toBe('127.200.0.1');
    expect(pool.next(new Set(['127.200.0.1']))).toBe('127.200.0.2');
    const used = new Set(Array.from({ length: 254 }, (_, i) => `127.200.0.${i + 1}`));
    expect(pool.next(used)).toBe('127.200.1.1');
    expect(pool.contains('127.200.3.255')).toBe(false);
    expect(pool.contains('127.201.0.1')).toBe(false);
  });

  it('is full after its last usable address', () => {
    const pool = new LoadBalancerPool('127.191.0.0/30');
    expect(pool.next(new Set(['127.191.0.1', '127.191.0.2']))).toBeUndefined();
    expect(() => new LoadBalancerPool('nonsense')).toThrow(/invalid loadBalancerPool/);
  });
});

describe('assignLoadBalancerIP', () => {
  const pool = new LoadBalancerPool('127.200.0.0/24');

  it('assigns, keeps, and reports a full pool', () => {
    expect(assignLoadBalancerIP(svc('a', { type: 'LoadBalancer' }), pool, new Set())).toEqual({ ip: '127.200.0.1' });
    expect(assignLoadBalancerIP(svc('a', { type: 'LoadBalancer' }, lb('127.200.0.7')), pool, new Set())).toBeUndefined();
    // someone else holds our address (e.g. restored state): move on
    expect(assignLoadBalancerIP(svc('a', { type: 'LoadBalancer' }, lb('127.200.0.7')), pool, new Set(['127.200.0.7']))).toEqual({ ip: '127.200.0.1' });
    const full = new Set(Array.from({ length: 254 }, (_, i) => `127.200.0.${i + 1}`));
    expect(assignLoadBalancerIP(svc('b', { type: 'LoadBalancer' }), pool, full)).toEqual({ error: 'Failed to allocate IP for "default/b": no available IPs' });
  });

  it('honours a requested address in the pool and refuses others', () => {
    expect(assignLoadBalancerIP(svc('a', { type: 'LoadBalancer', loadBalancerIP: '127.200.0.9' }), pool, new Set())).toEqual({ ip: '127.200.0.9' });
    expect(assignLoadBalancerIP(svc('a', { type: 'LoadBalancer' }, {}, { 'metallb.universe.tf/loadBalancerIPs': '127.200.0.8' }), pool, new Set())).toEqual({ ip: '127.200.0.8' });
    expect(assignLoadBalancerIP(svc('a', { type: 'LoadBalancer', loadBalancerIP: '127.9.0.1' }), pool, new Set())).toEqual({
      error: 'Failed to allocate IP for "default/a": ["127.9.0.1"] is not allowed in config (pool 127.200.0.0/24)',
    });
    expect(assignLoadBalancerIP(svc('a', { type: 'LoadBalancer', loadBalancerIP: '127.200.0.9' }), pool, new Set(['127.200.0.9']))).toHaveProperty('error');
  });

  it('leaves other classes alone and takes its address back when the type changes', () => {
    expect(assignLoadBalancerIP(svc('a', { type: 'LoadBalancer', loadBalancerClass: 'example.test/lb' }), pool, new Set())).toBeUndefined();
    expect(assignLoadBalancerIP(svc('a', { type: 'ClusterIP' }, lb('127.200.0.1')), pool, new Set())).toEqual({ clear: true });
    expect(assignLoadBalancerIP(svc('a', { type: 'ClusterIP' }), pool, new Set())).toBeUndefined();
  });
});
