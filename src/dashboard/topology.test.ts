import { describe, expect, it } from 'vitest';
import type { KObject } from '../api/types.js';
import { buildTopology } from './topology.js';

const o = (x: unknown) => x as KObject;

describe('buildTopology', () => {
  it('groups Services, their routes, endpoints with pods and counts, and pods by namespace', () => {
    const t = buildTopology({
      namespaces: [o({ metadata: { name: 'default' } }), o({ metadata: { name: 'empty' } })],
      services: [o({ metadata: { namespace: 'default', name: 'nginx' }, spec: { type: 'ClusterIP', clusterIP: '127.96.0.20', ports: [{ port: 80, protocol: 'TCP' }] } })],
      endpointSlices: [o({
        metadata: { namespace: 'default', name: 'nginx-abc', labels: { 'kubernetes.io/service-name': 'nginx' } },
        ports: [{ port: 8080 }],
        endpoints: [
          { addresses: ['127.244.0.5'], conditions: { ready: true }, targetRef: { kind: 'Pod', name: 'nginx-1' }, nodeName: 'kdp-control-plane' },
          { addresses: ['127.244.1.5'], conditions: { ready: false }, targetRef: { kind: 'Pod', name: 'nginx-2' } },
        ],
      })],
      pods: [
        o({ metadata: { namespace: 'default', name: 'nginx-2' }, status: { phase: 'Running', podIP: '127.244.1.5' } }),
        o({ metadata: { namespace: 'default', name: 'nginx-1' }, spec: { nodeName: 'n1' }, status: { phase: 'Running', podIP: '127.244.0.5', conditions: [{ type: 'Ready', status: 'True' }] } }),
        o({ metadata: { namespace: 'default', name: 'gone', deletionTimestamp: 'x' } }),
      ],
      ingresses: [o({ metadata: { namespace: 'default', name: 'web' }, spec: { rules: [{ host: 'a.test', http: { paths: [{ path: '/', backend: { service: { name: 'nginx' } } }] } }] } })],
      httpRoutes: [o({ metadata: { namespace: 'default', name: 'r' }, spec: { hostnames: ['b.test'], rules: [{ backendRefs: [{ name: 'nginx', port: 80 }] }] } })],
      traffic: new Map([['default/nginx', new Map([['127.244.0.5:8080', 7], ['127.244.1.5:8080', 3]])], ['default/other', new Map([['127.244.0.5:80', 9]])]]),
    });
    expect(t.namespaces.map((n) => n.name)).toEqual(['default']);
    const [svc] = t.namespaces[0].services;
    expect(svc).toMatchObject({ id: 'svc:default/nginx', name: 'nginx', ports: '80/TCP', connections: 10, routes: ['Ingress web: a.test/', 'HTTPRoute r: b.test/'] });
    expect(svc.endpoints.map((e) => [e.address, e.pod, e.ready, e.connections])).toEqual([
      ['127.244.0.5:8080', 'nginx-1', true, 7],
      ['127.244.1.5:8080', 'nginx-2', false, 3],
    ]);
    expect(t.namespaces[0].pods.map((p) => [p.name, p.ready])).toEqual([['nginx-1', true], ['nginx-2', false]]);
  });
});
