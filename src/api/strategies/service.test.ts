import { describe, expect, test } from 'vitest';
import { GR } from '../types.js';
import { ipToNumber } from './service-ip-allocator.js';
import { apiError, newStore, obj } from './testing.js';

const svc = (name: string, spec: Record<string, unknown> = {}) =>
  obj(name, { spec: { selector: { app: name }, ports: [{ port: 80 }], ...spec } });

describe('Service defaults', () => {
  test('a minimal ClusterIP Service gets the apiserver defaults and an IP', () => {
    const { store } = newStore({}, () => 0);
    const s = store.create(GR.services, svc('web'));
    const ip = s.spec.clusterIP;
    expect(s.spec).toEqual({
      type: 'ClusterIP',
      selector: { app: 'web' },
      ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }],
      sessionAffinity: 'None',
      internalTrafficPolicy: 'Cluster',
      ipFamilyPolicy: 'SingleStack',
      ipFamilies: ['IPv4'],
      clusterIP: ip,
      clusterIPs: [ip],
    });
    // rng 0 picks the first address above the static band of 256
    expect(ip).toBe('127.96.1.1');
  });

  test('NodePort gets externalTrafficPolicy Cluster and a nodePort above the static band', () => {
    const { store } = newStore({}, () => 0);
    const s = store.create(GR.services, svc('np', { type: 'NodePort', ports: [{ port: 80, targetPort: 'http' }] }));
    expect(s.spec.externalTrafficPolicy).toBe('Cluster');
    expect(s.spec.ports).toEqual([{ port: 80, protocol: 'TCP', targetPort: 'http', nodePort: 30086 }]);
  });

  test('ClientIP affinity defaults timeoutSeconds to 10800', () => {
    const { store } = newStore();
    const s = store.create(GR.services, svc('aff', { sessionAffinity: 'ClientIP' }));
    expect(s.spec.sessionAffinityConfig).toEqual({ clientIP: { timeoutSeconds: 10800 } });
  });

  test('headless and ExternalName get no IP; ExternalName gets no IP-family fields', () => {
    const { store, alloc } = newStore();
    const h = store.create(GR.services, svc('h', { clusterIP: 'None', ports: [] }));
    expect(h.spec.clusterIPs).toEqual(['None']);
    const e = store.create(GR.services, obj('ext', { spec: { type: 'ExternalName', externalName: 'example.com' } }));
    expect(e.spec.clusterIP).toBeUndefined();
    expect(e.spec.ipFamilies).toBeUndefined();
    expect(e.spec.internalTrafficPolicy).toBeUndefined();
    expect(alloc.serviceIPs.used).toBe(0);
  });

  test('default/kubernetes gets the first address; the DNS address only when asked for', () => {
    const { store, alloc } = newStore();
    expect(store.create(GR.services, svc('kubernetes', { selector: undefined, ports: [{ name: 'https', port: 443, targetPort: 6443 }] })).spec.clusterIP).toBe('127.96.0.1');
    expect(alloc.serviceIPs.ownerOf('127.96.0.10')).toBeUndefined();
    expect(store.create(GR.services, svc('kube-dns', { clusterIP: '127.96.0.10' })).spec.clusterIPs).toEqual(['127.96.0.10']);
  });
});

describe('ClusterIP allocation', () => {
  test('sequential creates never collide and stay out of the static band and reserved addresses', () => {
    const { store } = newStore();
    const seen = new Set<string>();
    const base = ipToNumber('127.96.0.1');
    for (let i = 0; i < 300; i++) {
      const ip = store.create(GR.services, svc(`s${i}`)).spec.clusterIP;
      expect(seen.has(ip)).toBe(false);
      seen.add(ip);
      expect(ipToNumber(ip) - base).toBeGreaterThanOrEqual(256);
    }
  });

  test('a requested IP that is taken is refused with 422', () => {
    const { store } = newStore();
    store.create(GR.services, svc('a', { clusterIP: '127.96.0.5' }));
    const err = apiError(() => store.create(GR.services, svc('b', { clusterIP: '127.96.0.5' })));
    expect(err.code).toBe(422);
    expect(err.message).toBe('Service "b" is invalid: spec.clusterIPs: Invalid value: []string{"127.96.0.5"}: failed to allocate IP 127.96.0.5: provided IP is already allocated');
  });

  test('a requested IP outside the range is refused', () => {
    const { store } = newStore();
    const err = apiError(() => store.create(GR.services, svc('b', { clusterIP: '127.1.2.3' })));
    expect(err.message).toBe('Service "b" is invalid: spec.clusterIPs: Invalid value: []string{"127.1.2.3"}: failed to allocate IP 127.1.2.3: the provided IP (127.1.2.3) is not in the valid range. The range of valid IPs is 127.96.0.0/12');
    // the network and broadcast addresses are not in the range either
    expect(apiError(() => store.create(GR.services, svc('c', { clusterIP: '127.96.0.0' }))).message).toContain('not in the valid range');
    expect(apiError(() => store.create(GR.services, svc('d', { clusterIP: '127.111.255.255' }))).message).toContain('not in the valid range');
  });

  test('a full range fails with the apiserver internal error', () => {
    const { store, alloc } = newStore({ serviceCidr: '127.77.0.0/29' });
    // 6 usable addresses, the first kept for `kubernetes`: 5 dynamic ones
    const ips = [1, 2, 3, 4, 5].map((i) => store.create(GR.services, svc(`s${i}`)).spec.clusterIP);
    expect(new Set(ips).size).toBe(5);
    expect(ips).not.toContain('127.77.0.1');
    const err = apiError(() => store.create(GR.services, svc('s6')));
    expect(err.code).toBe(500);
    expect(err.message).toBe('Internal error occurred: failed to allocate a serviceIP: range is full');
    expect(store.tryGet(GR.services, 'default', 's6')).toBeUndefined();
    expect(alloc.serviceIPs.used).toBe(5);
  });

  test('delete releases the IP so it can be taken again', () => {
    const { store, alloc } = newStore({ serviceCidr: '127.77.0.0/29' });
    for (let i = 1; i <= 5; i++) store.create(GR.services, svc(`s${i}`));
    const ip = store.get(GR.services, 'default', 's3').spec.clusterIP;
    store.delete(GR.services, 'default', 's3');
    expect(alloc.serviceIPs.ownerOf(ip)).toBeUndefined();
    expect(store.create(GR.services, svc('again')).spec.clusterIP).toBe(ip);
  });

  test('a failed create leaks nothing (nodePort taken after the IP was allocated)', () => {
    const { store, alloc } = newStore();
    store.create(GR.services, svc('a', { type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] }));
    const before = { ips: alloc.serviceIPs.used, ports: alloc.nodePorts.used };
    const err = apiError(() =>
      store.create(GR.services, svc('b', { type: 'NodePort', clusterIP: '127.96.0.20', ports: [{ name: 'x', port: 81 }, { name: 'y', port: 80, nodePort: 30080 }] })),
    );
    expect(err.message).toBe('Service "b" is invalid: spec.ports[1].nodePort: Invalid value: 30080: provided port is already allocated');
    expect({ ips: alloc.serviceIPs.used, ports: alloc.nodePorts.used }).toEqual(before);
    expect(alloc.serviceIPs.ownerOf('127.96.0.20')).toBeUndefined();
    // and the IP is really free
    expect(store.create(GR.services, svc('c', { clusterIP: '127.96.0.20' })).spec.clusterIP).toBe('127.96.0.20');
  });

  test('a create refused by validation allocates nothing', () => {
    const { store, alloc } = newStore();
    apiError(() => store.create(GR.services, svc('bad', { type: 'NodePort', ports: [{ port: 0 }] })));
    expect(alloc.serviceIPs.used + alloc.nodePorts.used).toBe(0);
  });

  test('dry-run create gives back what it allocated', () => {
    const { store, alloc } = newStore();
    const s = store.create(GR.services, svc('dry', { type: 'NodePort' }), { dryRun: true });
    expect(s.spec.clusterIP).toBeTruthy();
    expect(alloc.serviceIPs.used + alloc.nodePorts.used).toBe(0);
  });
});

describe('nodePort allocation', () => {
  test('taken and out-of-range nodePorts', () => {
    const { store } = newStore();
    store.create(GR.services, svc('a', { type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] }));
    expect(apiError(() => store.create(GR.services, svc('b', { type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] }))).message)
      .toBe('Service "b" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated');
    expect(apiError(() => store.create(GR.services, svc('c', { type: 'NodePort', ports: [{ port: 80, nodePort: 8080 }] }))).message)
      .toBe('Service "c" is invalid: spec.ports[0].nodePort: Invalid value: 8080: provided port is not in the valid range. The range of valid ports is 30000-32767');
  });

  test('a full nodePort range', () => {
    const { store } = newStore({ nodePortRange: { min: 30000, max: 30001 } });
    store.create(GR.services, svc('a', { type: 'NodePort', ports: [{ name: 'a', port: 80 }, { name: 'b', port: 81 }] }));
    expect(apiError(() => store.create(GR.services, svc('b', { type: 'NodePort' }))).message).toBe('Internal error occurred: failed to allocate a nodePort: range is full');
  });

  test('TCP and UDP of one port share a nodePort; LoadBalancer gets nodePorts too', () => {
    const { store } = newStore();
    const s = store.create(GR.services, svc('dns', { type: 'LoadBalancer', ports: [{ name: 'udp', port: 53, protocol: 'UDP' }, { name: 'tcp', port: 53, protocol: 'TCP' }] }));
    expect(s.spec.ports[0].nodePort).toBeGreaterThanOrEqual(30086);
    expect(s.spec.ports[1].nodePort).toBe(s.spec.ports[0].nodePort);
    expect(s.spec.allocateLoadBalancerNodePorts).toBe(true);
    const noNp = store.create(GR.services, svc('lb2', { type: 'LoadBalancer', allocateLoadBalancerNodePorts: false }));
    expect(noNp.spec.ports[0].nodePort).toBeUndefined();
  });

  test('LoadBalancer with externalTrafficPolicy Local gets a healthCheckNodePort', () => {
    const { store, alloc } = newStore();
    const s = store.create(GR.services, svc('lb', { type: 'LoadBalancer', externalTrafficPolicy: 'Local' }));
    expect(alloc.nodePorts.ownerOf(s.spec.healthCheckNodePort)).toBe(s.metadata.uid);
    store.delete(GR.services, 'default', 'lb');
    expect(alloc.nodePorts.used).toBe(0);
  });
});

describe('Service updates', () => {
  test('an update that leaves out clusterIP and nodePorts keeps them', () => {
    const { store } = newStore();
    const s = store.create(GR.services, svc('web', { type: 'NodePort', ports: [{ name: 'http', port: 80 }] }));
    const u = store.update(GR.services, obj('web', { spec: { type: 'NodePort', selector: { app: 'web' }, ports: [{ name: 'http', port: 80 }] } }));
    expect(u.spec.clusterIP).toBe(s.spec.clusterIP);
    expect(u.spec.ports[0].nodePort).toBe(s.spec.ports[0].nodePort);
  });

  test('clusterIP may not change once set', () => {
    const { store } = newStore();
    const s = structuredClone(store.create(GR.services, svc('web', { clusterIP: '127.96.0.30' })));
    s.spec.clusterIP = '127.96.0.31';
    s.spec.clusterIPs = ['127.96.0.31'];
    expect(apiError(() => store.update(GR.services, s)).message).toBe('Service "web" is invalid: spec.clusterIPs[0]: Invalid value: []string{"127.96.0.31"}: may not change once set');
    const h = structuredClone(store.get(GR.services, 'default', 'web'));
    h.spec.clusterIP = 'None';
    h.spec.clusterIPs = ['None'];
    expect(apiError(() => store.update(GR.services, h)).message).toContain('spec.clusterIPs[0]: Invalid value: []string{"None"}: may not change once set');
  });

  test('NodePort to ClusterIP releases the nodePorts; new ports get new ones; removed ones are freed', () => {
    const { store, alloc } = newStore();
    const s = structuredClone(store.create(GR.services, svc('web', { type: 'NodePort', ports: [{ name: 'a', port: 80 }, { name: 'b', port: 81 }] })));
    const [npA, npB] = s.spec.ports.map((p: { nodePort: number }) => p.nodePort);
    s.spec.ports = [s.spec.ports[0], { name: 'c', port: 82 }];
    const u = structuredClone(store.update(GR.services, s));
    expect(u.spec.ports[0].nodePort).toBe(npA);
    expect(alloc.nodePorts.ownerOf(npB)).toBeUndefined();
    expect(alloc.nodePorts.ownerOf(u.spec.ports[1].nodePort)).toBe(s.metadata.uid);
    u.spec.type = 'ClusterIP';
    const c = store.update(GR.services, u);
    expect(c.spec.ports.every((p: { nodePort?: number }) => p.nodePort === undefined)).toBe(true);
    expect(c.spec.externalTrafficPolicy).toBeUndefined();
    expect(alloc.nodePorts.used).toBe(0);
  });

  test('ClusterIP to ExternalName releases the IP; back to ClusterIP allocates one', () => {
    const { store, alloc } = newStore();
    const s = structuredClone(store.create(GR.services, svc('web')));
    s.spec.type = 'ExternalName';
    s.spec.externalName = 'example.com';
    const e = structuredClone(store.update(GR.services, s));
    expect(e.spec.clusterIP).toBeUndefined();
    expect(alloc.serviceIPs.used).toBe(0);
    e.spec.type = 'ClusterIP';
    delete e.spec.externalName;
    expect(store.update(GR.services, e).spec.clusterIP).toMatch(/^127\./);
    expect(alloc.serviceIPs.used).toBe(1);
  });

  test('ClusterIP to NodePort keeps the IP and allocates nodePorts with externalTrafficPolicy Cluster', () => {
    const { store, alloc } = newStore();
    const s = structuredClone(store.create(GR.services, svc('web')));
    s.spec.type = 'NodePort';
    const u = store.update(GR.services, s);
    expect(u.spec.clusterIP).toBe(s.spec.clusterIP);
    expect(u.spec.externalTrafficPolicy).toBe('Cluster');
    expect(alloc.nodePorts.ownerOf(u.spec.ports[0].nodePort)).toBe(s.metadata.uid);
  });

  test('an update taking a used nodePort is refused and changes nothing', () => {
    const { store, alloc } = newStore();
    store.create(GR.services, svc('a', { type: 'NodePort', ports: [{ port: 80, nodePort: 30100 }] }));
    const b = structuredClone(store.create(GR.services, svc('b', { type: 'NodePort', ports: [{ port: 80, nodePort: 30101 }] })));
    b.spec.ports = [{ name: 'x', port: 80, nodePort: 30101 }, { name: 'y', port: 81, nodePort: 30100 }];
    expect(apiError(() => store.update(GR.services, b)).message).toBe('Service "b" is invalid: spec.ports[1].nodePort: Invalid value: 30100: provided port is already allocated');
    expect(alloc.nodePorts.ownedBy(b.metadata.uid!)).toEqual([30101]);
  });
});

describe('Service validation', () => {
  const cases: Array<[string, Record<string, unknown>, string]> = [
    ['port out of range', { ports: [{ port: 70000, targetPort: 8080 }] }, 'spec.ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive'],
    ['protocol', { ports: [{ port: 80, protocol: 'HTTP' }] }, 'spec.ports[0].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"'],
    ['ports required', { ports: [] }, 'spec.ports: Required value'],
    ['names required with 2 ports', { ports: [{ port: 80 }, { name: 'b', port: 81 }] }, 'spec.ports[0].name: Required value'],
    ['unique names', { ports: [{ name: 'a', port: 80 }, { name: 'a', port: 81 }] }, 'spec.ports[1].name: Duplicate value: "a"'],
    ['targetPort name', { ports: [{ port: 80, targetPort: 'HTTP_port' }] }, 'spec.ports[0].targetPort: Invalid value: "HTTP_port": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)'],
    ['type', { type: 'Foo' }, 'spec.type: Unsupported value: "Foo": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"'],
    ['affinity timeout', { sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 90000 } } }, 'spec.sessionAffinityConfig.clientIP.timeoutSeconds: Invalid value: 90000: must be greater than 0 and less than 86400'],
    ['nodePort on ClusterIP', { ports: [{ port: 80, nodePort: 30001 }] }, "spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"],
    ['externalName required', { type: 'ExternalName' }, 'spec.externalName: Required value'],
    ['clusterIP not an IP', { clusterIP: '1.2.3' }, 'spec.clusterIPs[0]: Invalid value: "1.2.3": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'],
    ['headless NodePort', { type: 'NodePort', clusterIP: 'None' }, "spec.clusterIPs[0]: Invalid value: \"None\": may not be set to 'None' for NodePort services"],
    ['selector value', { selector: { app: 'a b' } }, "spec.selector: Invalid value: \"a b\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"],
    ['externalTrafficPolicy on ClusterIP', { externalTrafficPolicy: 'Local' }, 'spec.externalTrafficPolicy: Invalid value: "Local": may only be set for externally-accessible services'],
  ];
  for (const [what, spec, message] of cases) {
    test(what, () => {
      const { store } = newStore();
      const err = apiError(() => store.create(GR.services, svc('s', spec)));
      expect(err.code).toBe(422);
      expect(err.message).toBe(`Service "s" is invalid: ${message}`);
    });
  }

  test('Service names are DNS-1035 labels', () => {
    const { store } = newStore();
    expect(apiError(() => store.create(GR.services, svc('1web'))).message).toBe(
      `Service "1web" is invalid: metadata.name: Invalid value: "1web": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')`,
    );
  });

  test('several problems are listed together', () => {
    const { store } = newStore();
    expect(apiError(() => store.create(GR.services, svc('s', { ports: [{ port: 0, targetPort: 80 }], sessionAffinity: 'Sticky' }))).message).toBe(
      'Service "s" is invalid: [spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive, spec.sessionAffinity: Unsupported value: "Sticky": supported values: "ClientIP", "None"]',
    );
  });

  test('a label value that is not a string is a decode error', () => {
    const { store } = newStore();
    const err = apiError(() => store.create(GR.services, obj('s', { metadata: { name: 's', labels: { version: 1 } }, spec: { ports: [{ port: 80 }] } })));
    expect(err.code).toBe(400);
    expect(err.message).toBe('Service in version "v1" cannot be handled as a Service: json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type string');
  });
});
