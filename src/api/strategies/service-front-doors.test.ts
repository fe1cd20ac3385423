import { describe, expect, it } from 'vitest';
import type { KObject } from '../types.js';
import { validateFrontDoors } from './service.js';

const RANGES = { externalIPCidr: '127.201.0.0/16', loadBalancerPool: '127.200.0.0/16' };
const svc = (spec: object, status?: object) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec, status }) as unknown as KObject;
const ALLOWED = 'kdp serves externalIPs only from the ranges it owns: 127.201.0.0/16 (--external-ip-cidr) and the LoadBalancer pool 127.200.0.0/16 (--lb-pool)';

describe('Service front doors (CVE-2020-8554 on the host)', () => {
  it('accepts externalIPs from the external-IP range and the LoadBalancer pool', () => {
    expect(validateFrontDoors(svc({ externalIPs: ['127.201.3.4', '127.200.0.9'] }), RANGES)).toEqual([]);
  });

  it('refuses the host, API, DNS and any other address, naming the allowed ranges', () => {
    for (const ip of ['127.0.0.1', '127.96.0.10', '127.18.0.2', '192.0.2.1']) {
      expect(validateFrontDoors(svc({ externalIPs: ['127.201.0.1', ip] }), RANGES)).toEqual([
        { reason: 'FieldValueInvalid', field: 'spec.externalIPs[1]', message: `Invalid value: "${ip}": ${ALLOWED}` },
      ]);
    }
    expect(validateFrontDoors(svc({ externalIPs: ['::1'] }), RANGES)[0].message).toBe(`Invalid value: "::1": kdp serves IPv4 externalIPs only: ${ALLOWED}`);
  });

  it('refuses a load-balancer status address outside the pool, whoever writes it', () => {
    expect(validateFrontDoors(svc({}, { loadBalancer: { ingress: [{ ip: '127.200.0.1' }, { hostname: 'x.example' }] } }), RANGES)).toEqual([]);
    expect(validateFrontDoors(svc({}, { loadBalancer: { ingress: [{ ip: '127.0.0.1' }] } }), RANGES)).toEqual([
      { reason: 'FieldValueInvalid', field: 'status.loadBalancer.ingress[0].ip', message: 'Invalid value: "127.0.0.1": kdp serves load-balancer addresses only from its LoadBalancer pool 127.200.0.0/16 (--lb-pool)' },
    ]);
  });
});
