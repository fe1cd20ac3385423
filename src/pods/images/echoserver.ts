// `registry.k8s.io/echoserver` (port 8080): nginx+lua echo of the request and the pod it hit.
import type { IncomingMessage } from 'node:http';
import { listenPorts } from '../../lib/image-flags.js';
import { readBody, remoteIp, startHttpListeners } from './http-listener.js';
import type { ImageContext, ImageAdapter } from '../../lib/image-adapter.js';

export function echoserverText(ctx: ImageContext, req: IncomingMessage, port: number, body: Buffer): string {
  const url = new URL(req.url ?? '/', 'http://x');
  const pod = ctx.pod;
  const lines = [
    '',
    '',
    `Hostname: ${ctx.env.get('HOSTNAME') ?? pod.metadata.name}`,
    '',
    'Pod Information:',
    `\tnode name:\t${ctx.nodeName}`,
    `\tpod name:\t${pod.metadata.name}`,
    `\tpod namespace:\t${pod.metadata.namespace ?? 'default'}`,
    `\tpod IP:\t${ctx.podIP}`,
    '',
    'Server values:',
    '\tserver_version=nginx: 1.13.3 - lua: 10008',
    '',
    'Request Information:',
    `\tclient_address=${remoteIp(req)}`,
    `\tmethod=${req.method}`,
    `\treal path=${url.pathname}`,
    `\tquery=${url.search.slice(1)}`,
    `\trequest_version=${req.httpVersion}`,
    `\trequest_scheme=http`,
    `\trequest_uri=http://${req.headers.host ?? `${ctx.podIP}:${port}`}${req.url}`,
    '',
    'Request Headers:',
    ...Object.entries(req.headers)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([k, v]) => `\t${k}=${Array.isArray(v) ? v.join(', ') : v}`),
    '',
    'Request Body:',
    body.length ? `\t${body.toString('utf8')}` : '\t-no body in request-',
    '',
    '',
  ];
  return lines.join('\n');
}

export const echoserver: ImageAdapter = {
  name: 'echoserver',
  repositories: ['echoserver', 'google_containers/echoserver', 'google-containers/echoserver'],
  start(ctx) {
    const ports = listenPorts(ctx.container, ctx.env.get('PORT'), 8080);
    return startHttpListeners(ctx, ports, (req, res, port) => {
      void readBody(req).then((body) => {
        const text = echoserverText(ctx, req, port, body);
        res.writeHead(200, { 'Content-Type': 'text/plain', Server: 'echoserver', 'Content-Length': Buffer.byteLength(text) });
        res.end(text);
        ctx.log.stdout(`${remoteIp(req)} - - [${ctx.now().toISOString()}] "${req.method} ${req.url} HTTP/${req.httpVersion}" 200 ${Buffer.byteLength(text)} "-" "${req.headers['user-agent'] ?? '-'}"`);
      });
    });
  },
};
