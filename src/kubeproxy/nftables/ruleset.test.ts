import { describe, expect, it } from 'vitest';
import type { EndpointSlice, Service } from '../../api/types.js';
import { computeRoutingTable } from '../routing-table.js';
import { conntrackArgs, conntrackFlushes, udpState } from './conntrack.js';
import { chainName, fullRuleset, incrementalRuleset, kernelState, parseTableList, splitTable, tableOwner } from './ruleset.js';

function svc(name: string, spec: Record<string, unknown>, status?: Record<string, unknown>): Service {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' }, spec, ...(status ? { status } : {}) } as Service;
}

function slice(service: string, port: number, eps: { ip: string; node?: string }[], protocol = 'TCP', portName = ''): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: `${service}-${protocol}`, namespace: 'default', labels: { 'kubernetes.io/service-name': service } },
    addressType: 'IPv4',
    ports: [{ name: portName, port, protocol }],
    endpoints: eps.map((e) => ({ addresses: [e.ip], conditions: { ready: true }, ...(e.node ? { nodeName: e.node } : {}) })),
  } as EndpointSlice;
}

const NODES = [
  { name: 'kdp-control-plane', ip: '127.18.0.2', podCIDR: '127.244.0.0/24' },
  { name: 'kdp-worker', ip: '127.18.0.3', podCIDR: '127.244.1.0/24' },
];

const WEB = chainName('default/web');

describe('splitTable', () => {
  it('gives the kernel ClusterIP, externalIP, node IP NodePorts and LB IPs; userspace hostAddress, ClientIP and clientNodeLocal', () => {
    const services = [
      svc('web', { type: 'LoadBalancer', clusterIP: '127.96.0.20', externalIPs: ['127.50.0.1'], ports: [{ port: 80, nodePort: 31045 }] }, { loadBalancer: { ingress: [{ ip: '127.200.0.1' }] } }),
      svc('sticky', { clusterIP: '127.96.0.21', sessionAffinity: 'ClientIP', ports: [{ port: 80 }] }),
      svc('itp', { clusterIP: '127.96.0.22', internalTrafficPolicy: 'Local', ports: [{ port: 80 }] }),
      svc('nobody', { clusterIP: '127.96.0.23', ports: [{ port: 80 }] }),
    ];
    const eps = [{ ip: '127.244.1.5', node: 'kdp-worker' }];
    const table = computeRoutingTable(services, [slice('web', 8080, eps), slice('sticky', 8080, eps), slice('itp', 8080, eps)], { nodes: NODES, hostAddress: '127.0.0.1' });
    const { kernel, userspace } = splitTable(table);
    expect(kernel.map((f) => f.key).sort()).toEqual([
      '127.18.0.2:31045/TCP',
      '127.18.0.3:31045/TCP',
      '127.200.0.1:80/TCP',
      '127.50.0.1:80/TCP',
      '127.96.0.20:80/TCP',
    ]);
    // 127.96.0.23 has no endpoints: no rule and no listener, so the kernel refuses
    expect([...userspace.frontends.keys()].sort()).toEqual(['127.0.0.1:31045/TCP', '127.0.0.1:80/TCP', '127.96.0.21:80/TCP', '127.96.0.22:80/TCP']);
    expect(userspace.servicePorts).toBe(table.servicePorts);
  });

  it('marks hostAddress frontends with endpoints as held (kernel-served once their port is bound), but not ClientIP ones', () => {
    const services = [
      svc('web', { type: 'NodePort', clusterIP: '127.96.0.20', ports: [{ port: 80, nodePort: 31045 }] }),
      svc('sticky', { type: 'NodePort', clusterIP: '127.96.0.21', sessionAffinity: 'ClientIP', ports: [{ port: 80, nodePort: 31046 }] }),
      svc('nobody', { type: 'NodePort', clusterIP: '127.96.0.23', ports: [{ port: 80, nodePort: 31047 }] }),
    ];
    const eps = [{ ip: '127.244.1.5', node: 'kdp-worker' }];
    const table = computeRoutingTable(services, [slice('web', 8080, eps), slice('sticky', 8080, eps)], { nodes: NODES, hostAddress: '127.0.0.1' });
    const { kernel, userspace, held } = splitTable(table);
    expect(held.map((f) => f.key)).toEqual(['127.0.0.1:31045/TCP']);
    expect(userspace.frontends.has('127.0.0.1:31045/TCP')).toBe(true); // its listener still holds the port
    expect(kernel.map((f) => f.key)).not.toContain('127.0.0.1:31045/TCP');
    expect(kernelState(table, [...kernel, ...held]).elements.get('127.0.0.1 . tcp . 31045')).toBe(`goto ${WEB}`);
  });

  it('serves a Local NodePort from the node-local view: its endpoints on that node, drop on the other', () => {
    const services = [svc('etp', { type: 'NodePort', externalTrafficPolicy: 'Local', clusterIP: '127.96.0.30', ports: [{ port: 80, nodePort: 30080 }] })];
    const table = computeRoutingTable(services, [slice('etp', 8080, [{ ip: '127.244.1.5', node: 'kdp-worker' }])], { nodes: NODES });
    const { kernel } = splitTable(table);
    const state = kernelState(table, kernel);
    expect(Object.fromEntries(state.elements)).toEqual({
      '127.96.0.30 . tcp . 80': `goto ${chainName('default/etp')}`,
      '127.18.0.2 . tcp . 30080': 'drop',
      '127.18.0.3 . tcp . 30080': `goto ${chainName('default/etp@kdp-worker')}`,
    });
    expect(Object.fromEntries(state.chains)).toEqual({
      [chainName('default/etp')]: 'meta l4proto tcp dnat ip to 127.244.1.5:8080',
      [chainName('default/etp@kdp-worker')]: 'meta l4proto tcp dnat ip to 127.244.1.5:8080',
    });
  });
});

describe('the nft text', () => {
  const services = [
    svc('web', { clusterIP: '127.96.0.20', externalIPs: ['127.50.0.1'], ports: [{ port: 80 }] }),
    svc('dns', { clusterIP: '127.96.0.10', ports: [{ name: 'dns', port: 53, protocol: 'UDP' }] }),
  ];
  const threePods = [{ ip: '127.244.0.5' }, { ip: '127.244.0.6' }, { ip: '127.244.1.5' }];
  const slices = [slice('web', 8080, threePods), slice('dns', 53, [{ ip: '127.244.0.2' }], 'UDP', 'dns')];
  const table = computeRoutingTable(services, slices);
  const state = kernelState(table, splitTable(table).kernel);
  const DNS = chainName('default/dns:dns');

  it('a whole table: one chain per service port (round robin over its endpoints), frontends in the services map', () => {
    expect(fullRuleset('kdp_42', state)).toBe(`add table ip kdp_42
delete table ip kdp_42
table ip kdp_42 {
  map services {
    type ipv4_addr . inet_proto . inet_service : verdict;
    elements = { 127.96.0.10 . udp . 53 : goto ${DNS},
      127.96.0.20 . tcp . 80 : goto ${WEB},
      127.50.0.1 . tcp . 80 : goto ${WEB} }
  }
  chain ${DNS} {
    meta l4proto udp dnat ip to 127.244.0.2:53
  }
  chain ${WEB} {
    meta l4proto tcp dnat ip to numgen inc mod 3 map { 0 : 127.244.0.5 . 8080, 1 : 127.244.0.6 . 8080, 2 : 127.244.1.5 . 8080 }
  }
  chain output {
    type nat hook output priority -100; policy accept;
    ip daddr . meta l4proto . th dport vmap @services
  }
}
`);
  });

  it('an empty table has a map without elements and the hook chain', () => {
    expect(fullRuleset('kdp_42', { chains: new Map(), elements: new Map() })).toBe(`add table ip kdp_42
delete table ip kdp_42
table ip kdp_42 {
  map services {
    type ipv4_addr . inet_proto . inet_service : verdict;
  }
  chain output {
    type nat hook output priority -100; policy accept;
    ip daddr . meta l4proto . th dport vmap @services
  }
}
`);
  });

  it('an unchanged table writes nothing; an endpoint change rewrites only that chain', () => {
    expect(incrementalRuleset('kdp_42', state, state)).toBe('');
    const t2 = computeRoutingTable(services, [slice('web', 8080, threePods.slice(1)), slices[1]]);
    const s2 = kernelState(t2, splitTable(t2).kernel);
    expect(incrementalRuleset('kdp_42', state, s2)).toBe(`flush chain ip kdp_42 ${WEB}
add rule ip kdp_42 ${WEB} meta l4proto tcp dnat ip to numgen inc mod 2 map { 0 : 127.244.0.6 . 8080, 1 : 127.244.1.5 . 8080 }
`);
  });

  it('a Service that loses its endpoints loses its elements, then its chain; a new one gets its chain first', () => {
    const t2 = computeRoutingTable([...services, svc('api', { clusterIP: '127.96.0.1', ports: [{ name: 'https', port: 443 }] })], [slices[1], slice('api', 6443, [{ ip: '127.0.0.1' }], 'TCP', 'https')]);
    const s2 = kernelState(t2, splitTable(t2).kernel);
    const API = chainName('default/api:https');
    expect(incrementalRuleset('kdp_42', state, s2)).toBe(`add chain ip kdp_42 ${API}
add rule ip kdp_42 ${API} meta l4proto tcp dnat ip to 127.0.0.1:6443
delete element ip kdp_42 services { 127.96.0.20 . tcp . 80, 127.50.0.1 . tcp . 80 }
add element ip kdp_42 services { 127.96.0.1 . tcp . 443 : goto ${API} }
delete chain ip kdp_42 ${WEB}
`);
  });

  it('a frontend whose verdict changes is deleted and added again in the same transaction', () => {
    const prev = { chains: new Map(), elements: new Map([['127.18.0.2 . tcp . 30080', 'drop']]) };
    const next = { chains: new Map([['sp_x', 'meta l4proto tcp dnat ip to 127.244.0.5:80']]), elements: new Map([['127.18.0.2 . tcp . 30080', 'goto sp_x']]) };
    expect(incrementalRuleset('t', prev, next)).toBe(`add chain ip t sp_x
add rule ip t sp_x meta l4proto tcp dnat ip to 127.244.0.5:80
delete element ip t services { 127.18.0.2 . tcp . 30080 }
add element ip t services { 127.18.0.2 . tcp . 30080 : goto sp_x }
`);
  });
});

describe('names', () => {
  it('chain names are valid nft identifiers, readable, and unique per service port', () => {
    expect(chainName('kube-system/kube-dns:dns-tcp')).toMatch(/^sp_kube-system\/kube-dns\.dns-tcp_[0-9a-f]{8}$/);
    expect(chainName('default/web:http@kdp-worker')).toMatch(/^sp_default\/web\.http_kdp-worker_[0-9a-f]{8}$/);
    expect(chainName('default/a:b')).not.toBe(chainName('default/a.b'));
    expect(chainName(`default/${'x'.repeat(300)}`).length).toBeLessThanOrEqual(256);
  });

  it('tables belong to a pid: kdp_<pid> and kdp_<pid>_<suffix>, nothing else', () => {
    expect(tableOwner('kdp_4242')).toBe(4242);
    expect(tableOwner('kdp_4242_t1')).toBe(4242);
    expect(tableOwner('kdp_bench')).toBeUndefined();
    expect(tableOwner('kdp')).toBeUndefined();
    expect(tableOwner('nat')).toBeUndefined();
    expect(parseTableList('table inet filter\ntable ip kdp_1\ntable ip6 kdp_2\ntable ip nat\n')).toEqual(['kdp_1', 'nat']);
  });
});

describe('conntrack flushes', () => {
  const services = [svc('dns', { clusterIP: '127.96.0.10', ports: [{ port: 53, protocol: 'UDP' }] })];
  const at = (eps: string[]) => {
    const t = computeRoutingTable(services, eps.length ? [slice('dns', 53, eps.map((ip) => ({ ip })), 'UDP')] : []);
    return udpState(t, splitTable(t).kernel);
  };

  it('a UDP frontend served for the first time (may run after the sync) or no longer: every entry to it', () => {
    expect(conntrackFlushes(at([]), at(['127.244.0.2']))).toEqual([{ ip: '127.96.0.10', port: 53, newFrontend: true }]);
    expect(conntrackFlushes(at(['127.244.0.2']), at([]))).toEqual([{ ip: '127.96.0.10', port: 53 }]);
  });

  it('a removed endpoint: only the entries NATed to it; unchanged or added endpoints: nothing', () => {
    expect(conntrackFlushes(at(['127.244.0.2', '127.244.0.3']), at(['127.244.0.3', '127.244.0.4']))).toEqual([{ ip: '127.96.0.10', port: 53, endpoint: '127.244.0.2:53' }]);
    expect(conntrackFlushes(at(['127.244.0.2']), at(['127.244.0.2', '127.244.0.3']))).toEqual([]);
    expect(conntrackArgs({ ip: '127.96.0.10', port: 53, endpoint: '127.244.0.2:53' })).toEqual(['-D', '-p', 'udp', '--orig-dst', '127.96.0.10', '--orig-port-dst', '53', '--reply-src', '127.244.0.2', '--reply-port-src', '53']);
  });

  it('TCP frontends are never flushed', () => {
    const t = computeRoutingTable([svc('web', { clusterIP: '127.96.0.20', ports: [{ port: 80 }] })], [slice('web', 80, [{ ip: '127.244.0.5' }])]);
    expect(conntrackFlushes(new Map(), udpState(t, splitTable(t).kernel))).toEqual([]);
  });
});
