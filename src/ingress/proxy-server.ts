// The thin I/O shell: HTTP and HTTPS listeners that route each request with the current RouteTable.
// Connections start on the fast path (fast-proxy.ts: raw sockets, pooled keep-alive upstreams); what
// it does not do exactly is handed to node:http + http-proxy-3 over keep-alive agents (the slow
// path), which then keeps that connection. Both paths plan requests with request-plan.ts. Swapping
// the table (setTable) never touches open connections. Nothing is logged per request.
import { Agent as HttpAgent, createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Agent as HttpsAgent, createServer as createHttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { ProxyServer } from 'http-proxy-3';
import { Balancer } from './balancer.js';
import { rawPage, sendPage } from './error-pages.js';
import { FastConnection, type FastPathStats, type FastProxyContext } from './fast-proxy.js';
import { HSTS, planRequest, RETRYABLE, type Plan, type ResponseEdits } from './request-plan.js';
import type { MatchResult, RouteTable } from './route-table.js';
import type { TlsStore } from './tls-store.js';
import { UpstreamPool } from './upstream-pool.js';

const INFO = Symbol('kdp.ingress');

interface RequestInfo extends ResponseEdits {
  started: number;
  tries: number;
}

type Tagged = IncomingMessage & { [INFO]?: RequestInfo };
type ProxyPlan = Extract<Plan, { kind: 'proxy' }>;

export interface ListenOptions {
  address: string;
  httpPort: number;
  httpsPort: number;
}

export interface ProxyOptions {
  /** Serve on raw sockets first (default true); false = every connection on node:http. */
  fastPath?: boolean;
}

export class IngressProxy {
  private table: RouteTable;
  private readonly proxy = new ProxyServer();
  private readonly agent = new HttpAgent({ keepAlive: true, maxSockets: Infinity, maxFreeSockets: 320, keepAliveMsecs: 60_000 });
  private readonly tlsAgent = new HttpsAgent({ keepAlive: true, maxSockets: Infinity, maxFreeSockets: 320, rejectUnauthorized: false });
  private readonly balancer = new Balancer();
  private readonly servers: Server[] = [];
  /** The fast path's upstream connections. */
  private readonly pool = new UpstreamPool();
  readonly fastStats: FastPathStats = { requests: 0, handOffs: 0 };
  private readonly fast = new Set<FastConnection>();
  private readonly fastPath: boolean;

  constructor(table: RouteTable, private readonly tls: TlsStore, opts: ProxyOptions = {}) {
    this.table = table;
    this.fastPath = opts.fastPath ?? true;
    this.proxy.on('proxyRes', (proxyRes, req) => {
      const info = (req as Tagged)[INFO];
      const h = proxyRes.headers;
      h.server = 'nginx';
      delete h.connection;
      delete h['keep-alive'];
      if (info) {
        if (info.clientConnection && /close/i.test(info.clientConnection)) h.connection = 'close';
        if (info.setCookie) h['set-cookie'] = [...(h['set-cookie'] ?? []), info.setCookie];
        if (info.hsts) h['strict-transport-security'] = HSTS;
        if (info.cors) Object.assign(h, info.cors);
      }
    });
  }

  setTable(table: RouteTable): void {
    this.table = table;
  }

  currentTable(): RouteTable {
    return this.table;
  }

  async listen(opts: ListenOptions): Promise<void> {
    const http = createServer({ keepAliveTimeout: 75_000, requestTimeout: 60_000, maxHeaderSize: 32 * 1024 }, (req, res) => this.handle(req, res, false, opts.httpPort));
    const https = createHttpsServer({ keepAliveTimeout: 75_000, requestTimeout: 60_000, maxHeaderSize: 32 * 1024, SNICallback: (name, cb) => cb(null, this.tls.contextFor(name)), cert: this.tls.defaultPem.cert, key: this.tls.defaultPem.key }, (req, res) => this.handle(req, res, true, opts.httpsPort));
    if (this.fastPath) {
      this.takeOver(http, 'connection', false, opts.httpPort);
      this.takeOver(https, 'secureConnection', true, opts.httpsPort);
    }
    for (const [server, isTls, port] of [[http, false, opts.httpPort], [https, true, opts.httpsPort]] as const) {
      server.on('upgrade', (req, socket, head) => this.upgrade(req, socket, head, isTls, port));
      server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
        if (!socket.writable || err.code === 'ECONNRESET') return void socket.destroy();
        socket.end(rawPage(err.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400));
      });
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen({ host: opts.address, port, exclusive: true }, () => {
          server.off('error', reject);
          resolve();
        });
      });
      this.servers.push(server);
    }
  }

  /**
   * Puts the fast path in front of node:http: the server's own listener for new (plain or
   * TLS-established) connections is kept and called only for connections the fast path hands off.
   */
  private takeOver(server: Server, event: 'connection' | 'secureConnection', isTls: boolean, port: number): void {
    const [nodeListener] = server.listeners(event) as Array<(s: Socket) => void>;
    server.removeListener(event, nodeListener);
    const ctx: FastProxyContext = {
      table: () => this.table,
      stats: this.fastStats,
      balancer: this.balancer,
      pool: this.pool,
      handOff: (socket) => nodeListener.call(server, socket),
    };
    server.on(event, (socket: Socket) => {
      new FastConnection(ctx, socket, isTls, port, this.fast);
    });
  }

  async close(graceMs: number): Promise<void> {
    for (const c of this.fast) c.closeIdle();
    const all = () => {
      for (const c of this.fast) c.destroy();
      for (const s of this.servers) s.closeAllConnections();
    };
    const t = setTimeout(all, graceMs);
    await Promise.all(this.servers.map((s) => new Promise<void>((resolve) => {
      s.close(() => resolve());
      s.closeIdleConnections();
    })));
    clearTimeout(t);
    this.agent.destroy();
    this.tlsAgent.destroy();
    this.pool.destroy();
  }

  /** planRequest for a node:http request; pages are answered here. */
  private prepare(req: IncomingMessage, res: ServerResponse | undefined, isTls: boolean, port: number): ProxyPlan | number {
    const plan = planRequest(this.table, this.balancer, { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, remoteAddress: req.socket.remoteAddress ?? '', isTls, port, upgrade: !res });
    switch (plan.kind) {
      case 'page':
        if (res) sendPage(res, plan.status, plan.extra);
        return plan.status;
      case 'preflight':
        res!.writeHead(204, plan.headers);
        res!.end();
        return 204;
      case 'decline':
        return 500;
    }
    (req as Tagged)[INFO] = { ...plan.edits, started: Date.now(), tries: 1 };
    req.url = plan.url;
    return plan;
  }

  handle(req: IncomingMessage, res: ServerResponse, isTls: boolean, port: number): void {
    let r: ProxyPlan | number;
    try {
      r = this.prepare(req, res, isTls, port);
    } catch {
      return sendPage(res, 500);
    }
    if (typeof r === 'number') return;
    const limit = r.m.location.config.proxyBodySize;
    if (limit > 0 && req.headers['transfer-encoding']) {
      let seen = 0;
      req.on('data', (c: Buffer) => {
        seen += c.length;
        if (seen > limit && !res.headersSent) sendPage(res, 413, undefined, true);
      });
    }
    this.forward(req, res, r.endpoint, r.upstreamTls, r.m);
  }

  private forward(req: IncomingMessage, res: ServerResponse, endpoint: string, upstreamTls: boolean, m: MatchResult): void {
    const target = this.target(endpoint, upstreamTls);
    const info = (req as Tagged)[INFO]!;
    // toProxy: send req.url as it is (nginx's proxy_pass without a URI), not re-normalised.
    this.proxy.web(req, res, { target, toProxy: true, agent: upstreamTls ? this.tlsAgent : this.agent, proxyTimeout: info.readTimeoutMs, secure: false }, (err: NodeJS.ErrnoException) => {
      if (res.headersSent) return void res.destroy();
      const up = this.table.upstreams.get(m.location.upstream ?? '');
      const bodyless = req.method === 'GET' || req.method === 'HEAD' || (!req.headers['content-length'] && !req.headers['transfer-encoding']);
      if (RETRYABLE.has(err.code ?? '') && bodyless && up && info.tries < Math.min(3, up.endpoints.length)) {
        info.tries++;
        return this.forward(req, res, this.balancer.pick(up), upstreamTls, m);
      }
      const timedOut = Date.now() - info.started >= info.readTimeoutMs - 5;
      sendPage(res, timedOut ? 504 : 502);
    });
  }

  private readonly targets = new Map<string, URL>();

  private target(endpoint: string, upstreamTls: boolean): URL {
    const key = upstreamTls ? `s${endpoint}` : endpoint;
    let t = this.targets.get(key);
    if (!t) {
      if (this.targets.size > 10_000) this.targets.clear();
      t = new URL(`${upstreamTls ? 'https' : 'http'}://${endpoint}`);
      this.targets.set(key, t);
    }
    return t;
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, isTls: boolean, port: number): void {
    let r: ProxyPlan | number;
    try {
      r = this.prepare(req, undefined, isTls, port);
    } catch {
      r = 500;
    }
    if (typeof r === 'number') {
      socket.end(rawPage(r));
      return;
    }
    socket.on('error', () => socket.destroy());
    this.proxy.ws(req, socket, head, { target: `${r.upstreamTls ? 'https' : 'http'}://${r.endpoint}`, secure: false }, () => {
      if (socket.writable) socket.end(rawPage(502));
      else socket.destroy();
    });
  }
}
