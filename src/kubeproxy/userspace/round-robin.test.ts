import { describe, expect, it } from 'vitest';
import type { ServicePortInfo } from '../routing-table.js';
import { RoundRobin } from './round-robin.js';

const info = (ips: string[], affinity: ServicePortInfo['sessionAffinity'] = { type: 'None' }): ServicePortInfo => ({
  name: 'default/web',
  namespace: 'default',
  service: 'web',
  portName: '',
  protocol: 'TCP',
  sessionAffinity: affinity,
  endpoints: ips.map((ip) => ({ ip, port: 8080 })),
});

const ips = (rr: RoundRobin, n: number, client = '127.0.0.1') => Array.from({ length: n }, () => rr.pick(client)?.ip);

describe('RoundRobin', () => {
  it('rotates over every endpoint and keeps rotating across an update', () => {
    const rr = new RoundRobin(info(['127.244.1.1', '127.244.1.2', '127.244.1.3']));
    expect(ips(rr, 4)).toEqual(['127.244.1.1', '127.244.1.2', '127.244.1.3', '127.244.1.1']);
    rr.update(info(['127.244.1.1', '127.244.1.3']));
    expect(ips(rr, 3)).toEqual(['127.244.1.3', '127.244.1.1', '127.244.1.3']);
    rr.update(info([]));
    expect(rr.pick('127.0.0.1')).toBeUndefined();
  });

  it('next() after a failed dial moves to the following endpoint', () => {
    const rr = new RoundRobin(info(['127.244.1.1', '127.244.1.2', '127.244.1.3']));
    expect(rr.next({ ip: '127.244.1.3', port: 8080 }, undefined)?.ip).toBe('127.244.1.1');
    expect(rr.pick(undefined)?.ip).toBe('127.244.1.2');
  });

  it('ClientIP affinity sticks until the timeout and moves off a failed endpoint', () => {
    let now = 0;
    const rr = new RoundRobin(info(['127.244.1.1', '127.244.1.2'], { type: 'ClientIP', timeoutSeconds: 10 }), () => now);
    expect(ips(rr, 3, '127.0.0.5')).toEqual(['127.244.1.1', '127.244.1.1', '127.244.1.1']);
    expect(rr.pick('127.0.0.6')?.ip).toBe('127.244.1.2');
    now = 10_001;
    expect(rr.pick('127.0.0.5')?.ip).toBe('127.244.1.1'); // expired: next in rotation
    expect(rr.next({ ip: '127.244.1.1', port: 8080 }, '127.0.0.5')?.ip).toBe('127.244.1.2');
    expect(rr.pick('127.0.0.5')?.ip).toBe('127.244.1.2');
    rr.update(info(['127.244.1.1'], { type: 'ClientIP', timeoutSeconds: 10 }));
    expect(rr.pick('127.0.0.5')?.ip).toBe('127.244.1.1');
  });
});
