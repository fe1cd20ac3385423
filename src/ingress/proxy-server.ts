// The thin I/O shell: HTTP and HTTPS listeners that route each request with the current RouteTable
// and proxy it with http-proxy-3 over keep-alive agents. Swapping the table (setTable) never touches
// open connections. Nothing is logged per request.
import { randomFillSync } from 'node:crypto';
import { Agent as HttpAgent, createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Agent as HttpsAgent, createServer as createHttpsServer } from 'node:https';
import type { Duplex } from 'node:stream';
import { ProxyServer } from 'http-proxy-3';
import { Balancer, readCookie } from './balancer.js';
import { rawPage, sendPage } from './error-pages.js';
import { matchServer, matchLocation, type MatchResult, type RouteTable } from './route-table.js';
import type { TlsStore } from './tls-store.js';
import { normalizePath, rewriteTarget, splitTarget } from './uri.js';

const INFO = Symbol('kdp.ingress');

interface Prepared {
  m: MatchResult;
  endpoint: string;
  upstreamTls: boolean;
}

interface RequestInfo {
  clientConnection?: string;
  setCookie?: string;
  hsts: boolean;
  cors?: Record<string, string>;
  started: number;
  readTimeoutMs: number;
  tries: number;
}

type Tagged = IncomingMessage & { [INFO]?: RequestInfo };

const HSTS = 'max-age=15724800; includeSubDomains';
const RETRYABLE = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL']);

let idPool = Buffer.alloc(0);
let idOffset = 0;
/** nginx's $request_id: 32 hex characters. */
function requestId(): string {
  if (idOffset + 16 > idPool.length) {
    idPool = randomFillSync(Buffer.alloc(4096));
    idOffset = 0;
  }
  idOffset += 16;
  return idPool.toString('hex', idOffset - 16, idOffset);
}

function hostOf(header: string | undefined): string {
  if (!header) return '';
  let h = header;
  if (h.startsWith('[')) {
    const end = h.indexOf(']');
    h = end > 0 ? h.slice(0, end + 1) : h;
  } else {
    const colon = h.indexOf(':');
    if (colon >= 0) h = h.slice(0, colon);
  }
  return h.toLowerCase();
}

export interface ListenOptions {
  address: string;
  httpPort: number;
  httpsPort: number;
}

export class IngressProxy {
  private table: RouteTable;
  private readonly proxy = new ProxyServer();
  private readonly agent = new HttpAgent({ keepAlive: true, maxSockets: Infinity, maxFreeSockets: 320, keepAliveMsecs: 60_000 });
  private readonly tlsAgent = new HttpsAgent({ keepAlive: true, maxSockets: Infinity, maxFreeSockets: 320, rejectUnauthorized: false });
  private readonly balancer = new Balancer();
  private readonly servers: Server[] = [];

  constructor(table: RouteTable, private readonly tls: TlsStore) {
    this.table = table;
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

  async close(graceMs: number): Promise<void> {
    await Promise.all(
      this.servers.map(
        (s) =>
          new Promise<void>((resolve) => {
            const t = setTimeout(() => s.closeAllConnections(), graceMs);
            s.close(() => {
              clearTimeout(t);
              resolve();
            });
            s.closeIdleConnections();
          }),
      ),
    );
    this.agent.destroy();
    this.tlsAgent.destroy();
  }

  /** Route + everything nginx does before proxy_pass; undefined when a response was already sent. */
  private prepare(req: IncomingMessage, res: ServerResponse | undefined, isTls: boolean, port: number): Prepared | number {
    const fail = (status: number, extra?: Record<string, string>): number => {
      if (res) sendPage(res, status, extra);
      return status;
    };
    const url = req.url ?? '/';
    const [rawPath, query] = splitTarget(url);
    const path = normalizePath(rawPath);
    if (path === undefined) return fail(400);
    const hostHeader = req.headers.host ?? '';
    const server = matchServer(this.table, hostOf(hostHeader));
    const m = matchLocation(server, path);
    if (!m) return fail(404);
    const loc = m.location;
    const cfg = loc.config;
    const scheme = isTls ? 'https' : 'http';
    if (cfg.appRoot && path === '/') return fail(302, { Location: `${scheme}://${hostHeader}${cfg.appRoot}` });
    let cors: Record<string, string> | undefined;
    if (cfg.cors) {
      const c = cfg.cors;
      cors = {
        'access-control-allow-origin': c.allowOrigin === '*' ? '*' : (req.headers.origin ?? c.allowOrigin.split(',')[0].trim()),
        'access-control-allow-methods': c.allowMethods,
        'access-control-allow-headers': c.allowHeaders,
      };
      if (c.allowCredentials) cors['access-control-allow-credentials'] = 'true';
      if (c.exposeHeaders) cors['access-control-expose-headers'] = c.exposeHeaders;
      if (req.method === 'OPTIONS' && res) {
        res.writeHead(204, { Server: 'nginx', ...cors, 'Access-Control-Max-Age': String(c.maxAge), 'Content-Type': 'text/plain charset=UTF-8', 'Content-Length': '0' });
        res.end();
        return 204;
      }
    }
    if (cfg.permanentRedirect) return fail(cfg.permanentRedirectCode, { Location: cfg.permanentRedirect });
    if (cfg.temporalRedirect) return fail(302, { Location: cfg.temporalRedirect });
    if (!isTls && (cfg.forceSslRedirect || (cfg.sslRedirect && loc.tls))) return fail(308, { Location: `https://${hostOf(hostHeader) || hostHeader}${url}` });
    if (!loc.upstream) return fail(404);
    if (cfg.proxyBodySize > 0) {
      const len = Number(req.headers['content-length'] ?? 0);
      if (len > cfg.proxyBodySize) return fail(413, undefined);
    }
    let upName = loc.upstream;
    if (loc.canary && this.balancer.useCanary(loc.canary.config, req)) {
      const cu = this.table.upstreams.get(loc.canary.upstream);
      if (cu?.endpoints.length) upName = loc.canary.upstream;
    }
    const up = this.table.upstreams.get(upName);
    if (!up?.endpoints.length) return fail(503);
    let endpoint: string | undefined;
    let setCookie: string | undefined;
    if (cfg.affinityCookie) {
      const ck = cfg.affinityCookie;
      const v = readCookie(req.headers.cookie, ck.name);
      endpoint = v ? this.balancer.byCookie(up, v) : undefined;
      if (!endpoint) {
        endpoint = this.balancer.pick(up);
        setCookie = `${ck.name}=${this.balancer.cookieValue(up, endpoint)}; Path=${ck.path ?? (m.server.regexMode ? '/' : loc.path)}${ck.maxAge ? `; Max-Age=${ck.maxAge}` : ''}; HttpOnly`;
      }
    } else endpoint = this.balancer.pick(up);

    // Upstream request, as ingress-nginx's proxy_set_header lines make it.
    const h = req.headers;
    const remote = (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
    const info: RequestInfo = { clientConnection: h.connection, setCookie, hsts: isTls && loc.tls, cors, started: Date.now(), readTimeoutMs: cfg.readTimeoutMs, tries: 1 };
    (req as Tagged)[INFO] = info;
    if (typeof h['x-forwarded-for'] === 'string') h['x-original-forwarded-for'] = h['x-forwarded-for'];
    h['x-request-id'] = typeof h['x-request-id'] === 'string' && h['x-request-id'] ? h['x-request-id'] : requestId();
    h['x-real-ip'] = remote;
    h['x-forwarded-for'] = remote;
    h['x-forwarded-host'] = hostHeader;
    h['x-forwarded-port'] = String(port);
    h['x-forwarded-proto'] = scheme;
    h['x-forwarded-scheme'] = scheme;
    h['x-scheme'] = scheme;
    if (cfg.xForwardedPrefix) h['x-forwarded-prefix'] = cfg.xForwardedPrefix;
    if (cfg.upstreamVhost) h.host = cfg.upstreamVhost;
    delete h.proxy;
    if (!h.upgrade) {
      delete h.connection;
      delete h['keep-alive'];
    }
    if (cfg.rewriteTarget !== undefined) req.url = rewriteTarget(cfg.rewriteTarget, m.captures, query);
    return { m, endpoint, upstreamTls: cfg.backendProtocol === 'HTTPS' };
  }

  handle(req: IncomingMessage, res: ServerResponse, isTls: boolean, port: number): void {
    let r: Prepared | number;
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
    let r: Prepared | number;
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
