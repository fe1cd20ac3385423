// `nginx` (docker.io/library/nginx and friends): the official image with its default config —
// the welcome page on `/` and `/index.html`, 50x.html, nginx's error pages elsewhere, access log
// lines in the `main` log_format on stdout.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { listenPorts } from '../../lib/image-flags.js';
import { startHttpListeners, remoteIp } from './http-listener.js';
import { errorPage, FIFTY_X_PAGE, WELCOME_PAGE } from '../../lib/nginx-pages.js';
import type { ImageContext, ImageAdapter } from '../../lib/image-adapter.js';
import { mountedDir, serveFromDir } from '../volumes/static-files.js';

const DEFAULT_VERSION = '1.27.3';
const KNOWN_MINOR: Record<string, string> = { '1.27': '1.27.3', '1.26': '1.26.2', '1.25': '1.25.5', '1.24': '1.24.0', '1.23': '1.23.4' };
/** The files of /usr/share/nginx/html in the image, with their Last-Modified. */
const LAST_MODIFIED = new Date('2024-11-26T15:55:00Z');

/** The nginx version a tag names: `1.25.3-alpine` → 1.25.3, `1.25` → 1.25.5, `stable` → 1.26.2. */
export function nginxVersion(tag: string | undefined): string {
  if (!tag) return DEFAULT_VERSION;
  const full = /^(\d+\.\d+\.\d+)/.exec(tag);
  if (full) return full[1];
  const minor = /^(\d+\.\d+)/.exec(tag);
  if (minor) return KNOWN_MINOR[minor[1]] ?? `${minor[1]}.0`;
  if (tag.startsWith('stable')) return '1.26.2';
  return DEFAULT_VERSION;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number) => String(n).padStart(2, '0');

/** `$time_local` in UTC: `25/Nov/2024:08:42:00 +0000`. */
export function timeLocal(d: Date): string {
  return `${pad(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`;
}

/** The `main` log_format of the official image. */
export function accessLogLine(req: IncomingMessage, status: number, bytes: number, now: Date): string {
  const h = (name: string) => {
    const v = req.headers[name];
    return (Array.isArray(v) ? v.join(', ') : v) || '-';
  };
  return `${remoteIp(req)} - - [${timeLocal(now)}] "${req.method} ${req.url} HTTP/${req.httpVersion}" ${status} ${bytes} "${h('referer')}" "${h('user-agent')}" "${h('x-forwarded-for')}"`;
}

function safeDecode(path: string): string | undefined {
  try {
    return decodeURIComponent(path);
  } catch {
    return undefined;
  }
}

interface StaticFile {
  body: Buffer;
  etag: string;
}

function staticFile(text: string): StaticFile {
  const body = Buffer.from(text);
  return { body, etag: `"${Math.floor(LAST_MODIFIED.getTime() / 1000).toString(16)}-${body.length.toString(16)}"` };
}

const FILES: Record<string, StaticFile> = {
  '/index.html': staticFile(WELCOME_PAGE),
  '/50x.html': staticFile(FIFTY_X_PAGE),
};

function startupLines(ctx: ImageContext, version: string): void {
  const d = ctx.now();
  const ts = `${d.getUTCFullYear()}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  ctx.log.stdout('/docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt to perform configuration');
  ctx.log.stdout('/docker-entrypoint.sh: Looking for shell scripts in /docker-entrypoint.d/');
  ctx.log.stdout('/docker-entrypoint.sh: Configuration complete; ready for start up');
  ctx.log.stderr(`${ts} [notice] 1#1: using the "epoll" event method`);
  ctx.log.stderr(`${ts} [notice] 1#1: nginx/${version}`);
  ctx.log.stderr(`${ts} [notice] 1#1: start worker processes`);
}

export const nginx: ImageAdapter = {
  name: 'nginx',
  repositories: ['nginx', 'nginxinc/nginx-unprivileged', 'bitnami/nginx'],
  async start(ctx) {
    const version = nginxVersion(ctx.image.tag);
    const server = `nginx/${version}`;
    const unprivileged = ctx.image.repository !== 'nginx';
    const ports = listenPorts(ctx.container, undefined, unprivileged ? 8080 : 80);
    startupLines(ctx, version);
    const docroot = mountedDir(ctx.mounts, '/usr/share/nginx/html');

    const handle = (req: IncomingMessage, res: ServerResponse) => {
      const path = safeDecode((req.url ?? '/').split('?')[0]);
      let status = path === undefined ? 400 : 200;
      let body: Buffer;
      const headers: Record<string, string | number> = { Server: server };
      // A volume mounted at /usr/share/nginx/html replaces the image's files (../volumes/static-files.ts).
      const served = docroot && path !== undefined ? serveFromDir(docroot, path) : undefined;
      const file = path === undefined ? undefined : docroot ? served : FILES[path === '/' ? '/index.html' : path];
      if (status !== 200) {
        // bad request line
      } else if (!file) {
        status = 404;
      } else if (req.method !== 'GET' && req.method !== 'HEAD') {
        status = 405;
      }
      if (status !== 200) {
        body = Buffer.from(errorPage(status, server));
        headers['Content-Type'] = 'text/html';
      } else {
        body = file!.body;
        headers['Content-Type'] = served?.contentType ?? 'text/html';
        headers['Last-Modified'] = (served?.lastModified ?? LAST_MODIFIED).toUTCString();
        headers.ETag = file!.etag;
        headers['Accept-Ranges'] = 'bytes';
        if (req.headers['if-none-match'] === file!.etag) {
          status = 304;
          body = Buffer.alloc(0);
        }
      }
      if (status !== 304) headers['Content-Length'] = body.length;
      res.writeHead(status, headers);
      res.end(req.method === 'HEAD' ? undefined : body);
      ctx.log.stdout(accessLogLine(req, status, req.method === 'HEAD' ? 0 : body.length, ctx.now()));
    };

    return startHttpListeners(ctx, ports, handle, {
      keepAliveTimeoutMs: 75_000,
      bindErrorLine: (host, port, err) => `${timeLocal(ctx.now())} [emerg] 1#1: bind() to ${host}:${port} failed (${err.errno ? -err.errno : 98}: ${err.code === 'EADDRINUSE' ? 'Address already in use' : err.message})`,
    });
  },
};
