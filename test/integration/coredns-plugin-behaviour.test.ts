// The kubernetes, forward and chaos plugins' behaviour over real loopback sockets with real dig:
// PTR for the endpoints of every Service (IPv4 and IPv6), IPv6 endpoint names (`fd00--1`) in
// headless answers and SRV targets, the question's zone case in SRV targets and extras (also
// when the fast path answers), `pods verified` for a missing namespace, chaos TXT, and a
// truncated upstream answer keeping TC — relayed and in an ExternalName completion — so dig
// retries over TCP. Addresses 127.61.0.0/16 only; the upstream is a server this file starts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import dgram from 'node:dgram';
import net from 'node:net';
import { InformerFactory } from '../../src/api/informer.js';
import { ObjectStore } from '../../src/api/store.js';
import { GR, type KObject } from '../../src/api/types.js';
import { CoreDnsInstance } from '../../src/coredns/instance.js';
import { VERSION } from '../../src/coredns/metrics.js';
import { encodeReply, parseQuery } from '../../src/coredns/wire.js';
import type { Rr } from '../../src/coredns/types.js';
import { dig } from '../support/dig.js';
import { run } from '../support/kdp.js';

const IP = '127.61.0.2';
const UPSTREAM = '127.61.0.53';

/** An upstream that answers `big.example.test` A with 40 addresses: over UDP truncated (TC, no records), over TCP in full. */
async function startTruncatingUpstream(): Promise<{ port: number; seen: string[]; close(): Promise<void> }> {
  const seen: string[] = [];
  const answer = (wire: Buffer, transport: 'udp' | 'tcp'): Buffer | undefined => {
    const p = parseQuery(wire);
    if (p.kind !== 'query') return undefined;
    seen.push(`${transport} ${p.query.name}`);
    const rrs: Rr[] = p.query.name === 'big.example.test' ? Array.from({ length: 40 }, (_, i) => ({ name: 'big.example.test', ttl: 60, type: 'A' as const, address: `127.61.9.${i + 1}` })) : [];
    const full = encodeReply(wire, p.query, { rcode: rrs.length ? 0 : 3, aa: true, answer: rrs, authority: [], additional: [] }, 65535);
    full[2] |= 0x80;
    if (transport === 'tcp' || full.length <= 512) return full;
    return encodeReply(wire, p.query, { rcode: 0, aa: true, tc: true, answer: [], authority: [], additional: [] }, 512);
  };
  const udp = dgram.createSocket('udp4');
  udp.on('message', (m, r) => { const out = answer(m, 'udp'); if (out) udp.send(out, r.port, r.address); });
  await new Promise<void>((res) => udp.bind(0, UPSTREAM, () => res()));
  const port = udp.address().port;
  const conns = new Set<net.Socket>();
  const tcp = net.createServer((s) => {
    conns.add(s);
    s.on('close', () => conns.delete(s));
    let buf = Buffer.alloc(0);
    s.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        const out = answer(buf.subarray(2, 2 + buf.readUInt16BE(0)), 'tcp');
        buf = buf.subarray(2 + buf.readUInt16BE(0));
        if (out) { const len = Buffer.alloc(2); len.writeUInt16BE(out.length); s.write(Buffer.concat([len, out])); }
      }
    });
  });
  await new Promise<void>((res) => tcp.listen(port, UPSTREAM, () => res()));
  return {
    port, seen,
    close: async () => {
      for (const c of conns) c.destroy();
      await Promise.all([new Promise<void>((r) => udp.close(() => r())), new Promise<void>((r) => tcp.close(() => r()))]);
    },
  };
}

let store: ObjectStore;
let informers: InformerFactory;
let inst: CoreDnsInstance;
let upstream: Awaited<ReturnType<typeof startTruncatingUpstream>>;
const at = () => ({ address: IP, port: inst.port(0) });

const slice = (name: string, svc: string, addressType: string, eps: { ip: string; hostname?: string }[]): KObject => ({
  apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', addressType, ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
  metadata: { name, namespace: 'default', labels: { 'kubernetes.io/service-name': svc } },
  endpoints: eps.map((e) => ({ addresses: [e.ip], ...(e.hostname ? { hostname: e.hostname } : {}), conditions: { ready: true } })),
} as unknown as KObject);

beforeAll(async () => {
  upstream = await startTruncatingUpstream();
  store = new ObjectStore();
  informers = new InformerFactory(store);
  store.create(GR.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } } as KObject);
  store.create(GR.services, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' }, spec: { clusterIP: '127.61.1.10', ports: [{ name: 'http', port: 80 }] } } as KObject);
  store.create(GR.endpointslices, slice('web-1', 'web', 'IPv4', [{ ip: '127.61.2.5' }]));
  store.create(GR.services, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'admin', namespace: 'default' }, spec: { clusterIP: '127.61.1.11', ports: [{ name: 'http', port: 80 }] } } as KObject);
  store.create(GR.endpointslices, slice('admin-1', 'admin', 'IPv4', [{ ip: '127.61.2.5' }]));
  store.create(GR.services, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'six', namespace: 'default' }, spec: { clusterIP: 'None', ports: [{ name: 'http', port: 8080 }] } } as KObject);
  store.create(GR.endpointslices, slice('six-1', 'six', 'IPv6', [{ ip: 'fd00::1' }, { ip: 'fd00::2' }]));
  store.create(GR.services, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'big', namespace: 'default' }, spec: { type: 'ExternalName', externalName: 'big.example.test' } } as KObject);
  store.create(GR.pods, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' }, spec: {}, status: { podIP: '127.61.2.5' } } as KObject);
  inst = await CoreDnsInstance.start({
    informers, address: IP, log: () => {}, hostname: () => 'coredns-test-pod',
    corefile: `.:0 {
    errors
    chaos
    kubernetes cluster.local in-addr.arpa ip6.arpa {
        pods verified
        ttl 30
    }
    forward . ${UPSTREAM}:${upstream.port}
}
`,
  });
});

afterAll(async () => {
  await inst?.stop();
  informers?.stop();
  await upstream?.close();
});

describe('kubernetes plugin behaviour over the wire', () => {
  it('answers PTR for the endpoints of ClusterIP services, once per Service that selects the address', async () => {
    const r = await dig(at(), '5.2.61.127.in-addr.arpa', 'PTR');
    expect(r.status).toBe('NOERROR');
    expect(r.answer.sort()).toEqual([
      '5.2.61.127.in-addr.arpa. 30 IN PTR 127-61-2-5.admin.default.svc.cluster.local.',
      '5.2.61.127.in-addr.arpa. 30 IN PTR 127-61-2-5.web.default.svc.cluster.local.',
    ]);
    expect((await dig(at(), '10.1.61.127.in-addr.arpa', 'PTR')).answer).toEqual(['10.1.61.127.in-addr.arpa. 30 IN PTR web.default.svc.cluster.local.']);
    const miss = await dig(at(), '99.2.61.127.in-addr.arpa', 'PTR');
    expect(miss.status).toBe('NXDOMAIN');
    expect(miss.authority[0]).toMatch(/^in-addr\.arpa\. 5 IN SOA ns\.dns\.in-addr\.arpa\. hostmaster\.in-addr\.arpa\. /);
  });

  it('names IPv6 endpoints in the dashed form, answers them, and PTRs them', async () => {
    expect((await dig(at(), 'six.default.svc.cluster.local', 'AAAA')).answer.sort()).toEqual([
      'six.default.svc.cluster.local. 30 IN AAAA fd00::1', 'six.default.svc.cluster.local. 30 IN AAAA fd00::2']);
    const srv = await dig(at(), '_http._tcp.six.default.svc.cluster.local', 'SRV');
    expect(srv.answer.sort()).toEqual([
      '_http._tcp.six.default.svc.cluster.local. 30 IN SRV 0 50 8080 fd00--1.six.default.svc.cluster.local.',
      '_http._tcp.six.default.svc.cluster.local. 30 IN SRV 0 50 8080 fd00--2.six.default.svc.cluster.local.']);
    expect(srv.raw).toMatch(/fd00--1\.six\.default\.svc\.cluster\.local\.\s+30\s+IN\s+AAAA\s+fd00::1/);
    expect((await dig(at(), 'fd00--2.six.default.svc.cluster.local', 'AAAA')).answer).toEqual(['fd00--2.six.default.svc.cluster.local. 30 IN AAAA fd00::2']);
    const ptr = await dig(at(), '1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.ip6.arpa', 'PTR');
    expect(ptr.answer).toEqual(['1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.ip6.arpa. 30 IN PTR fd00--1.six.default.svc.cluster.local.']);
  });

  it('keeps the question\'s zone case in SRV targets and extras, also for a second asker with other case', async () => {
    const lower = await dig(at(), '_http._tcp.web.default.svc.cluster.local', 'SRV', ['+noedns']);
    expect(lower.answer).toEqual(['_http._tcp.web.default.svc.cluster.local. 30 IN SRV 0 100 80 web.default.svc.cluster.local.']);
    for (let i = 0; i < 2; i++) {
      const mixed = await dig(at(), '_HTTP._tcp.WEB.default.svc.CLUSTER.Local', 'SRV', ['+noedns']);
      expect(mixed.answer).toEqual(['_HTTP._tcp.WEB.default.svc.CLUSTER.Local. 30 IN SRV 0 100 80 web.default.svc.CLUSTER.Local.']);
      expect(mixed.raw).toMatch(/\nweb\.default\.svc\.CLUSTER\.Local\.\s+30\s+IN\s+A\s+127\.61\.1\.10/);
    }
    const again = await dig(at(), '_http._tcp.web.default.svc.cluster.local', 'SRV', ['+noedns']);
    expect(again.answer).toEqual(lower.answer);
  });

  it('pods verified: NXDOMAIN for a namespace that does not exist, an answer only for a pod\'s IP', async () => {
    expect((await dig(at(), '127-61-2-5.default.pod.cluster.local')).answer).toEqual(['127-61-2-5.default.pod.cluster.local. 30 IN A 127.61.2.5']);
    expect((await dig(at(), '127-61-2-6.default.pod.cluster.local')).status).toBe('NXDOMAIN');
    expect((await dig(at(), 'nowhere.pod.cluster.local')).status).toBe('NXDOMAIN');
    expect((await dig(at(), '127-61-2-5.nowhere.pod.cluster.local')).status).toBe('NXDOMAIN');
    const ns = await dig(at(), 'default.pod.cluster.local');
    expect([ns.status, ns.answer]).toEqual(['NOERROR', []]);
  });

  it('chaos: version.bind and hostname.bind as CH TXT with TTL 0', async () => {
    // dig reads the class only after name and type ("version.bind TXT CHAOS").
    const chaos = async (name: string) => {
      const r = await run('dig', [`@${IP}`, '-p', String(inst.port(0)), '+time=2', '+tries=1', '+noall', '+answer', '+comments', name, 'TXT', 'CHAOS']);
      return { answer: r.stdout.split('\n').filter((l) => l && !l.startsWith(';')).map((l) => l.replace(/\s+/g, ' ').trim()), raw: r.stdout };
    };
    const v = await chaos('version.bind');
    expect(v.answer, v.raw).toEqual([`version.bind. 0 CH TXT "CoreDNS-${VERSION}"`]);
    expect(v.raw).toMatch(/;; flags: qr rd;/); // not authoritative
    expect((await chaos('hostname.bind')).answer).toEqual(['hostname.bind. 0 CH TXT "coredns-test-pod"']);
  });
});

describe('forward: truncated upstream answers', () => {
  it('relays TC, and dig\'s retry over TCP gets the whole answer from the upstream', async () => {
    const tc = await dig(at(), 'big.example.test', 'A', ['+ignore', '+noedns']);
    expect(tc.flags).toContain('tc');
    expect(tc.answer).toEqual([]);
    upstream.seen.length = 0;
    const full = await dig(at(), 'big.example.test', 'A', ['+noedns']);
    expect(full.answer).toHaveLength(40);
    expect(upstream.seen).toEqual(['udp big.example.test', 'tcp big.example.test']);
  });

  it('keeps TC on an ExternalName completed from a truncated upstream answer; over TCP it is whole', async () => {
    const tc = await dig(at(), 'big.default.svc.cluster.local', 'A', ['+ignore', '+noedns']);
    expect(tc.status).toBe('NOERROR');
    expect(tc.flags).toEqual(expect.arrayContaining(['aa', 'tc']));
    expect(tc.answer).toEqual(['big.default.svc.cluster.local. 30 IN CNAME big.example.test.']);
    const full = await dig(at(), 'big.default.svc.cluster.local', 'A', ['+noedns']);
    expect(full.flags).not.toContain('tc');
    expect(full.answer).toHaveLength(41);
    expect(full.answer[0]).toBe('big.default.svc.cluster.local. 30 IN CNAME big.example.test.');
  });
});
