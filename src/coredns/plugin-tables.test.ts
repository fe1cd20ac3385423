// The CoreDNS kubernetes plugin's own handler tables (handler_test.go, handler_case_test.go,
// handler_ignore_emptyservice_test.go, handler_pod_*_test.go, reverse_test.go, zonal_test.go,
// kubernetes_apex_test.go), replayed against kdp: the same objects as Services and EndpointSlices,
// fed into ClusterRecords, each question encoded on the wire, answered by the kubernetes handler,
// encoded, decoded again and compared section by section (sorted, as the plugin's SortAndCheck
// does; SOA serials are not compared: theirs come from a fake clock).
import { describe, expect, it } from 'vitest';
import type { KObject } from '../api/types.js';
import { ClusterRecords } from './cluster-records.js';
import { KubernetesHandler, type KubernetesHandlerOptions } from './kubernetes.js';
import { decodeMessage } from './message.js';
import { MultiClusterSink } from './multicluster.js';
import type { RecordSink } from './record-source.js';
import { isRaw, QTYPE, RCODE, type DnsRequest, type DnsResult, type Next, type Rr } from './types.js';
import { encodeQuery, encodeReply, parseQuery } from './wire.js';

// --- the plugin's fixtures, as Kubernetes objects ---

type Port = { name?: string; protocol?: string; port: number };
const ns = (name: string): KObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
const clusterIP = (namespace: string, name: string, ips: string[], ports: Port[]): KObject =>
  ({ apiVersion: 'v1', kind: 'Service', metadata: { namespace, name }, spec: { type: 'ClusterIP', clusterIP: ips[0], clusterIPs: ips, ports } });
const headless = (namespace: string, name: string): KObject =>
  ({ apiVersion: 'v1', kind: 'Service', metadata: { namespace, name }, spec: { type: 'ClusterIP', clusterIP: 'None', clusterIPs: ['None'] } });
const external = (namespace: string, name: string, target: string): KObject =>
  ({ apiVersion: 'v1', kind: 'Service', metadata: { namespace, name }, spec: { type: 'ExternalName', externalName: target, ports: [{ name: 'http', protocol: 'tcp', port: 80 }] } });
type Ep = { ip: string; hostname?: string; zone?: string };
const slice = (namespace: string, name: string, service: string, addressType: 'IPv4' | 'IPv6', eps: Ep[], ports: Port[]): KObject => ({
  apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', addressType, ports,
  metadata: { namespace, name, labels: { 'kubernetes.io/service-name': service } },
  endpoints: eps.map((e) => ({ addresses: [e.ip], conditions: { ready: true }, ...(e.hostname ? { hostname: e.hostname } : {}), ...(e.zone ? { zone: e.zone } : {}) })),
});
const pod = (namespace: string, name: string, ip: string): KObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { namespace, name }, status: { podIP: ip } });
const http: Port[] = [{ name: 'http', protocol: 'tcp', port: 80 }];

/** APIConnServeTest (handler_test.go). */
function serveTestObjects(): KObject[] {
  return [
    ...['testns', 'kube-system', 'unexposedns', 'podns', 'svcns'].map(ns),
    clusterIP('kube-system', 'kubedns', ['10.0.0.10'], [{ name: 'dns', protocol: 'udp', port: 53 }]),
    clusterIP('testns', 'svc1', ['10.0.0.1'], http),
    clusterIP('testns', 'svcempty', ['10.0.0.1'], http),
    clusterIP('testns', 'svc6', ['1234:abcd::1'], http),
    headless('testns', 'hdls1'),
    external('testns', 'external', 'ext.interwebs.test'),
    external('testns', 'external-to-service', 'svc1.testns.svc.cluster.local.'),
    headless('testns', 'hdlsprtls'),
    clusterIP('unexposedns', 'svc1', ['10.0.0.2'], http),
    clusterIP('testns', 'svc-dual-stack', ['10.0.0.3', '10::3'], http),
    slice('kube-system', 'kubedns', 'kubedns', 'IPv4', [{ ip: '172.0.0.100' }], [{ name: 'dns', protocol: 'udp', port: 53 }]),
    slice('testns', 'svc1-slice1', 'svc1', 'IPv4', [{ ip: '172.0.0.1', hostname: 'ep1a' }], http),
    slice('testns', 'svcempty-slice1', 'svcempty', 'IPv4', [], http),
    // The plugin's one subset of mixed addresses: an IPv4 and an IPv6 EndpointSlice.
    slice('testns', 'hdls1-slice1', 'hdls1', 'IPv4', [{ ip: '172.0.0.2' }, { ip: '172.0.0.3' }, { ip: '172.0.0.4', hostname: 'dup-name' }, { ip: '172.0.0.5', hostname: 'dup-name' }], http),
    slice('testns', 'hdls1-slice2', 'hdls1', 'IPv6', [{ ip: '5678:abcd::1' }, { ip: '5678:abcd::2' }], http),
    slice('testns', 'hdlsprtls-slice1', 'hdlsprtls', 'IPv4', [{ ip: '172.0.0.20' }], []),
    pod('podns', 'foo', '10.240.0.1'),
  ];
}

/** APIConnServeTest's ServiceImports and multicluster endpoints (all from cluster1). */
function multiclusterTestObjects(): KObject[] {
  const imp = (namespace: string, name: string, type: 'ClusterSetIP' | 'Headless', ips: string[], ports: Port[] = []): KObject =>
    ({ apiVersion: 'multicluster.x-k8s.io/v1alpha1', kind: 'ServiceImport', metadata: { namespace, name }, spec: { type, ips, ports } });
  const mcs = (o: KObject): KObject => {
    const svc = o.metadata.labels!['kubernetes.io/service-name'];
    return { ...o, metadata: { ...o.metadata, labels: { 'multicluster.kubernetes.io/service-name': svc, 'multicluster.kubernetes.io/source-cluster': 'cluster1' } } };
  };
  const objs = serveTestObjects();
  return [
    ...objs.filter((o) => o.kind === 'Namespace'),
    imp('kube-system', 'kubedns', 'ClusterSetIP', ['10.0.0.10'], [{ name: 'dns', protocol: 'udp', port: 53 }]),
    imp('testns', 'svc1', 'ClusterSetIP', ['10.0.0.1'], http),
    imp('testns', 'svcempty', 'ClusterSetIP', ['10.0.0.1'], http),
    imp('testns', 'svc6', 'ClusterSetIP', ['1234:abcd::1'], http),
    imp('testns', 'hdls1', 'Headless', []),
    imp('testns', 'hdlsprtls', 'Headless', []),
    imp('unexposedns', 'svc1', 'ClusterSetIP', ['10.0.0.2'], http),
    imp('testns', 'svc-dual-stack', 'ClusterSetIP', ['10.0.0.3', '10::3'], http),
    ...objs.filter((o) => o.kind === 'EndpointSlice').map(mcs),
  ];
}

/** APIConnReverseTest (reverse_test.go); svc2 exists as a Service here (kdp reads slices per Service). */
function reverseTestObjects(): KObject[] {
  return [
    ns('testns'),
    clusterIP('testns', 'svc1', ['192.168.1.100'], http),
    clusterIP('testns', 'svc2', ['192.168.1.101'], http),
    slice('testns', 'svc1-slice1', 'svc1', 'IPv4', [{ ip: '10.0.0.100', hostname: 'ep1a' }, { ip: '10.0.0.99', hostname: 'double-ep' }], http),
    slice('testns', 'svc1-slice2', 'svc1', 'IPv6', [{ ip: '1234:abcd::1', hostname: 'ep1b' }, { ip: 'fd00:77:30::a', hostname: 'ip6svc1ex' }, { ip: 'fd00:77:30::2:9ba6', hostname: 'ip6svc1in' }], http),
    slice('testns', 'svc1-ccccc', 'svc1', 'IPv4', [{ ip: '10.0.0.100', hostname: 'ep1a' }], http),
    slice('testns', 'svc2-slice1', 'svc2', 'IPv4', [{ ip: '10.0.0.99', hostname: 'double-ep' }], http),
  ];
}

/** APIConnZonalTest (zonal_test.go). */
function zonalTestObjects(): KObject[] {
  return [
    ns('testns'),
    headless('testns', 'hdls'),
    clusterIP('testns', 'clstr', ['10.0.0.10'], http),
    slice('testns', 'hdls-slice', 'hdls', 'IPv4', [{ ip: '172.0.0.1', zone: 'us-west-2a' }, { ip: '172.0.0.2', zone: 'us-west-2b' }, { ip: '172.0.0.3', zone: 'us-west-2b' }], http),
  ];
}

function handler(objects: KObject[], opts: KubernetesHandlerOptions & { ignoreEmptyService?: boolean; multicluster?: boolean } = {}): KubernetesHandler {
  const records = new ClusterRecords({ zone: 'cluster.local', ttl: 5, ignoreEmptyService: opts.ignoreEmptyService, multicluster: opts.multicluster, now: () => 1499347823 });
  const sink: RecordSink = opts.multicluster ? new MultiClusterSink(records) : records;
  for (const o of objects) {
    if (o.kind === 'Namespace') sink.upsertNamespace(o);
    else if (o.kind === 'Service') sink.upsertService(o);
    else if (o.kind === 'ServiceImport') sink.upsertServiceImport!(o);
    else if (o.kind === 'EndpointSlice') sink.upsertEndpointSlice(o);
    else sink.upsertPod(o);
  }
  return new KubernetesHandler(records, { pods: 'disabled', ...opts });
}

// --- a case: question, rcode, the sections as zone-file lines (the plugin's test.Case) ---

interface Case {
  q: string;
  t: keyof typeof TYPES;
  rcode: number;
  answer?: string[];
  ns?: string[];
  extra?: string[];
  tc?: boolean;
}

const TYPES = { A: QTYPE.A, AAAA: QTYPE.AAAA, SRV: QTYPE.SRV, TXT: QTYPE.TXT, CNAME: QTYPE.CNAME, PTR: QTYPE.PTR, NS: QTYPE.NS, SOA: QTYPE.SOA, HINFO: 13 } as const;
const { NOERROR, NXDOMAIN } = RCODE;
const soa = (zone = 'cluster.local.') => `${zone} 5 IN SOA ns.dns.${zone} hostmaster.${zone} S 7200 1800 86400 5`;

function line(rr: Rr): string {
  const head = `${rr.name}. ${rr.ttl} IN ${rr.type}`;
  switch (rr.type) {
    case 'A': case 'AAAA': return `${head} ${rr.address}`;
    case 'CNAME': case 'PTR': case 'NS': return `${head} ${rr.target}.`;
    case 'SRV': return `${head} ${rr.priority} ${rr.weight} ${rr.port} ${rr.target}.`;
    case 'TXT': return `${head} ${rr.text.join(' ')}`;
    case 'SOA': return `${head} ${rr.mname}. ${rr.rname}. S ${rr.refresh} ${rr.retry} ${rr.expire} ${rr.minimum}`;
    case 'RAW': return `${rr.name}. ${rr.ttl} TYPE${rr.code}`;
  }
}

/** The IPv6 text form the plugin's fixtures use (`5678:abcd::1`). */
function normal(l: string): string {
  return l.replace(/\s+/g, ' ').replace(/ (AAAA) ([0-9a-f:]+)$/, (_m, t, a) => ` ${t} ${compress(a)}`);
}

function compress(a: string): string {
  const groups = a.split(':').map((g) => g.replace(/^0+(?=.)/, ''));
  const s = groups.join(':');
  return s.replace(/(^|:)0(:0)+(:|$)/, '::').replace(/:{3,}/, '::');
}

async function ask(k: KubernetesHandler, c: Case, next: Next): Promise<{ rcode: number; tc: boolean; answer: string[]; ns: string[]; extra: string[] }> {
  const wire = encodeQuery(0x1234, c.q.replace(/\.$/, ''), TYPES[c.t]);
  const parsed = parseQuery(wire);
  if (parsed.kind !== 'query') throw new Error('unparsable question ' + c.q);
  const req: DnsRequest = { query: parsed.query, wire, transport: 'udp' };
  const res = await k.serveDns(req, next);
  if (isRaw(res)) throw new Error('the kubernetes handler relayed bytes');
  const out = encodeReply(wire, parsed.query, res, 65535);
  const m = decodeMessage(out);
  const sort = (rrs: Rr[]) => rrs.map((r) => normal(line(r))).sort();
  return { rcode: m.rcode, tc: (out[2] & 0x02) !== 0, answer: sort(m.answer), ns: sort(m.authority), extra: sort(m.additional) };
}

const noNext: Next = () => ({ rcode: RCODE.SERVFAIL, aa: false, answer: [], authority: [], additional: [] });

function table(name: string, make: () => KubernetesHandler, cases: Case[], next: Next = noNext): void {
  describe(name, () => {
    for (const c of cases) {
      it(`${c.q} ${c.t} → ${['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN'][c.rcode]}${c.answer?.length ? ` (${c.answer.length} answers)` : ''}`, async () => {
        const got = await ask(make(), c, next);
        expect({ rcode: got.rcode, answer: got.answer, ns: got.ns, extra: got.extra }).toEqual({
          rcode: c.rcode, answer: (c.answer ?? []).map(normal).sort(), ns: (c.ns ?? []).map(normal).sort(), extra: (c.extra ?? []).map(normal).sort(),
        });
        expect(got.tc).toBe(c.tc ?? false);
      });
    }
  });
}

export const PORTED_CASES: Case[][] = [];
function port(name: string, make: () => KubernetesHandler, cases: Case[], next?: Next): void {
  PORTED_CASES.push(cases);
  table(name, make, cases, next);
}

// --- handler_test.go: commonDnsTestCases + dnsTestCases (TestServeDNS: namespaces testns) ---

const common: Case[] = [
  { q: 'svc1.testns.svc.cluster.local.', t: 'A', rcode: NOERROR, answer: ['svc1.testns.svc.cluster.local. 5 IN A 10.0.0.1'] },
  { q: 'svcempty.testns.svc.cluster.local.', t: 'A', rcode: NOERROR, answer: ['svcempty.testns.svc.cluster.local. 5 IN A 10.0.0.1'] },
  { q: 'svc1.testns.svc.cluster.local.', t: 'SRV', rcode: NOERROR, answer: ['svc1.testns.svc.cluster.local. 5 IN SRV 0 100 80 svc1.testns.svc.cluster.local.'], extra: ['svc1.testns.svc.cluster.local. 5 IN A 10.0.0.1'] },
  { q: 'svcempty.testns.svc.cluster.local.', t: 'SRV', rcode: NOERROR, answer: ['svcempty.testns.svc.cluster.local. 5 IN SRV 0 100 80 svcempty.testns.svc.cluster.local.'], extra: ['svcempty.testns.svc.cluster.local. 5 IN A 10.0.0.1'] },
  { q: 'svc6.testns.svc.cluster.local.', t: 'SRV', rcode: NOERROR, answer: ['svc6.testns.svc.cluster.local. 5 IN SRV 0 100 80 svc6.testns.svc.cluster.local.'], extra: ['svc6.testns.svc.cluster.local. 5 IN AAAA 1234:abcd::1'] },
  { q: '_http._tcp.svc1.testns.svc.cluster.local.', t: 'SRV', rcode: NOERROR, answer: ['_http._tcp.svc1.testns.svc.cluster.local. 5 IN SRV 0 100 80 svc1.testns.svc.cluster.local.'], extra: ['svc1.testns.svc.cluster.local. 5 IN A 10.0.0.1'] },
  { q: '_http._tcp.svcempty.testns.svc.cluster.local.', t: 'SRV', rcode: NOERROR, answer: ['_http._tcp.svcempty.testns.svc.cluster.local. 5 IN SRV 0 100 80 svcempty.testns.svc.cluster.local.'], extra: ['svcempty.testns.svc.cluster.local. 5 IN A 10.0.0.1'] },
  { q: 'hdls1.testns.svc.cluster.local.', t: 'A', rcode: NOERROR, answer: ['172.0.0.2', '172.0.0.3', '172.0.0.4', '172.0.0.5'].map((a) => `hdls1.testns.svc.cluster.local. 5 IN A ${a}`) },
  { q: 'hdlsprtls.testns.svc.cluster.local.', t: 'A', rcode: NOERROR, answer: ['hdlsprtls.testns.svc.cluster.local. 5 IN A 172.0.0.20'] },
  { q: 'svc1.testns.svc.cluster.local.', t: 'AAAA', rcode: NOERROR, ns: [soa()] },
  { q: 'svc0.testns.svc.cluster.local.', t: 'AAAA', rcode: NXDOMAIN, ns: [soa()] },
  { q: 'svc0.testns.svc.cluster.local.', t: 'A', rcode: NXDOMAIN, ns: [soa()] },
  { q: 'svc0.svc-nons.svc.cluster.local.', t: 'A', rcode: NXDOMAIN, ns: [soa()] },
  { q: 'dns-version.cluster.local.', t: 'TXT', rcode: NOERROR, answer: ['dns-version.cluster.local. 28800 IN TXT 1.1.0'] },
  { q: 'svc1.testns.svc.cluster.local.', t: 'TXT', rcode: NOERROR, ns: [soa()] },
  { q: 'svc0.svc-nons.svc.cluster.local.', t: 'TXT', rcode: NXDOMAIN, ns: [soa()] },
  { q: 'bogusendpoint.hdls1.testns.svc.cluster.local.', t: 'A', rcode: NXDOMAIN, ns: [soa()] },
  { q: 'bogusendpoint.svc0.testns.svc.cluster.local.', t: 'A', rcode: NXDOMAIN, ns: [soa()] },
  { q: 'svc6.testns.svc.cluster.local.', t: 'AAAA', rcode: NOERROR, answer: ['svc6.testns.svc.cluster.local. 5 IN AAAA 1234:abcd::1'] },
  { q: '_http._tcp.svc6.testns.svc.cluster.local.', t: 'SRV', rcode: NOERROR, answer: ['_http._tcp.svc6.testns.svc.cluster.local. 5 IN SRV 0 100 80 svc6.testns.svc.cluster.local.'], extra: ['svc6.testns.svc.cluster.local. 5 IN AAAA 1234:abcd::1'] },
  { q: 'hdls1.testns.svc.cluster.local.', t: 'AAAA', rcode: NOERROR, answer: ['hdls1.testns.svc.cluster.local. 5 IN AAAA 5678:abcd::1', 'hdls1.testns.svc.cluster.local. 5 IN AAAA 5678:abcd::2'] },
  { q: 'svc.cluster.local.', t: 'A', rcode: NOERROR, ns: [soa()] },
  { q: 'pod.cluster.local.', t: 'A', rcode: NOERROR, ns: [soa()] },
  { q: 'testns.svc.cluster.local.', t: 'A', rcode: NOERROR, ns: [soa()] },
  { q: 'svc.cluster.local.', t: 'NS', rcode: NOERROR, ns: [soa()] },
  { q: 'testns.svc.cluster.local.', t: 'NS', rcode: NOERROR, ns: [soa()] },
  { q: 'foo.cluster.local.', t: 'NS', rcode: NXDOMAIN, ns: [soa()] },
  { q: 'foo.svc.cluster.local.', t: 'NS', rcode: NXDOMAIN, ns: [soa()] },
  { q: 'svc-dual-stack.testns.svc.cluster.local.', t: 'A', rcode: NOERROR, answer: ['svc-dual-stack.testns.svc.cluster.local. 5 IN A 10.0.0.3'] },
  { q: 'svc-dual-stack.testns.svc.cluster.local.', t: 'AAAA', rcode: NOERROR, answer: ['svc-dual-stack.testns.svc.cluster.local. 5 IN AAAA 10::3'] },
  { q: 'svc-dual-stack.testns.svc.cluster.local.', t: 'SRV', rcode: NOERROR, answer: ['svc-dual-stack.testns.svc.cluster.local. 5 IN SRV 0 50 80 svc-dual-stack.testns.svc.cluster.local.'], extra: ['svc-dual-stack.testns.svc.cluster.local. 5 IN A 10.0.0.3', 'svc-dual-stack.testns.svc.cluster.local. 5 IN AAAA 10::3'] },
  { q: 'svc1.testns.svc.cluster.local.', t: 'SOA', rcode: NOERROR, ns: [soa()] },
  { q: 'endpoint.external.testns.svc.cluster.local.', t: 'CNAME', rcode: NXDOMAIN, ns: [soa()] },
  { q: 'subdomain.subdomain.external.testns.svc.cluster.local.', t: 'CNAME', rcode: NXDOMAIN, ns: [soa()] },
];

const hdls1 = (host: string) => `${host}.hdls1.testns.svc.cluster.local.`;
const dnsCases: Case[] = [
  {
    q: '_http._tcp.hdls1.testns.svc.cluster.local.', t: 'SRV', rcode: NOERROR,
    answer: ['172-0-0-2', '172-0-0-3', '5678-abcd--1', '5678-abcd--2', 'dup-name'].map((h) => `_http._tcp.hdls1.testns.svc.cluster.local. 5 IN SRV 0 16 80 ${hdls1(h)}`),
    extra: [`${hdls1('172-0-0-2')} 5 IN A 172.0.0.2`, `${hdls1('172-0-0-3')} 5 IN A 172.0.0.3`, `${hdls1('5678-abcd--1')} 5 IN AAAA 5678:abcd::1`,
      `${hdls1('5678-abcd--2')} 5 IN AAAA 5678:abcd::2`, `${hdls1('dup-name')} 5 IN A 172.0.0.4`, `${hdls1('dup-name')} 5 IN A 172.0.0.5`],
  },
  { q: 'hdls1.testns.svc.cluster.local.', t: 'A', rcode: NOERROR, answer: ['172.0.0.2', '172.0.0.3', '172.0.0.4', '172.0.0.5'].map((a) => `hdls1.testns.svc.cluster.local. 5 IN A ${a}`) },
  { q: '5678-abcd--2.hdls1.testns.svc.cluster.local', t: 'AAAA', rcode: NOERROR, answer: [`${hdls1('5678-abcd--2')} 5 IN AAAA 5678:abcd::2`] },
  { q: '5678-abcd--1.hdls1.testns.svc.cluster.local.', t: 'AAAA', rcode: NOERROR, answer: [`${hdls1('5678-abcd--1')} 5 IN AAAA 5678:abcd::1`] },
  { q: '172-0-0-20.hdlsprtls.testns.svc.cluster.local.', t: 'A', rcode: NOERROR, answer: ['172-0-0-20.hdlsprtls.testns.svc.cluster.local. 5 IN A 172.0.0.20'] },
  { q: '172-0-0-2.hdls1.testns.svc.cluster.local.', t: 'A', rcode: NOERROR, answer: [`${hdls1('172-0-0-2')} 5 IN A 172.0.0.2`] },
  { q: '172-0-0-3.hdls1.testns.svc.cluster.local.', t: 'A', rcode: NOERROR, answer: [`${hdls1('172-0-0-3')} 5 IN A 172.0.0.3`] },
  { q: 'dup-name.hdls1.testns.svc.cluster.local.', t: 'A', rcode: NOERROR, answer: [`${hdls1('dup-name')} 5 IN A 172.0.0.4`, `${hdls1('dup-name')} 5 IN A 172.0.0.5`] },
  { q: 'external.testns.svc.cluster.local.', t: 'CNAME', rcode: NOERROR, answer: ['external.testns.svc.cluster.local. 5 IN CNAME ext.interwebs.test.'] },
  {
    q: 'external.testns.svc.cluster.local.', t: 'A', rcode: NOERROR, tc: true,
    answer: ['ext.interwebs.test. 5 IN A 1.2.3.4', 'external.testns.svc.cluster.local. 5 IN CNAME ext.interwebs.test.'],
  },
  { q: 'external-to-service.testns.svc.cluster.local', t: 'A', rcode: NOERROR, answer: ['external-to-service.testns.svc.cluster.local. 5 IN CNAME svc1.testns.svc.cluster.local.', 'svc1.testns.svc.cluster.local. 5 IN A 10.0.0.1'] },
];

/** The plugin's Upstub: a truncated upstream answer for ext.interwebs.test. */
const truncatingUpstream: Next = (req: DnsRequest): DnsResult => ({
  raw: encodeReply(req.wire, req.query, { rcode: 0, aa: false, tc: true, answer: [{ name: 'ext.interwebs.test', ttl: 5, type: 'A', address: '1.2.3.4' }], authority: [], additional: [] }, 65535),
});

port('handler_test.go TestServeDNS', () => handler(serveTestObjects(), { namespaces: ['testns'] }), [...common, ...dnsCases], truncatingUpstream);

// --- handler_test.go TestMultiClusterServeDNS: the zone is a multicluster zone (ServiceImports) ---

const hm = (host: string) => `${host}.cluster1.hdls1.testns.svc.cluster.local.`;
const multiclusterCases: Case[] = [
  {
    q: '_http._tcp.hdls1.testns.svc.cluster.local.', t: 'SRV', rcode: NOERROR,
    answer: ['172-0-0-2', '172-0-0-3', '5678-abcd--1', '5678-abcd--2', 'dup-name'].map((h) => `_http._tcp.hdls1.testns.svc.cluster.local. 5 IN SRV 0 16 80 ${hm(h)}`),
    extra: [`${hm('172-0-0-2')} 5 IN A 172.0.0.2`, `${hm('172-0-0-3')} 5 IN A 172.0.0.3`, `${hm('5678-abcd--1')} 5 IN AAAA 5678:abcd::1`,
      `${hm('5678-abcd--2')} 5 IN AAAA 5678:abcd::2`, `${hm('dup-name')} 5 IN A 172.0.0.4`, `${hm('dup-name')} 5 IN A 172.0.0.5`],
  },
  { q: 'hdls1.testns.svc.cluster.local.', t: 'A', rcode: NOERROR, answer: ['172.0.0.2', '172.0.0.3', '172.0.0.4', '172.0.0.5'].map((a) => `hdls1.testns.svc.cluster.local. 5 IN A ${a}`) },
  { q: '5678-abcd--2.cluster1.hdls1.testns.svc.cluster.local', t: 'AAAA', rcode: NOERROR, answer: [`${hm('5678-abcd--2')} 5 IN AAAA 5678:abcd::2`] },
  { q: '5678-abcd--1.cluster1.hdls1.testns.svc.cluster.local.', t: 'AAAA', rcode: NOERROR, answer: [`${hm('5678-abcd--1')} 5 IN AAAA 5678:abcd::1`] },
  { q: '172-0-0-20.cluster1.hdlsprtls.testns.svc.cluster.local.', t: 'A', rcode: NOERROR, answer: ['172-0-0-20.cluster1.hdlsprtls.testns.svc.cluster.local. 5 IN A 172.0.0.20'] },
  { q: '5678-abcd--1.hdls1.testns.svc.cluster.local.', t: 'AAAA', rcode: NXDOMAIN, ns: [soa()] },
  { q: '172-0-0-2.cluster1.hdls1.testns.svc.cluster.local.', t: 'A', rcode: NOERROR, answer: [`${hm('172-0-0-2')} 5 IN A 172.0.0.2`] },
  { q: '172-0-0-3.cluster1.hdls1.testns.svc.cluster.local.', t: 'A', rcode: NOERROR, answer: [`${hm('172-0-0-3')} 5 IN A 172.0.0.3`] },
  { q: 'dup-name.cluster1.hdls1.testns.svc.cluster.local.', t: 'A', rcode: NOERROR, answer: [`${hm('dup-name')} 5 IN A 172.0.0.4`, `${hm('dup-name')} 5 IN A 172.0.0.5`] },
];
port('handler_test.go TestMultiClusterServeDNS', () => handler(multiclusterTestObjects(), { namespaces: ['testns'], multicluster: true }), [...common, ...multiclusterCases]);

port('handler_test.go TestServeNamespaceDNS', () => handler(serveTestObjects()), [
  { q: 'svc1.testns.svc.cluster.local.', t: 'A', rcode: NOERROR, answer: ['svc1.testns.svc.cluster.local. 5 IN A 10.0.0.1'] },
  { q: 'svc1.nsnoexist.svc.cluster.local.', t: 'A', rcode: NXDOMAIN, ns: [soa()] },
]);

// --- handler_case_test.go: the question's case, kept in SRV targets and the additional section ---

port('handler_case_test.go TestPreserveCase', () => handler(serveTestObjects(), { ignoreEmptyService: true }), [
  { q: 'not-a-service.testns.svc.ClUsTeR.lOcAl.', t: 'A', rcode: NXDOMAIN, ns: [soa('ClUsTeR.lOcAl.')] },
  { q: 'SvC1.TeStNs.SvC.cLuStEr.LoCaL.', t: 'A', rcode: NOERROR, answer: ['SvC1.TeStNs.SvC.cLuStEr.LoCaL. 5 IN A 10.0.0.1'] },
  { q: '_HtTp._TcP.sVc1.TeStNs.SvC.cLuStEr.LoCaL.', t: 'SRV', rcode: NOERROR, answer: ['_HtTp._TcP.sVc1.TeStNs.SvC.cLuStEr.LoCaL. 5 IN SRV 0 100 80 svc1.testns.svc.cLuStEr.LoCaL.'], extra: ['svc1.testns.svc.cLuStEr.LoCaL. 5 IN A 10.0.0.1'] },
  { q: 'Cluster.local.', t: 'SOA', rcode: NOERROR, answer: [soa('Cluster.local.')] },
]);

// --- handler_ignore_emptyservice_test.go ---

port('handler_ignore_emptyservice_test.go', () => handler(serveTestObjects(), { ignoreEmptyService: true }), [
  { q: 'svcempty.testns.svc.cluster.local.', t: 'A', rcode: NXDOMAIN, ns: [soa()] },
  { q: 'external.testns.svc.cluster.local.', t: 'CNAME', rcode: NOERROR, answer: ['external.testns.svc.cluster.local. 5 IN CNAME ext.interwebs.test.'] },
]);

// --- handler_pod_{verified,insecure,disabled}_test.go ---

port('handler_pod_verified_test.go', () => handler(serveTestObjects(), { pods: 'verified' }), [
  { q: '10-240-0-1.podns.pod.cluster.local.', t: 'A', rcode: NOERROR, answer: ['10-240-0-1.podns.pod.cluster.local. 5 IN A 10.240.0.1'] },
  { q: 'podns.pod.cluster.local.', t: 'A', rcode: NOERROR, ns: [soa()] },
  { q: 'svcns.svc.cluster.local.', t: 'A', rcode: NOERROR, ns: [soa()] },
  { q: 'pod-nons.pod.cluster.local.', t: 'A', rcode: NXDOMAIN, ns: [soa()] },
  { q: '172-0-0-2.podns.pod.cluster.local.', t: 'A', rcode: NXDOMAIN, ns: [soa()] },
]);

port('handler_pod_insecure_test.go', () => handler(serveTestObjects(), { pods: 'insecure' }), [
  { q: '10-240-0-1.podns.pod.cluster.local.', t: 'A', rcode: NOERROR, answer: ['10-240-0-1.podns.pod.cluster.local. 5 IN A 10.240.0.1'] },
  { q: '172-0-0-2.podns.pod.cluster.local.', t: 'A', rcode: NOERROR, answer: ['172-0-0-2.podns.pod.cluster.local. 5 IN A 172.0.0.2'] },
  { q: 'blah.podns.pod.cluster.local.', t: 'A', rcode: NXDOMAIN, ns: [soa()] },
  { q: 'blah.podns.pod.cluster.local.', t: 'AAAA', rcode: NXDOMAIN, ns: [soa()] },
  { q: 'blah.podns.pod.cluster.local.', t: 'HINFO', rcode: NXDOMAIN, ns: [soa()] },
  { q: 'blah.pod-nons.pod.cluster.local.', t: 'A', rcode: NXDOMAIN, ns: [soa()] },
  { q: 'podns.pod.cluster.local.', t: 'A', rcode: NOERROR, ns: [soa()] },
]);

port('handler_pod_disabled_test.go', () => handler(serveTestObjects(), { pods: 'disabled' }), [
  { q: '10-240-0-1.podns.pod.cluster.local.', t: 'A', rcode: NXDOMAIN, ns: [soa()] },
  { q: '172-0-0-2.podns.pod.cluster.local.', t: 'A', rcode: NXDOMAIN, ns: [soa()] },
]);

// --- kubernetes_apex_test.go (the NS glue is the server's own address) ---

port('kubernetes_apex_test.go', () => handler(serveTestObjects(), { nsAddress: '127.0.0.1' }), [
  { q: 'cluster.local.', t: 'SOA', rcode: NOERROR, answer: [soa()] },
  { q: 'cluster.local.', t: 'HINFO', rcode: NOERROR, ns: [soa()] },
  { q: 'cluster.local.', t: 'NS', rcode: NOERROR, answer: ['cluster.local. 5 IN NS ns.dns.cluster.local.'], extra: ['ns.dns.cluster.local. 5 IN A 127.0.0.1'] },
  { q: 'cluster.local.', t: 'A', rcode: NOERROR, ns: [soa()] },
  { q: 'cluster.local.', t: 'AAAA', rcode: NOERROR, ns: [soa()] },
  { q: 'cluster.local.', t: 'SRV', rcode: NOERROR, ns: [soa()] },
]);

// --- reverse_test.go: PTR for ClusterIPs and for the endpoints of every Service ---

const reverseZones = ['0.10.in-addr.arpa', '168.192.in-addr.arpa', '0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.c.b.a.4.3.2.1.ip6.arpa', '0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.3.0.0.7.7.0.0.0.0.d.f.ip6.arpa'];
const v6a = '1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.c.b.a.4.3.2.1.ip6.arpa.';
const v6b = 'a.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.3.0.0.7.7.0.0.0.0.d.f.ip6.arpa.';
const v6c = '6.a.b.9.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.3.0.0.7.7.0.0.0.0.d.f.ip6.arpa.';
port('reverse_test.go TestReverse', () => handler(reverseTestObjects(), { reverseZones }), [
  { q: '100.0.0.10.in-addr.arpa.', t: 'PTR', rcode: NOERROR, answer: ['100.0.0.10.in-addr.arpa. 5 IN PTR ep1a.svc1.testns.svc.cluster.local.'] },
  { q: '100.1.168.192.in-addr.arpa.', t: 'PTR', rcode: NOERROR, answer: ['100.1.168.192.in-addr.arpa. 5 IN PTR svc1.testns.svc.cluster.local.'] },
  { q: v6a, t: 'PTR', rcode: NOERROR, answer: [`${v6a} 5 IN PTR ep1b.svc1.testns.svc.cluster.local.`] },
  { q: v6b, t: 'PTR', rcode: NOERROR, answer: [`${v6b} 5 IN PTR ip6svc1ex.svc1.testns.svc.cluster.local.`] },
  { q: v6c, t: 'PTR', rcode: NOERROR, answer: [`${v6c} 5 IN PTR ip6svc1in.svc1.testns.svc.cluster.local.`] },
  { q: '101.0.0.10.in-addr.arpa.', t: 'PTR', rcode: NXDOMAIN, ns: [soa('0.10.in-addr.arpa.')] },
  { q: 'example.org.cluster.local.', t: 'PTR', rcode: NXDOMAIN, ns: [soa()] },
  { q: 'svc1.testns.svc.cluster.local.', t: 'PTR', rcode: NOERROR, ns: [soa()] },
  { q: 'svc1.testns.svc.0.10.in-addr.arpa.', t: 'A', rcode: NXDOMAIN, ns: [soa('0.10.in-addr.arpa.')] },
  { q: '100.0.0.10.cluster.local.', t: 'PTR', rcode: NXDOMAIN, ns: [soa()] },
  { q: '99.0.0.10.in-addr.arpa.', t: 'PTR', rcode: NOERROR, answer: ['99.0.0.10.in-addr.arpa. 5 IN PTR double-ep.svc1.testns.svc.cluster.local.', '99.0.0.10.in-addr.arpa. 5 IN PTR double-ep.svc2.testns.svc.cluster.local.'] },
]);

// --- zonal_test.go: zone-scoped names of headless services (`zonal`) ---

const zq = (zone: string, d: string, svc = 'hdls') => `${zone}.${d}._zone.${svc}.testns.svc.cluster.local.`;
const hd = (h: string) => `${h}.hdls.testns.svc.cluster.local.`;
port('zonal_test.go TestServeDNSZonal', () => handler(zonalTestObjects(), { namespaces: ['testns'], zonal: true }), [
  { q: zq('us-west-2a', 'pin'), t: 'A', rcode: NOERROR, answer: [`${zq('us-west-2a', 'pin')} 5 IN A 172.0.0.1`] },
  { q: zq('us-west-2b', 'pin'), t: 'A', rcode: NOERROR, answer: [`${zq('us-west-2b', 'pin')} 5 IN A 172.0.0.2`, `${zq('us-west-2b', 'pin')} 5 IN A 172.0.0.3`] },
  { q: zq('us-west-2c', 'pin'), t: 'A', rcode: NOERROR, ns: [soa()] },
  { q: zq('us-west-2a', 'prefer'), t: 'A', rcode: NOERROR, answer: [`${zq('us-west-2a', 'prefer')} 5 IN A 172.0.0.1`] },
  { q: zq('us-west-2c', 'prefer'), t: 'A', rcode: NOERROR, answer: ['172.0.0.1', '172.0.0.2', '172.0.0.3'].map((a) => `${zq('us-west-2c', 'prefer')} 5 IN A ${a}`) },
  { q: zq('us-west-2a', 'pin', 'ghost'), t: 'A', rcode: NXDOMAIN, ns: [soa()] },
  { q: zq('us-west-2a', 'florp'), t: 'A', rcode: NXDOMAIN, ns: [soa()] },
  { q: zq('us-west-2a', 'pin', 'clstr'), t: 'A', rcode: NXDOMAIN, ns: [soa()] },
  { q: zq('us-west-2c', 'pin'), t: 'TXT', rcode: NOERROR, ns: [soa()] },
  {
    q: zq('us-west-2c', 'prefer'), t: 'SRV', rcode: NOERROR,
    answer: ['172-0-0-1', '172-0-0-2', '172-0-0-3'].map((h) => `${zq('us-west-2c', 'prefer')} 5 IN SRV 0 33 80 ${hd(h)}`),
    extra: ['1', '2', '3'].map((n) => `${hd(`172-0-0-${n}`)} 5 IN A 172.0.0.${n}`),
  },
  { q: zq('us-west-2c', 'prefer'), t: 'TXT', rcode: NOERROR, ns: [soa()] },
  {
    q: zq('us-west-2b', 'pin'), t: 'SRV', rcode: NOERROR,
    answer: ['172-0-0-2', '172-0-0-3'].map((h) => `${zq('us-west-2b', 'pin')} 5 IN SRV 0 50 80 ${hd(h)}`),
    extra: ['2', '3'].map((n) => `${hd(`172-0-0-${n}`)} 5 IN A 172.0.0.${n}`),
  },
]);

port('zonal_test.go without the option', () => handler(zonalTestObjects(), { namespaces: ['testns'] }), [
  { q: zq('us-west-2a', 'pin'), t: 'A', rcode: NXDOMAIN, ns: [soa()] },
]);

describe('the ported tables', () => {
  it('cover every case of the plugin tables kdp can apply', () => {
    // 34 + 11 (TestServeDNS), 34 + 9 (multicluster), 2, 4, 2, 5, 7, 2, 6 (apex), 11 (reverse), 12 + 1 (zonal).
    expect(PORTED_CASES.map((c) => c.length)).toEqual([45, 43, 2, 4, 2, 5, 7, 2, 6, 11, 12, 1]);
  });
});
