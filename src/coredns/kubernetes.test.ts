import { describe, expect, it } from 'vitest';
import { ClusterRecords, reverseName } from './cluster-records.js';
import { KubernetesHandler } from './kubernetes.js';
import { isRaw, QTYPE, RCODE, type DnsRequest, type DnsResult, type Query, type Reply } from './types.js';
import { encodeQuery, encodeReply, parseQuery } from './wire.js';
import type { KObject } from '../api/types.js';

function q(name: string, qtype: number = QTYPE.A): Query {
  return { id: 1, opcode: 0, rd: true, cd: false, qname: name, name: name.toLowerCase(), qtype, qclass: 1, questionEnd: 0 };
}

function svc(ns: string, name: string, spec: Record<string, unknown>): KObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: { namespace: ns, name }, spec };
}

function slice(ns: string, name: string, service: string, endpoints: unknown[], ports: unknown[] = [], addressType = 'IPv4'): KObject {
  return {
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', addressType, endpoints, ports,
    metadata: { namespace: ns, name, labels: { 'kubernetes.io/service-name': service } },
  };
}

function setup(): { records: ClusterRecords; k: KubernetesHandler; clock: { t: number } } {
  const clock = { t: 1_700_000_000 };
  const records = new ClusterRecords({ zone: 'cluster.local', ttl: 30, now: () => clock.t });
  records.upsertNamespace({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } });
  records.upsertNamespace({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'empty' } });
  records.upsertService(svc('default', 'nginx', { clusterIP: '127.96.0.20', ports: [{ name: 'http', port: 80, protocol: 'TCP' }, { port: 8080 }] }));
  records.upsertService(svc('default', 'web', { clusterIP: 'None', ports: [{ name: 'http', port: 80 }] }));
  records.upsertEndpointSlice(slice('default', 'web-abc', 'web', [
    { addresses: ['127.244.1.5'], hostname: 'web-0', conditions: { ready: true } },
    { addresses: ['127.244.1.6'], conditions: {} },
    { addresses: ['127.244.1.7'], conditions: { ready: false } },
  ], [{ name: 'http', port: 8080, protocol: 'TCP' }]));
  records.upsertService(svc('default', 'ext', { type: 'ExternalName', externalName: 'example.org' }));
  return { records, k: new KubernetesHandler(records, { nsAddress: '127.96.0.10' }), clock };
}

const SOA = { name: 'cluster.local', ttl: 5, type: 'SOA', mname: 'ns.dns.cluster.local', rname: 'hostmaster.cluster.local', refresh: 7200, retry: 1800, expire: 86400, minimum: 5 };

function expectNegative(r: Reply | undefined, rcode: number): void {
  expect(r).toBeDefined();
  expect(r!.rcode).toBe(rcode);
  expect(r!.aa).toBe(true);
  expect(r!.answer).toEqual([]);
  expect(r!.authority).toHaveLength(1);
  expect(r!.authority[0]).toMatchObject(SOA);
}

describe('kubernetes handler', () => {
  it('answers a ClusterIP service A, case-insensitively, authoritative with the configured TTL', () => {
    const { k } = setup();
    const r = k.answer(q('NGINX.Default.SVC.cluster.local'));
    expect(r).toEqual({ rcode: 0, aa: true, authority: [], additional: [], answer: [{ name: 'nginx.default.svc.cluster.local', ttl: 30, type: 'A', address: '127.96.0.20' }] });
  });

  it('answers a headless service with its ready endpoints, and endpoint names', () => {
    const { k } = setup();
    expect(k.answer(q('web.default.svc.cluster.local'))!.answer.map((r) => 'address' in r && r.address)).toEqual(['127.244.1.5', '127.244.1.6']);
    expect(k.answer(q('web-0.web.default.svc.cluster.local'))!.answer).toMatchObject([{ type: 'A', address: '127.244.1.5' }]);
    expect(k.answer(q('127-244-1-6.web.default.svc.cluster.local'))!.answer).toMatchObject([{ type: 'A', address: '127.244.1.6' }]);
    expectNegative(k.answer(q('127-244-1-7.web.default.svc.cluster.local')), RCODE.NXDOMAIN);
  });

  it('NXDOMAIN for a headless service without ready endpoints', () => {
    const { records, k } = setup();
    records.upsertEndpointSlice(slice('default', 'web-abc', 'web', [{ addresses: ['127.244.1.5'], conditions: { ready: false } }]));
    expectNegative(k.answer(q('web.default.svc.cluster.local')), RCODE.NXDOMAIN);
  });

  it('NXDOMAIN with the SOA for missing services, namespaces, unknown labels and search-path expansions', () => {
    const { k } = setup();
    for (const n of ['missing.default.svc.cluster.local', 'nginx.nope.svc.cluster.local', 'nope.svc.cluster.local',
      'foo.cluster.local', 'nginx.default.svc.cluster.local.default.svc.cluster.local', 'nginx.default.svc.cluster.local.cluster.local',
      'a.nginx.default.svc.cluster.local', '_http._tcp.missing.default.svc.cluster.local']) {
      expectNegative(k.answer(q(n)), RCODE.NXDOMAIN);
    }
  });

  it('NODATA with the SOA for existing names of another type, the apex, svc.<zone> and a namespace', () => {
    const { k } = setup();
    expectNegative(k.answer(q('nginx.default.svc.cluster.local', QTYPE.AAAA)), RCODE.NOERROR);
    expectNegative(k.answer(q('nginx.default.svc.cluster.local', QTYPE.TXT)), RCODE.NOERROR);
    expectNegative(k.answer(q('cluster.local')), RCODE.NOERROR);
    expectNegative(k.answer(q('svc.cluster.local')), RCODE.NOERROR);
    expectNegative(k.answer(q('default.svc.cluster.local')), RCODE.NOERROR);
    expectNegative(k.answer(q('empty.svc.cluster.local')), RCODE.NOERROR);
    // dns-version is a name for TXT only: the plugin's parser rejects it for every other type.
    expectNegative(k.answer(q('dns-version.cluster.local', QTYPE.A)), RCODE.NXDOMAIN);
    // TXT is NODATA only for names with records; the apex, svc and a namespace are NXDOMAIN for it.
    expectNegative(k.answer(q('cluster.local', QTYPE.TXT)), RCODE.NXDOMAIN);
    expectNegative(k.answer(q('default.svc.cluster.local', QTYPE.TXT)), RCODE.NXDOMAIN);
    expectNegative(k.answer(q('web.default.svc.cluster.local', QTYPE.TXT)), RCODE.NOERROR);
    // Every other type: NODATA for an existing name (the plugin looks it up as A).
    expectNegative(k.answer(q('default.svc.cluster.local', 13)), RCODE.NOERROR);
    expectNegative(k.answer(q('nginx.default.svc.cluster.local', QTYPE.ANY)), RCODE.NOERROR);
    expectNegative(k.answer(q('nginx.default.svc.cluster.local', QTYPE.SOA)), RCODE.NOERROR);
    expectNegative(k.answer(q('missing.default.svc.cluster.local', QTYPE.SOA)), RCODE.NOERROR);
  });

  it('carries the time of the last change as SOA serial', () => {
    const { records, k, clock } = setup();
    expect(k.answer(q('x.cluster.local'))!.authority[0]).toMatchObject({ serial: 1_700_000_000 });
    clock.t += 60;
    records.deleteService(svc('default', 'nginx', {}));
    expect(k.answer(q('x.cluster.local'))!.authority[0]).toMatchObject({ serial: 1_700_000_060 });
  });

  it('answers dns-version TXT, the apex SOA and NS', () => {
    const { k } = setup();
    expect(k.answer(q('dns-version.cluster.local', QTYPE.TXT))!.answer).toEqual([{ name: 'dns-version.cluster.local', ttl: 28800, type: 'TXT', text: ['1.1.0'] }]);
    expect(k.answer(q('cluster.local', QTYPE.SOA))!.answer[0]).toMatchObject(SOA);
    const ns = k.answer(q('cluster.local', QTYPE.NS))!;
    expect(ns.answer).toEqual([{ name: 'cluster.local', ttl: 30, type: 'NS', target: 'ns.dns.cluster.local' }]);
    expect(ns.additional).toMatchObject([{ name: 'ns.dns.cluster.local', type: 'A', address: '127.96.0.10' }]);
  });

  it('answers SRV for named ports of ClusterIP and headless services, with target addresses', () => {
    const { k } = setup();
    const r = k.answer(q('_http._tcp.nginx.default.svc.cluster.local', QTYPE.SRV))!;
    expect(r.answer).toEqual([{ name: '_http._tcp.nginx.default.svc.cluster.local', ttl: 30, type: 'SRV', priority: 0, weight: 100, port: 80, target: 'nginx.default.svc.cluster.local' }]);
    expect(r.additional).toMatchObject([{ type: 'A', address: '127.96.0.20' }]);
    expect(k.answer(q('nginx.default.svc.cluster.local', QTYPE.SRV))!.answer.map((x) => x.type === 'SRV' && [x.port, x.weight])).toEqual([[80, 50], [8080, 50]]);
    const h = k.answer(q('_http._tcp.web.default.svc.cluster.local', QTYPE.SRV))!;
    expect(h.answer.map((x) => x.type === 'SRV' && `${x.weight} ${x.port} ${x.target}`)).toEqual([
      '50 8080 web-0.web.default.svc.cluster.local', '50 8080 127-244-1-6.web.default.svc.cluster.local']);
    expect(h.additional.map((x) => x.type === 'A' && `${x.name} ${x.address}`)).toEqual([
      'web-0.web.default.svc.cluster.local 127.244.1.5', '127-244-1-6.web.default.svc.cluster.local 127.244.1.6']);
    expectNegative(k.answer(q('_http._udp.nginx.default.svc.cluster.local', QTYPE.SRV)), RCODE.NXDOMAIN);
  });

  it('answers PTR for ClusterIPs and ready endpoints, and lets unknown addresses fall through', () => {
    const { k } = setup();
    expect(k.answer(q('20.0.96.127.in-addr.arpa', QTYPE.PTR))!.answer).toEqual([{ name: '20.0.96.127.in-addr.arpa', ttl: 30, type: 'PTR', target: 'nginx.default.svc.cluster.local' }]);
    expect(k.answer(q('5.1.244.127.in-addr.arpa', QTYPE.PTR))!.answer).toMatchObject([{ target: 'web-0.web.default.svc.cluster.local' }]);
    expect(k.answer(q('1.0.0.127.in-addr.arpa', QTYPE.PTR))).toBeUndefined();
    expect(reverseName('fd00::1')).toBe('1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.ip6.arpa');
  });

  it('answers ExternalName with a CNAME, pods by dashed IP, and nothing outside the zone', () => {
    const { k } = setup();
    expect(k.answer(q('ext.default.svc.cluster.local'))!.answer).toEqual([{ name: 'ext.default.svc.cluster.local', ttl: 30, type: 'CNAME', target: 'example.org' }]);
    expect(k.answer(q('127-244-1-5.default.pod.cluster.local'))!.answer).toMatchObject([{ type: 'A', address: '127.244.1.5' }]);
    expectNegative(k.answer(q('127-244-1-500.default.pod.cluster.local')), RCODE.NXDOMAIN);
    expect(k.answer(q('example.org'))).toBeUndefined();
    expect(k.answer(q('notcluster.local'))).toBeUndefined();
  });

  it('follows changes: new, updated and deleted services and slices', () => {
    const { records, k } = setup();
    records.upsertService(svc('default', 'nginx', { clusterIP: '127.96.0.21', ports: [{ port: 80 }] }));
    expect(k.answer(q('nginx.default.svc.cluster.local'))!.answer).toMatchObject([{ address: '127.96.0.21' }]);
    expect(k.answer(q('20.0.96.127.in-addr.arpa', QTYPE.PTR))).toBeUndefined();
    expectNegative(k.answer(q('_http._tcp.nginx.default.svc.cluster.local', QTYPE.SRV)), RCODE.NXDOMAIN);
    records.deleteEndpointSlice(slice('default', 'web-abc', 'web', []));
    expectNegative(k.answer(q('web.default.svc.cluster.local')), RCODE.NXDOMAIN);
    records.upsertService(svc('other', 'db', { clusterIP: '127.96.0.30', ports: [{ port: 5432 }] }));
    expect(k.answer(q('db.other.svc.cluster.local'))!.answer).toHaveLength(1);
    expectNegative(k.answer(q('other.svc.cluster.local')), RCODE.NOERROR);
    records.deleteService(svc('other', 'db', {}));
    expectNegative(k.answer(q('db.other.svc.cluster.local')), RCODE.NXDOMAIN);
    expectNegative(k.answer(q('other.svc.cluster.local')), RCODE.NXDOMAIN);
  });

  it('serves dual-stack ClusterIPs as A and AAAA', () => {
    const { records, k } = setup();
    records.upsertService(svc('default', 'ds', { clusterIP: '127.96.0.40', clusterIPs: ['127.96.0.40', 'fd00::40'], ports: [{ port: 80 }] }));
    expect(k.answer(q('ds.default.svc.cluster.local', QTYPE.AAAA))!.answer).toMatchObject([{ type: 'AAAA', address: 'fd00::40' }]);
  });

  it('adds the addresses of an ExternalName target, from the zone or from the next handler', async () => {
    const { records, k } = setup();
    records.upsertService(svc('default', 'alias', { type: 'ExternalName', externalName: 'nginx.default.svc.cluster.local' }));
    const req = (name: string): DnsRequest => {
      const wire = encodeQuery(3, name, QTYPE.A);
      const p = parseQuery(wire);
      if (p.kind !== 'query') throw new Error('bad');
      return { query: p.query, wire, transport: 'udp' };
    };
    const asked: string[] = [];
    const upstream = (r: DnsRequest): DnsResult => {
      asked.push(r.query.qname);
      return { raw: encodeReply(r.wire, r.query, { rcode: 0, aa: false, answer: [{ name: r.query.qname, ttl: 60, type: 'A', address: '127.1.2.3' }], authority: [], additional: [] }, 4096) };
    };
    const ext = (await k.serveDns(req('ext.default.svc.cluster.local'), upstream)) as Reply;
    expect(ext.answer).toEqual([
      { name: 'ext.default.svc.cluster.local', ttl: 30, type: 'CNAME', target: 'example.org' },
      { name: 'example.org', ttl: 60, type: 'A', address: '127.1.2.3' },
    ]);
    const alias = (await k.serveDns(req('alias.default.svc.cluster.local'), upstream)) as Reply;
    expect(alias.answer.map((r) => r.type)).toEqual(['CNAME', 'A']);
    expect(asked).toEqual(['example.org']);
    // A TCP client's target goes upstream over TCP; an upstream without TCP is asked over UDP.
    const transports: string[] = [];
    const udpOnly = (r: DnsRequest): DnsResult => {
      transports.push(r.transport);
      if (r.transport === 'tcp') throw new Error('connection refused');
      return upstream(r);
    };
    const overTcp = (await k.serveDns({ ...req('ext.default.svc.cluster.local'), transport: 'tcp' }, udpOnly)) as Reply;
    expect(overTcp.answer.map((r) => r.type)).toEqual(['CNAME', 'A']);
    expect(transports).toEqual(['tcp', 'udp']);
    // A failed upstream lookup adds nothing, not even the CNAME: NODATA, as the plugin.
    const failing = (await k.serveDns(req('ext.default.svc.cluster.local'), () => { throw new Error('down'); })) as Reply;
    expect(isRaw(failing)).toBe(false);
    expectNegative(failing, RCODE.NOERROR);
  });
});
