// The `forward` handler: names the cluster does not own are sent to the upstream resolvers and the
// answer is relayed unchanged (CoreDNS `forward . <upstreams>`). The request goes out over the
// client's transport, so a truncated UDP answer reaches the client with TC set and its TCP retry is
// forwarded over TCP. Upstreams are tried in random order (`policy random`); when none answers within
// the timeout the client gets SERVFAIL.
import dgram from 'node:dgram';
import net from 'node:net';
import { randomInt } from 'node:crypto';
import { typeName } from './metrics.js';
import { encodeQuery } from './wire.js';
import { QTYPE, RCODE, reply, type DnsRequest, type DnsResult, type Handler } from './types.js';

export interface Upstream {
  address: string;
  port: number;
}

export type Exchange = (upstream: Upstream, wire: Buffer, transport: 'udp' | 'tcp', timeoutMs: number) => Promise<Buffer>;

export interface ForwardOptions {
  upstreams: Upstream[];
  /** Per-upstream attempt timeout (CoreDNS: 2 s per try, 5 s overall). */
  timeoutMs?: number;
  /** Injectable for tests; defaults to real UDP/TCP exchanges. */
  exchange?: Exchange;
  rng?: (n: number) => number;
  log?: (line: string) => void;
  now?: () => number;
  /** `policy`: random (default), round_robin, sequential. */
  policy?: 'random' | 'round_robin' | 'sequential';
  /** `force_tcp` / `prefer_udp`: the transport to the upstream regardless of the client's. */
  forceTcp?: boolean;
  preferUdp?: boolean;
  /** Counts requests per upstream (`coredns_forward_requests_total`). */
  onRequest?: (upstream: string, rcode: number | undefined) => void;
  /** `max_concurrent`: more queries in flight than this are REFUSED (0: no limit). */
  maxConcurrent?: number;
  /** `max_fails` (default 2): an upstream is down after more consecutive failures than this (0: never). */
  maxFails?: number;
  /** `health_check` (default 0.5 s): how often a down upstream is probed with `. IN NS`. */
  healthCheckMs?: number;
  /** `health_check … no_rec`: probe without RD; `domain NAME`: probe that name. */
  healthCheckRecursion?: boolean;
  healthCheckDomain?: string;
  /** `failfast_all_unhealthy_upstreams`: every upstream down → SERVFAIL at once. */
  failfast?: boolean;
}

/** Parses `ip`, `ip:port`, `[ipv6]:port` or `ipv6`; throws a precise error otherwise. */
export function parseUpstream(s: string): Upstream {
  const t = s.trim().replace(/^dns:\/\//, '');
  let address = t;
  let port = 53;
  const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(t);
  if (bracket) {
    address = bracket[1];
    if (bracket[2]) port = Number(bracket[2]);
  } else if (net.isIPv4(t.split(':')[0]) && t.includes(':')) {
    const [a, p] = t.split(':');
    address = a;
    port = Number(p);
  }
  if (!net.isIP(address)) throw new Error(`coredns: forward: not an IP address: "${s}" (want ip or ip:port)`);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`coredns: forward: invalid port in "${s}"`);
  return { address, port };
}

export class ForwardHandler implements Handler {
  readonly name = 'forward';
  private readonly timeoutMs: number;
  private readonly exchange: Exchange;
  private readonly rng: (n: number) => number;
  private readonly log: (line: string) => void;
  private readonly now: () => number;
  private readonly lastLogged = new Map<string, number>();
  private rr = 0;
  private inFlight = 0;
  /** Consecutive failures per upstream, and the timers probing the down ones. */
  private readonly fails = new Map<string, number>();
  private readonly probes = new Map<string, NodeJS.Timeout>();
  private stopped = false;

  constructor(private readonly opts: ForwardOptions) {
    this.timeoutMs = opts.timeoutMs ?? 2000;
    this.exchange = opts.exchange ?? realExchange;
    this.rng = opts.rng ?? randomInt;
    this.log = opts.log ?? ((l) => console.error(l));
    this.now = opts.now ?? Date.now;
  }

  async serveDns(req: DnsRequest): Promise<DnsResult> {
    const max = this.opts.maxConcurrent ?? 0;
    if (max > 0 && this.inFlight >= max) {
      req.answeredBy = 'forward';
      return reply(RCODE.REFUSED); // "concurrent queries exceeded maximum N"
    }
    this.inFlight++;
    try {
      return await this.forward(req);
    } finally {
      this.inFlight--;
    }
  }

  /** Stops the health-check probes (the Corefile was replaced). */
  dispose(): void {
    this.stopped = true;
    for (const t of this.probes.values()) clearTimeout(t);
    this.probes.clear();
  }

  private down(up: Upstream): boolean {
    const maxFails = this.opts.maxFails ?? 2;
    return maxFails > 0 && (this.fails.get(key(up)) ?? 0) > maxFails;
  }

  private async forward(req: DnsRequest): Promise<DnsResult> {
    const ups = this.opts.upstreams;
    const policy = this.opts.policy ?? 'random';
    let order: Upstream[];
    if (policy === 'random') order = shuffle(ups, this.rng);
    else if (policy === 'sequential') order = ups;
    else {
      const k = this.rr++ % Math.max(1, ups.length);
      order = [...ups.slice(k), ...ups.slice(0, k)];
    }
    // Down upstreams are skipped; when all are down the health check is assumed broken: any one.
    const healthy = order.filter((u) => !this.down(u));
    if (healthy.length) order = healthy;
    else if (this.opts.failfast) order = [];
    else if (order.length) order = [order[this.rng(order.length)]];
    const transport = this.opts.forceTcp ? 'tcp' : this.opts.preferUdp ? 'udp' : req.transport;
    req.answeredBy = 'forward';
    // A fresh transaction ID per upstream query; the server restores the client's ID.
    const wire = Buffer.from(req.wire);
    for (const up of order) {
      const id = this.rng(0x10000);
      wire.writeUInt16BE(id, 0);
      const to = `${up.address}:${up.port}`;
      try {
        let raw = await this.exchange(up, wire, transport, this.timeoutMs);
        if (raw.length < 12 || raw.readUInt16BE(0) !== id || !(raw[2] & 0x80)) throw new Error('malformed or mismatched response');
        // prefer_udp: a truncated answer is asked again over TCP (without it, TC goes to the client).
        if (this.opts.preferUdp && !this.opts.forceTcp && transport === 'udp' && raw[2] & 0x02) {
          raw = await this.exchange(up, wire, 'tcp', this.timeoutMs);
          if (raw.length < 12 || raw.readUInt16BE(0) !== id || !(raw[2] & 0x80)) throw new Error('malformed or mismatched response');
        }
        this.fails.delete(to);
        this.opts.onRequest?.(to, raw[3] & 0x0f);
        return { raw };
      } catch (e) {
        this.opts.onRequest?.(to, undefined);
        this.logOnce(up, req, e);
        this.failed(up);
      }
    }
    return reply(RCODE.SERVFAIL);
  }

  /** Counts a failure; past max_fails the upstream is down and probed until it answers again. */
  private failed(up: Upstream): void {
    const k = key(up);
    this.fails.set(k, (this.fails.get(k) ?? 0) + 1);
    if (!this.down(up) || this.probes.has(k) || this.stopped) return;
    const probe = async () => {
      this.probes.delete(k);
      if (this.stopped) return;
      try {
        const id = this.rng(0x10000);
        const q = encodeQuery(id, this.opts.healthCheckDomain ?? '', QTYPE.NS, { rd: this.opts.healthCheckRecursion ?? true });
        const raw = await this.exchange(up, q, this.opts.forceTcp ? 'tcp' : 'udp', this.timeoutMs);
        if (raw.length >= 12 && raw.readUInt16BE(0) === id && raw[2] & 0x80) { this.fails.delete(k); return; }
      } catch { /* still down */ }
      if (!this.stopped) schedule();
    };
    const schedule = () => {
      const t = setTimeout(() => void probe(), this.opts.healthCheckMs ?? 500);
      t.unref();
      this.probes.set(k, t);
    };
    schedule();
  }

  /** One line per upstream per 30 s, so a dead upstream does not flood the log. */
  private logOnce(up: Upstream, req: DnsRequest, e: unknown): void {
    const key = `${up.address}:${up.port}`;
    const t = this.now();
    if ((this.lastLogged.get(key) ?? -Infinity) > t - 30_000) return;
    this.lastLogged.set(key, t);
    const msg = e instanceof Error ? e.message : String(e);
    // CoreDNS's `errors` plugin line: rcode 2 (SERVFAIL) once every upstream failed.
    this.log(`[ERROR] plugin/errors: 2 ${req.query.qname}. ${typeName(req.query.qtype)}: ${req.transport} ${key}: ${msg}`);
  }
}

function key(up: Upstream): string {
  return `${up.address}:${up.port}`;
}

function shuffle<T>(xs: T[], rng: (n: number) => number): T[] {
  const out = xs.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng(i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

export const realExchange: Exchange = (up, wire, transport, timeoutMs) =>
  transport === 'tcp' ? exchangeTcp(up, wire, timeoutMs) : exchangeUdp(up, wire, timeoutMs);

function exchangeUdp(up: Upstream, wire: Buffer, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const sock = dgram.createSocket(net.isIPv6(up.address) ? 'udp6' : 'udp4');
    const id = wire.readUInt16BE(0);
    const done = (err: Error | null, buf?: Buffer) => {
      clearTimeout(timer);
      sock.close();
      if (err) reject(err);
      else resolve(buf!);
    };
    const timer = setTimeout(() => done(new Error('i/o timeout')), timeoutMs);
    sock.on('error', (e) => done(e));
    sock.on('message', (msg, rinfo) => {
      // Only the upstream's answer to this ID counts (RFC 5452).
      if (rinfo.address !== up.address || rinfo.port !== up.port || msg.length < 12 || msg.readUInt16BE(0) !== id) return;
      done(null, msg);
    });
    sock.send(wire, up.port, up.address, (e) => { if (e) done(e); });
  });
}

function exchangeTcp(up: Upstream, wire: Buffer, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host: up.address, port: up.port });
    let buf = Buffer.alloc(0);
    let settled = false;
    const done = (err: Error | null, msg?: Buffer) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      sock.destroy();
      if (err) reject(err);
      else resolve(msg!);
    };
    const timer = setTimeout(() => done(new Error('i/o timeout')), timeoutMs);
    sock.on('error', (e) => done(e));
    sock.on('connect', () => {
      const len = Buffer.alloc(2);
      len.writeUInt16BE(wire.length);
      sock.write(Buffer.concat([len, wire]));
    });
    sock.on('data', (d) => {
      buf = buf.length ? Buffer.concat([buf, d]) : d;
      if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) done(null, buf.subarray(2, 2 + buf.readUInt16BE(0)));
    });
    sock.on('end', () => done(new Error('connection closed before a response')));
  });
}
