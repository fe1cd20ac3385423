// A CoreDNS instance driven by its Corefile over real loopback sockets: reload without dropping
// queries, a broken Corefile kept out, the prometheus/health/ready endpoints, cache, log and hosts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import dgram from 'node:dgram';
import { InformerFactory } from '../../src/api/informer.js';
import { ObjectStore } from '../../src/api/store.js';
import { GR, type KObject } from '../../src/api/types.js';
import { CoreDnsInstance } from '../../src/coredns/instance.js';
import { encodeQuery } from '../../src/coredns/wire.js';
import { run } from '../support/kdp.js';

const IP = '127.78.0.2';
const UPSTREAM_IP = '127.78.0.53';
const HTTP = 20000 + Math.floor(Math.random() * 20000);

let store: ObjectStore;
let informers: InformerFactory;
let inst: CoreDnsInstance;
let upstream: dgram.Socket;
let upstreamPort = 0;
let upstreamSeen = 0;
const logs: string[] = [];

function corefile(hostsIp: string, extra = ''): string {
  return `.:0 {
    errors
    log
    health ${IP}:${HTTP}
    ready :${HTTP + 1}
    prometheus :${HTTP + 2}
    hosts {
        ${hostsIp} printer.lan
        fallthrough
    }
    kubernetes cluster.local in-addr.arpa ip6.arpa {
        pods insecure
        fallthrough in-addr.arpa ip6.arpa
        ttl 30
    }
    forward . ${UPSTREAM_IP}:${upstreamPort}
    cache 30
    ${extra}
}
`;
}

/** One UDP query: rcode, answer addresses (A records only) and the first answer TTL. */
function ask(name: string, qtype = 1, sock?: dgram.Socket): Promise<{ rcode: number; addrs: string[]; ttl: number }> {
  return new Promise((resolve, reject) => {
    const s = sock ?? dgram.createSocket('udp4');
    const id = Math.floor(Math.random() * 65536);
    const timer = setTimeout(() => { if (!sock) s.close(); reject(new Error(`timeout: ${name}`)); }, 1000);
    const onMsg = (m: Buffer) => {
      if (m.readUInt16BE(0) !== id) return;
      clearTimeout(timer);
      s.off('message', onMsg);
      if (!sock) s.close();
      const addrs: string[] = [];
      let ttl = -1;
      // answers follow the question; owner names are compressed pointers (2 bytes) in these replies
      let off = 12;
      while (m[off] !== 0) off += m[off] + 1;
      off += 5;
      for (let i = 0; i < m.readUInt16BE(6); i++) {
        off += (m[off] & 0xc0) === 0xc0 ? 2 : (() => { let o = off; while (m[o] !== 0) o += m[o] + 1; return o + 1 - off; })();
        const type = m.readUInt16BE(off);
        if (ttl < 0) ttl = m.readUInt32BE(off + 4);
        const len = m.readUInt16BE(off + 8);
        if (type === 1) addrs.push([...m.subarray(off + 10, off + 14)].join('.'));
        off += 10 + len;
      }
      resolve({ rcode: m[3] & 0x0f, addrs, ttl });
    };
    s.on('message', onMsg);
    s.send(encodeQuery(id, name, qtype), inst.port(0)!, IP);
  });
}

async function http(port: number, path: string): Promise<{ status: number; body: string }> {
  const r = await fetch(`http://${IP}:${port}${path}`);
  return { status: r.status, body: await r.text() };
}

beforeAll(async () => {
  upstream = dgram.createSocket('udp4');
  upstream.on('message', (m, r) => {
    upstreamSeen++;
    const out = Buffer.concat([m.subarray(0, 12 + (m.length - 12)), Buffer.from([0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 127, 1, 2, 3])]);
    out[2] |= 0x80;
    out.writeUInt16BE(1, 6);
    out.writeUInt16BE(0, 10); // drop the OPT the query may carry: answer goes after the question
    const qEnd = (() => { let o = 12; while (m[o] !== 0) o += m[o] + 1; return o + 5; })();
    upstream.send(Buffer.concat([out.subarray(0, qEnd), out.subarray(out.length - 16)]), r.port, r.address);
  });
  await new Promise<void>((res) => upstream.bind(0, UPSTREAM_IP, () => res()));
  upstreamPort = upstream.address().port;
  store = new ObjectStore();
  informers = new InformerFactory(store);
  store.create(GR.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } } as KObject);
  store.create(GR.services, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' }, spec: { clusterIP: '127.96.0.20', ports: [{ port: 80 }] } } as KObject);
  inst = await CoreDnsInstance.start({ informers, address: IP, corefile: corefile('127.5.5.5'), log: (l) => logs.push(l) });
});

afterAll(async () => {
  await inst?.stop();
  informers?.stop();
  await new Promise<void>((r) => upstream.close(() => r()));
});

describe('Corefile-driven CoreDNS', () => {
  it('answers from hosts, kubernetes and forward, and dig sees the same', async () => {
    expect(await ask('printer.lan')).toMatchObject({ rcode: 0, addrs: ['127.5.5.5'] });
    expect(await ask('web.default.svc.cluster.local')).toMatchObject({ rcode: 0, addrs: ['127.96.0.20'], ttl: 30 });
    expect(await ask('outside.example.test')).toMatchObject({ rcode: 0, addrs: ['127.1.2.3'] });
    const d = await run('dig', [`@${IP}`, '-p', String(inst.port(0)), '+tcp', '+short', 'printer.lan']);
    expect(d.stdout.trim()).toBe('127.5.5.5');
  });

  it('caches forwarded answers and counts their TTL down; cluster answers are never cached', async () => {
    const before = upstreamSeen;
    const first = await ask('cached.example.test');
    const second = await ask('cached.example.test');
    expect(first.addrs).toEqual(['127.1.2.3']);
    expect(second.addrs).toEqual(['127.1.2.3']);
    expect(upstreamSeen - before).toBe(1);
    expect(second.ttl).toBeLessThanOrEqual(30);
    // a cluster answer, asked once (it would now be cached if cluster answers were), then changed
    expect((await ask('web.default.svc.cluster.local')).addrs).toEqual(['127.96.0.20']);
    store.update(GR.services, { ...structuredClone(store.get(GR.services, 'default', 'web')), spec: { clusterIP: '127.96.0.21', ports: [{ port: 80 }] } } as KObject);
    await new Promise((r) => setImmediate(r));
    expect((await ask('web.default.svc.cluster.local')).addrs).toEqual(['127.96.0.21']);
  });

  it('reloads a new Corefile without dropping a single query', async () => {
    const sock = dgram.createSocket('udp4');
    await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
    let answered = 0;
    let sent = 0;
    const seen = new Set<string>();
    let reloaded: Promise<void> | undefined;
    // the reload starts mid-stream (after 100 answers), whatever the machine's speed
    for (let i = 0; i < 400; i++) {
      if (i === 100) reloaded = inst.reload(corefile('127.6.6.6'));
      sent++;
      const r = await ask('printer.lan', 1, sock);
      answered++;
      seen.add(r.addrs[0]);
    }
    await reloaded;
    sock.close();
    expect(answered).toBe(sent);
    expect([...seen].sort()).toEqual(['127.5.5.5', '127.6.6.6']);
    expect((await ask('printer.lan')).addrs).toEqual(['127.6.6.6']);
    expect(logs.some((l) => l.startsWith('[INFO] plugin/reload: Running configuration SHA512 = '))).toBe(true);
  });

  it('keeps the running config when the new Corefile is broken, and says why', async () => {
    await expect(inst.reload(corefile('127.7.7.7', 'frobnicate'))).rejects.toThrow(/Corefile:\d+ - Error during parsing: Unknown directive 'frobnicate'/);
    await expect(inst.reload('.:0 {\n  errors\n')).rejects.toThrow(/Unexpected EOF/);
    expect((await ask('printer.lan')).addrs).toEqual(['127.6.6.6']);
    const m = await http(HTTP + 2, '/metrics');
    expect(m.body).toMatch(/^coredns_reload_failed_total 2$/m);
  });

  it('serves health, ready and prometheus metrics under CoreDNS names', async () => {
    expect(await http(HTTP, '/health')).toEqual({ status: 200, body: 'OK' });
    expect(await http(HTTP + 1, '/ready')).toEqual({ status: 200, body: 'OK' });
    await ask('nope.default.svc.cluster.local');
    const { status, body } = await http(HTTP + 2, '/metrics');
    expect(status).toBe(200);
    expect(body).toMatch(/^# TYPE coredns_dns_requests_total counter$/m);
    expect(body).toMatch(/^coredns_dns_requests_total\{server="dns:\/\/:0",zone="\.",view="",proto="udp",family="1",type="A"\} \d+$/m);
    expect(body).toMatch(/^coredns_dns_responses_total\{server="dns:\/\/:0",zone="\.",view="",rcode="NXDOMAIN",plugin="kubernetes"\} [1-9]\d*$/m);
    expect(body).toMatch(/^coredns_dns_responses_total\{.*rcode="NOERROR",plugin="hosts"\} [1-9]\d*$/m);
    expect(body).toMatch(/^# TYPE coredns_dns_request_duration_seconds histogram$/m);
    expect(body).toMatch(/^coredns_dns_request_duration_seconds_bucket\{server="dns:\/\/:0",zone="\.",view="",type="A",le="0.00025"\} \d+$/m);
    expect(body).toMatch(/^coredns_dns_request_duration_seconds_bucket\{.*type="A",le="\+Inf"\} [1-9]\d*$/m);
    expect(body).toMatch(/^coredns_dns_request_duration_seconds_count\{.*type="A"\} [1-9]\d*$/m);
    expect(body).toMatch(/^coredns_cache_hits_total\{server="dns:\/\/:0",type="success",view="",zones="\."\} [1-9]\d*$/m);
    expect(body).toMatch(/^coredns_forward_requests_total\{to="127\.78\.0\.53:\d+"\} [1-9]\d*$/m);
    expect(body).toMatch(/^coredns_build_info\{.*version="1\.11\.3"\} 1$/m);
    expect((await http(HTTP + 2, '/nope')).status).toBe(404);
  });

  it('logs each query in CoreDNS\'s common log format when `log` is on', () => {
    expect(logs.some((l) => /^\[INFO\] 127\.0\.0\.1:\d+ - \d+ "A IN printer\.lan\. udp \d+ false 512" NOERROR qr,aa,rd \d+ \d+\.\d{9}s$/.test(l))).toBe(true);
  });
});
