// kdp's cluster DNS over real loopback sockets, asked by the real `dig`: records from the store,
// negative answers with the SOA, forwarding to a fake upstream (UDP, and TCP after truncation),
// SERVFAIL without upstreams, changes seen at once, and garbage that must not hurt it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import dgram from 'node:dgram';
import net from 'node:net';
import dns2, { type DnsHandler, type Resource } from 'dns2';
import { ObjectStore } from '../../src/api/store.js';
import { InformerFactory } from '../../src/api/informer.js';
import { GR, type KObject } from '../../src/api/types.js';
import { startCoreDns, type CoreDns } from '../../src/coredns/index.js';
import { encodeQuery } from '../../src/coredns/wire.js';
import { eventually } from '../support/eventually.js';
import { dig as digAt } from '../support/dig.js';

const { Packet } = dns2;
const DNS_IP = '127.77.0.10';
const UPSTREAM_IP = '127.77.0.53';

interface FakeUpstream {
  port: number;
  seen: string[];
  close(): Promise<void>;
}

/** An upstream on loopback (dns2, an independent implementation): `*.example.test`, big TXT truncated over UDP. */
async function startFakeUpstream(): Promise<FakeUpstream> {
  const seen: string[] = [];
  const handle = (transport: string): DnsHandler => (req, send) => {
    const q = req.questions[0];
    seen.push(`${transport} ${q.name} ${q.type}`);
    const res = Packet.createResponseFromRequest(req);
    res.header.ra = 1;
    if (q.name === 'outside.example.test' && q.type === Packet.TYPE.A) {
      res.answers.push({ name: q.name, type: Packet.TYPE.A, class: Packet.CLASS.IN, ttl: 60, address: '127.1.2.3' } as Resource);
    } else if (q.name === 'big.example.test' && q.type === Packet.TYPE.TXT) {
      for (let i = 0; i < 20; i++) res.answers.push({ name: q.name, type: Packet.TYPE.TXT, class: Packet.CLASS.IN, ttl: 60, data: `record-${i}-${'x'.repeat(40)}` } as Resource);
    } else {
      res.header.rcode = 3; // NXDOMAIN
    }
    void send(res);
  };
  for (let attempt = 0; ; attempt++) {
    const port = 20000 + Math.floor(Math.random() * 40000);
    const udp = new dns2.UDPServer({ type: 'udp4' });
    const tcp = new dns2.TCPServer();
    udp.on('request', handle('udp'));
    tcp.on('request', handle('tcp'));
    try {
      await new Promise<void>((res, rej) => { udp.once('error', rej); udp.bind(port, UPSTREAM_IP, () => res()); });
      await new Promise<void>((res, rej) => { tcp.once('error', rej); tcp.listen(port, UPSTREAM_IP, () => res()); });
    } catch (e) {
      try { udp.close(); } catch { /* not bound */ }
      tcp.close();
      if (attempt > 5) throw e;
      continue;
    }
    return {
      port, seen,
      close: () => Promise.all([
        new Promise<void>((r) => udp.close(() => r())),
        new Promise<void>((r) => tcp.close(() => r())),
      ]).then(() => undefined),
    };
  }
}

const dig = (server: CoreDns, name: string, type = 'A', extra: string[] = []) => digAt(server, name, type, extra);

/** One query over UDP from this process (faster than spawning dig): the rcode and answer count. */
function ask(server: CoreDns, name: string, qtype = 1): Promise<{ rcode: number; ancount: number }> {
  return new Promise((resolve, reject) => {
    const sock = dgram.createSocket('udp4');
    const timer = setTimeout(() => { sock.close(); reject(new Error('timeout')); }, 1000);
    sock.on('message', (m) => { clearTimeout(timer); sock.close(); resolve({ rcode: m[3] & 0x0f, ancount: m.readUInt16BE(6) }); });
    sock.send(encodeQuery(Math.floor(Math.random() * 65536), name, qtype), server.port, server.address);
  });
}

const SOA_LINE = /^cluster\.local\. 5 IN SOA ns\.dns\.cluster\.local\. hostmaster\.cluster\.local\. \d+ 7200 1800 86400 5$/;

let store: ObjectStore;
let informers: InformerFactory;
let upstream: FakeUpstream;
let dns: CoreDns;
let lonely: CoreDns;
const logs: string[] = [];

function create(gr: string, obj: Partial<KObject>): void {
  store.create(gr, obj as KObject);
}

beforeAll(async () => {
  store = new ObjectStore();
  informers = new InformerFactory(store);
  create(GR.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } });
  create(GR.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'quiet' } });
  create(GR.services, { metadata: { name: 'nginx', namespace: 'default' }, spec: { clusterIP: '127.96.0.20', clusterIPs: ['127.96.0.20'], ports: [{ name: 'http', port: 80, protocol: 'TCP' }] } });
  create(GR.services, { metadata: { name: 'web', namespace: 'default' }, spec: { clusterIP: 'None', ports: [{ name: 'http', port: 80 }] } });
  create(GR.endpointslices, {
    metadata: { name: 'web-x1', namespace: 'default', labels: { 'kubernetes.io/service-name': 'web' } }, addressType: 'IPv4',
    endpoints: [
      { addresses: ['127.244.1.5'], hostname: 'web-0', conditions: { ready: true } },
      { addresses: ['127.244.1.6'], hostname: 'web-1', conditions: { ready: true } },
      { addresses: ['127.244.1.7'], hostname: 'web-2', conditions: { ready: false } },
    ],
    ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
  });
  upstream = await startFakeUpstream();
  dns = await startCoreDns({ informers, address: DNS_IP, port: 0, zone: 'cluster.local', upstreams: [`${UPSTREAM_IP}:${upstream.port}`], log: (l) => logs.push(l) });
  lonely = await startCoreDns({ informers, address: '127.77.0.11', port: 0, zone: 'cluster.local', upstreams: [], log: (l) => logs.push(l) });
});

afterAll(async () => {
  await dns?.stop();
  await lonely?.stop();
  await upstream?.close();
  informers?.stop();
});

describe('cluster records', () => {
  for (const tcp of [false, true]) {
    const extra = tcp ? ['+tcp'] : [];
    const via = tcp ? 'TCP' : 'UDP';

    it(`answers a service A with its ClusterIP, authoritative, case-insensitive (${via})`, async () => {
      const r = await dig(dns, 'NGINX.default.SVC.cluster.local', 'A', extra);
      expect(r.status).toBe('NOERROR');
      expect(r.flags).toContain('aa');
      expect(r.answer).toEqual(['NGINX.default.SVC.cluster.local. 30 IN A 127.96.0.20']);
    });

    it(`answers NXDOMAIN with the zone SOA for a missing service and a search-path expansion (${via})`, async () => {
      for (const name of ['nope.default.svc.cluster.local', 'nginx.default.svc.cluster.local.default.svc.cluster.local']) {
        const r = await dig(dns, name, 'A', extra);
        expect(r.status).toBe('NXDOMAIN');
        expect(r.flags).toContain('aa');
        expect(r.answer).toEqual([]);
        expect(r.authority).toHaveLength(1);
        expect(r.authority[0]).toMatch(SOA_LINE);
      }
    });

    it(`answers NODATA with the SOA for another type, the apex and svc.cluster.local (${via})`, async () => {
      for (const [name, type] of [['nginx.default.svc.cluster.local', 'AAAA'], ['cluster.local', 'A'], ['svc.cluster.local', 'A'], ['quiet.svc.cluster.local', 'A']]) {
        const r = await dig(dns, name, type, extra);
        expect(r.status, `${name} ${type}`).toBe('NOERROR');
        expect(r.answer).toEqual([]);
        expect(r.authority[0]).toMatch(SOA_LINE);
      }
    });
  }

  it('answers a headless service with its ready endpoints, SRV with targets, dns-version and PTR', async () => {
    const a = await dig(dns, 'web.default.svc.cluster.local');
    expect(a.answer.sort()).toEqual(['web.default.svc.cluster.local. 30 IN A 127.244.1.5', 'web.default.svc.cluster.local. 30 IN A 127.244.1.6']);
    const srv = await dig(dns, '_http._tcp.web.default.svc.cluster.local', 'SRV');
    expect(srv.answer.sort()).toEqual([
      '_http._tcp.web.default.svc.cluster.local. 30 IN SRV 0 50 8080 web-0.web.default.svc.cluster.local.',
      '_http._tcp.web.default.svc.cluster.local. 30 IN SRV 0 50 8080 web-1.web.default.svc.cluster.local.',
    ]);
    expect(srv.raw).toMatch(/web-0\.web\.default\.svc\.cluster\.local\.\s+30\s+IN\s+A\s+127\.244\.1\.5/);
    // The plugin gives dns-version a fixed TTL of 28800, whatever `ttl` says.
    expect((await dig(dns, 'dns-version.cluster.local', 'TXT')).answer).toEqual(['dns-version.cluster.local. 28800 IN TXT "1.1.0"']);
    expect((await dig(dns, '20.0.96.127.in-addr.arpa', 'PTR')).answer).toEqual(['20.0.96.127.in-addr.arpa. 30 IN PTR nginx.default.svc.cluster.local.']);
  });

  it('sees a Service created and deleted in the store within 100 ms', async () => {
    const name = 'fresh.default.svc.cluster.local';
    expect((await ask(dns, name)).rcode).toBe(3);
    create(GR.services, { metadata: { name: 'fresh', namespace: 'default' }, spec: { clusterIP: '127.96.0.33', clusterIPs: ['127.96.0.33'], ports: [{ port: 80 }] } });
    await eventually(async () => expect(await ask(dns, name)).toEqual({ rcode: 0, ancount: 1 }), { timeout: 100, interval: 5, what: 'new service answered' });
    expect((await dig(dns, name)).answer).toEqual([`${name}. 30 IN A 127.96.0.33`]);
    store.delete(GR.services, 'default', 'fresh');
    await eventually(async () => expect((await ask(dns, name)).rcode).toBe(3), { timeout: 100, interval: 5, what: 'deleted service gone' });
  });
});

describe('forwarding', () => {
  it('relays names outside the zone to the upstream, over UDP and TCP', async () => {
    const u = await dig(dns, 'outside.example.test');
    expect(u.status).toBe('NOERROR');
    expect(u.answer).toEqual(['outside.example.test. 60 IN A 127.1.2.3']);
    expect(upstream.seen).toContain('udp outside.example.test 1');
    const t = await dig(dns, 'outside.example.test', 'A', ['+tcp']);
    expect(t.answer).toEqual(['outside.example.test. 60 IN A 127.1.2.3']);
    expect(upstream.seen).toContain('tcp outside.example.test 1');
    expect((await dig(dns, 'missing.example.test')).status).toBe('NXDOMAIN');
  });

  it('passes a truncated upstream answer on, and the client\'s TCP retry is forwarded over TCP', async () => {
    const r = await dig(dns, 'big.example.test', 'TXT', ['+noedns']);
    expect(r.answer).toHaveLength(20);
    expect(upstream.seen.filter((s) => s.startsWith('tcp big.example.test'))).toHaveLength(1);
  });

  it('answers an ExternalName with its CNAME and the target address resolved upstream', async () => {
    create(GR.services, { metadata: { name: 'ext', namespace: 'default' }, spec: { type: 'ExternalName', externalName: 'outside.example.test' } });
    await eventually(async () => {
      const r = await dig(dns, 'ext.default.svc.cluster.local');
      expect(r.answer).toEqual(['ext.default.svc.cluster.local. 30 IN CNAME outside.example.test.', 'outside.example.test. 60 IN A 127.1.2.3']);
    }, { timeout: 2000 });
  });

  it('answers SERVFAIL for outside names when there is no upstream, and still serves the zone', async () => {
    expect((await dig(lonely, 'outside.example.test')).status).toBe('SERVFAIL');
    expect((await dig(lonely, 'nginx.default.svc.cluster.local')).answer).toEqual(['nginx.default.svc.cluster.local. 30 IN A 127.96.0.20']);
  });
});

describe('robustness', () => {
  it('ignores responses (QR=1)', async () => {
    const sock = dgram.createSocket('udp4');
    const got: Buffer[] = [];
    sock.on('message', (m) => got.push(m));
    const resp = Buffer.from(encodeQuery(5, 'nginx.default.svc.cluster.local', 1));
    resp[2] |= 0x80;
    await new Promise<void>((r) => sock.send(resp, dns.port, dns.address, () => r()));
    const q = encodeQuery(6, 'nginx.default.svc.cluster.local', 1);
    await new Promise<void>((r) => sock.send(q, dns.port, dns.address, () => r()));
    // The query sent after the response is answered; by then the response would have been too.
    await eventually(() => expect(got.length).toBeGreaterThan(0), { timeout: 2000 });
    sock.close();
    expect(got.map((m) => m.readUInt16BE(0))).toEqual([6]);
  });

  // Against the server without upstream: mangled names would otherwise be forwarded to the fake
  // upstream, whose (dns2) parser is slow on garbage and runs in this process.
  it('survives thousands of random and mangled packets over UDP and TCP', async () => {
    const target = lonely;
    let seed = 7;
    const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    const base = encodeQuery(1, 'nginx.default.svc.cluster.local', 1, { edns: 1232 });
    const packets: Buffer[] = [];
    for (let i = 0; i < 4000; i++) {
      const b = i % 2 ? Buffer.from(base) : Buffer.alloc(Math.floor(rnd() * 120));
      for (let j = 0; j < b.length; j++) if (i % 2 === 0 || rnd() < 0.08) b[j] = Math.floor(rnd() * 256);
      packets.push(b);
    }
    const sock = dgram.createSocket('udp4');
    sock.on('message', () => {});
    for (let i = 0; i < packets.length; i++) {
      await new Promise<void>((r) => sock.send(packets[i], target.port, target.address, () => r()));
      if (i % 200 === 0) await new Promise((r) => setImmediate(r));
    }
    sock.close();
    for (let c = 0; c < 20; c++) {
      const conn = net.connect({ host: target.address, port: target.port });
      conn.on('error', () => {});
      await new Promise<void>((r) => conn.once('connect', () => r()));
      const frames = packets.slice(c * 10, c * 10 + 10).map((p) => Buffer.concat([Buffer.from([p.length >> 8, p.length & 0xff]), p]));
      conn.end(Buffer.concat([...frames, Buffer.from([0xff, 0xff, 1, 2, 3])]));
      conn.destroy();
    }
    const r = await dig(target, 'nginx.default.svc.cluster.local', 'A', ['+tcp']);
    expect(r.answer).toEqual(['nginx.default.svc.cluster.local. 30 IN A 127.96.0.20']);
    expect((await dig(target, 'nginx.default.svc.cluster.local')).status).toBe('NOERROR');
  });
});
