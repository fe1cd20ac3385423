import { describe, expect, it } from 'vitest';
import type { KObject } from '../api/types.js';
import { computeEndpointSlices, computeEndpointsSubsets, findPort, sliceLabels } from './endpoints-compute.js';

const svc = (spec: object = {}, meta: object = {}): KObject => ({
  apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default', labels: { team: 'a' }, ...meta },
  spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }, { name: 'metrics', port: 9090, protocol: 'TCP' }], ...spec },
});

let uid = 0;
function pod(name: string, o: { ip?: string; ready?: boolean; terminating?: boolean; phase?: string; httpPort?: number; labels?: object; hostname?: string; subdomain?: string } = {}): KObject {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, namespace: 'default', uid: `u${++uid}`, labels: { app: 'web', ...(o.labels ?? {}) }, ...(o.terminating ? { deletionTimestamp: '2024-01-01T00:00:00Z' } : {}) },
    spec: {
      nodeName: 'kdp-worker', hostname: o.hostname, subdomain: o.subdomain,
      containers: [{ name: 'c', ports: o.httpPort === undefined ? [{ name: 'http', containerPort: 8080 }] : o.httpPort ? [{ name: 'http', containerPort: o.httpPort }] : [] }],
    },
    status: { phase: o.phase ?? 'Running', podIP: o.ip, conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }] },
  };
}

describe('endpoints-compute', () => {
  it('resolves targetPort: default to port, number, named by container port', () => {
    const p = pod('a', { ip: '127.244.1.2' });
    expect(findPort(p, { port: 80 })).toBe(80);
    expect(findPort(p, { port: 80, targetPort: 8081 })).toBe(8081);
    expect(findPort(p, { port: 80, targetPort: 'http' })).toBe(8080);
    expect(findPort(p, { port: 80, targetPort: 'http', protocol: 'UDP' })).toBeUndefined();
    expect(findPort(p, { port: 80, targetPort: 'nope' })).toBeUndefined();
  });

  it('builds one slice with serving/terminating/ready conditions, leaving out pods without IP or finished', () => {
    const pods = [
      pod('a', { ip: '127.244.1.2' }),
      pod('b', { ip: '127.244.1.3', ready: false }),
      pod('c', { ip: '127.244.1.4', terminating: true }),
      pod('d'), // no IP yet
      pod('e', { ip: '127.244.1.5', phase: 'Succeeded' }),
      pod('f', { ip: '127.244.1.6', labels: { app: 'other' } }),
    ];
    const [slice, ...rest] = computeEndpointSlices(svc(), pods);
    expect(rest).toEqual([]);
    expect(slice.ports).toEqual([{ name: 'http', port: 8080, protocol: 'TCP' }, { name: 'metrics', port: 9090, protocol: 'TCP' }]);
    expect(slice.endpoints.map((e) => [e.targetRef.name, e.addresses[0], e.conditions])).toEqual([
      ['a', '127.244.1.2', { ready: true, serving: true, terminating: false }],
      ['b', '127.244.1.3', { ready: false, serving: false, terminating: false }],
      ['c', '127.244.1.4', { ready: false, serving: true, terminating: true }],
    ]);
    expect(slice.endpoints[0]).toMatchObject({ nodeName: 'kdp-worker', targetRef: { kind: 'Pod', namespace: 'default', name: 'a', uid: pods[0].metadata.uid } });
    // publishNotReadyAddresses: everything is ready
    expect(computeEndpointSlices(svc({ publishNotReadyAddresses: true }), pods)[0].endpoints.every((e) => e.conditions.ready)).toBe(true);
  });

  it('splits pods that resolve named ports differently into separate slices', () => {
    const slices = computeEndpointSlices(svc(), [pod('a', { ip: '127.244.1.2' }), pod('b', { ip: '127.244.1.3', httpPort: 9000 }), pod('c', { ip: '127.244.1.4', httpPort: 0 })]);
    expect(slices.map((s) => [s.ports.map((p) => p.port), s.endpoints.map((e) => e.targetRef.name)])).toEqual([
      [[8080, 9090], ['a']],
      [[9000, 9090], ['b']],
      [[9090], ['c']],
    ]);
  });

  it('caps slices at 100 endpoints and keeps a placeholder when empty', () => {
    const many = Array.from({ length: 150 }, (_, i) => pod(`p${String(i).padStart(3, '0')}`, { ip: `127.244.1.${i + 1}` }));
    expect(computeEndpointSlices(svc(), many).map((s) => s.endpoints.length)).toEqual([100, 50]);
    expect(computeEndpointSlices(svc(), [])).toEqual([{ ports: [], endpoints: [] }]);
  });

  it('sets hostname only for pods whose subdomain is the service', () => {
    const s = computeEndpointSlices(svc(), [pod('a', { ip: '127.244.1.2', hostname: 'h1', subdomain: 'web' }), pod('b', { ip: '127.244.1.3', hostname: 'h2', subdomain: 'other' })]);
    expect(s[0].endpoints.map((e) => e.hostname)).toEqual(['h1', undefined]);
  });

  it('labels slices like the endpointslice controller', () => {
    expect(sliceLabels(svc({ clusterIP: 'None' }))).toEqual({
      team: 'a', 'kubernetes.io/service-name': 'web', 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io', 'service.kubernetes.io/headless': '',
    });
  });

  it('builds legacy Endpoints subsets: ready vs notReady, terminating left out', () => {
    const subsets = computeEndpointsSubsets(svc(), [pod('a', { ip: '127.244.1.3' }), pod('b', { ip: '127.244.1.2', ready: false }), pod('c', { ip: '127.244.1.4', terminating: true }), pod('d', { ip: '127.244.1.9', httpPort: 0 })]);
    expect(subsets.map((s) => [s.addresses?.map((a) => a.ip), s.notReadyAddresses?.map((a) => a.ip), s.ports?.map((p) => p.port)])).toEqual([
      [['127.244.1.3'], ['127.244.1.2'], [8080, 9090]],
      [['127.244.1.9'], undefined, [9090]],
    ]);
    expect(subsets[0].addresses![0]).toEqual({ ip: '127.244.1.3', nodeName: 'kdp-worker', targetRef: { kind: 'Pod', namespace: 'default', name: 'a', uid: expect.any(String) } });
  });
});
