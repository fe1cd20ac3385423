// `hashicorp/http-echo`: answers every request with `-text` (port 5678, `-listen=:5678`).
import { flagValue, listenPorts } from '../../lib/image-flags.js';
import { startHttpListeners } from './http-listener.js';
import type { ImageAdapter } from '../../lib/image-adapter.js';

export const httpEcho: ImageAdapter = {
  name: 'http-echo',
  repositories: ['hashicorp/http-echo'],
  start(ctx) {
    const text = flagValue(ctx.args, 'text') ?? ctx.env.get('ECHO_TEXT') ?? '';
    const status = Number(flagValue(ctx.args, 'status-code') ?? 200) || 200;
    const ports = listenPorts(ctx.container, flagValue(ctx.args, 'listen') ?? ctx.env.get('PORT'), 5678);
    ctx.log.stderr(`${new Date(ctx.now()).toISOString().slice(0, 19).replace('T', ' ').replace(/-/g, '/')} [INFO] server is listening on :${ports[0]}`);
    const body = text + '\n';
    return startHttpListeners(ctx, ports, (req, res) => {
      if (req.url === '/health') {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        return res.end('{"status":"ok"}\n');
      }
      res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(body), 'X-App-Name': 'http-echo', 'X-App-Version': '1.0.0' });
      res.end(body);
      ctx.log.stderr(`${req.headers.host ?? ''} ${req.socket.remoteAddress?.replace(/^::ffff:/, '')}:${req.socket.remotePort} "${req.method} ${req.url} HTTP/${req.httpVersion}" ${status} ${body.length} "${req.headers['user-agent'] ?? ''}"`);
    });
  },
};
