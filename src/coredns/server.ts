// The I/O shell: UDP and TCP listeners (RFC 1035 framing, RFC 7766 pipelining) that parse each
// query, run the handler chain and write the reply. It never answers a response (QR=1), never throws
// on malformed input, and turns any handler failure into SERVFAIL. A UDP query whose reply is kept
// by the fast path (fast-path.ts) is answered from it: one receive callback, one send, no parsing;
// over TCP likewise (a FastPath of its own), with the replies to one read written at once.
import dgram from 'node:dgram';
import dns from 'node:dns';
import net from 'node:net';
// The module's binding, not the global: in Node 20 `globalThis.performance` is a getter call each time.
import { performance } from 'node:perf_hooks';
import type { FastPath } from './fast-path.js';
import { encodeBadVersion, encodeError, encodeReply, maxResponseSize, parseQuery } from './wire.js';
import { isRaw, RCODE, reply, type DnsRequest, type DnsResult, type Next, type Query } from './types.js';

export interface DnsServerOptions {
  address: string;
  /** 0 picks a free port (the same one for UDP and TCP). */
  port: number;
  handler: Next;
  log?: (line: string) => void;
  /** Idle TCP connections are closed after this long (CoreDNS: 10 s). */
  tcpIdleMs?: number;
  /** Called after each query the slow path answered, with the reply sent and the time it took (metrics, log, fast path). */
  observe?: (req: DnsRequest, result: DnsResult, response: Buffer, seconds: number) => void;
  /** Replies kept for UDP questions seen before; `observe` decides what goes in (via `req.fast`). */
  fastPath?: FastPath;
  /** The same for queries over TCP (its own replies and metric cells). */
  tcpFastPath?: FastPath;
}

export interface DnsServer {
  readonly address: string;
  readonly port: number;
  close(): Promise<void>;
}

const SERVFAIL = reply(RCODE.SERVFAIL);

export async function listenDns(opts: DnsServerOptions): Promise<DnsServer> {
  const log = opts.log ?? ((l) => console.error(l));
  let lastError = -Infinity;
  const logError = (e: unknown) => {
    const t = Date.now();
    if (t - lastError < 10_000) return; // once per 10 s at most: this is the hot path
    lastError = t;
    log(`[ERROR] coredns: ${e instanceof Error ? e.message : String(e)}`);
  };
  const serve = (buf: Buffer, transport: 'udp' | 'tcp', send: (b: Buffer) => void, remoteAddress?: string, remotePort?: number) => {
    try {
      const parsed = parseQuery(buf);
      if (parsed.kind === 'drop') return;
      if (parsed.kind === 'error') return send(encodeError(parsed.id, parsed.opcode, parsed.rd, parsed.rcode));
      if (parsed.query.edns && parsed.query.edns.version > 0) return send(encodeBadVersion(buf, parsed.query));
      const req: DnsRequest = {
        query: parsed.query, wire: buf, transport, remoteAddress, remotePort, answeredBy: undefined,
        fast: (transport === 'udp' ? opts.fastPath : opts.tcpFastPath) ? { keep: true, counters: [] } : undefined,
      };
      const observe = opts.observe;
      const t0 = observe ? performance.now() : 0;
      const finish = (r: DnsResult) => {
        let out: Buffer;
        try {
          out = encodeResult(req, r);
        } catch (e) {
          logError(e);
          r = SERVFAIL;
          out = encodeResult(req, r);
          if (req.fast) req.fast.keep = false;
        }
        send(out);
        if (observe) observe(req, r, out, (performance.now() - t0) / 1000);
      };
      let result: DnsResult | Promise<DnsResult>;
      try {
        result = opts.handler(req);
      } catch (e) {
        logError(e);
        result = SERVFAIL;
        if (req.fast) req.fast.keep = false;
      }
      if (result instanceof Promise) {
        // Only replies computed on the spot are kept: an awaited one depends on more than the question.
        if (req.fast) req.fast.keep = false;
        result.then(finish, (e) => { logError(e); finish(SERVFAIL); });
      } else {
        finish(result);
      }
    } catch (e) {
      logError(e);
    }
  };

  const family = net.isIPv6(opts.address) ? 'udp6' : 'udp4';
  let udp: dgram.Socket | undefined;
  let tcp: net.Server | undefined;
  const conns = new Set<net.Socket>();
  for (let attempt = 0; ; attempt++) {
    udp = dgram.createSocket({ type: family, lookup: addressLookup });
    await bindUdp(udp, opts.address, opts.port);
    const port = udp.address().port;
    tcp = net.createServer((sock) => serveTcp(sock, conns, opts.tcpIdleMs ?? 10_000, serve, opts.tcpFastPath));
    try {
      await listenTcp(tcp, opts.address, port);
      break;
    } catch (e) {
      udp.close();
      // With port 0 the kernel's UDP pick may be taken on TCP: pick again.
      if (opts.port !== 0 || attempt >= 5) throw e;
    }
  }
  const u = udp;
  const t = tcp;
  const fast = opts.fastPath;
  u.on('message', (msg: Buffer, rinfo: dgram.RemoteInfo) => {
    if (fast !== undefined) {
      const t0 = performance.now();
      const e = fast.probe(msg);
      if (e !== undefined) {
        const out = fast.answer(e, msg);
        u.send(out, rinfo.port, rinfo.address);
        fast.served(e, out.length, (performance.now() - t0) / 1000);
        return;
      }
    }
    serve(msg, 'udp', (b) => u.send(b, rinfo.port, rinfo.address), rinfo.address, rinfo.port);
  });
  u.on('error', logError);
  t.on('error', logError);
  try {
    u.setRecvBufferSize(4 << 20);
    u.setSendBufferSize(4 << 20);
  } catch { /* kernel limits: keep its defaults */ }

  return {
    address: opts.address,
    port: u.address().port,
    close: async () => {
      for (const c of conns) c.destroy();
      await Promise.all([
        new Promise<void>((res) => u.close(() => res())),
        new Promise<void>((res) => t.close(() => res())),
      ]);
    },
  };
}

/**
 * Replies go to the asker's address, always an IP: handed back at once, where the default lookup
 * (dns.lookup) defers each send to the next tick — about 10 % more queries per second measured.
 */
function addressLookup(address: string, options: dns.LookupOneOptions | number, cb: (err: NodeJS.ErrnoException | null, address: string, family: number) => void): void {
  const ip = net.isIP(address);
  if (ip !== 0) return cb(null, address, ip);
  const family = typeof options === 'number' ? options : options.family;
  dns.lookup(address, { family: family === 6 || family === 'IPv6' ? 6 : 4 }, cb);
}

function encodeResult(req: DnsRequest, r: DnsResult): Buffer {
  const q = req.query;
  const max = maxResponseSize(q, req.transport);
  if (!isRaw(r)) return encodeReply(req.wire, q, r, max);
  const out = Buffer.from(r.raw);
  out.writeUInt16BE(q.id, 0);
  if (out.length <= max) return out;
  return truncatedRaw(out, req.wire, q);
}

/** A relayed answer too big for the client: its header with TC set, the question, nothing else. */
function truncatedRaw(raw: Buffer, req: Buffer, q: Query): Buffer {
  const out = Buffer.alloc(q.questionEnd);
  raw.copy(out, 0, 0, 12);
  req.copy(out, 12, 12, q.questionEnd);
  out[2] |= 0x02;
  out.writeUInt16BE(1, 4);
  out.fill(0, 6, 12);
  return out;
}

type Serve = (b: Buffer, t: 'tcp', send: (b: Buffer) => void, remoteAddress?: string, remotePort?: number) => void;

function serveTcp(sock: net.Socket, conns: Set<net.Socket>, idleMs: number, serve: Serve, fast: FastPath | undefined): void {
  conns.add(sock);
  sock.setNoDelay(true);
  sock.setTimeout(idleMs, () => sock.destroy());
  sock.on('close', () => conns.delete(sock));
  sock.on('error', () => sock.destroy());
  const send = (b: Buffer) => {
    if (sock.destroyed || !sock.writable) return;
    const len = Buffer.allocUnsafe(2);
    len.writeUInt16BE(b.length);
    sock.write(Buffer.concat([len, b]));
  };
  let pending = Buffer.alloc(0);
  sock.on('data', (d) => {
    pending = pending.length ? Buffer.concat([pending, d]) : d;
    // Replies to the queries of one read go out in one write (pipelined clients send many at once).
    sock.cork();
    while (pending.length >= 2) {
      const n = pending.readUInt16BE(0);
      if (pending.length < 2 + n) break;
      const view = pending.subarray(2, 2 + n);
      pending = pending.subarray(2 + n);
      if (fast !== undefined) {
        const t0 = performance.now();
        const e = fast.probe(view);
        if (e !== undefined) {
          const out = fast.answer(e, view, true);
          if (!sock.destroyed && sock.writable) sock.write(out);
          fast.served(e, out.length - 2, (performance.now() - t0) / 1000);
          continue;
        }
      }
      serve(Buffer.from(view), 'tcp', send, sock.remoteAddress, sock.remotePort);
    }
    sock.uncork();
  });
}

function bindError(proto: string, address: string, port: number, e: NodeJS.ErrnoException): Error {
  const where = `listen ${proto} ${address.includes(':') ? `[${address}]` : address}:${port}`;
  const why: Record<string, string> = {
    EACCES: 'bind: permission denied (ports below 1024 need root, or: sysctl -w net.ipv4.ip_unprivileged_port_start=' + port + ')',
    EADDRINUSE: 'bind: address already in use',
    EADDRNOTAVAIL: 'bind: cannot assign requested address',
  };
  return Object.assign(new Error(`coredns: ${where}: ${why[e.code ?? ''] ?? e.message}`), { code: e.code });
}

function bindUdp(sock: dgram.Socket, address: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException) => {
      sock.close();
      reject(bindError('udp', address, port, e));
    };
    sock.once('error', onError);
    sock.bind({ address, port, exclusive: true }, () => {
      sock.off('error', onError);
      resolve();
    });
  });
}

function listenTcp(srv: net.Server, address: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException) => reject(bindError('tcp', address, port, e));
    srv.once('error', onError);
    srv.listen({ host: address, port, exclusive: true }, () => {
      srv.off('error', onError);
      resolve();
    });
  });
}
