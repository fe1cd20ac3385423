// The fast path of a CoreDNS listener over real loopback sockets: a reply kept for a question is
// served again with the asker's ID and letter case, EDNS and plain askers apart, forgotten when a
// Service or its endpoints change and at a reload, counted in the metrics like any answer; `log`
// and `loadbalance` still see every query; other classes, opcodes and EDNS versions never hit it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import dgram from 'node:dgram';
import net from 'node:net';
import { InformerFactory } from '../../src/api/informer.js';
import { ObjectStore } from '../../src/api/store.js';
import { GR, type KObject } from '../../src/api/types.js';
import { CoreDnsInstance } from '../../src/coredns/instance.js';
import { encodeQuery } from '../../src/coredns/wire.js';
import { dig } from '../support/dig.js';
import { eventually } from '../support/eventually.js';

const IP = '127.81.0.2';
const LOG_IP = '127.81.0.3';
const METRICS = 20000 + Math.floor(Math.random() * 20000);

let store: ObjectStore;
let informers: InformerFactory;
let inst: CoreDnsInstance;
let logged: CoreDnsInstance;
const logs: string[] = [];

function corefile(ttl: number, extra = ''): string {
  return `.:0 {
    errors
    prometheus :${METRICS}
    kubernetes cluster.local in-addr.arpa ip6.arpa {
        pods insecure
        fallthrough in-addr.arpa ip6.arpa
        ttl ${ttl}
    }
    cache 30
    loadbalance
    ${extra}
}
`;
}

function headlessSlice(name: string, svc: string, ips: string[]): KObject {
  return {
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', addressType: 'IPv4',
    metadata: { name, namespace: 'default', labels: { 'kubernetes.io/service-name': svc } },
    endpoints: ips.map((ip, i) => ({ addresses: [ip], hostname: `${svc}-${i}`, conditions: { ready: true } })),
    ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
  } as unknown as KObject;
}

/** Sends `q` as it is over UDP and returns the reply bytes (undefined when none comes). */
function exchange(q: Buffer, to: { address: string; port: number } = { address: IP, port: inst.port(0)! }, waitMs = 1000): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const s = dgram.createSocket('udp4');
    const timer = setTimeout(() => { s.close(); resolve(undefined); }, waitMs);
    s.on('message', (m) => { clearTimeout(timer); s.close(); resolve(m); });
    s.send(q, to.port, to.address);
  });
}

/** Sends `qs` pipelined on one TCP connection (one write) and returns the replies in order. */
function exchangeTcp(qs: Buffer[]): Promise<Buffer[]> {
  return new Promise((resolve, reject) => {
    const c = net.connect(inst.port(0)!, IP);
    const replies: Buffer[] = [];
    let pending = Buffer.alloc(0);
    c.on('connect', () => c.write(Buffer.concat(qs.map((q) => Buffer.concat([Buffer.from([q.length >> 8, q.length & 0xff]), q])))));
    c.on('data', (d) => {
      pending = Buffer.concat([pending, d]);
      while (pending.length >= 2 && pending.length >= 2 + pending.readUInt16BE(0)) {
        replies.push(pending.subarray(2, 2 + pending.readUInt16BE(0)));
        pending = pending.subarray(2 + pending.readUInt16BE(0));
      }
      if (replies.length === qs.length) { c.destroy(); resolve(replies); }
    });
    c.on('error', reject);
  });
}

function query(name: string, id: number, o: { qtype?: number; edns?: boolean } = {}): Buffer {
  return Buffer.from(encodeQuery(id, name, o.qtype ?? 1, { edns: o.edns ? 1232 : undefined }));
}

/** The A addresses of a reply (owner names are compression pointers in kdp's replies). */
function addresses(m: Buffer): string[] {
  let off = 12;
  while (m[off] !== 0) off += m[off] + 1;
  off += 5;
  const out: string[] = [];
  for (let i = 0; i < m.readUInt16BE(6); i++) {
    off += 2;
    if (m.readUInt16BE(off) === 1) out.push([...m.subarray(off + 10, off + 14)].join('.'));
    off += 10 + m.readUInt16BE(off + 8);
  }
  return out;
}

async function metric(line: string): Promise<number> {
  const text = await (await fetch(`http://${IP}:${METRICS}/metrics`)).text();
  const m = text.split('\n').find((l) => l.startsWith(line + ' '));
  return m ? Number(m.slice(line.length + 1)) : 0;
}

beforeAll(async () => {
  store = new ObjectStore();
  informers = new InformerFactory(store);
  store.create(GR.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } } as KObject);
  store.create(GR.services, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' }, spec: { clusterIP: '127.96.0.20', ports: [{ port: 80 }] } } as KObject);
  store.create(GR.services, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'db', namespace: 'default' }, spec: { clusterIP: 'None', ports: [{ name: 'http', port: 8080 }] } } as KObject);
  store.create(GR.endpointslices, headlessSlice('db-1', 'db', ['127.244.9.1']));
  store.create(GR.services, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'pair', namespace: 'default' }, spec: { clusterIP: 'None', ports: [{ name: 'http', port: 8080 }] } } as KObject);
  store.create(GR.endpointslices, headlessSlice('pair-1', 'pair', ['127.244.9.11', '127.244.9.12']));
  inst = await CoreDnsInstance.start({ informers, address: IP, corefile: corefile(30), log: (l) => logs.push(l) });
  logged = await CoreDnsInstance.start({ informers, address: LOG_IP, corefile: '.:0 {\n    log\n    kubernetes cluster.local\n}\n', log: (l) => logs.push(l) });
});

afterAll(async () => {
  await inst?.stop();
  await logged?.stop();
  informers?.stop();
});

describe('CoreDNS fast path', () => {
  it('serves a kept reply with the asker\'s ID and letter case, byte for byte (0x20 randomisation)', async () => {
    const first = (await exchange(query('web.default.svc.cluster.local', 1)))!;
    expect(addresses(first)).toEqual(['127.96.0.20']);
    expect(inst.fastPathSize(0)).toBeGreaterThan(0);
    const mixed = query('wEb.DeFaulT.SVC.cluster.LOCAL', 0xbeef);
    const second = (await exchange(mixed))!;
    expect(second.readUInt16BE(0)).toBe(0xbeef);
    expect(second.subarray(12, mixed.length)).toEqual(mixed.subarray(12)); // the question as asked
    expect(second.subarray(mixed.length)).toEqual(first.subarray(mixed.length)); // the same answer
    const d = await dig({ address: IP, port: inst.port(0) }, 'WEB.default.svc.cluster.local', 'A', ['+noedns']);
    expect(d.answer).toEqual(['WEB.default.svc.cluster.local. 30 IN A 127.96.0.20']);
    expect(d.flags).toEqual(expect.arrayContaining(['qr', 'aa', 'rd']));
  });

  it('keeps EDNS, EDNS+DO and plain askers apart', async () => {
    const at = { address: IP, port: inst.port(0) };
    const name = 'db.default.svc.cluster.local';
    await dig(at, name, 'A', ['+noedns']);
    const withOpt = await dig(at, name, 'A');
    expect(withOpt.raw).toMatch(/; EDNS: version: 0, flags:; udp: 1232/);
    const dnssec = await dig(at, name, 'A', ['+dnssec']);
    expect(dnssec.raw).toMatch(/; EDNS: version: 0, flags: do; udp: 1232/);
    const plain = await dig(at, name, 'A', ['+noedns']);
    expect(plain.raw).not.toMatch(/EDNS/);
    expect(plain.raw).toMatch(/ADDITIONAL: 0/);
    expect(plain.answer).toEqual([`${name}. 30 IN A 127.244.9.1`]);
  });

  it('forgets a reply as soon as the Service\'s ClusterIP or its endpoints change', async () => {
    expect(addresses((await exchange(query('web.default.svc.cluster.local', 2)))!)).toEqual(['127.96.0.20']);
    store.update(GR.services, { ...structuredClone(store.get(GR.services, 'default', 'web')), spec: { clusterIP: '127.96.0.21', ports: [{ port: 80 }] } } as KObject);
    await eventually(async () => expect(addresses((await exchange(query('web.default.svc.cluster.local', 3)))!)).toEqual(['127.96.0.21']));
    for (let i = 0; i < 3; i++) expect(addresses((await exchange(query('web.default.svc.cluster.local', 4 + i)))!)).toEqual(['127.96.0.21']);

    expect(addresses((await exchange(query('db.default.svc.cluster.local', 8)))!)).toEqual(['127.244.9.1']);
    expect(addresses((await exchange(query('db-0.db.default.svc.cluster.local', 9)))!)).toEqual(['127.244.9.1']);
    store.update(GR.endpointslices, { ...structuredClone(store.get(GR.endpointslices, 'default', 'db-1')), endpoints: [{ addresses: ['127.244.9.2'], hostname: 'db-0', conditions: { ready: true } }] } as KObject);
    await eventually(async () => expect(addresses((await exchange(query('db-0.db.default.svc.cluster.local', 10)))!)).toEqual(['127.244.9.2']));
    expect(addresses((await exchange(query('db.default.svc.cluster.local', 11)))!)).toEqual(['127.244.9.2']);
  });

  it('counts every query in the prometheus metrics and the cache misses, hits of the fast path included', async () => {
    const labels = 'server="dns://:0",zone=".",view=""';
    const req = `coredns_dns_requests_total{${labels},proto="udp",family="1",type="A"}`;
    const nx = `coredns_dns_responses_total{${labels},rcode="NXDOMAIN",plugin="kubernetes"}`;
    const misses = 'coredns_cache_misses_total{server="dns://:0",view="",zones="."}';
    const count = `coredns_dns_request_size_bytes_count{${labels},proto="udp"}`;
    const before = [await metric(req), await metric(nx), await metric(misses), await metric(count)];
    for (let i = 0; i < 20; i++) expect((await exchange(query('nowhere.default.svc.cluster.local', 100 + i)))![3] & 0x0f).toBe(3);
    const size = inst.fastPathSize(0);
    for (let i = 0; i < 10; i++) await exchange(query('NOWHERE.default.svc.cluster.local', 200 + i));
    expect(inst.fastPathSize(0)).toBe(size); // served from the kept reply, not computed again
    const after = [await metric(req), await metric(nx), await metric(misses), await metric(count)];
    expect(after.map((v, i) => v - before[i])).toEqual([30, 30, 30, 30]);
  });

  it('over TCP: pipelined queries get the kept reply with their own ID and case, counted as TCP', async () => {
    const labels = 'server="dns://:0",zone=".",view=""';
    const req = `coredns_dns_requests_total{${labels},proto="tcp",family="1",type="A"}`;
    const count = `coredns_dns_request_size_bytes_count{${labels},proto="tcp"}`;
    const before = [await metric(req), await metric(count)];
    const [first] = await exchangeTcp([query('pair.default.svc.cluster.local', 1)]);
    expect(addresses(first).sort()).toEqual(['127.244.9.11', '127.244.9.12']);
    const [web] = await exchangeTcp([query('web.default.svc.cluster.local', 2)]);
    expect(inst.fastPathSize(0, 'tcp')).toBeGreaterThan(0);
    const size = inst.fastPathSize(0, 'tcp');
    const qs = Array.from({ length: 8 }, (_, i) => query(i % 2 ? 'WEB.default.svc.cluster.local' : 'web.DEFAULT.svc.cluster.local', 0x100 + i));
    const replies = await exchangeTcp(qs);
    expect(inst.fastPathSize(0, 'tcp')).toBe(size); // served from the kept reply
    replies.forEach((r, i) => {
      expect(r.readUInt16BE(0)).toBe(0x100 + i);
      expect(r.subarray(12, qs[i].length)).toEqual(qs[i].subarray(12));
      expect(r.subarray(qs[i].length)).toEqual(web.subarray(qs[i].length));
    });
    // a loadbalance rotation is never kept: the pair's order still changes over TCP
    const orders = new Set((await exchangeTcp(Array.from({ length: 4 }, (_, i) => query('pair.default.svc.cluster.local', 0x200 + i)))).map((r) => addresses(r).join(',')));
    expect(orders.size).toBe(2);
    const after = [await metric(req), await metric(count)];
    expect(after.map((v, i) => v - before[i])).toEqual([14, 14]);
  });

  it('still runs `log` for every query', async () => {
    const at = { address: LOG_IP, port: logged.port(0)! };
    const n = logs.length;
    for (let i = 0; i < 5; i++) expect(addresses((await exchange(query('web.default.svc.cluster.local', 300 + i), at))!)).toEqual(['127.96.0.21']);
    expect(logs.slice(n).filter((l) => / - 30\d "A IN web\.default\.svc\.cluster\.local\. udp /.test(l))).toHaveLength(5);
    expect(logged.fastPathSize(0)).toBe(0);
  });

  it('lets `loadbalance` rotate multi-address answers on every query', async () => {
    const firsts = new Set<string>();
    for (let i = 0; i < 4; i++) firsts.add(addresses((await exchange(query('pair.default.svc.cluster.local', 400 + i)))!)[0]);
    expect(firsts).toEqual(new Set(['127.244.9.11', '127.244.9.12']));
  });

  it('never serves another class, opcode or EDNS version from a kept reply', async () => {
    const name = 'web.default.svc.cluster.local';
    expect(addresses((await exchange(query(name, 500)))!)).toEqual(['127.96.0.21']);
    const chaos = query(name, 501);
    chaos[chaos.length - 1] = 3; // class CH: not the kubernetes plugin's
    const ch = (await exchange(chaos))!;
    expect(ch.readUInt16BE(6)).toBe(0);
    expect(ch[3] & 0x0f).not.toBe(0);
    const status = query(name, 502);
    status[2] |= 2 << 3; // opcode STATUS
    expect((await exchange(status))![3] & 0x0f).toBe(4); // NOTIMP
    const v1 = query(name, 503, { edns: true });
    v1[v1.length - 5] = 1; // EDNS version 1
    const badvers = (await exchange(v1))!;
    expect(badvers.readUInt16BE(6)).toBe(0);
    expect(badvers[badvers.length - 6]).toBe(1); // extended rcode BADVERS (16 = 1 << 4)
    const response = query(name, 504);
    response[2] |= 0x80; // a response: no answer at all
    expect(await exchange(response, undefined, 300)).toBeUndefined();
  });

  it('forgets every reply at a reload: the new Corefile answers the next query', async () => {
    const name = 'web.default.svc.cluster.local';
    expect((await dig({ address: IP, port: inst.port(0) }, name)).answer).toEqual([`${name}. 30 IN A 127.96.0.21`]);
    await inst.reload(corefile(7));
    expect((await dig({ address: IP, port: inst.port(0) }, name)).answer).toEqual([`${name}. 7 IN A 127.96.0.21`]);
    // Without the kubernetes plugin nothing else would tell the kept replies apart from new ones.
    const hosts = (ip: string) => `.:0 {\n    prometheus :${METRICS}\n    hosts {\n        ${ip} printer.lan\n    }\n}\n`;
    await inst.reload(hosts('127.5.5.5'));
    for (let i = 0; i < 2; i++) expect(addresses((await exchange(query('printer.lan', 600 + i)))!)).toEqual(['127.5.5.5']);
    expect(inst.fastPathSize(0)).toBe(1);
    await inst.reload(hosts('127.6.6.6'));
    expect(addresses((await exchange(query('printer.lan', 602)))!)).toEqual(['127.6.6.6']);
  });
});
