// The DNS server must never crash or stop answering: over 100,000 random, mutated and crafted
// packets over UDP and TCP (seeded, so a failure can be replayed), then it still answers correctly.
// A crash would throw in this very process (the server runs in it) and fail the test.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import dgram from 'node:dgram';
import net from 'node:net';
import { InformerFactory } from '../../src/api/informer.js';
import { ObjectStore } from '../../src/api/store.js';
import { GR, type KObject } from '../../src/api/types.js';
import { CoreDnsInstance } from '../../src/coredns/instance.js';
import { encodeQuery } from '../../src/coredns/wire.js';
import { run } from '../support/kdp.js';

const IP = '127.79.0.2';
const UPSTREAM_IP = '127.79.0.53';
const UDP_PACKETS = 80_000;
const TCP_PACKETS = 24_000;
const FORBIDDEN_ID = 0xbeef; // only QR=1 packets carry it: a response with it would answer a response
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);

let inst: CoreDnsInstance;
let informers: InformerFactory;
let upstream: dgram.Socket;

/** xorshift32: reproducible with FUZZ_SEED. */
function rng(seed: number): () => number {
  let x = seed || 1;
  return () => {
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    return x / 2 ** 32;
  };
}

const NAMES = [
  'web.default.svc.cluster.local', 'headless.default.svc.cluster.local', '_http._tcp.web.default.svc.cluster.local',
  'web-0.headless.default.svc.cluster.local', '20.0.96.127.in-addr.arpa', 'dns-version.cluster.local', 'cluster.local',
  '127-0-0-5.default.pod.cluster.local', 'web.default.svc.cluster.local.default.svc.cluster.local', 'printer.lan',
  'www.alias.test', 'x.example.test', 'a.b.c.d.e.f.example.test', '',
];
const TYPES = [1, 28, 33, 12, 16, 6, 2, 255, 5, 15, 65];

function packet(r: () => number): Buffer {
  const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)];
  const kind = r();
  let b: Buffer;
  if (kind < 0.25) {
    b = Buffer.alloc(Math.floor(r() * 600));
    for (let i = 0; i < b.length; i++) b[i] = Math.floor(r() * 256);
  } else {
    const q = encodeQuery(Math.floor(r() * 65536), pick(NAMES), pick(TYPES), { edns: r() < 0.5 ? pick([0, 1, 512, 1232, 4096, 65535]) || undefined : undefined });
    b = Buffer.from(q);
    if (kind < 0.75) {
      const flips = 1 + Math.floor(r() * 8);
      for (let i = 0; i < flips && b.length; i++) b[Math.floor(r() * b.length)] = Math.floor(r() * 256);
      if (r() < 0.2) b = b.subarray(0, Math.floor(r() * b.length));
      if (r() < 0.2) b = Buffer.concat([b, Buffer.from(Array.from({ length: Math.floor(r() * 64) }, () => Math.floor(r() * 256)))]);
    } else {
      // crafted: counts, pointers, oversized labels/names, opcodes
      switch (Math.floor(r() * 7)) {
        case 0: b.writeUInt16BE(Math.floor(r() * 65536), 4 + 2 * Math.floor(r() * 4)); break; // qd/an/ns/ar count
        case 1: b = Buffer.concat([b.subarray(0, 12), Buffer.from([0xc0, 0x0c, 0, 1, 0, 1])]); break; // pointer loop
        case 2: b = Buffer.concat([b.subarray(0, 12), Buffer.from([64, ...Buffer.alloc(64, 0x61), 0, 0, 1, 0, 1])]); break; // label 64
        case 3: b = Buffer.concat([b.subarray(0, 12), ...Array.from({ length: 5 }, () => Buffer.from([63, ...Buffer.alloc(63, 0x62)])), Buffer.from([0, 0, 1, 0, 1])]); break; // > 255
        case 4: b[2] = (b[2] & 0x87) | (Math.floor(1 + r() * 15) << 3); break; // opcode
        case 5: b[2] |= 0x80; b.writeUInt16BE(FORBIDDEN_ID, 0); return b; // a response
        case 6: b = Buffer.concat([b, Buffer.from([0, 0, 41, 0xff, 0xff, 0, 0, 0x80, 0, 0xff, 0xff])]); b.writeUInt16BE(1, 10); break; // broken OPT
      }
    }
  }
  if (b.length >= 2 && b.readUInt16BE(0) === FORBIDDEN_ID) b.writeUInt16BE(1, 0);
  return b;
}

function checkResponse(m: Buffer, bad: string[]): void {
  if (m.length < 12 || !(m[2] & 0x80)) bad.push(`not a response: ${m.toString('hex').slice(0, 40)}`);
  if (m.length >= 2 && m.readUInt16BE(0) === FORBIDDEN_ID) bad.push('answered a response (QR=1)');
}

beforeAll(async () => {
  upstream = dgram.createSocket('udp4');
  upstream.on('message', (m, rinfo) => {
    if (m.length < 12) return;
    const out = Buffer.from(m);
    out[2] |= 0x80;
    out[3] = (out[3] & 0xf0) | 3;
    upstream.send(out, rinfo.port, rinfo.address);
  });
  await new Promise<void>((res) => upstream.bind(0, UPSTREAM_IP, () => res()));
  const store = new ObjectStore();
  informers = new InformerFactory(store);
  const create = (gr: string, o: object) => store.create(gr, o as KObject);
  create(GR.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } });
  create(GR.services, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' }, spec: { clusterIP: '127.96.0.20', ports: [{ name: 'http', port: 80 }] } });
  create(GR.services, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'headless', namespace: 'default' }, spec: { clusterIP: 'None', ports: [{ name: 'http', port: 80 }] } });
  create(GR.endpointslices, {
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', addressType: 'IPv4',
    metadata: { name: 'headless-1', namespace: 'default', labels: { 'kubernetes.io/service-name': 'headless' } },
    endpoints: Array.from({ length: 40 }, (_, i) => ({ addresses: [`127.244.1.${i + 2}`], hostname: `web-${i}`, conditions: { ready: true } })),
    ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
  });
  inst = await CoreDnsInstance.start({
    informers, address: IP, log: () => {},
    corefile: `.:0 {
      errors
      rewrite name suffix .alias.test .default.svc.cluster.local
      hosts {
        127.5.5.5 printer.lan
        fallthrough
      }
      kubernetes cluster.local in-addr.arpa ip6.arpa {
        pods insecure
        fallthrough in-addr.arpa ip6.arpa
      }
      forward example.test ${UPSTREAM_IP}:${upstream.address().port}
      cache 30
      loadbalance
    }`,
  });
});

afterAll(async () => {
  await inst?.stop();
  informers?.stop();
  await new Promise<void>((r) => upstream.close(() => r()));
});

describe(`fuzz (seed ${SEED})`, () => {
  it(`survives ${UDP_PACKETS + TCP_PACKETS} random, mutated and crafted packets over UDP and TCP and still answers correctly`, async () => {
    const r = rng(SEED);
    const port = inst.port(0)!;
    const bad: string[] = [];
    let udpAnswers = 0;
    const client = dgram.createSocket('udp4');
    client.on('message', (m) => { udpAnswers++; checkResponse(m, bad); });
    await new Promise<void>((res) => client.bind(0, '127.0.0.1', () => res()));
    client.setRecvBufferSize(8 << 20);
    let udpSent = 0;
    while (udpSent < UDP_PACKETS) {
      // Paced by the answers (about 45% of these packets deserve one), so a loaded machine does not
      // turn the run into a test of socket buffer sizes.
      const before = udpAnswers;
      for (let i = 0; i < 200; i++, udpSent++) client.send(packet(r), port, IP);
      const until = Date.now() + 100;
      while (udpAnswers < before + 60 && Date.now() < until) await new Promise((res) => setTimeout(res, 1));
    }

    let tcpSent = 0;
    let tcpAnswers = 0;
    while (tcpSent < TCP_PACKETS) {
      const frames: Buffer[] = [];
      for (let i = 0; i < 1000; i++, tcpSent++) {
        const p = packet(r);
        const len = Buffer.alloc(2);
        len.writeUInt16BE(p.length);
        frames.push(len, p);
      }
      await new Promise<void>((resolve) => {
        const sock = net.connect(port, IP);
        let buf = Buffer.alloc(0);
        sock.on('data', (d) => {
          buf = Buffer.concat([buf, d]);
          while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
            checkResponse(buf.subarray(2, 2 + buf.readUInt16BE(0)), bad);
            tcpAnswers++;
            buf = buf.subarray(2 + buf.readUInt16BE(0));
          }
        });
        sock.on('error', () => resolve());
        sock.on('close', () => resolve());
        sock.write(Buffer.concat(frames), () => sock.end());
        setTimeout(() => sock.destroy(), 3000);
      });
    }
    await new Promise((res) => setTimeout(res, 100));
    client.close();
    console.log(`[fuzz] seed ${SEED}: sent ${udpSent} UDP + ${tcpSent} TCP = ${udpSent + tcpSent} packets; ${udpAnswers} UDP and ${tcpAnswers} TCP responses`);
    expect(udpSent + tcpSent).toBeGreaterThanOrEqual(100_000);
    expect(bad.slice(0, 5)).toEqual([]);
    expect(udpAnswers).toBeGreaterThan(UDP_PACKETS / 4);
    expect(tcpAnswers).toBeGreaterThan(TCP_PACKETS / 4);

    // and it still answers correctly, over UDP and TCP, from the zone, hosts, rewrite and forward
    for (const proto of ['+notcp', '+tcp']) {
      const dig = (name: string, type = 'A') => run('dig', [`@${IP}`, '-p', String(port), proto, '+time=3', '+tries=2', name, type]);
      expect((await dig('web.default.svc.cluster.local')).stdout).toMatch(/status: NOERROR[\s\S]*web\.default\.svc\.cluster\.local\.\s+5\s+IN\s+A\s+127\.96\.0\.20/);
      const nope = (await dig('nope.default.svc.cluster.local')).stdout;
      expect(nope, nope).toContain('status: NXDOMAIN');
      expect((await dig('printer.lan')).stdout).toMatch(/IN\s+A\s+127\.5\.5\.5/);
      expect((await dig('web.alias.test')).stdout).toMatch(/web\.alias\.test\.\s+5\s+IN\s+A\s+127\.96\.0\.20/);
      const x = (await dig('x.example.test')).stdout;
      expect(x, x).toContain('status: NXDOMAIN');
    }
  }, 60_000);
});

/** One exchange over UDP; the raw response. */
function udpExchange(msg: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const s = dgram.createSocket('udp4');
    const t = setTimeout(() => { s.close(); reject(new Error('timeout')); }, 1000);
    s.on('message', (m) => { clearTimeout(t); s.close(); resolve(m); });
    s.send(msg, inst.port(0)!, IP);
  });
}

describe('wire rules', () => {
  const big = 'headless.default.svc.cluster.local';

  it('sets TC and stays within 512 bytes when the answer does not fit a plain UDP message', async () => {
    const m = await udpExchange(encodeQuery(11, big, 1));
    expect(m.length).toBeLessThanOrEqual(512);
    expect(m[2] & 0x02).toBe(0x02);
    expect(m.readUInt16BE(6)).toBeLessThan(40);
  });

  it('honours the EDNS UDP size and echoes an OPT record', async () => {
    const m = await udpExchange(encodeQuery(12, big, 1, { edns: 4096 }));
    expect(m[2] & 0x02).toBe(0);
    expect(m.readUInt16BE(6)).toBe(40);
    expect(m.readUInt16BE(10)).toBe(1); // the OPT
    expect(m.subarray(m.length - 11, m.length - 8)).toEqual(Buffer.from([0, 0, 41]));
    const small = await udpExchange(encodeQuery(13, big, 1, { edns: 700 }));
    expect(small.length).toBeLessThanOrEqual(700);
    expect(small[2] & 0x02).toBe(0x02);
  });

  it('answers an EDNS version it does not speak with BADVERS', async () => {
    const r = await run('dig', [`@${IP}`, '-p', String(inst.port(0)), '+edns=1', '+noednsneg', '+time=3', 'web.default.svc.cluster.local']);
    expect(r.stdout).toContain('status: BADVERS');
    expect(r.stdout).toMatch(/EDNS: version: 0/);
  });

  it('never compresses SRV targets (RFC 2782)', async () => {
    const m = await udpExchange(encodeQuery(14, '_http._tcp.headless.default.svc.cluster.local', 33, { edns: 4096 }));
    // every SRV rdata ends with the target written out in full: `web-N` … `local` then the root label
    const target = Buffer.from('\x08headless\x07default\x03svc\x07cluster\x05local\x00', 'latin1');
    let count = 0;
    for (let i = m.indexOf(target); i >= 0; i = m.indexOf(target, i + 1)) count++;
    expect(count).toBeGreaterThanOrEqual(40);
  });

  it('answers pipelined queries on one TCP connection, each with its own ID', async () => {
    const ids = [101, 102, 103, 104];
    const frames = ids.map((id, i) => {
      const q = encodeQuery(id, ['web.default.svc.cluster.local', 'printer.lan', 'nope.default.svc.cluster.local', 'x.example.test'][i], 1);
      return Buffer.concat([Buffer.from([q.length >> 8, q.length & 0xff]), q]);
    });
    const got = await new Promise<number[]>((resolve, reject) => {
      const sock = net.connect(inst.port(0)!, IP, () => sock.write(Buffer.concat(frames)));
      let buf = Buffer.alloc(0);
      const seen: number[] = [];
      sock.on('data', (d) => {
        buf = Buffer.concat([buf, d]);
        while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
          seen.push(buf.readUInt16BE(2));
          buf = buf.subarray(2 + buf.readUInt16BE(0));
        }
        if (seen.length === ids.length) { sock.destroy(); resolve(seen); }
      });
      sock.on('error', reject);
      setTimeout(() => { sock.destroy(); reject(new Error(`only ${seen.length} answers`)); }, 3000);
    });
    expect(got.sort()).toEqual(ids);
  });
});
