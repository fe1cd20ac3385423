// The `kubernetes` plugin's Corefile options: pods verified|disabled, namespaces, endpoint_pod_names,
// reverse zones without fallthrough, fallthrough, ttl.
import { describe, expect, it } from 'vitest';
import type { KObject } from '../api/types.js';
import { ClusterRecords } from './cluster-records.js';
import { KubernetesHandler, type KubernetesHandlerOptions } from './kubernetes.js';
import { QTYPE, RCODE, type DnsRequest, type Query, type Reply } from './types.js';

function q(name: string, qtype: number = QTYPE.A): Query {
  return { id: 1, opcode: 0, rd: true, cd: false, qname: name, name: name.toLowerCase(), qtype, qclass: 1, questionEnd: 0 };
}

function records(opts: { endpointPodNames?: boolean; ttl?: number } = {}): ClusterRecords {
  const r = new ClusterRecords({ zone: 'cluster.local', ttl: opts.ttl ?? 30, endpointPodNames: opts.endpointPodNames, now: () => 1 });
  for (const ns of ['default', 'other']) r.upsertNamespace({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  r.upsertService({ apiVersion: 'v1', kind: 'Service', metadata: { namespace: 'other', name: 'db' }, spec: { clusterIP: '127.96.0.30', ports: [{ name: 'pg', port: 5432 }] } });
  r.upsertService({ apiVersion: 'v1', kind: 'Service', metadata: { namespace: 'default', name: 'web' }, spec: { clusterIP: 'None' } });
  r.upsertEndpointSlice({
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', addressType: 'IPv4', metadata: { namespace: 'default', name: 'web-1', labels: { 'kubernetes.io/service-name': 'web' } },
    endpoints: [
      { addresses: ['127.244.1.5'], targetRef: { kind: 'Pod', name: 'web-7d9f-abcde', namespace: 'default' }, conditions: { ready: true } },
      { addresses: ['127.244.1.6'], hostname: 'named', targetRef: { kind: 'Pod', name: 'other-pod', namespace: 'default' }, conditions: { ready: true } },
    ],
  } as KObject);
  r.upsertPod({ apiVersion: 'v1', kind: 'Pod', metadata: { namespace: 'default', name: 'p' }, status: { podIP: '127.244.1.9' } });
  return r;
}

const handler = (r: ClusterRecords, o: KubernetesHandlerOptions) => new KubernetesHandler(r, o);
const rcode = (h: KubernetesHandler, name: string, t: number = QTYPE.A) => h.answer(q(name, t))?.rcode;

describe('kubernetes plugin options', () => {
  it('pods verified answers only IPs of pods in that namespace; disabled answers none', () => {
    const verified = handler(records(), { pods: 'verified' });
    expect(verified.answer(q('127-244-1-9.default.pod.cluster.local'))!.answer).toMatchObject([{ address: '127.244.1.9' }]);
    expect(rcode(verified, '127-244-1-9.other.pod.cluster.local')).toBe(RCODE.NXDOMAIN);
    expect(rcode(verified, '127-244-1-8.default.pod.cluster.local')).toBe(RCODE.NXDOMAIN);
    expect(rcode(handler(records(), { pods: 'insecure' }), '127-244-1-8.default.pod.cluster.local')).toBe(RCODE.NOERROR);
    expect(rcode(handler(records(), { pods: 'disabled' }), '127-244-1-9.default.pod.cluster.local')).toBe(RCODE.NXDOMAIN);
  });

  it('namespaces exposes only the listed namespaces', () => {
    const h = handler(records(), { namespaces: ['default'] });
    expect(rcode(h, 'db.other.svc.cluster.local')).toBe(RCODE.NXDOMAIN);
    expect(rcode(h, 'other.svc.cluster.local')).toBe(RCODE.NXDOMAIN);
    expect(rcode(h, 'web.default.svc.cluster.local')).toBe(RCODE.NOERROR);
  });

  it('endpoint_pod_names names endpoints without hostname after their pod', () => {
    const plain = handler(records(), {});
    expect(rcode(plain, '127-244-1-5.web.default.svc.cluster.local')).toBe(RCODE.NOERROR);
    const named = handler(records({ endpointPodNames: true }), {});
    expect(named.answer(q('web-7d9f-abcde.web.default.svc.cluster.local'))!.answer).toMatchObject([{ address: '127.244.1.5' }]);
    expect(rcode(named, '127-244-1-5.web.default.svc.cluster.local')).toBe(RCODE.NXDOMAIN);
    expect(rcode(named, 'named.web.default.svc.cluster.local')).toBe(RCODE.NOERROR);
  });

  it('is authoritative for its reverse zones: unknown addresses there are NXDOMAIN, others not its business', () => {
    const h = handler(records(), { reverseZones: ['in-addr.arpa'] });
    expect(h.answer(q('30.0.96.127.in-addr.arpa', QTYPE.PTR))!.answer).toMatchObject([{ target: 'db.other.svc.cluster.local' }]);
    const nx = h.answer(q('1.1.1.127.in-addr.arpa', QTYPE.PTR))!;
    expect(nx.rcode).toBe(RCODE.NXDOMAIN);
    expect(nx.authority[0]).toMatchObject({ type: 'SOA', name: 'in-addr.arpa' });
    expect(h.answer(q('1.0.0.0.ip6.arpa', QTYPE.PTR))).toBeUndefined();
  });

  it('fallthrough hands NXDOMAIN names in its zones to the next plugin', async () => {
    const h = handler(records(), { fallthrough: ['cluster.local'] });
    const next = (): Reply => ({ rcode: RCODE.REFUSED, aa: false, answer: [], authority: [], additional: [] });
    const req = (name: string): DnsRequest => ({ query: q(name), wire: Buffer.alloc(0), transport: 'udp' });
    expect((await h.serveDns(req('nope.default.svc.cluster.local'), next) as Reply).rcode).toBe(RCODE.REFUSED);
    expect((await h.serveDns(req('db.other.svc.cluster.local'), next) as Reply).rcode).toBe(RCODE.NOERROR);
  });

  it('uses the configured ttl, and never more than 5 s for the SOA', () => {
    const h = handler(records({ ttl: 3 }), {});
    expect(h.answer(q('db.other.svc.cluster.local'))!.answer[0].ttl).toBe(3);
    expect(h.answer(q('nope.other.svc.cluster.local'))!.authority[0]).toMatchObject({ ttl: 3, minimum: 3 });
  });
});
