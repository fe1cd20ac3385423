import { describe, expect, it } from 'vitest';
import type { EndpointSlice, Service } from '../api/types.js';
import { computeRoutingTable, type RoutingTable } from './routing-table.js';

type Ep = { ip: string; ready?: boolean; serving?: boolean; terminating?: boolean; node?: string };

function svc(name: string, spec: Record<string, unknown>, namespace = 'default'): Service {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace }, spec } as Service;
}

function slice(name: string, service: string, ports: { name?: string; port: number; protocol?: string }[], eps: Ep[], extra: Partial<EndpointSlice> = {}): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name, namespace: 'default', labels: { 'kubernetes.io/service-name': service } },
    addressType: 'IPv4',
    ports,
    endpoints: eps.map((e) => ({
      addresses: [e.ip],
      conditions: { ready: e.ready ?? true, serving: e.serving ?? e.ready ?? true, terminating: e.terminating ?? false },
      ...(e.node ? { nodeName: e.node } : {}),
    })),
    ...extra,
  } as EndpointSlice;
}

/** The table in a plain, comparable form. */
function plain(t: RoutingTable) {
  return {
    frontends: Object.fromEntries([...t.frontends].map(([k, f]) => [k, f.servicePort])),
    endpoints: Object.fromEntries([...t.servicePorts].map(([k, s]) => [k, s.endpoints.map((e) => `${e.ip}:${e.port}${e.terminating ? ' (terminating)' : ''}`)])),
    problems: t.problems.map((p) => `${p.kind} ${p.object}: ${p.message}`),
  };
}

describe('computeRoutingTable', () => {
  it('maps each ClusterIP port to the matching slice port of its ready endpoints', () => {
    const services = [
      svc('web', { clusterIP: '127.96.0.20', ports: [{ name: 'http', port: 80, targetPort: 8080 }, { name: 'metrics', port: 9100, protocol: 'TCP' }] }),
      svc('dns', { clusterIP: '127.96.0.10', ports: [{ name: 'dns', port: 53, protocol: 'UDP' }, { name: 'dns-tcp', port: 53, protocol: 'TCP' }] }),
    ];
    const slices = [
      slice('web-abc', 'web', [{ name: 'http', port: 8080 }, { name: 'metrics', port: 9100 }], [{ ip: '127.244.1.7' }, { ip: '127.244.1.5' }, { ip: '127.244.1.6', ready: false }]),
      slice('dns-xyz', 'dns', [{ name: 'dns', port: 1053, protocol: 'UDP' }, { name: 'dns-tcp', port: 1053, protocol: 'TCP' }], [{ ip: '127.244.0.3' }]),
    ];
    expect(plain(computeRoutingTable(services, slices))).toEqual({
      frontends: {
        '127.96.0.10:53/UDP': 'default/dns:dns',
        '127.96.0.10:53/TCP': 'default/dns:dns-tcp',
        '127.96.0.20:80/TCP': 'default/web:http',
        '127.96.0.20:9100/TCP': 'default/web:metrics',
      },
      endpoints: {
        'default/dns:dns': ['127.244.0.3:1053'],
        'default/dns:dns-tcp': ['127.244.0.3:1053'],
        'default/web:http': ['127.244.1.5:8080', '127.244.1.7:8080'],
        'default/web:metrics': ['127.244.1.5:9100', '127.244.1.7:9100'],
      },
      problems: [],
    });
  });

  it('falls back to serving+terminating endpoints only when none is ready', () => {
    const services = [svc('a', { clusterIP: '127.96.0.30', ports: [{ port: 80 }] }), svc('b', { clusterIP: '127.96.0.31', ports: [{ port: 80 }] })];
    const slices = [
      slice('a-1', 'a', [{ port: 8080 }], [
        { ip: '127.244.1.1', ready: false, serving: true, terminating: true },
        { ip: '127.244.1.2', ready: false, serving: false, terminating: true },
        { ip: '127.244.1.3', ready: false, serving: false },
      ]),
      slice('b-1', 'b', [{ port: 8080 }], [{ ip: '127.244.2.1', ready: false, serving: true, terminating: true }, { ip: '127.244.2.2' }]),
    ];
    expect(plain(computeRoutingTable(services, slices)).endpoints).toEqual({
      'default/a': ['127.244.1.1:8080 (terminating)'],
      'default/b': ['127.244.2.2:8080'],
    });
  });

  it('keeps a frontend with no endpoints (the dataplane refuses it) and skips headless and ExternalName services', () => {
    const services = [
      svc('empty', { clusterIP: '127.96.0.40', ports: [{ port: 80 }] }),
      svc('headless', { clusterIP: 'None', ports: [{ port: 80 }] }),
      svc('ext', { type: 'ExternalName', externalName: 'example.invalid', ports: [{ port: 80 }] }),
      svc('pending', { ports: [{ port: 80 }] }),
    ];
    const slices = [slice('headless-1', 'headless', [{ port: 80 }], [{ ip: '127.244.1.9' }])];
    expect(plain(computeRoutingTable(services, slices))).toEqual({
      frontends: { '127.96.0.40:80/TCP': 'default/empty' },
      endpoints: { 'default/empty': [] },
      problems: [],
    });
  });

  it('merges slices of one service, de-duplicates endpoints, ignores other namespaces, IPv6 slices and unmatched port names', () => {
    const services = [svc('web', { clusterIP: '127.96.0.50', ports: [{ name: 'http', port: 80 }] })];
    const other = slice('web-other-ns', 'web', [{ name: 'http', port: 80 }], [{ ip: '127.244.9.9' }]);
    (other.metadata as { namespace: string }).namespace = 'other';
    const slices = [
      slice('web-1', 'web', [{ name: 'http', port: 8080 }], [{ ip: '127.244.1.2' }, { ip: '127.244.1.10' }]),
      slice('web-2', 'web', [{ name: 'http', port: 8080 }], [{ ip: '127.244.1.2', ready: false }, { ip: '127.244.1.3' }]),
      slice('web-3', 'web', [{ name: 'https', port: 8443 }], [{ ip: '127.244.1.4' }]),
      slice('web-v6', 'web', [{ name: 'http', port: 8080 }], [{ ip: 'fd00::1' }], { addressType: 'IPv6' }),
      other,
    ];
    expect(plain(computeRoutingTable(services, slices)).endpoints).toEqual({
      'default/web:http': ['127.244.1.2:8080', '127.244.1.3:8080', '127.244.1.10:8080'],
    });
  });

  it('reports unsupported protocols and frontend conflicts, and keeps the rest', () => {
    const services = [
      svc('b', { clusterIP: '127.96.0.60', ports: [{ port: 80 }] }),
      svc('a', { clusterIP: '127.96.0.60', ports: [{ port: 80 }, { name: 'sctp', port: 9, protocol: 'SCTP' }] }),
    ];
    expect(plain(computeRoutingTable(services, []))).toEqual({
      frontends: { '127.96.0.60:80/TCP': 'default/a' },
      endpoints: { 'default/a': [], 'default/b': [] },
      problems: [
        'Service default/a: port "sctp": protocol SCTP is not supported by the userspace proxy',
        'Service default/b: 127.96.0.60:80/TCP is already used by service port default/a; not proxied there',
      ],
    });
  });

  it('carries session affinity with the default timeout', () => {
    const t = computeRoutingTable([svc('s', { clusterIP: '127.96.0.70', sessionAffinity: 'ClientIP', ports: [{ port: 80 }] })], []);
    expect(t.servicePorts.get('default/s')).toEqual({
      name: 'default/s',
      namespace: 'default',
      service: 's',
      portName: '',
      protocol: 'TCP',
      sessionAffinity: { type: 'ClientIP', timeoutSeconds: 10800 },
      endpoints: [],
    });
    expect(t.frontends.get('127.96.0.70:80/TCP')).toEqual({ key: '127.96.0.70:80/TCP', kind: 'ClusterIP', ip: '127.96.0.70', port: 80, protocol: 'TCP', servicePort: 'default/s' });
  });

  it('is independent of input order', () => {
    const services = [svc('x', { clusterIP: '127.96.0.80', ports: [{ port: 1 }] }), svc('y', { clusterIP: '127.96.0.81', ports: [{ port: 2 }] })];
    const slices = [slice('x-1', 'x', [{ port: 1 }], [{ ip: '127.244.3.2' }]), slice('x-2', 'x', [{ port: 1 }], [{ ip: '127.244.3.1' }])];
    expect(computeRoutingTable([...services].reverse(), [...slices].reverse())).toEqual(computeRoutingTable(services, slices));
  });

  const nodes = [
    { name: 'kdp-worker', ip: '127.18.0.3', podCIDR: '127.244.1.0/24' },
    { name: 'kdp-control-plane', ip: '127.18.0.2', podCIDR: '127.244.0.0/24' },
  ];
  const twoNodes = [
    slice('web-1', 'web', [{ name: 'http', port: 8080 }], [{ ip: '127.244.0.5', node: 'kdp-control-plane' }, { ip: '127.244.1.5', node: 'kdp-worker' }]),
  ];

  it('serves NodePorts on every node IP and hostAddress, and LoadBalancer ports on the ingress IP and hostAddress', () => {
    const services = [
      {
        ...svc('web', { type: 'LoadBalancer', clusterIP: '127.96.0.20', ports: [{ name: 'http', port: 80, nodePort: 31045 }], externalIPs: ['127.50.0.1', '192.0.2.1'] }),
        status: { loadBalancer: { ingress: [{ ip: '127.200.0.1' }] } },
      } as Service,
      svc('np', { type: 'NodePort', clusterIP: '127.96.0.21', ports: [{ port: 53, nodePort: 30053, protocol: 'UDP' }] }),
      svc('headless', { clusterIP: 'None', ports: [{ port: 80 }] }),
      svc('ext', { type: 'ExternalName', externalName: 'example.test' }),
    ];
    expect(plain(computeRoutingTable(services, twoNodes, { nodes, hostAddress: '127.0.0.1' }))).toEqual({
      frontends: {
        '127.96.0.21:53/UDP': 'default/np',
        '127.18.0.2:30053/UDP': 'default/np',
        '127.18.0.3:30053/UDP': 'default/np',
        '127.0.0.1:30053/UDP': 'default/np',
        '127.96.0.20:80/TCP': 'default/web:http',
        '127.50.0.1:80/TCP': 'default/web:http',
        '127.18.0.2:31045/TCP': 'default/web:http',
        '127.18.0.3:31045/TCP': 'default/web:http',
        '127.0.0.1:31045/TCP': 'default/web:http',
        '127.200.0.1:80/TCP': 'default/web:http',
        '127.0.0.1:80/TCP': 'default/web:http',
      },
      endpoints: { 'default/np': [], 'default/web:http': ['127.244.0.5:8080', '127.244.1.5:8080'] },
      problems: ['Service default/web: externalIP 192.0.2.1 is not a loopback address (127.0.0.0/8); not served'],
    });
  });

  it('externalTrafficPolicy Local: a node IP uses its own endpoints and drops without one; front doors use all', () => {
    const services = [
      {
        ...svc('web', { type: 'LoadBalancer', externalTrafficPolicy: 'Local', clusterIP: '127.96.0.20', ports: [{ name: 'http', port: 80, nodePort: 31045 }] }),
        status: { loadBalancer: { ingress: [{ ip: '127.200.0.1' }] } },
      } as Service,
    ];
    const onlyWorker = [slice('web-1', 'web', [{ name: 'http', port: 8080 }], [{ ip: '127.244.1.5', node: 'kdp-worker' }])];
    const t = computeRoutingTable(services, onlyWorker, { nodes, hostAddress: '127.0.0.1' });
    expect(plain(t)).toEqual({
      frontends: {
        '127.96.0.20:80/TCP': 'default/web:http',
        '127.18.0.2:31045/TCP': 'default/web:http@kdp-control-plane',
        '127.18.0.3:31045/TCP': 'default/web:http@kdp-worker',
        '127.0.0.1:31045/TCP': 'default/web:http',
        '127.200.0.1:80/TCP': 'default/web:http',
        '127.0.0.1:80/TCP': 'default/web:http',
      },
      endpoints: {
        'default/web:http': ['127.244.1.5:8080'],
        'default/web:http@kdp-control-plane': [],
        'default/web:http@kdp-worker': ['127.244.1.5:8080'],
      },
      problems: [],
    });
    expect(t.servicePorts.get('default/web:http@kdp-control-plane')?.drop).toBe(true);
    expect(t.servicePorts.get('default/web:http@kdp-worker')?.drop).toBeUndefined();
    // No endpoints at all: nothing to drop, connections are refused everywhere.
    const none = computeRoutingTable(services, [], { nodes, hostAddress: '127.0.0.1' });
    expect(none.servicePorts.get('default/web:http@kdp-control-plane')?.drop).toBeUndefined();
  });

  it('internalTrafficPolicy Local: per-node views chosen by the client node', () => {
    const services = [svc('web', { clusterIP: '127.96.0.20', internalTrafficPolicy: 'Local', ports: [{ name: 'http', port: 80 }] })];
    const t = computeRoutingTable(services, twoNodes, { nodes });
    expect(t.frontends.get('127.96.0.20:80/TCP')).toMatchObject({ servicePort: 'default/web:http', clientNodeLocal: true });
    expect(plain(t).endpoints).toEqual({
      'default/web:http': ['127.244.0.5:8080', '127.244.1.5:8080'],
      'default/web:http@kdp-control-plane': ['127.244.0.5:8080'],
      'default/web:http@kdp-worker': ['127.244.1.5:8080'],
    });
    expect(t.nodes.map((n) => n.name)).toEqual(['kdp-control-plane', 'kdp-worker']);
  });
});

describe('clientNodeResolver', () => {
  it('maps node IPs and pod CIDRs to their node, anything else to the first node', async () => {
    const { clientNodeResolver } = await import('./userspace/userspace-dataplane.js');
    const nodeOf = clientNodeResolver([
      { name: 'a', ip: '127.18.0.2', podCIDR: '127.244.0.0/24' },
      { name: 'b', ip: '127.18.0.3', podCIDR: '127.244.1.0/24' },
    ]);
    expect([nodeOf('127.244.1.9'), nodeOf('127.18.0.3'), nodeOf('127.244.0.4'), nodeOf('127.0.0.1'), nodeOf(undefined), nodeOf('::ffff:127.244.1.2')]).toEqual(['b', 'b', 'a', 'a', 'a', 'b']);
  });

  it('reuses an unchanged Service\'s routes and recomputes exactly what changed', () => {
    const web = svc('web', { clusterIP: '127.96.0.20', ports: [{ name: 'http', port: 80 }] });
    const db = svc('db', { clusterIP: '127.96.0.21', type: 'NodePort', ports: [{ name: 'sql', port: 5432, nodePort: 30432 }] });
    const webSlice = slice('web-1', 'web', [{ name: 'http', port: 8080 }], [{ ip: '127.244.1.5' }]);
    const dbSlice = slice('db-1', 'db', [{ name: 'sql', port: 5432 }], [{ ip: '127.244.1.9' }]);
    const nodes = [{ name: 'n1', ip: '127.18.0.2' }];
    const first = computeRoutingTable([web, db], [webSlice, dbSlice], { nodes });
    const again = computeRoutingTable([db, web], [dbSlice, webSlice], { nodes });
    expect(again.servicePorts.get('default/web:http')).toBe(first.servicePorts.get('default/web:http'));
    expect(plain(again)).toEqual(plain(first));

    // A new slice object for web: web is recomputed, db is reused.
    const webSlice2 = slice('web-1', 'web', [{ name: 'http', port: 8080 }], [{ ip: '127.244.1.5' }, { ip: '127.244.1.6' }]);
    const changed = computeRoutingTable([web, db], [webSlice2, dbSlice], { nodes });
    expect(changed.servicePorts.get('default/web:http')?.endpoints.map((e) => e.ip)).toEqual(['127.244.1.5', '127.244.1.6']);
    expect(changed.servicePorts.get('default/db:sql')).toBe(first.servicePorts.get('default/db:sql'));

    // Another node: every NodePort Service gets the new node's frontend.
    const more = computeRoutingTable([web, db], [webSlice2, dbSlice], { nodes: [...nodes, { name: 'n2', ip: '127.18.0.3' }] });
    expect([...more.frontends.keys()].sort()).toEqual(['127.18.0.2:30432/TCP', '127.18.0.3:30432/TCP', '127.96.0.20:80/TCP', '127.96.0.21:5432/TCP']);

    // The same result as a table computed from fresh copies (nothing cached).
    expect(plain(more)).toEqual(plain(computeRoutingTable(structuredClone([web, db]), structuredClone([webSlice2, dbSlice]), { nodes: [...nodes, { name: 'n2', ip: '127.18.0.3' }] })));
    // Cached parts are frozen: a dataplane can't change them by accident.
    expect(Object.isFrozen(more.servicePorts.get('default/db:sql'))).toBe(true);
  });
});
