// `registry.k8s.io/gateway-api/echo-basic`, the Gateway API conformance suite's backend: on
// $HTTP_PORT (3000) every request is answered with JSON describing it — `path` (the request-target,
// query included), `host`, `method`, `proto`, `headers` (Go-canonical names → value lists, Host not
// among them), `httpPort`, `namespace`/`ingress`/`service`/`pod` from $NAMESPACE, $INGRESS_NAME,
// $SERVICE_NAME, $POD_NAME. `?delay=1s` waits first; `X-Echo-Set-Header: name:value,…` sets response
// headers; `/health` → 200 OK; `/status/NNN` → that status. Every echo is logged as upstream logs it
// (`Echoing back request made to <path> to client (<addr>)`), which the mirror test reads.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ImageAdapter } from '../../lib/image-adapter.js';
import { startHttpListeners } from './http-listener.js';

/** Go's textproto.CanonicalMIMEHeaderKey: `x-foo-bar` → `X-Foo-Bar`. */
export function canonicalHeaderKey(name: string): string {
  if (!/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(name)) return name;
  return name.toLowerCase().replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => dash + c.toUpperCase());
}

/** Go's time.ParseDuration for the forms a test writes (`500ms`, `1s`, `1m30s`, `1.5s`); undefined if invalid. */
export function parseGoDuration(s: string): number | undefined {
  const units: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  if (s === '0') return 0;
  let ms = 0;
  let rest = s;
  while (rest.length) {
    const m = /^(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/.exec(rest);
    if (!m) return undefined;
    ms += Number(m[1]) * units[m[2]];
    rest = rest.slice(m[0].length);
  }
  return s.length ? ms : undefined;
}

export interface EchoContext {
  namespace: string;
  ingress: string;
  service: string;
  pod: string;
  httpPort: string;
}

/** The echo document of one request (what upstream's echoHandler marshals). */
export function echoDocument(req: Pick<IncomingMessage, 'url' | 'method' | 'httpVersion' | 'rawHeaders' | 'headers'>, ctx: EchoContext): object {
  const headers: Record<string, string[]> = {};
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const name = canonicalHeaderKey(req.rawHeaders[i]);
    if (name === 'Host') continue;
    (headers[name] ??= []).push(req.rawHeaders[i + 1]);
  }
  return {
    path: req.url ?? '/', host: req.headers.host ?? '', method: req.method, proto: `HTTP/${req.httpVersion}`, headers,
    httpPort: ctx.httpPort, namespace: ctx.namespace, ingress: ctx.ingress, service: ctx.service, pod: ctx.pod,
  };
}

function setEchoHeaders(req: IncomingMessage, res: ServerResponse): void {
  const set = new Map<string, string>();
  for (const list of req.headersDistinct['x-echo-set-header'] ?? []) {
    for (const kv of list.split(',')) {
      const t = kv.trim();
      const i = t.indexOf(':');
      const name = i < 0 ? t : t.slice(0, i);
      const value = i < 0 ? '' : t.slice(i + 1);
      if (!name) continue;
      set.set(name, set.has(name) ? `${set.get(name)},${value.trim()}` : value);
    }
  }
  for (const [name, value] of set) res.setHeader(name, value);
}

export const echoBasic: ImageAdapter = {
  name: 'echo-basic',
  repositories: ['gateway-api/echo-basic'],
  start(ctx) {
    const httpPort = ctx.env.get('HTTP_PORT') || '3000';
    const echo: EchoContext = {
      namespace: ctx.env.get('NAMESPACE') ?? '', ingress: ctx.env.get('INGRESS_NAME') ?? '',
      service: ctx.env.get('SERVICE_NAME') ?? '', pod: ctx.env.get('POD_NAME') ?? '', httpPort,
    };
    return startHttpListeners(ctx, [Number(httpPort)], (req, res) => {
      req.resume();
      const url = req.url ?? '/';
      if (url === '/health') {
        res.writeHead(200);
        return void res.end('OK');
      }
      if (url.startsWith('/status/')) {
        const m = /^\/status\/(\d\d\d)$/.exec(url);
        res.writeHead(m ? Number(m[1]) : 400);
        return void res.end();
      }
      ctx.log.stdout(`Echoing back request made to ${url} to client (${req.socket.remoteAddress}:${req.socket.remotePort})`);
      const delay = new URL(url, 'http://x').searchParams.get('delay');
      const wait = delay ? parseGoDuration(delay) : 0;
      const answer = () => {
        if (wait === undefined) {
          const body = JSON.stringify({ message: `time: invalid duration "${delay}"` });
          res.writeHead(500, { 'Content-Type': 'application/json', 'X-Content-Type-Options': 'nosniff' });
          return void res.end(body);
        }
        const body = JSON.stringify(echoDocument(req, echo), null, ' ');
        setEchoHeaders(req, res);
        res.setHeader('Content-Type', 'application/json');
        res.setHeader('X-Content-Type-Options', 'nosniff');
        res.end(body);
      };
      if (wait) setTimeout(answer, wait);
      else answer();
    });
  },
};
