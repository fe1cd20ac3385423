// The socket shell of the HTTP built-ins: one node:http server per port on the pod IP, keep-alive,
// graceful stop (stop accepting at once, let in-flight requests finish, then close).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import net from 'node:net';
import { bindReason } from '../../lib/bind-errors.js';
import type { ImageContext, ImageProcess } from '../../lib/image-adapter.js';

/** After stop, how long the listener keeps accepting while clients are told `Connection: close`. */
const DRAIN_MS = 1000;

export interface HttpListenerOptions {
  /** Idle keep-alive timeout (nginx: 75 s). */
  keepAliveTimeoutMs?: number;
  /** The line the image logs when a port cannot be bound, e.g. nginx's `[emerg] bind() … failed`. */
  bindErrorLine?(host: string, port: number, err: NodeJS.ErrnoException): string;
}

export interface HttpListeners extends ImageProcess {
  /** Ends the "container" with an exit code (agnhost /exit). */
  exit(code: number): void;
}

export type HttpHandler = (req: IncomingMessage, res: ServerResponse, port: number) => void;

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.once('error', onError);
    server.listen({ host, port, exclusive: true }, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

export async function startHttpListeners(ctx: ImageContext, ports: number[], handler: HttpHandler, opts: HttpListenerOptions = {}): Promise<HttpListeners> {
  const servers: Server[] = [];
  let resolveExit!: (code: number) => void;
  const exited = new Promise<number>((r) => (resolveExit = r));
  let stopping: Promise<void> | undefined;
  let exitCode = 0;

  const stop = (graceMs: number): Promise<void> => {
    stopping ??= (async () => {
      await Promise.all(
        servers.map(
          (s) =>
            new Promise<void>((resolve) => {
              if (!s.listening) return resolve();
              const timer = setTimeout(() => s.closeAllConnections(), Math.max(0, graceMs));
              // Drain, as a server behind a load balancer does (the preStop-sleep pattern): every
              // response from now on says `Connection: close` (see the handler below), and for
              // DRAIN_MS the listener keeps accepting — kube-proxy stops sending new connections within
              // milliseconds of the deletion, and closing a listener resets the connections still in its
              // accept queue. Then it closes, without http.Server.close()'s closeIdleConnections() at the
              // instant a keep-alive client may be sending its next request; connections still idle then
              // are really idle and are closed.
              const drain = setTimeout(() => {
                net.Server.prototype.close.call(s, () => {
                  clearTimeout(timer);
                  resolve();
                });
                s.closeIdleConnections();
              }, Math.min(DRAIN_MS, Math.max(0, graceMs)));
            }),
        ),
      );
      resolveExit(exitCode);
    })();
    return stopping;
  };

  for (const port of ports) {
    const server = createServer({ keepAliveTimeout: opts.keepAliveTimeoutMs ?? 75_000, requestTimeout: 60_000 }, (req, res) => {
      try {
        if (stopping) res.setHeader('Connection', 'close');
        handler(req, res, port);
      } catch (err) {
        if (!res.headersSent) res.writeHead(500);
        res.end();
        ctx.log.stderr(`internal error: ${(err as Error).message}`);
      }
    });
    server.on('clientError', (_err, socket) => {
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
      else socket.destroy();
    });
    try {
      await listen(server, ctx.podIP, port);
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      if (opts.bindErrorLine) ctx.log.stderr(opts.bindErrorLine(ctx.podIP, port, e));
      await stop(0);
      throw Object.assign(new Error(`listen tcp ${ctx.podIP}:${port}: bind: ${bindReason(e)}`), { code: e.code });
    }
    servers.push(server);
  }
  return {
    exited,
    stop,
    exit(code: number) {
      exitCode = code;
      void stop(1000);
    },
  };
}

/** Reads a request body up to `limit` bytes. */
export function readBody(req: IncomingMessage, limit = 1 << 20): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= limit) chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', () => resolve(Buffer.concat(chunks)));
  });
}

/** The client address without the IPv4-mapped prefix. */
export function remoteIp(req: IncomingMessage): string {
  return (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
}
