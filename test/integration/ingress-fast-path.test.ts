// The ingress proxy's fast path (src/ingress/fast-proxy.ts) on real loopback sockets, against a raw
// upstream this file controls byte for byte: bodies both ways (Content-Length, chunked), pipelining,
// HEAD/204/304, upstream keep-alive reuse, an upstream that dies mid-response, a stale pooled
// connection, 64 MiB bodies with backpressure, the hand-off to node:http (WebSocket, Expect) on the
// same listener, and a differential check: for the same client request the fast path and the
// node:http path (a second proxy with fastPath: false) send the upstream the same head and give
// the client the same answer.
// Addresses: fast proxy 127.68.0.1:80/443, node:http-only proxy 127.68.0.2:80/443, upstreams 127.68.1.x.
import { createHash } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import tls from 'node:tls';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { KObject } from '../../src/api/types.js';
import { buildRouteTable, selfSignedCertificate, UpstreamResolver } from '../../src/ingress/index.js';
import { IngressProxy } from '../../src/ingress/proxy-server.js';
import { TlsStore } from '../../src/ingress/tls-store.js';
import { eventually } from '../support/eventually.js';

const FAST = '127.68.0.1';
const SLOW = '127.68.0.2';
const UP = '127.68.1.1';
const BIG = '127.68.1.2';
const HANG = '127.68.1.3';
const REFUSED = '127.68.1.9';
const UP_PORT = 8080;
const A = 'nginx.ingress.kubernetes.io/';
const MiB = 1024 * 1024;

// ---------------------------------------------------------------- the raw upstream

interface UpRequest {
  /** The head exactly as received, blank line included. */
  head: string;
  method: string;
  url: string;
  headers: Map<string, string>;
  /** The body bytes as they came on the wire (chunked framing included). */
  raw: Buffer;
  /** The body, decoded. */
  body: Buffer;
  conn: number;
  /** 1 for the first request on its connection. */
  seq: number;
}

type Responder = (r: UpRequest, s: net.Socket) => void;

/** Decodes a chunked body from buf[at…]: [data, end] or undefined when incomplete. */
function dechunk(buf: Buffer, at: number): [Buffer, number] | undefined {
  const parts: Buffer[] = [];
  let i = at;
  for (;;) {
    const eol = buf.indexOf('\r\n', i);
    if (eol < 0) return undefined;
    const size = parseInt(buf.toString('latin1', i, eol).split(';')[0], 16);
    if (Number.isNaN(size)) throw new Error(`bad chunk size at ${i}: ${JSON.stringify(buf.toString('latin1', i, i + 20))}`);
    if (size === 0) {
      let t = eol + 2;
      for (;;) {
        const e = buf.indexOf('\r\n', t);
        if (e < 0) return undefined;
        if (e === t) return [Buffer.concat(parts), e + 2];
        t = e + 2;
      }
    }
    if (buf.length < eol + 2 + size + 2) return undefined;
    parts.push(buf.subarray(eol + 2, eol + 2 + size));
    i = eol + 2 + size + 2;
  }
}

function headerMap(head: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of head.split('\r\n').slice(1)) {
    const c = line.indexOf(':');
    if (c > 0) m.set(line.slice(0, c).toLowerCase(), line.slice(c + 1).trim());
  }
  return m;
}

/** Collects Buffers and joins them only once enough bytes are there (large bodies stay linear). */
class Accumulator {
  private parts: Buffer[] = [];
  private total = 0;
  /** Bytes wanted before the next look. */
  need = 0;

  push(d: Buffer): Buffer | undefined {
    this.parts.push(d);
    this.total += d.length;
    if (this.total < this.need) return undefined;
    return this.joined();
  }

  joined(): Buffer {
    if (this.parts.length > 1) this.parts = [Buffer.concat(this.parts)];
    return this.parts[0] ?? Buffer.alloc(0);
  }

  /** Keeps buf[at…] for later. */
  rest(buf: Buffer, at: number): void {
    const r = buf.subarray(at);
    this.parts = r.length ? [r] : [];
    this.total = r.length;
    this.need = 0;
  }
}

/** A raw HTTP/1.1 server: records every request and lets the test answer it (or not). */
class RawUpstream {
  readonly requests: UpRequest[] = [];
  connections = 0;
  respond: Responder = echo;
  /** Stop reading at the next request with a body over 1 MiB (the socket lands in `held`). */
  hold = false;
  held: net.Socket | undefined;
  private readonly server: net.Server;
  private readonly sockets = new Set<net.Socket>();

  constructor(readonly ip: string) {
    this.server = net.createServer((s) => {
      const conn = ++this.connections;
      let seq = 0;
      const acc = new Accumulator();
      let upgraded = false;
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
      s.on('error', () => s.destroy());
      s.on('data', (d: Buffer) => {
        if (upgraded) return void s.write(d);
        let buf = acc.push(d);
        if (!buf) return;
        for (;;) {
          const blank = buf.indexOf('\r\n\r\n');
          if (blank < 0) return void acc.rest(buf, 0);
          const head = buf.toString('latin1', 0, blank + 4);
          const headers = headerMap(head);
          const [method, url] = head.split(' ');
          let raw: Buffer;
          let body: Buffer;
          let end: number;
          if (headers.get('transfer-encoding') === 'chunked') {
            const r = dechunk(buf, blank + 4);
            if (!r) return void acc.rest(buf, 0);
            [body, end] = r;
            raw = buf.subarray(blank + 4, end);
          } else {
            const n = Number(headers.get('content-length') ?? 0);
            if (this.hold && n > MiB) {
              this.hold = false;
              this.held = s;
              s.pause();
            }
            if (buf.length < blank + 4 + n) {
              acc.rest(buf, 0);
              acc.need = blank + 4 + n;
              return;
            }
            end = blank + 4 + n;
            raw = body = buf.subarray(blank + 4, end);
          }
          const r: UpRequest = { head, method, url, headers, raw: Buffer.from(raw), body: Buffer.from(body), conn, seq: ++seq };
          this.requests.push(r);
          if (headers.get('upgrade')) {
            upgraded = true;
            s.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\n');
            if (buf.length > end) s.write(buf.subarray(end));
            return;
          }
          this.respond(r, s);
          buf = buf.subarray(end);
          if (!buf.length) return void acc.rest(buf, 0);
        }
      });
    });
  }

  listen(): Promise<void> {
    return new Promise((r) => this.server.listen(UP_PORT, this.ip, () => r()));
  }

  close(): void {
    for (const s of this.sockets) s.destroy();
    this.server.close();
  }
}

const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex').slice(0, 16);

/** The default answer: what the upstream saw, with the response framing the request asks for. */
const echo: Responder = (r, s) => {
  const text = `${r.method} ${r.url} ${r.body.length} ${sha(r.body)} conn=${String(r.conn).padStart(4, "0")}`;
  const style = r.headers.get('x-respond') ?? 'length';
  const extra = 'Server: raw-upstream/1.0\r\nKeep-Alive: timeout=5\r\nX-Up: yes\r\nSet-Cookie: up=1\r\n';
  if (style === 'chunked') {
    const half = Math.floor(text.length / 2);
    s.write(`HTTP/1.1 200 OK\r\n${extra}Transfer-Encoding: chunked\r\n\r\n${half.toString(16)}\r\n${text.slice(0, half)}\r\n${(text.length - half).toString(16)};ext=1\r\n${text.slice(half)}\r\n0\r\nX-Trailer: t\r\n\r\n`);
  } else if (style === 'close') {
    s.end(`HTTP/1.1 200 OK\r\n${extra}Connection: close\r\n\r\n${text}`);
  } else if (style === 'upstream-close') {
    s.end(`HTTP/1.1 200 OK\r\n${extra}Content-Length: ${text.length}\r\nConnection: close\r\n\r\n${text}`);
  } else {
    s.write(`HTTP/1.1 200 OK\r\n${extra}Content-Type: text/plain\r\nContent-Length: ${text.length}\r\n\r\n${r.method === 'HEAD' ? '' : text}`);
  }
};

// ---------------------------------------------------------------- a raw client

interface RawResponse {
  status: number;
  head: string;
  headers: Map<string, string>;
  body: Buffer;
}

/** Reads responses off a client socket, one at a time, with their framing. */
class Reader {
  private buf: Buffer = Buffer.alloc(0);
  private readonly acc = new Accumulator();
  closed = false;
  private wake: (() => void) | undefined;

  constructor(readonly socket: net.Socket) {
    socket.on('data', (d: Buffer) => {
      const b = this.acc.push(d);
      if (!b) return;
      this.buf = b;
      this.wake?.();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake?.();
    });
    socket.on('error', () => {});
  }

  private parse(isHead: boolean): RawResponse | undefined {
    const blank = this.buf.indexOf('\r\n\r\n');
    if (blank < 0) return undefined;
    const head = this.buf.toString('latin1', 0, blank + 4);
    const status = Number(head.slice(9, 12));
    const headers = headerMap(head);
    let body: Buffer;
    let end: number;
    if (isHead || status === 204 || status === 304 || (status >= 100 && status < 200)) {
      body = Buffer.alloc(0);
      end = blank + 4;
    } else if (headers.get('transfer-encoding') === 'chunked') {
      const r = dechunk(this.buf, blank + 4);
      if (!r) return undefined;
      [body, end] = r;
    } else if (headers.has('content-length')) {
      end = blank + 4 + Number(headers.get('content-length'));
      if (this.buf.length < end) {
        this.acc.need = end;
        return undefined;
      }
      body = this.buf.subarray(blank + 4, end);
    } else {
      if (!this.closed) return undefined;
      end = this.buf.length;
      body = this.buf.subarray(blank + 4);
    }
    this.buf = this.buf.subarray(end);
    this.acc.rest(this.buf, 0);
    return { status, head, headers, body: Buffer.from(body) };
  }

  async response(isHead = false): Promise<RawResponse> {
    for (;;) {
      const r = this.parse(isHead);
      if (r) return r;
      if (this.closed) throw new Error(`connection closed; unparsed: ${JSON.stringify(this.buf.toString('latin1').slice(0, 300))}`);
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  async untilClosed(): Promise<Buffer> {
    while (!this.closed) await new Promise<void>((resolve) => (this.wake = resolve));
    return this.acc.joined();
  }
}

function connect(ip: string, tlsName?: string): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = tlsName ? tls.connect({ host: ip, port: 443, servername: tlsName, rejectUnauthorized: false }, () => resolve(s)) : net.connect(80, ip, () => resolve(s));
    s.once('error', reject);
  });
}

/** One request on a fresh connection: its response, and the upstream request it caused. */
async function once(ip: string, request: string, opts: { isHead?: boolean; tlsName?: string } = {}): Promise<{ res: RawResponse; up?: UpRequest }> {
  const before = upstream.requests.length;
  const s = await connect(ip, opts.tlsName);
  const reader = new Reader(s);
  s.write(request, 'latin1');
  const res = await reader.response(opts.isHead);
  s.destroy();
  return { res, up: upstream.requests[before] };
}

// ---------------------------------------------------------------- the cluster objects

const services: KObject[] = [];
const slices: KObject[] = [];
const ingresses: KObject[] = [];

function svc(name: string, ips: string[]): void {
  services.push({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' }, spec: { ports: [{ port: 80, targetPort: UP_PORT }] } });
  slices.push({ apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: `${name}-x`, namespace: 'default', labels: { 'kubernetes.io/service-name': name } }, addressType: 'IPv4', ports: [{ name: '', port: UP_PORT }], endpoints: ips.map((ip) => ({ addresses: [ip], conditions: { ready: true } })) });
}

function ingress(name: string, host: string, path: string, service: string, annotations: Record<string, string> = {}, extra: Partial<KObject['spec']> = {}): void {
  ingresses.push({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name, namespace: 'default', annotations, creationTimestamp: `2024-01-01T00:00:${String(ingresses.length).padStart(2, '0')}Z` },
    spec: { ingressClassName: 'nginx', rules: [{ host, http: { paths: [{ path, pathType: 'Prefix', backend: { service: { name: service, port: { number: 80 } } } }] } }], ...extra },
  });
}

let upstream: RawUpstream;
let big: RawUpstream;
let hang: RawUpstream;
let fast: IngressProxy;
let slow: IngressProxy;

beforeAll(async () => {
  upstream = new RawUpstream(UP);
  big = new RawUpstream(BIG);
  hang = new RawUpstream(HANG);
  hang.respond = () => {};
  for (const u of [upstream, big, hang]) await u.listen();
  svc('raw', [UP]);
  svc('big', [BIG]);
  svc('hang', [HANG]);
  svc('refused', [REFUSED]);
  svc('empty', []);
  ingress('fast', 'fast.test', '/', 'raw');
  ingress('rw', 'rw.test', '/app', 'raw', { [`${A}rewrite-target`]: '/' });
  ingress('vhost', 'vhost.test', '/', 'raw', { [`${A}upstream-vhost`]: 'internal.example', [`${A}x-forwarded-prefix`]: '/pfx' });
  ingress('cors', 'cors.test', '/', 'raw', { [`${A}enable-cors`]: 'true' });
  ingress('sticky', 'sticky.test', '/', 'raw', { [`${A}affinity`]: 'cookie' });
  ingress('secure', 'secure.test', '/', 'raw', {}, { tls: [{ hosts: ['secure.test'] }] });
  ingress('limit', 'limit.test', '/', 'raw', { [`${A}proxy-body-size`]: '1k' });
  ingress('big', 'big.test', '/', 'big', { [`${A}proxy-body-size`]: '0' });
  ingress('hang', 'hang.test', '/', 'hang', { [`${A}proxy-read-timeout`]: '1' });
  ingress('refused', 'refused.test', '/', 'refused');
  ingress('empty', 'empty.test', '/', 'empty');
  const table = buildRouteTable(ingresses, new UpstreamResolver(services, slices));
  expect(table.problems).toEqual([]);
  const store = new TlsStore(await selfSignedCertificate({ commonName: 'fast-path', dnsNames: ['fast-path'] }));
  fast = new IngressProxy(table, store);
  slow = new IngressProxy(table, store, { fastPath: false });
  await fast.listen({ address: FAST, httpPort: 80, httpsPort: 443 });
  await slow.listen({ address: SLOW, httpPort: 80, httpsPort: 443 });
});

afterAll(async () => {
  await fast?.close(0);
  await slow?.close(0);
  for (const u of [upstream, big, hang]) u?.close();
});

beforeEach(() => {
  upstream.respond = echo;
});

const stats = () => ({ ...fast.fastStats });

// ---------------------------------------------------------------- the tests

describe('fast path framing', () => {
  it('Content-Length bodies both ways, 20 requests over one kept-alive upstream connection', async () => {
    const before = stats();
    const conns = upstream.connections;
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    for (let i = 0; i < 20; i++) {
      const body = i % 2 ? Buffer.alloc(10_000 + i, i) : undefined;
      const text = await new Promise<string>((resolve, reject) => {
        const r = http.request({ host: FAST, port: 80, method: body ? 'POST' : 'GET', path: `/n/${i}`, headers: { host: 'fast.test' }, agent }, (res) => {
          let b = '';
          res.on('data', (c) => (b += c));
          res.on('end', () => resolve(b));
        });
        r.on('error', reject);
        r.end(body);
      });
      expect(text.replace(/ conn=\d+$/, '')).toBe(`${body ? 'POST' : 'GET'} /n/${i} ${body?.length ?? 0} ${sha(body ?? '')}`);
    }
    agent.destroy();
    expect(upstream.connections - conns).toBe(1);
    expect(stats()).toEqual({ requests: before.requests + 20, handOffs: before.handOffs });
  });

  it('chunked bodies both ways: data intact, trailers dropped, framing kept', async () => {
    const s = await connect(FAST);
    const reader = new Reader(s);
    const before = upstream.requests.length;
    s.write('POST /chunky HTTP/1.1\r\nHost: fast.test\r\nTransfer-Encoding: chunked\r\nX-Respond: chunked\r\n\r\n5\r\nhello\r\n');
    s.write('7;name=v\r\n, world\r\n0\r\nX-Client-Trailer: 1\r\n\r\n');
    const res = await reader.response();
    s.destroy();
    const up = upstream.requests[before];
    expect(up.body.toString()).toBe('hello, world');
    expect(up.headers.get('transfer-encoding')).toBe('chunked');
    expect(up.raw.toString()).not.toContain('X-Client-Trailer');
    expect(res.status).toBe(200);
    expect(res.headers.get('transfer-encoding')).toBe('chunked');
    expect(res.body.toString()).toMatch(/^POST \/chunky 12 /);
    expect(res.head).not.toContain('X-Trailer');
  });

  it('pipelined requests are answered in order, one upstream request at a time', async () => {
    const s = await connect(FAST);
    const reader = new Reader(s);
    s.write('GET /p1 HTTP/1.1\r\nHost: fast.test\r\n\r\nPOST /p2 HTTP/1.1\r\nHost: fast.test\r\nContent-Length: 5\r\n\r\nhelloHEAD /p3 HTTP/1.1\r\nHost: fast.test\r\n\r\nGET /p4 HTTP/1.1\r\nHost: fast.test\r\nX-Respond: chunked\r\n\r\n');
    const r1 = await reader.response();
    const r2 = await reader.response();
    const r3 = await reader.response(true);
    const r4 = await reader.response();
    s.destroy();
    expect(r1.body.toString()).toMatch(/^GET \/p1 0 /);
    expect(r2.body.toString()).toMatch(/^POST \/p2 5 /);
    expect([r3.status, r3.body.length, Number(r3.headers.get('content-length'))]).toEqual([200, 0, r2.body.length]);
    expect(r4.body.toString()).toMatch(/^GET \/p4 0 /);
  });

  it('HEAD, 204 and 304 carry no body and keep both connections alive', async () => {
    upstream.respond = (r, s) => {
      if (r.url === '/204') s.write('HTTP/1.1 204 No Content\r\nTransfer-Encoding: chunked\r\n\r\n');
      else if (r.url === '/304') s.write('HTTP/1.1 304 Not Modified\r\nETag: "x"\r\nContent-Length: 10\r\n\r\n');
      else if (r.method === 'HEAD') s.write('HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n');
      else echo(r, s);
    };
    const conns = upstream.connections;
    const s = await connect(FAST);
    const reader = new Reader(s);
    s.write('HEAD /h HTTP/1.1\r\nHost: fast.test\r\n\r\n');
    const h = await reader.response(true);
    s.write('GET /204 HTTP/1.1\r\nHost: fast.test\r\n\r\n');
    const n = await reader.response();
    s.write('GET /304 HTTP/1.1\r\nHost: fast.test\r\n\r\n');
    const m = await reader.response();
    s.write('GET /after HTTP/1.1\r\nHost: fast.test\r\n\r\n');
    const after = await reader.response();
    s.destroy();
    expect([h.status, h.headers.get('content-length'), h.body.length]).toEqual([200, '1234', 0]);
    expect([n.status, n.headers.has('transfer-encoding'), n.body.length]).toEqual([204, false, 0]);
    expect([m.status, m.headers.get('etag'), m.body.length]).toEqual([304, '"x"', 0]);
    expect(after.body.toString()).toMatch(/^GET \/after 0 /);
    expect(upstream.connections - conns).toBeLessThanOrEqual(1);
  });

  it('keeps upstream connections alive across clients: 5 clients × 20 requests use at most 5', async () => {
    const conns = upstream.connections;
    await Promise.all(
      Array.from({ length: 5 }, async (_, c) => {
        const s = await connect(FAST);
        const reader = new Reader(s);
        for (let i = 0; i < 20; i++) {
          s.write(`GET /c${c}/${i} HTTP/1.1\r\nHost: fast.test\r\n\r\n`);
          expect((await reader.response()).body.toString()).toMatch(new RegExp(`^GET /c${c}/${i} 0 `));
        }
        s.destroy();
      }),
    );
    const opened = upstream.connections - conns;
    expect(opened).toBeGreaterThan(0);
    expect(opened).toBeLessThanOrEqual(5);
  });

  it('HTTP/1.0: the answer closes the connection; a chunked upstream body reaches it de-chunked', async () => {
    const s = await connect(FAST);
    const reader = new Reader(s);
    s.write('GET /old HTTP/1.0\r\nHost: fast.test\r\nConnection: keep-alive\r\nX-Respond: chunked\r\n\r\n');
    const rest = await reader.untilClosed();
    const text = rest.toString('latin1');
    expect(text).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(text).toMatch(/\r\nConnection: close\r\n/);
    expect(text).not.toMatch(/transfer-encoding/i);
    expect(text.slice(text.indexOf('\r\n\r\n') + 4)).toMatch(/^GET \/old 0 [0-9a-f]{16} conn=\d+$/);
  });
});

describe('fast path reassembly', () => {
  it('a request head arriving a byte at a time, and its body in pieces, is put together', async () => {
    const s = await connect(FAST);
    const reader = new Reader(s);
    const head = 'POST /slow HTTP/1.1\r\nHost: fast.test\r\nContent-Length: 10\r\n\r\n';
    for (const ch of head) {
      s.write(ch);
      await new Promise((r) => setImmediate(r));
    }
    for (const piece of ['01234', '567', '89']) {
      s.write(piece);
      await new Promise((r) => setTimeout(r, 5));
    }
    const res = await reader.response();
    s.destroy();
    expect(res.body.toString()).toMatch(new RegExp(`^POST /slow 10 ${sha('0123456789')} `));
  });

  it('a response head split across reads, after a 103 and a 100, is put together; the 1xx are not passed on', async () => {
    upstream.respond = (_r, s) => {
      s.write('HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\nHTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Le');
      setTimeout(() => s.write('ngth: 2\r\nX-Split: yes\r\n\r\nok'), 20);
    };
    const { res } = await once(FAST, 'GET /split HTTP/1.1\r\nHost: fast.test\r\n\r\n');
    expect([res.status, res.headers.get('x-split'), res.body.toString()]).toEqual([200, 'yes', 'ok']);
  });
});

describe('fast path failures', () => {
  it('an upstream that dies mid-response ends the client connection; the next request is fine', async () => {
    upstream.respond = (r, s) => {
      if (r.url === '/cut') {
        s.write('HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n0123456789');
        setImmediate(() => s.destroy());
      } else echo(r, s);
    };
    const s = await connect(FAST);
    const reader = new Reader(s);
    s.write('GET /cut HTTP/1.1\r\nHost: fast.test\r\n\r\n');
    const got = (await reader.untilClosed()).toString('latin1');
    expect(got).toMatch(/^HTTP\/1\.1 200 OK\r\n[^]*\r\n\r\n0123456789$/);
    expect((await once(FAST, 'GET /next HTTP/1.1\r\nHost: fast.test\r\n\r\n')).res.status).toBe(200);
  });

  it('a stale kept-alive upstream connection: an idempotent request is sent once more on a new one, a POST gets 502', async () => {
    // The upstream closes a kept-alive connection as the second request on it arrives, unanswered.
    upstream.respond = (r, s) => (r.url.startsWith('/stale') && r.seq > 1 ? s.destroy() : echo(r, s));
    for (const [method, expected, sent] of [['GET', 200, 2], ['POST', 502, 1]] as const) {
      const s = await connect(FAST);
      const reader = new Reader(s);
      s.write('GET /warm HTTP/1.1\r\nHost: fast.test\r\n\r\n');
      await reader.response();
      // Leave exactly one idle upstream connection: the one that just answered.
      const before = upstream.requests.length;
      s.write(`${method} /stale HTTP/1.1\r\nHost: fast.test\r\n\r\n`);
      const res = await reader.response();
      s.destroy();
      const seen = upstream.requests.slice(before).filter((r) => r.url === '/stale');
      expect([method, res.status, seen.length]).toEqual([method, expected, sent]);
      if (method === 'GET') {
        expect(seen[0].conn).not.toBe(seen[1].conn);
        expect(seen[1].seq).toBe(1);
        expect(seen[0].head.replace(/x-request-id: \w+/, '')).toBe(seen[1].head.replace(/x-request-id: \w+/, ''));
      } else expect(res.body.toString()).toContain('<title>502 Bad Gateway</title>');
    }
  });

  it('an upstream closing before answering a new connection: 502, tried twice for a GET (once stale-retried), never more', async () => {
    upstream.respond = (r, s) => (r.url === '/drop' ? s.destroy() : echo(r, s));
    const before = upstream.requests.length;
    const { res } = await once(FAST, 'GET /drop HTTP/1.1\r\nHost: fast.test\r\n\r\n');
    expect(res.status).toBe(502);
    expect(upstream.requests.slice(before).filter((r) => r.url === '/drop').length).toBeLessThanOrEqual(2);
  });

  it('502 refused, 503 no endpoints, 504 timeout, 404 no rule, 413 chunked over the limit: the same pages as node:http', async () => {
    const before = stats();
    for (const [host, status] of [['refused.test', 502], ['empty.test', 503], ['hang.test', 504], ['nothing.test', 404]] as const) {
      const request = `GET /x HTTP/1.1\r\nHost: ${host}\r\n\r\n`;
      const [a, b] = await Promise.all([once(FAST, request), once(SLOW, request)]);
      expect([host, a.res.status, a.res.body.toString()]).toEqual([host, status, b.res.body.toString()]);
      expect([a.res.status, a.res.headers.get('connection')]).toEqual([b.res.status, b.res.headers.get('connection')]);
    }
    const big = `POST / HTTP/1.1\r\nHost: limit.test\r\nTransfer-Encoding: chunked\r\n\r\n800\r\n${'y'.repeat(0x800)}\r\n0\r\n\r\n`;
    const [a, b] = await Promise.all([once(FAST, big), once(SLOW, big)]);
    expect([a.res.status, a.res.body.toString(), a.res.headers.get('connection')]).toEqual([413, b.res.body.toString(), 'close']);
    expect(stats()).toEqual({ requests: before.requests + 5, handOffs: before.handOffs });
  });
});

describe('fast path backpressure', () => {
  const SIZE = 64 * MiB;
  const pattern = Buffer.alloc(SIZE);
  for (let i = 0; i < SIZE; i += 4) pattern.writeUInt32LE(i, i);
  const digest = sha(pattern);

  /** Waits until a number stops changing (the pipes are full), and returns it. */
  async function settled(f: () => number): Promise<number> {
    let last = -1;
    let same = 0;
    await eventually(async () => {
      const v = f();
      same = v === last ? same + 1 : 0;
      last = v;
      expect(same).toBeGreaterThanOrEqual(4);
    }, { timeout: 10_000, interval: 50, what: 'the pipes to fill' });
    return last;
  }

  it('64 MiB down to a client that does not read: the upstream is held back, then everything arrives', async () => {
    let upSocket: net.Socket | undefined;
    big.respond = (_r, s) => {
      upSocket = s;
      s.write(`HTTP/1.1 200 OK\r\nContent-Length: ${SIZE}\r\n\r\n`);
      s.write(pattern);
    };
    const s = await connect(FAST);
    s.write('GET /download HTTP/1.1\r\nHost: big.test\r\n\r\n');
    s.pause();
    await eventually(() => expect(upSocket).toBeDefined(), { timeout: 5000, what: 'the upstream request' });
    const stuck = await settled(() => upSocket!.writableLength);
    expect(stuck).toBeGreaterThan(0);
    const reader = new Reader(s);
    s.resume();
    const res = await reader.response();
    s.destroy();
    expect([res.status, res.body.length, sha(res.body)]).toEqual([200, SIZE, digest]);
  }, 30_000);

  it('64 MiB up to an upstream that does not read: the client is held back, then everything arrives', async () => {
    big.hold = true;
    big.held = undefined;
    big.respond = (r, sock) => sock.write(`HTTP/1.1 200 OK\r\nContent-Length: 16\r\n\r\n${sha(r.body)}`);
    const s = await connect(FAST);
    const reader = new Reader(s);
    s.write(`PUT /upload HTTP/1.1\r\nHost: big.test\r\nContent-Length: ${SIZE}\r\n\r\n`);
    s.write(pattern);
    await eventually(() => expect(big.held).toBeDefined(), { timeout: 5000, what: 'the upstream to stop reading' });
    const stuck = await settled(() => s.writableLength);
    expect(stuck).toBeGreaterThan(0);
    big.held!.resume();
    const res = await reader.response();
    s.destroy();
    expect([res.status, res.body.toString()]).toEqual([200, digest]);
  }, 30_000);
});

describe('hand-off to node:http', () => {
  it('a WebSocket upgrade after fast-path requests on the same connection goes to node:http and works', async () => {
    const before = stats();
    const s = await connect(FAST);
    const reader = new Reader(s);
    s.write('GET /first HTTP/1.1\r\nHost: fast.test\r\n\r\n');
    expect((await reader.response()).status).toBe(200);
    s.write('GET /ws HTTP/1.1\r\nHost: fast.test\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n');
    const switched = await reader.response();
    expect(switched.status).toBe(101);
    s.write('ping through the tunnel');
    const echoed = await new Promise<string>((resolve) => {
      let got = '';
      s.on('data', (d) => {
        got += d;
        if (got.length >= 'ping through the tunnel'.length) resolve(got);
      });
    });
    s.destroy();
    expect(echoed).toBe('ping through the tunnel');
    expect(stats()).toEqual({ requests: before.requests + 1, handOffs: before.handOffs + 1 });
    const up = [...upstream.requests].reverse().find((r) => r.url === '/ws')!;
    expect(up.headers.get('upgrade')).toBe('websocket');
  });

  it('over TLS: fast-path requests, then an Expect: 100-continue request handed to node:http on the same connection', async () => {
    const before = stats();
    const s = await connect(FAST, 'secure.test');
    const reader = new Reader(s);
    s.write('GET /tls HTTP/1.1\r\nHost: secure.test\r\n\r\n');
    const first = await reader.response();
    expect(first.status).toBe(200);
    expect(first.headers.get('strict-transport-security')).toBe('max-age=15724800; includeSubDomains');
    const up = [...upstream.requests].reverse().find((r) => r.url === '/tls')!;
    expect([up.headers.get('x-forwarded-proto'), up.headers.get('x-forwarded-port')]).toEqual(['https', '443']);
    s.write('POST /continue HTTP/1.1\r\nHost: secure.test\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n');
    expect((await reader.response()).status).toBe(100);
    s.write('hello');
    const done = await reader.response();
    expect([done.status, done.body.toString()]).toEqual([200, expect.stringMatching(/^POST \/continue 5 /)]);
    s.write('GET /again HTTP/1.1\r\nHost: secure.test\r\n\r\n');
    expect((await reader.response()).status).toBe(200);
    s.destroy();
    expect(stats()).toEqual({ requests: before.requests + 1, handOffs: before.handOffs + 1 });
  });

  it('a client that half-closes behind a pipelined hand-off request, then resets, does not crash the proxy', async () => {
    // The answer to /late is written to a reset socket (the write fails), and the request queued behind
    // it (an unknown method) is then handed off to a client that has half-closed: the socket's error
    // arrives after that and must still find a listener.
    let lateArrived = false;
    upstream.respond = (r, s) => (r.url === '/late' ? ((lateArrived = true), void setTimeout(() => echo(r, s), 300)) : echo(r, s));
    const before = stats();
    const s = await connect(FAST);
    s.on('error', () => {});
    s.end('GET /late HTTP/1.1\r\nHost: fast.test\r\n\r\nFOO / HTTP/1.1\r\nHost: fast.test\r\n\r\n');
    // reset once the proxy has read both requests (/late reached the upstream), before /late's answer
    await eventually(() => expect(lateArrived).toBe(true), { timeout: 5000, what: '/late at the upstream' });
    s.resetAndDestroy();
    await eventually(() => expect(stats().handOffs).toBe(before.handOffs + 1), { timeout: 5000, what: 'the hand-off' });
    await new Promise((r) => setTimeout(r, 50));
    expect((await once(FAST, 'GET /alive HTTP/1.1\r\nHost: fast.test\r\n\r\n')).res.status).toBe(200);
  });

  it('malformed and oversized requests get node:http answers (400, 431) through the hand-off', async () => {
    const bad = await once(FAST, 'GET /x HTTP/1.1\r\nHost: fast.test\r\nBad Header: 1\r\n\r\n');
    expect(bad.res.status).toBe(400);
    const big = await once(FAST, `GET /x HTTP/1.1\r\nHost: fast.test\r\nX-Big: ${'a'.repeat(40_000)}\r\n\r\n`);
    expect(big.res.status).toBe(431);
  });
});

describe('fast path and node:http path send the same upstream request', () => {
  const mask = (head: string) => head.replace(/^x-request-id: [0-9a-f]{32}\r\n/m, 'x-request-id: <random>\r\n');
  const plain = (res: RawResponse) => [...res.headers].filter(([k]) => k !== 'date').sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

  const CASES: Array<{ name: string; request: string; isHead?: boolean; tls?: string }> = [
    { name: 'GET with a query', request: 'GET /a/b?x=1&y=%20 HTTP/1.1\r\nHost: fast.test\r\nUser-Agent: curl/8\r\nAccept: */*\r\n\r\n' },
    { name: 'rewrite-target', request: 'GET /app/x/y?q=2 HTTP/1.1\r\nHost: rw.test\r\n\r\n' },
    { name: 'rewrite-target, empty query', request: 'GET /APP? HTTP/1.1\r\nHost: rw.test\r\n\r\n' },
    { name: 'a lone ?', request: 'GET /x? HTTP/1.1\r\nHost: fast.test\r\n\r\n' },
    { name: 'dot segments and escapes, sent as received', request: 'GET /a/../b/%41//c HTTP/1.1\r\nHost: fast.test\r\n\r\n' },
    { name: 'forwarded headers, request id, hop-by-hop ones', request: 'GET / HTTP/1.1\r\nHost: FAST.test:80\r\nX-Forwarded-For: 203.0.113.9\r\nX-Request-ID: client-id-1\r\nProxy: x\r\nKeep-Alive: 300\r\nTrailer: X-T\r\nConnection: keep-alive\r\nX-Original-Forwarded-For: old\r\nX-Empty:\r\nCookie: a=b; c=d\r\nTE: trailers\r\n\r\n' },
    { name: 'Connection: close', request: 'GET /bye HTTP/1.1\r\nHost: fast.test\r\nConnection: close\r\n\r\n' },
    { name: 'HTTP/1.0', request: 'GET /old HTTP/1.0\r\nHost: fast.test\r\n\r\n' },
    { name: 'HTTP/1.0 keep-alive, chunked upstream body', request: 'GET /old HTTP/1.0\r\nHost: fast.test\r\nConnection: keep-alive\r\nX-Respond: chunked\r\n\r\n' },
    { name: 'POST with Content-Length', request: 'POST /form HTTP/1.1\r\nHost: fast.test\r\nContent-Type: text/plain\r\nContent-Length: 11\r\n\r\nhello world' },
    { name: 'POST chunked', request: 'POST /c HTTP/1.1\r\nHost: fast.test\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n' },
    { name: 'body-less PUT', request: 'PUT /p HTTP/1.1\r\nHost: fast.test\r\n\r\n' },
    { name: 'body-less POST', request: 'POST /p HTTP/1.1\r\nHost: fast.test\r\n\r\n' },
    { name: 'body-less PATCH', request: 'PATCH /p HTTP/1.1\r\nHost: fast.test\r\n\r\n' },
    { name: 'DELETE', request: 'DELETE /d HTTP/1.1\r\nHost: fast.test\r\n\r\n' },
    { name: 'OPTIONS', request: 'OPTIONS /o HTTP/1.1\r\nHost: fast.test\r\n\r\n' },
    { name: 'HEAD', request: 'HEAD /h HTTP/1.1\r\nHost: fast.test\r\n\r\n', isHead: true },
    { name: 'upstream-vhost and x-forwarded-prefix', request: 'GET /v HTTP/1.1\r\nHost: vhost.test\r\n\r\n' },
    { name: 'CORS', request: 'GET /c HTTP/1.1\r\nHost: cors.test\r\nOrigin: http://o.test\r\n\r\n' },
    { name: 'CORS preflight', request: 'OPTIONS /c HTTP/1.1\r\nHost: cors.test\r\nOrigin: http://o.test\r\n\r\n' },
    { name: 'affinity cookie', request: 'GET /s HTTP/1.1\r\nHost: sticky.test\r\n\r\n' },
    { name: 'chunked response', request: 'GET /ch HTTP/1.1\r\nHost: fast.test\r\nX-Respond: chunked\r\n\r\n' },
    { name: 'close-delimited response', request: 'GET /cl HTTP/1.1\r\nHost: fast.test\r\nX-Respond: close\r\n\r\n' },
    { name: 'response with Connection: close', request: 'GET /uc HTTP/1.1\r\nHost: fast.test\r\nX-Respond: upstream-close\r\n\r\n' },
    { name: 'ssl-redirect', request: 'GET /r?q=1 HTTP/1.1\r\nHost: secure.test\r\n\r\n' },
    { name: 'HSTS over TLS', request: 'GET /t HTTP/1.1\r\nHost: secure.test\r\n\r\n', tls: 'secure.test' },
    { name: 'TLS, no TLS host', request: 'POST /t HTTP/1.1\r\nHost: fast.test\r\nContent-Length: 2\r\n\r\nhi', tls: 'fast.test' },
  ];

  it.each(CASES)('$name', async ({ request, isHead, tls: tlsName }) => {
    const before = stats();
    const f = await once(FAST, request, { isHead, tlsName });
    const after = stats();
    const n = await once(SLOW, request, { isHead, tlsName });
    // The fast path served it (rather than handing it to node:http, which would make this trivial).
    expect([after.requests - before.requests, after.handOffs - before.handOffs]).toEqual([1, 0]);
    expect(f.up === undefined).toBe(n.up === undefined);
    if (f.up && n.up) {
      expect(mask(f.up.head)).toBe(mask(n.up.head));
      expect(f.up.head).toMatch(/^x-request-id: /m);
      expect(f.up.raw.toString('latin1')).toBe(n.up.raw.toString('latin1'));
    }
    expect(f.res.status).toBe(n.res.status);
    expect(f.res.body.toString().replace(/conn=\d+/, '')).toBe(n.res.body.toString().replace(/conn=\d+/, ''));
    expect(plain(f.res)).toEqual(plain(n.res));
  });

  it('the comparison can fail: a different request id or header is seen', async () => {
    const a = await once(FAST, 'GET /z HTTP/1.1\r\nHost: fast.test\r\nX-Request-ID: one\r\n\r\n');
    const b = await once(SLOW, 'GET /z HTTP/1.1\r\nHost: fast.test\r\nX-Request-ID: two\r\n\r\n');
    expect(mask(a.up!.head)).not.toBe(mask(b.up!.head));
  });
});
