// One CoreDNS process: the server blocks of a Corefile listening on their ports (UDP+TCP), their
// HTTP endpoints (health, ready, metrics) and `reload`: a new Corefile is compiled first and swapped
// in atomically; a Corefile with an error leaves the running config untouched and says why.
import { createHash } from 'node:crypto';
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { hostResolvers } from '../api/config.js';
import type { InformerFactory } from '../api/informer.js';
import { FastPath } from './fast-path.js';
import type { Exchange } from './forward.js';
import { Metrics, rcodeName, typeName } from './metrics.js';
import { listenDns, type DnsServer } from './server.js';
import { compileCorefile, type CompiledBlock, type HttpEndpoint } from './setup.js';
import { inZone } from './corefile.js';
import { isRaw, RCODE, reply, type DnsRequest, type DnsResult } from './types.js';

export interface CoreDnsInstanceOptions {
  informers: InformerFactory;
  /** Where the DNS ports and `:PORT` HTTP endpoints listen (the pod IP). */
  address: string;
  corefile: string;
  /** Corefile path for messages (`/etc/coredns/Corefile`). */
  file?: string;
  /** The kube-dns ClusterIP clients use. */
  nsAddress?: string;
  exchange?: Exchange;
  /** stdout of the container: `[INFO] plugin/reload: …`, `log` lines. */
  log?: (line: string) => void;
  resolvConf?: (path: string) => string[];
  readFile?: (path: string) => string;
  /** What `chaos` answers for hostname.bind / id.server (default: the host's name). */
  hostname?: () => string;
}

interface Listener {
  server: DnsServer;
  blocks: CompiledBlock[];
  /** Replies kept for questions seen before; emptied at every reload and records change. */
  fast: FastPath;
  tcpFast: FastPath;
}

const REFUSED = reply(RCODE.REFUSED);

export class CoreDnsInstance {
  readonly metrics = new Metrics();

  /** What the `prometheus` plugin serves on :9153/metrics (also handed to kdp's dashboard). */
  renderMetrics(): string {
    const plugins = this.blocks.flatMap((b) => b.plugins.map((name) => ({ server: b.server, zone: b.zone === '' ? '.' : b.zone + '.', name })));
    return this.metrics.render(plugins);
  }
  private blocks: CompiledBlock[] = [];
  private readonly listeners = new Map<number, Listener>();
  private readonly https = new Map<string, { server: http.Server; kinds: Set<HttpEndpoint['kind']> }>();
  private readonly log: (line: string) => void;
  corefile = '';
  private stopped = false;

  private constructor(private readonly opts: CoreDnsInstanceOptions) {
    this.log = opts.log ?? ((l) => console.log(l));
  }

  static async start(opts: CoreDnsInstanceOptions): Promise<CoreDnsInstance> {
    const inst = new CoreDnsInstance(opts);
    try {
      await inst.apply(opts.corefile);
    } catch (e) {
      await inst.stop();
      throw e;
    }
    return inst;
  }

  /** Actual port of each configured DNS port (differs only for port 0). */
  port(configured: number): number | undefined {
    return this.listeners.get(configured)?.server.port;
  }

  /** How many replies the fast path of a configured DNS port holds (tests, debugging). */
  fastPathSize(configured: number, transport: 'udp' | 'tcp' = 'udp'): number {
    const l = this.listeners.get(configured);
    return (transport === 'tcp' ? l?.tcpFast.size : l?.fast.size) ?? 0;
  }

  httpPort(kind: HttpEndpoint['kind']): number | undefined {
    for (const [, h] of this.https) if (h.kinds.has(kind)) return (h.server.address() as { port: number }).port;
    return undefined;
  }

  /** Reloads with a new Corefile; on error the old one stays in force and the error is thrown. */
  async reload(text: string): Promise<void> {
    if (text === this.corefile) return;
    try {
      await this.apply(text);
      this.log('[INFO] plugin/reload: Running configuration SHA512 = ' + createHash('sha512').update(text).digest('hex'));
    } catch (e) {
      this.metrics.reloadFailed++;
      throw e;
    }
  }

  private async apply(text: string): Promise<void> {
    const o = this.opts;
    const next = compileCorefile(text, {
      informers: o.informers, podIP: o.address, nsAddress: o.nsAddress, exchange: o.exchange, log: this.log,
      resolvConf: o.resolvConf ?? ((p) => hostResolvers(p)), readFile: o.readFile ?? ((p) => readFileSync(p, 'utf8')),
      metrics: this.metrics, file: o.file, hostname: o.hostname,
    });
    const byPort = new Map<number, CompiledBlock[]>();
    for (const b of next) byPort.set(b.port, [...(byPort.get(b.port) ?? []), b].sort((x, y) => y.zone.length - x.zone.length));
    const opened: number[] = [];
    try {
      for (const port of byPort.keys()) {
        if (this.listeners.has(port)) continue;
        const l: Listener = { server: undefined as unknown as DnsServer, blocks: [], fast: undefined as unknown as FastPath, tcpFast: undefined as unknown as FastPath };
        const version = () => {
          let v = 0;
          for (const b of l.blocks) v += b.version();
          return v;
        };
        l.fast = new FastPath(version);
        l.tcpFast = new FastPath(version, 10_000, true);
        l.server = await listenDns({
          address: o.address, port, log: this.log, fastPath: l.fast, tcpFastPath: l.tcpFast,
          handler: (req) => this.dispatch(l, req),
          observe: (req, r, out, secs) => this.observe(l, req, r, out, secs),
        });
        this.listeners.set(port, l);
        opened.push(port);
      }
      await this.reconcileHttp(next);
    } catch (e) {
      for (const p of opened) { await this.listeners.get(p)?.server.close(); this.listeners.delete(p); }
      for (const b of next) b.dispose();
      throw e;
    }
    const old = this.blocks;
    for (const [port, l] of this.listeners) {
      const bs = byPort.get(port);
      if (bs) { l.blocks = bs; l.fast.reset(); l.tcpFast.reset(); }
      else { this.listeners.delete(port); await l.server.close(); }
    }
    this.blocks = next;
    this.corefile = text;
    for (const b of old) b.dispose();
    this.metrics.collectors.clear();
    for (const b of next) for (const c of b.collectors) this.metrics.collectors.add(c);
  }

  private dispatch(l: Listener, req: DnsRequest): DnsResult | Promise<DnsResult> {
    const bs = l.blocks;
    const b = bs.length === 1 && bs[0].zone === '' ? bs[0] : bs.find((x) => inZone(req.query.name, x.zone));
    if (!b) return REFUSED;
    (req as DnsRequest & { block?: CompiledBlock }).block = b;
    return b.handler(req);
  }

  private observe(l: Listener, req: DnsRequest, r: DnsResult, out: Buffer, secs: number): void {
    const b = (req as DnsRequest & { block?: CompiledBlock }).block;
    if (!b) return;
    const q = req.query;
    const bytes = out.length;
    const rcode = isRaw(r) ? r.raw[3] & 0x0f : r.rcode;
    const cells = b.stats?.cells(req.transport, req.remoteAddress?.includes(':') ? 2 : 1, q.qtype, rcode, req.answeredBy ?? '', q.edns?.do ?? false);
    if (cells) b.stats!.record(cells, req.transport === 'tcp' ? 65535 : (q.edns?.udpSize ?? 512), bytes, secs);
    // `log` runs for every query, so a block with it never answers from the fast path.
    if (!b.log && req.fast?.keep) (req.transport === 'tcp' ? l.tcpFast : l.fast).keep(req.wire, out, { stats: b.stats, cells, counters: req.fast.counters }, req.fast.exactCase);
    if (b.log) {
      const flags = isRaw(r) ? rawFlags(r.raw) : ['qr', r.aa && 'aa', q.rd && 'rd'].filter(Boolean).join(',');
      this.log(`[INFO] ${req.remoteAddress}:${req.remotePort} - ${q.id} "${typeName(q.qtype)} IN ${q.qname}. ${req.transport} ${req.wire.length} ${q.edns?.do ?? false} ${q.edns?.udpSize ?? 512}" ${rcodeName(rcode)} ${flags} ${bytes} ${secs.toFixed(9)}s`);
    }
  }

  private async reconcileHttp(blocks: CompiledBlock[]): Promise<void> {
    const want = new Map<string, { address: string; port: number; kinds: Set<HttpEndpoint['kind']> }>();
    for (const b of blocks) {
      for (const e of b.http) {
        const k = `${e.address}:${e.port}`;
        const w = want.get(k) ?? { address: e.address, port: e.port, kinds: new Set() };
        w.kinds.add(e.kind);
        want.set(k, w);
      }
    }
    for (const [k, h] of this.https) {
      if (!want.has(k)) { this.https.delete(k); await closeHttp(h.server); }
    }
    for (const [k, w] of want) {
      const have = this.https.get(k);
      if (have) { have.kinds = w.kinds; continue; }
      const entry = { server: http.createServer(), kinds: w.kinds };
      entry.server.on('request', (req, res) => this.serveHttp(entry.kinds, req, res));
      await new Promise<void>((resolve, reject) => {
        entry.server.once('error', (e: NodeJS.ErrnoException) => reject(new Error(`listen tcp ${w.address}:${w.port}: bind: ${e.code === 'EADDRINUSE' ? 'address already in use' : e.message}`)));
        entry.server.listen({ host: w.address, port: w.port }, () => resolve());
      });
      this.https.set(k, entry);
    }
  }

  private serveHttp(kinds: Set<HttpEndpoint['kind']>, req: http.IncomingMessage, res: http.ServerResponse): void {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/health' && kinds.has('health')) { res.end('OK'); return; }
    if (path === '/ready' && kinds.has('ready')) {
      if (this.stopped) { res.statusCode = 503; res.end('shutting down'); return; }
      res.end('OK');
      return;
    }
    if (path === '/metrics' && kinds.has('metrics')) {
      res.setHeader('Content-Type', 'text/plain; version=0.0.4; charset=utf-8');
      res.end(this.renderMetrics());
      return;
    }
    res.statusCode = 404;
    res.end('404 page not found\n');
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const l of this.listeners.values()) await l.server.close();
    this.listeners.clear();
    for (const h of this.https.values()) await closeHttp(h.server);
    this.https.clear();
    for (const b of this.blocks) b.dispose();
    this.blocks = [];
  }
}

function rawFlags(raw: Buffer): string {
  const f: string[] = [];
  if (raw[2] & 0x80) f.push('qr');
  if (raw[2] & 0x04) f.push('aa');
  if (raw[2] & 0x02) f.push('tc');
  if (raw[2] & 0x01) f.push('rd');
  if (raw[3] & 0x80) f.push('ra');
  return f.join(',');
}

function closeHttp(s: http.Server): Promise<void> {
  return new Promise((resolve) => {
    s.close(() => resolve());
    s.closeAllConnections?.();
  });
}

