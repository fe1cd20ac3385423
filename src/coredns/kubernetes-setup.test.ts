// Corefile options of the kubernetes plugin that a real cluster's Corefile may carry (ignore
// empty_service, zonal, noendpoints, labels, namespace_labels, multicluster, connection options),
// their error texts, and the chaos plugin, through compileCorefile against objects in a store.
import { afterAll, describe, expect, it, vi } from 'vitest';
import { InformerFactory } from '../api/informer.js';
import { ObjectStore } from '../api/store.js';
import { GR, type KObject } from '../api/types.js';
import { CHAOS_OWNERS, CLASS_CHAOS } from './chaos.js';
import { decodeMessage } from './message.js';
import { Metrics, VERSION } from './metrics.js';
import { SERVICE_IMPORTS } from './record-source.js';
import { compileCorefile, type CompiledBlock, type SetupEnv } from './setup.js';
import { isRaw, QTYPE, RCODE, type DnsRequest, type Reply } from './types.js';
import { encodeQuery, encodeReply, parseQuery } from './wire.js';

function store(): ObjectStore {
  const s = new ObjectStore();
  s.create(GR.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { team: 'a' } } });
  s.create(GR.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'lab', labels: { team: 'b' } } });
  const svc = (ns: string, name: string, spec: Record<string, unknown>, labels?: Record<string, string>): KObject =>
    ({ apiVersion: 'v1', kind: 'Service', metadata: { namespace: ns, name, labels }, spec });
  s.create(GR.services, svc('shop', 'cart', { clusterIP: '127.96.0.30', ports: [{ name: 'http', port: 80 }] }, { app: 'cart' }));
  s.create(GR.services, svc('shop', 'idle', { clusterIP: '127.96.0.31', ports: [{ name: 'http', port: 80 }] }, { app: 'idle' }));
  s.create(GR.services, svc('shop', 'db', { clusterIP: 'None' }, { app: 'db' }));
  s.create(GR.services, svc('lab', 'probe', { clusterIP: '127.96.0.32', ports: [{ port: 80 }] }));
  const slice = (ns: string, name: string, service: string, eps: unknown[], labels: Record<string, string> = {}): KObject => ({
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', addressType: 'IPv4', ports: [{ name: 'http', port: 8080, protocol: 'TCP' }], endpoints: eps,
    metadata: { namespace: ns, name, labels: { 'kubernetes.io/service-name': service, ...labels } },
  });
  s.create(GR.endpointslices, slice('shop', 'cart-1', 'cart', [{ addresses: ['127.244.1.10'], conditions: { ready: true } }], { app: 'cart' }));
  s.create(GR.endpointslices, slice('shop', 'idle-1', 'idle', [{ addresses: ['127.244.1.11'], conditions: { ready: false } }], { app: 'idle' }));
  s.create(GR.endpointslices, slice('shop', 'db-1', 'db', [
    { addresses: ['127.244.2.1'], zone: 'zone-a', conditions: { ready: true } },
    { addresses: ['127.244.2.2'], zone: 'zone-b', conditions: { ready: true } },
  ], { app: 'db' }));
  return s;
}

function env(over: Partial<SetupEnv> = {}): SetupEnv {
  return {
    informers: new InformerFactory(store()), podIP: '127.244.0.2', nsAddress: '127.96.0.10', log: () => {}, metrics: new Metrics(),
    resolvConf: () => [], readFile: () => '', ...over,
  };
}

const compiled: CompiledBlock[] = [];
function compile(body: string, over: Partial<SetupEnv> = {}): CompiledBlock {
  const [b] = compileCorefile(`.:53 {\n${body}\n}\n`, env(over));
  compiled.push(b);
  return b;
}

function k8s(options: string): CompiledBlock {
  return compile(`    kubernetes cluster.local in-addr.arpa {\n${options}\n    }`);
}

function req(name: string, qtype: number = QTYPE.A, qclass = 1): DnsRequest {
  const wire = encodeQuery(9, name, qtype);
  wire.writeUInt16BE(qclass, wire.length - 2);
  const p = parseQuery(wire);
  if (p.kind !== 'query') throw new Error('bad query');
  return { query: p.query, wire, transport: 'udp' };
}

async function ask(b: CompiledBlock, name: string, qtype: number = QTYPE.A, qclass = 1): Promise<Reply> {
  const r = await b.handler(req(name, qtype, qclass));
  if (isRaw(r)) throw new Error('raw');
  return r;
}

const rcode = async (b: CompiledBlock, name: string, qtype: number = QTYPE.A) => (await ask(b, name, qtype)).rcode;
const addresses = async (b: CompiledBlock, name: string) => (await ask(b, name)).answer.map((r) => (r.type === 'A' ? r.address : r.type)).sort();

function refused(body: string): string {
  try {
    compile(body);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('the Corefile loaded');
}

describe('kubernetes plugin options in a Corefile', () => {
  it('ignore empty_service: a ClusterIP service without a ready endpoint is NXDOMAIN; headless and others unchanged', async () => {
    const plain = k8s('');
    expect(await addresses(plain, 'idle.shop.svc.cluster.local')).toEqual(['127.96.0.31']);
    const b = k8s('        ignore empty_service');
    expect(await rcode(b, 'idle.shop.svc.cluster.local')).toBe(RCODE.NXDOMAIN);
    expect(await rcode(b, '_http._tcp.idle.shop.svc.cluster.local', QTYPE.SRV)).toBe(RCODE.NXDOMAIN);
    expect(await addresses(b, 'cart.shop.svc.cluster.local')).toEqual(['127.96.0.30']);
    // The reverse side does not look at endpoints.
    expect((await ask(b, '31.0.96.127.in-addr.arpa', QTYPE.PTR)).answer).toMatchObject([{ target: 'idle.shop.svc.cluster.local' }]);
  });

  it('zonal: pin and prefer names of a headless service; off, the same names are NXDOMAIN', async () => {
    const b = k8s('        zonal');
    expect(await addresses(b, 'zone-a.pin._zone.db.shop.svc.cluster.local')).toEqual(['127.244.2.1']);
    const empty = await ask(b, 'zone-c.pin._zone.db.shop.svc.cluster.local');
    expect([empty.rcode, empty.answer.length]).toEqual([RCODE.NOERROR, 0]);
    expect(await addresses(b, 'zone-c.prefer._zone.db.shop.svc.cluster.local')).toEqual(['127.244.2.1', '127.244.2.2']);
    expect(await rcode(b, 'zone-a.pin._zone.cart.shop.svc.cluster.local')).toBe(RCODE.NXDOMAIN);
    expect(await rcode(k8s(''), 'zone-a.pin._zone.db.shop.svc.cluster.local')).toBe(RCODE.NXDOMAIN);
  });

  it('noendpoints: headless services and endpoint names are NXDOMAIN, ClusterIPs answer', async () => {
    const b = k8s('        noendpoints');
    expect(await rcode(b, 'db.shop.svc.cluster.local')).toBe(RCODE.NXDOMAIN);
    expect(await rcode(b, '127-244-1-10.cart.shop.svc.cluster.local')).toBe(RCODE.NXDOMAIN);
    expect(await addresses(b, 'cart.shop.svc.cluster.local')).toEqual(['127.96.0.30']);
    expect(await addresses(k8s(''), '127-244-1-10.cart.shop.svc.cluster.local')).toEqual(['127.244.1.10']);
  });

  it('labels exposes only matching Services and EndpointSlices; namespace_labels only matching namespaces', async () => {
    const b = k8s('        labels app in (cart, db)');
    expect(await addresses(b, 'cart.shop.svc.cluster.local')).toEqual(['127.96.0.30']);
    expect(await rcode(b, 'idle.shop.svc.cluster.local')).toBe(RCODE.NXDOMAIN);
    const n = k8s('        namespace_labels team=a');
    expect(await addresses(n, 'cart.shop.svc.cluster.local')).toEqual(['127.96.0.30']);
    expect(await rcode(n, 'probe.lab.svc.cluster.local')).toBe(RCODE.NXDOMAIN);
    expect(await rcode(n, 'lab.svc.cluster.local')).toBe(RCODE.NXDOMAIN);
  });

  it('accepts the connection options of a real cluster\'s Corefile', () => {
    const b = k8s([
      '        endpoint https://127.0.0.1:6443', '        tls cert key cacert', '        kubeconfig /etc/kube.conf ctx',
      '        startup_timeout 10s', '        apiserver_qps 50', '        apiserver_burst 100', '        apiserver_max_inflight 10',
    ].join('\n'));
    expect(b.plugins).toContain('kubernetes');
  });

  it('refuses what the plugin refuses, in its words', () => {
    expect(refused('    kubernetes cluster.local {\n        pods maybe\n    }')).toMatch(/plugin\/kubernetes: wrong value for pods: maybe, {2}must be one of: disabled, verified, insecure$/);
    expect(refused('    kubernetes cluster.local {\n        ttl 4000\n    }')).toMatch(/plugin\/kubernetes: ttl must be in range \[0, 3600\]: 4000$/);
    expect(refused('    kubernetes cluster.local {\n        ignore everything\n    }')).toMatch(/plugin\/kubernetes: unable to parse ignore value: 'everything'$/);
    expect(refused('    kubernetes cluster.local {\n        zonal\n        noendpoints\n    }')).toMatch(/zonal requires the endpoint cache; remove noendpoints$/);
    expect(refused('    kubernetes cluster.local {\n        namespaces a\n        namespace_labels team=a\n    }')).toMatch(/namespaces and namespace_labels cannot both be set$/);
    expect(refused('    kubernetes cluster.local {\n        multicluster clusterset.local\n    }')).toMatch(/is not authoritative for the multicluster zone clusterset\.local/);
    expect(refused('    kubernetes cluster.local {\n        frobnicate\n    }')).toMatch(/plugin\/kubernetes: unknown property 'frobnicate'$/);
    expect(refused('    kubernetes cluster.local {\n        startup_timeout soon\n    }')).toMatch(/failed to parse startup_timeout: soon/);
    expect(refused('    kubernetes in-addr.arpa')).toMatch(/non-reverse zone name must be used$/);
  });

  it('multicluster: clusterset.local answers from ServiceImports and MCS EndpointSlices, cluster.local from Services', async () => {
    const st = store();
    // What applying the MCS API's CRD does (src/api/server.ts registers CRD kinds so).
    st.registry.add({
      group: 'multicluster.x-k8s.io', version: 'v1alpha1', kind: 'ServiceImport', resource: 'serviceimports', singular: 'serviceimport', namespaced: true,
      shortNames: [], categories: [], verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'], subresources: [], builtin: false,
    });
    st.create(SERVICE_IMPORTS, { apiVersion: 'multicluster.x-k8s.io/v1alpha1', kind: 'ServiceImport', metadata: { namespace: 'shop', name: 'cart' }, spec: { type: 'ClusterSetIP', ips: ['127.97.0.30'], ports: [{ name: 'http', protocol: 'TCP', port: 80 }] } });
    st.create(SERVICE_IMPORTS, { apiVersion: 'multicluster.x-k8s.io/v1alpha1', kind: 'ServiceImport', metadata: { namespace: 'shop', name: 'db' }, spec: { type: 'Headless', ports: [{ name: 'http', protocol: 'TCP', port: 8080 }] } });
    st.create(GR.endpointslices, {
      apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', addressType: 'IPv4', ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
      endpoints: [{ addresses: ['127.245.0.7'], conditions: { ready: true } }],
      metadata: { namespace: 'shop', name: 'db-west', labels: { 'multicluster.kubernetes.io/service-name': 'db', 'multicluster.kubernetes.io/source-cluster': 'west' } },
    });
    const b = compile('    kubernetes cluster.local clusterset.local {\n        multicluster clusterset.local\n    }', { informers: new InformerFactory(st) });
    expect(await addresses(b, 'cart.shop.svc.clusterset.local')).toEqual(['127.97.0.30']);
    expect(await addresses(b, 'cart.shop.svc.cluster.local')).toEqual(['127.96.0.30']);
    expect(await addresses(b, 'db.shop.svc.clusterset.local')).toEqual(['127.245.0.7']);
    expect(await addresses(b, '127-245-0-7.west.db.shop.svc.clusterset.local')).toEqual(['127.245.0.7']);
    expect(await rcode(b, '127-245-0-7.db.shop.svc.clusterset.local')).toBe(RCODE.NXDOMAIN);
    const srv = await ask(b, '_http._tcp.db.shop.svc.clusterset.local', QTYPE.SRV);
    expect(srv.answer).toMatchObject([{ type: 'SRV', port: 8080, target: '127-245-0-7.west.db.shop.svc.clusterset.local' }]);
    expect(await rcode(b, 'idle.shop.svc.clusterset.local')).toBe(RCODE.NXDOMAIN);
    // A new ServiceImport is answered once the informer delivers it.
    st.create(SERVICE_IMPORTS, { apiVersion: 'multicluster.x-k8s.io/v1alpha1', kind: 'ServiceImport', metadata: { namespace: 'shop', name: 'idle' }, spec: { type: 'ClusterSetIP', ips: ['127.97.0.31'], ports: [{ port: 80 }] } });
    await vi.waitFor(async () => expect(await addresses(b, 'idle.shop.svc.clusterset.local')).toEqual(['127.97.0.31']));
  });
});

describe('chaos', () => {
  const wire = async (b: CompiledBlock, name: string) => {
    const r = req(name, 16, CLASS_CHAOS);
    const rep = await b.handler(r);
    if (isRaw(rep)) throw new Error('raw');
    return { reply: rep, out: encodeReply(r.wire, r.query, rep, 512) };
  };

  it('answers version.bind, version.server, hostname.bind and id.server as CH TXT with TTL 0, not authoritative', async () => {
    const b = compile('    chaos\n    kubernetes cluster.local', { hostname: () => 'coredns-7db6d8ff4d-abcde' });
    for (const [name, text] of [['version.bind', `CoreDNS-${VERSION}`], ['version.server', `CoreDNS-${VERSION}`], ['hostname.bind', 'coredns-7db6d8ff4d-abcde'], ['id.server', 'coredns-7db6d8ff4d-abcde']]) {
      const { out } = await wire(b, name);
      expect(out[2] & 0x04).toBe(0); // no AA
      const m = decodeMessage(out);
      expect(m.rcode).toBe(RCODE.NOERROR);
      expect(m.answer).toHaveLength(1);
      const rr = m.answer[0];
      expect(rr).toMatchObject({ name, ttl: 0, type: 'RAW', code: 16, rclass: CLASS_CHAOS });
      expect(rr.type === 'RAW' && rr.rdata.subarray(1).toString()).toBe(text);
    }
  });

  it('answers authors.bind with one TXT per author; a given version and authors replace the defaults', async () => {
    const all = (await wire(compile('    chaos'), 'authors.bind')).reply.answer;
    expect(all).toHaveLength(CHAOS_OWNERS.length);
    const b = compile('    chaos kdp-test bob alice bob');
    const { reply } = await wire(b, 'authors.bind');
    expect(reply.answer.map((r) => r.type === 'RAW' && r.rdata.subarray(1).toString()).sort()).toEqual(['alice', 'bob']);
    const v = (await wire(b, 'version.bind')).reply.answer[0];
    expect(v.type === 'RAW' && v.rdata.subarray(1).toString()).toBe('kdp-test');
  });

  it('passes IN-class and other CH names on', async () => {
    const b = compile('    chaos\n    kubernetes cluster.local');
    expect((await ask(b, 'version.bind', 16)).rcode).toBe(RCODE.SERVFAIL);
    expect((await ask(b, 'other.bind', 16, CLASS_CHAOS)).rcode).toBe(RCODE.SERVFAIL);
  });
});

// Each compiled block subscribed to the store's informers.
afterAll(() => { for (const b of compiled) b.dispose(); });
