// What ingress-nginx's nginx does with a request before proxy_pass, shared by both proxy paths
// (proxy-server.ts on node:http, fast-proxy.ts on raw sockets): route it with the RouteTable, answer
// it directly (404/503/redirects/413/CORS preflight), or choose the endpoint and turn the request's
// headers into the upstream's (the proxy_set_header lines of ingress-nginx's template). Both paths
// run this one function on a Node-style header object, so they send the same upstream head.
import { randomFillSync } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { Balancer } from './balancer.js';
import { readCookie } from './balancer.js';
import { matchLocation, matchServer, type Location, type MatchResult, type RouteTable } from './route-table.js';
import { normalizePath, rewriteTarget, splitTarget } from './uri.js';

export const HSTS = 'max-age=15724800; includeSubDomains';
/** Connection errors after which a body-less request is tried on the next endpoint (proxy_next_upstream error). */
export const RETRYABLE: ReadonlySet<string> = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL']);

let idPool = '';
let idOffset = 0;
/** nginx's $request_id: 32 hex characters (cut from 8 KiB of random hex made at a time). */
export function requestId(): string {
  if (idOffset + 32 > idPool.length) {
    idPool = randomFillSync(Buffer.alloc(4096)).toString('hex');
    idOffset = 0;
  }
  idOffset += 32;
  return idPool.slice(idOffset - 32, idOffset);
}

/** The Host header without its port, lower-cased (`[v6]` kept with brackets). */
export function hostOf(header: string | undefined): string {
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

export interface PlanInput {
  method: string;
  url: string;
  /** Node's header object (lower-case names); modified in place into the upstream's headers. */
  headers: IncomingHttpHeaders;
  /** The client's address (`::ffff:` prefix allowed). */
  remoteAddress: string;
  isTls: boolean;
  /** The listener's port (X-Forwarded-Port). */
  port: number;
  /** A WebSocket/Upgrade request: no CORS preflight answer, Connection kept. */
  upgrade?: boolean;
  /** Locations the caller cannot proxy: 'decline' before anything is chosen or changed. */
  decline?: (loc: Location) => boolean;
}

/** What the response needs on its way back (proxyRes edits). */
export interface ResponseEdits {
  /** The client's own Connection header, as received. */
  clientConnection?: string;
  /** The affinity cookie to add. */
  setCookie?: string;
  hsts: boolean;
  cors?: Record<string, string>;
  readTimeoutMs: number;
}

export type Plan =
  | { kind: 'decline' }
  | { kind: 'page'; status: number; extra?: Record<string, string> }
  | { kind: 'preflight'; headers: Record<string, string> }
  | { kind: 'proxy'; m: MatchResult; endpoint: string; upstreamTls: boolean; url: string; edits: ResponseEdits };

/** Route + everything nginx does before proxy_pass. Mutates `r.headers` only for a 'proxy' plan. */
export function planRequest(table: RouteTable, balancer: Balancer, r: PlanInput): Plan {
  const url = r.url;
  const [rawPath, query] = splitTarget(url);
  const path = normalizePath(rawPath);
  if (path === undefined) return { kind: 'page', status: 400 };
  const h = r.headers;
  const hostHeader = h.host ?? '';
  const server = matchServer(table, hostOf(hostHeader));
  const m = matchLocation(server, path);
  if (!m) return { kind: 'page', status: 404 };
  const loc = m.location;
  if (r.decline?.(loc)) return { kind: 'decline' };
  const cfg = loc.config;
  const scheme = r.isTls ? 'https' : 'http';
  if (cfg.appRoot && path === '/') return { kind: 'page', status: 302, extra: { Location: `${scheme}://${hostHeader}${cfg.appRoot}` } };
  let cors: Record<string, string> | undefined;
  if (cfg.cors) {
    const c = cfg.cors;
    cors = {
      'access-control-allow-origin': c.allowOrigin === '*' ? '*' : (h.origin ?? c.allowOrigin.split(',')[0].trim()),
      'access-control-allow-methods': c.allowMethods,
      'access-control-allow-headers': c.allowHeaders,
    };
    if (c.allowCredentials) cors['access-control-allow-credentials'] = 'true';
    if (c.exposeHeaders) cors['access-control-expose-headers'] = c.exposeHeaders;
    if (r.method === 'OPTIONS' && !r.upgrade) {
      return { kind: 'preflight', headers: { Server: 'nginx', ...cors, 'Access-Control-Max-Age': String(c.maxAge), 'Content-Type': 'text/plain charset=UTF-8', 'Content-Length': '0' } };
    }
  }
  if (cfg.permanentRedirect) return { kind: 'page', status: cfg.permanentRedirectCode, extra: { Location: cfg.permanentRedirect } };
  if (cfg.temporalRedirect) return { kind: 'page', status: 302, extra: { Location: cfg.temporalRedirect } };
  if (!r.isTls && (cfg.forceSslRedirect || (cfg.sslRedirect && loc.tls))) return { kind: 'page', status: 308, extra: { Location: `https://${hostOf(hostHeader) || hostHeader}${url}` } };
  if (!loc.upstream) return { kind: 'page', status: 404 };
  if (cfg.proxyBodySize > 0) {
    const len = Number(h['content-length'] ?? 0);
    if (len > cfg.proxyBodySize) return { kind: 'page', status: 413 };
  }
  let upName = loc.upstream;
  if (loc.canary && balancer.useCanary(loc.canary.config, r)) {
    const cu = table.upstreams.get(loc.canary.upstream);
    if (cu?.endpoints.length) upName = loc.canary.upstream;
  }
  const up = table.upstreams.get(upName);
  if (!up?.endpoints.length) return { kind: 'page', status: 503 };
  let endpoint: string | undefined;
  let setCookie: string | undefined;
  if (cfg.affinityCookie) {
    const ck = cfg.affinityCookie;
    const v = readCookie(h.cookie, ck.name);
    endpoint = v ? balancer.byCookie(up, v) : undefined;
    if (!endpoint) {
      endpoint = balancer.pick(up);
      setCookie = `${ck.name}=${balancer.cookieValue(up, endpoint)}; Path=${ck.path ?? (m.server.regexMode ? '/' : loc.path)}${ck.maxAge ? `; Max-Age=${ck.maxAge}` : ''}; HttpOnly`;
    }
  } else endpoint = balancer.pick(up);

  // Upstream request, as ingress-nginx's proxy_set_header lines make it.
  const remote = r.remoteAddress.startsWith('::ffff:') ? r.remoteAddress.slice(7) : r.remoteAddress;
  const edits: ResponseEdits = { clientConnection: h.connection, setCookie, hsts: r.isTls && loc.tls, cors, readTimeoutMs: cfg.readTimeoutMs };
  if (typeof h['x-forwarded-for'] === 'string') h['x-original-forwarded-for'] = h['x-forwarded-for'];
  h['x-request-id'] = typeof h['x-request-id'] === 'string' && h['x-request-id'] ? h['x-request-id'] : requestId();
  h['x-real-ip'] = remote;
  h['x-forwarded-for'] = remote;
  h['x-forwarded-host'] = hostHeader;
  h['x-forwarded-port'] = String(r.port);
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
  const target = cfg.rewriteTarget !== undefined ? rewriteTarget(cfg.rewriteTarget, m.captures, query) : url;
  return { kind: 'proxy', m, endpoint, upstreamTls: cfg.backendProtocol === 'HTTPS', url: target, edits };
}
