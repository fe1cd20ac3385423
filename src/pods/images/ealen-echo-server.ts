// `ealen/echo-server` (port 80, or $PORT): JSON with the request, the host and the environment.
import { listenPorts } from '../../lib/image-flags.js';
import { readBody, startHttpListeners } from './http-listener.js';
import type { ImageAdapter } from '../../lib/image-adapter.js';

export const ealenEchoServer: ImageAdapter = {
  name: 'echo-server',
  repositories: ['ealen/echo-server'],
  start(ctx) {
    const ports = listenPorts(ctx.container, ctx.env.get('PORT'), 80);
    const environment: Record<string, string> = Object.fromEntries(ctx.env);
    environment.POD_NAME ??= ctx.pod.metadata.name;
    environment.POD_NAMESPACE ??= ctx.pod.metadata.namespace ?? 'default';
    environment.NODE_NAME ??= ctx.nodeName;
    environment.POD_IP ??= ctx.podIP;
    return startHttpListeners(ctx, ports, (req, res) => {
      void readBody(req).then((raw) => {
        const url = new URL(req.url ?? '/', 'http://x');
        let body: unknown = {};
        if (raw.length) {
          try {
            body = JSON.parse(raw.toString('utf8'));
          } catch {
            body = raw.toString('utf8');
          }
        }
        const cookies: Record<string, string> = {};
        for (const c of String(req.headers.cookie ?? '').split(';')) {
          const i = c.indexOf('=');
          if (i > 0) cookies[c.slice(0, i).trim()] = c.slice(i + 1).trim();
        }
        const out = JSON.stringify({
          host: { hostname: ctx.env.get('HOSTNAME') ?? ctx.pod.metadata.name, ip: `::ffff:${ctx.podIP}`, ips: [] },
          http: { method: req.method, baseUrl: '', originalUrl: req.url, protocol: 'http' },
          request: { params: { '0': url.pathname }, query: Object.fromEntries(url.searchParams), cookies, body, headers: req.headers },
          environment,
        });
        res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(out) });
        res.end(out);
      });
    });
  },
};
