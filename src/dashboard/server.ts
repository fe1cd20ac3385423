// The dashboard's HTTP server, on loopback only. A random token, printed once in the URL `kdp up`
// shows (as Jupyter does), is exchanged at `/?token=…` for an HttpOnly SameSite=Strict session
// cookie; every other request without that cookie gets 401. `/events` streams the topology as
// Server-Sent Events; `/metrics` is Prometheus text. Nothing runs while nobody is connected: the
// topology is rebuilt on a store change only when a page listens, and counters are read once a second.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { InformerFactory } from '../api/informer.js';
import type { MetricsRegistry } from '../lib/metrics-registry.js';
import type { TrafficCounters } from '../lib/traffic-counters.js';
import { PAGE_CSS, PAGE_HTML, PAGE_JS } from './page.js';
import { renderMetrics } from './metrics.js';
import { buildTopology, type Topology } from './topology.js';

export interface DashboardOptions {
  informers: InformerFactory;
  traffic: TrafficCounters;
  /** What the components count (CoreDNS's coredns_* families), appended to /metrics. */
  metrics?: MetricsRegistry;
  /** Loopback address to bind (default 127.0.0.1). */
  host?: string;
  /** 0 = any free port. */
  port?: number;
  /** Token source (tests pass a fixed one). */
  randomToken?: () => string;
  /** How often an open page gets fresh counts, ms (default 1000). */
  refreshMs?: number;
}

export interface Dashboard {
  /** `http://127.0.0.1:PORT/?token=…` */
  url: string;
  port: number;
  stop(): Promise<void>;
}

const COOKIE = 'kdp_dashboard';
const GR = {
  namespaces: '/namespaces',
  services: '/services',
  endpointslices: 'discovery.k8s.io/endpointslices',
  pods: '/pods',
  ingresses: 'networking.k8s.io/ingresses',
  httproutes: 'gateway.networking.k8s.io/httproutes',
};

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function cookieOf(req: IncomingMessage): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === COOKIE) return v.join('=');
  }
  return undefined;
}

export async function startDashboard(opts: DashboardOptions): Promise<Dashboard> {
  const host = opts.host ?? '127.0.0.1';
  if (!/^127\./.test(host) && host !== '::1') throw new Error(`dashboard: ${host} is not a loopback address`);
  const token = (opts.randomToken ?? (() => randomBytes(24).toString('base64url')))();
  const session = randomBytes(24).toString('base64url');
  const inf = Object.fromEntries(Object.entries(GR).map(([k, gr]) => [k, opts.informers.for(gr)])) as Record<keyof typeof GR, ReturnType<InformerFactory['for']>>;
  const clients = new Set<ServerResponse>();
  let last = '';
  let dirty = false;
  let timer: NodeJS.Timeout | undefined;

  const topology = (): Topology => buildTopology({
    namespaces: inf.namespaces.list(),
    services: inf.services.list(),
    endpointSlices: inf.endpointslices.list(),
    pods: inf.pods.list(),
    ingresses: inf.ingresses.list(),
    httpRoutes: inf.httproutes.list(),
    traffic: opts.traffic.snapshot(),
  });
  const push = (force = false) => {
    dirty = false;
    if (!clients.size) return;
    const json = JSON.stringify(topology());
    if (json === last && !force) return;
    last = json;
    for (const res of clients) res.write(`data: ${json}\n\n`);
  };
  // Store changes mark the model dirty; a page that listens gets it within a tick (bursts merged).
  const onChange = () => {
    if (dirty || !clients.size) return;
    dirty = true;
    setImmediate(() => push());
  };
  for (const i of Object.values(inf)) i.addHandlers({ onAdd: onChange, onUpdate: onChange, onDelete: onChange });
  for (const i of Object.values(inf)) {
    try {
      i.start();
    } catch {
      // a resource this cluster does not serve (no Gateway API): an empty list
    }
  }

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://dashboard');
    const given = url.searchParams.get('token');
    if (url.pathname === '/' && given !== null) {
      if (!same(given, token)) return deny(res);
      res.writeHead(302, { location: '/', 'set-cookie': `${COOKIE}=${session}; HttpOnly; SameSite=Strict; Path=/`, 'cache-control': 'no-store' });
      return res.end();
    }
    const c = cookieOf(req);
    if (!c || !same(c, session)) return deny(res);
    const headers = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' };
    switch (url.pathname) {
      case '/':
        res.writeHead(200, { ...headers, 'content-type': 'text/html; charset=utf-8', 'content-security-policy': "default-src 'self'" });
        return res.end(PAGE_HTML);
      case '/app.js':
        res.writeHead(200, { ...headers, 'content-type': 'text/javascript; charset=utf-8' });
        return res.end(PAGE_JS);
      case '/style.css':
        res.writeHead(200, { ...headers, 'content-type': 'text/css; charset=utf-8' });
        return res.end(PAGE_CSS);
      case '/metrics':
        res.writeHead(200, { ...headers, 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
        return res.end(renderMetrics(opts.traffic.snapshot()) + (opts.metrics?.render() ?? ''));
      case '/events': {
        res.writeHead(200, { ...headers, 'content-type': 'text/event-stream', connection: 'keep-alive' });
        clients.add(res);
        res.on('close', () => {
          clients.delete(res);
          if (!clients.size && timer) {
            clearInterval(timer);
            timer = undefined;
          }
        });
        res.write(`data: ${JSON.stringify(topology())}\n\n`);
        // Counters change without store events: while a page listens, look again once a second.
        timer ??= setInterval(() => push(), opts.refreshMs ?? 1000);
        return;
      }
      default:
        res.writeHead(404, { ...headers, 'content-type': 'text/plain' });
        return res.end('404 page not found\n');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port: opts.port ?? 0 }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${port}/?token=${token}`,
    port,
    stop: async () => {
      if (timer) clearInterval(timer);
      for (const res of clients) res.end();
      clients.clear();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

function deny(res: ServerResponse): void {
  res.writeHead(401, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
  res.end('401 Unauthorized: open the URL `kdp dashboard` prints (it carries the token)\n');
}
