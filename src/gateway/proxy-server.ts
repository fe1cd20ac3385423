// The I/O shell of the dataplane: one node:http(s) server per Gateway address:port (and the same
// port on the host address, first Gateway wins, as a LoadBalancer Service is also served on
// localhost), each serving the current PortGroup — swapped on every rebuild, so a change takes
// effect on the next request and open connections are kept. HTTPS picks the certificate by SNI.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import { createSecureContext, type SecureContext, type TLSSocket } from 'node:tls';
import { explainBindError } from '../lib/bind-errors.js';
import { applyHeaderModifier, modifyPath, pickBackend, redirectTarget, type HeaderMap } from './filters.js';
import { hostnameMatches, requestHost } from './hostnames.js';
import { matchRequest, type RequestView } from './request-match.js';
import { selectListener, type Backend, type Filter, type PortGroup, type RouteEntry } from './route-table.js';
import { parseDuration } from './durations.js';

export interface ProxyOptions {
  /** Ready endpoints (`ip:port`) of a Service port. */
  endpoints(namespace: string, name: string, port: number): string[];
  hostAddress?: string;
  rng?: () => number;
  log?: (level: string, msg: string) => void;
}

interface Bound {
  server: http.Server;
  sockets: Set<Socket>;
  key: string; // the group it serves
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer']);

function text(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  if (res.headersSent) return void res.destroy();
  res.writeHead(status, { 'Content-Type': 'text/plain', 'Content-Length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

export class GatewayProxy {
  private groups = new Map<string, PortGroup>();
  private readonly bound = new Map<string, Bound>(); // bind address:port → server
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 512 });
  private readonly contexts = new Map<string, SecureContext>();
  private readonly rng: () => number;
  private readonly log: (level: string, msg: string) => void;
  /** Bind problems per group key (address:port), for the listeners' status. */
  readonly bindErrors = new Map<string, string>();

  constructor(private readonly opts: ProxyOptions) {
    this.rng = opts.rng ?? Math.random;
    this.log = opts.log ?? ((level, msg) => console.error(`[${level}] gateway: ${msg}`));
  }

  /** Serves `ports` from now on: new binds opened, gone ones closed, the rest swapped in place. */
  async apply(ports: PortGroup[]): Promise<void> {
    const next = new Map(ports.map((g) => [`${g.address}:${g.port}`, g]));
    this.groups = next;
    const wanted = new Map<string, { key: string; group: PortGroup; host: string }>();
    for (const [key, g] of next) wanted.set(key, { key, group: g, host: g.address });
    if (this.opts.hostAddress) {
      for (const [key, g] of next) {
        const hk = `${this.opts.hostAddress}:${g.port}`;
        if (!wanted.has(hk)) wanted.set(hk, { key, group: g, host: this.opts.hostAddress });
      }
    }
    for (const [bk, b] of this.bound) {
      const w = wanted.get(bk);
      if (!w || next.get(w.key)?.protocol !== this.protocolOf(b)) {
        this.unbind(bk, b);
      } else b.key = w.key;
    }
    await Promise.all([...wanted].filter(([bk]) => !this.bound.has(bk)).map(([bk, w]) => this.bind(bk, w.host, w.group, w.key)));
  }

  private protocolOf(b: Bound): string {
    return b.server instanceof https.Server ? 'HTTPS' : 'HTTP';
  }

  private unbind(bk: string, b: Bound): void {
    this.bound.delete(bk);
    b.server.close();
    for (const s of b.sockets) s.destroy();
  }

  private contextFor(pair: { cert: string; key: string }): SecureContext {
    const k = pair.cert + pair.key;
    let c = this.contexts.get(k);
    if (!c) {
      c = createSecureContext({ cert: pair.cert, key: pair.key });
      this.contexts.set(k, c);
    }
    return c;
  }

  private async bind(bk: string, host: string, group: PortGroup, key: string): Promise<void> {
    const entry: Bound = { server: undefined as unknown as http.Server, sockets: new Set(), key };
    const handler = (req: IncomingMessage, res: ServerResponse) => {
      const g = this.groups.get(entry.key);
      if (!g) return text(res, 404, 'no Gateway listener here\n');
      this.handle(g, req, res, entry.server instanceof https.Server);
    };
    let server: http.Server;
    if (group.protocol === 'HTTPS') {
      const first = group.listeners.find((l) => l.tls?.length)?.tls?.[0];
      server = https.createServer({
        ...(first ? { cert: first.cert, key: first.key } : {}),
        SNICallback: (servername, cb) => {
          const g = this.groups.get(entry.key);
          const l = g?.listeners.find((x) => x.hostname && hostnameMatches(x.hostname, servername)) ?? g?.listeners.find((x) => !x.hostname) ?? g?.listeners[0];
          const pair = l?.tls?.[0];
          cb(null, pair ? this.contextFor(pair) : undefined);
        },
      }, handler) as unknown as http.Server;
    } else server = http.createServer(handler);
    entry.server = server;
    server.keepAliveTimeout = 75_000;
    server.on('connection', (s: Socket) => {
      entry.sockets.add(s);
      s.on('close', () => entry.sockets.delete(s));
    });
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen({ host, port: group.port, exclusive: true }, () => {
          server.off('error', reject);
          resolve();
        });
      });
      this.bound.set(bk, entry);
      this.bindErrors.delete(bk);
    } catch (err) {
      const msg = explainBindError(err as NodeJS.ErrnoException, { ip: host, port: group.port, protocol: 'TCP' });
      if (this.bindErrors.get(bk) !== msg) this.log('WARN', `cannot serve ${bk}: ${msg}`);
      this.bindErrors.set(bk, msg);
    }
  }

  private handle(group: PortGroup, req: IncomingMessage, res: ServerResponse, secure: boolean): void {
    const rawTarget = req.url ?? '/';
    const q = rawTarget.indexOf('?');
    const path = q < 0 ? rawTarget : rawTarget.slice(0, q);
    const search = q < 0 ? '' : rawTarget.slice(q);
    const host = requestHost(req.headers.host);
    const listener = selectListener(group, host);
    if (secure) {
      // The listener was chosen by SNI at the handshake: a Host another listener serves is misdirected.
      const sni = (req.socket as TLSSocket).servername;
      const bySni = sni ? selectListener(group, sni.toLowerCase()) : undefined;
      if (bySni && bySni !== listener) return text(res, 421, 'Misdirected Request\n');
    }
    if (!listener) return text(res, 404, 'no listener for this host\n');
    const view: RequestView = {
      host, path, method: req.method ?? 'GET', query: new URLSearchParams(search),
      header: (name) => {
        const v = req.headersDistinct[name];
        return v ? v.join(',') : undefined;
      },
    };
    const entry = matchRequest(listener, view);
    if (!entry) return text(res, 404, 'no route matches\n');
    this.serve(entry, group, req, res, { path, search, host, secure });
  }

  private serve(entry: RouteEntry, group: PortGroup, req: IncomingMessage, res: ServerResponse, at: { path: string; search: string; host: string; secure: boolean }): void {
    const rule = entry.rule;
    const redirect = rule.filters.find((f) => f.type === 'RequestRedirect');
    const responseMods: Filter[] = rule.filters.filter((f) => f.type === 'ResponseHeaderModifier');
    if (redirect) {
      req.resume();
      const { status, location } = redirectTarget(redirect, { scheme: at.secure ? 'https' : 'http', host: at.host, port: group.port, path: at.path, search: at.search }, entry.match.path);
      const headers: HeaderMap = new Map([['location', { name: 'Location', value: location }]]);
      for (const f of responseMods) applyHeaderModifier(headers, f.responseHeaderModifier);
      res.writeHead(status, Object.fromEntries([...headers.values()].map((h) => [h.name, h.value])));
      return void res.end();
    }
    const backend = pickBackend(rule.backends, this.rng);
    if (!backend || backend.kind === 'invalid') {
      req.resume();
      return text(res, 500, 'Internal Server Error: no valid backend for this route rule\n');
    }
    const headers: HeaderMap = new Map();
    for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
      const name = req.rawHeaders[i];
      const lower = name.toLowerCase();
      if (HOP_BY_HOP.has(lower)) continue;
      const cur = headers.get(lower);
      headers.set(lower, cur ? { name: cur.name, value: `${cur.value},${req.rawHeaders[i + 1]}` } : { name, value: req.rawHeaders[i + 1] });
    }
    let path = at.path;
    const filters = [...rule.filters, ...backend.filters];
    for (const f of filters) {
      if (f.type === 'RequestHeaderModifier') applyHeaderModifier(headers, f.requestHeaderModifier);
      else if (f.type === 'URLRewrite') {
        if (f.urlRewrite?.hostname) headers.set('host', { name: 'Host', value: f.urlRewrite.hostname });
        path = modifyPath(path, f.urlRewrite?.path, entry.match.path);
      } else if (f.type === 'ResponseHeaderModifier' && !rule.filters.includes(f)) responseMods.push(f);
    }
    const xff = headers.get('x-forwarded-for');
    headers.set('x-forwarded-for', { name: 'X-Forwarded-For', value: xff ? `${xff.value}, ${req.socket.remoteAddress}` : String(req.socket.remoteAddress) });
    headers.set('x-forwarded-proto', { name: 'X-Forwarded-Proto', value: at.secure ? 'https' : 'http' });
    for (const f of filters) if (f.type === 'RequestMirror') this.mirror(f, req.method ?? 'GET', path + at.search, headers);
    this.forward(backend, req, res, headers, path + at.search, responseMods, rule.timeouts);
  }

  private endpoint(ns: string, name: string, port: number): string | undefined {
    const eps = this.opts.endpoints(ns, name, port);
    return eps.length ? eps[Math.floor(this.rng() * eps.length)] : undefined;
  }

  private mirror(f: Filter, method: string, target: string, headers: HeaderMap): void {
    const ref = f.requestMirror?.backendRef;
    if (!ref?.name || ref.port === undefined) return;
    const ep = this.endpoint(ref.namespace ?? '', ref.name, ref.port);
    if (!ep) return;
    const [host, port] = [ep.slice(0, ep.lastIndexOf(':')), Number(ep.slice(ep.lastIndexOf(':') + 1))];
    const r = http.request({ host, port, method, path: target, agent: this.agent, headers: Object.fromEntries([...headers.values()].map((h) => [h.name, h.value])) }, (mres) => mres.resume());
    r.on('error', () => {});
    r.end();
  }

  private forward(backend: Extract<Backend, { kind: 'service' }>, req: IncomingMessage, res: ServerResponse, headers: HeaderMap, target: string, responseMods: Filter[], timeouts?: { request?: string; backendRequest?: string }): void {
    const ep = this.endpoint(backend.namespace, backend.name, backend.port);
    if (!ep) {
      req.resume();
      return text(res, 503, 'no healthy upstream\n');
    }
    const i = ep.lastIndexOf(':');
    const upstream = http.request({
      host: ep.slice(0, i), port: Number(ep.slice(i + 1)), method: req.method, path: target, agent: this.agent, setHost: false,
      headers: [...headers.values()].flatMap((h) => [h.name, h.value]) as unknown as http.OutgoingHttpHeaders,
    });
    const limit = parseDuration(timeouts?.request) ?? parseDuration(timeouts?.backendRequest);
    const timer = limit ? setTimeout(() => {
      upstream.destroy();
      text(res, 504, 'upstream request timeout\n');
    }, limit) : undefined;
    upstream.on('response', (ures) => {
      const out: HeaderMap = new Map();
      for (let j = 0; j + 1 < ures.rawHeaders.length; j += 2) {
        const name = ures.rawHeaders[j];
        const lower = name.toLowerCase();
        if (HOP_BY_HOP.has(lower)) continue;
        const cur = out.get(lower);
        if (cur && lower !== 'set-cookie') out.set(lower, { name: cur.name, value: `${cur.value}, ${ures.rawHeaders[j + 1]}` });
        else if (!cur) out.set(lower, { name, value: ures.rawHeaders[j + 1] });
      }
      for (const f of responseMods) applyHeaderModifier(out, f.responseHeaderModifier);
      if (res.headersSent) return void ures.resume();
      res.writeHead(ures.statusCode ?? 502, Object.fromEntries([...out.values()].map((h) => [h.name, h.value])));
      ures.pipe(res);
      ures.on('end', () => timer && clearTimeout(timer));
    });
    upstream.on('error', () => {
      if (timer) clearTimeout(timer);
      if (!res.headersSent) text(res, 502, 'upstream connect error\n');
      else res.destroy();
    });
    res.on('close', () => {
      if (timer) clearTimeout(timer);
      if (!res.writableFinished) upstream.destroy();
    });
    req.pipe(upstream);
  }

  async close(): Promise<void> {
    for (const [bk, b] of [...this.bound]) this.unbind(bk, b);
    this.agent.destroy();
  }
}
