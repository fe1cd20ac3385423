// `traefik/whoami`: prints the pod's hostname and IPs and the request it received (as Go's
// Request.Write renders it). `/api` answers JSON, `/health` 200; `--port`/WHOAMI_PORT_NUMBER,
// `--name`/WHOAMI_NAME as in the real image.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { flagValue, listenPorts } from '../../lib/image-flags.js';
import { startHttpListeners } from './http-listener.js';
import type { ImageContext, ImageAdapter } from '../../lib/image-adapter.js';

/** Go's http.CanonicalHeaderKey: `x-forwarded-for` → `X-Forwarded-For`. */
export function canonicalHeader(name: string): string {
  return name.toLowerCase().replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => dash + c.toUpperCase());
}

/** The request as whoami prints it: request line, Host, User-Agent, the other headers sorted. */
export function requestDump(req: IncomingMessage): string {
  const lines = [`${req.method} ${req.url} HTTP/${req.httpVersion}`, `Host: ${req.headers.host ?? ''}`];
  const ua = req.headers['user-agent'];
  if (ua) lines.push(`User-Agent: ${ua}`);
  const names = Object.keys(req.headers)
    .filter((h) => h !== 'host' && h !== 'user-agent')
    .map(canonicalHeader)
    .sort();
  for (const n of names) {
    const v = req.headers[n.toLowerCase()];
    for (const x of Array.isArray(v) ? v : [v]) lines.push(`${n}: ${x}`);
  }
  return lines.join('\r\n') + '\r\n\r\n';
}

function ips(ctx: ImageContext): string[] {
  return ['127.0.0.1', '::1', ctx.podIP];
}

export const whoami: ImageAdapter = {
  name: 'whoami',
  repositories: ['traefik/whoami', 'containous/whoami'],
  start(ctx) {
    const ports = listenPorts(ctx.container, flagValue(ctx.args, 'port') ?? ctx.env.get('WHOAMI_PORT_NUMBER'), 80);
    const name = flagValue(ctx.args, 'name') ?? ctx.env.get('WHOAMI_NAME');
    const hostname = ctx.env.get('HOSTNAME') ?? ctx.pod.metadata.name;
    ctx.log.stdout(`${ctx.now().toISOString().replace('T', ' ').slice(0, 19).replace(/-/g, '/')} Starting up on port ${ports[0]}`);
    const handle = (req: IncomingMessage, res: ServerResponse) => {
      const url = new URL(req.url ?? '/', 'http://x');
      const remote = `${req.socket.remoteAddress?.replace(/^::ffff:/, '')}:${req.socket.remotePort}`;
      if (url.pathname === '/health') {
        res.writeHead(200, { 'Content-Length': 0 });
        return res.end();
      }
      if (url.pathname === '/api') {
        const headers: Record<string, string[]> = {};
        for (const [k, v] of Object.entries(req.headers)) if (k !== 'host' && v !== undefined) headers[canonicalHeader(k)] = Array.isArray(v) ? v : [v];
        const body = JSON.stringify({ hostname, ip: ips(ctx), headers, url: req.url, host: req.headers.host ?? '', method: req.method, name: name ?? '', remoteAddr: remote });
        res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
        return res.end(body);
      }
      let out = '';
      if (name) out += `Name: ${name}\n`;
      out += `Hostname: ${hostname}\n`;
      for (const ip of ips(ctx)) out += `IP: ${ip}\n`;
      out += `RemoteAddr: ${remote}\n`;
      out += requestDump(req);
      if (url.searchParams.get('env') === 'true') for (const [k, v] of ctx.env) out += `${k}=${v}\n`;
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(out) });
      res.end(out);
    };
    return startHttpListeners(ctx, ports, handle, { keepAliveTimeoutMs: 5_000 });
  },
};
