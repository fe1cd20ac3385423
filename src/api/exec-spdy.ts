// `exec` over SPDY/3.1, the remotecommand transport of kubectl ≤ 1.29 (and the fallback of newer
// ones): after `Upgrade: SPDY/3.1` the client opens one stream per channel, named by its `streamType`
// header (error, stdin, stdout, stderr, resize). With v4.channel.k8s.io the error stream carries the
// command's outcome as a metav1.Status (exit code in reason NonZeroExitCode); v1–v3 carry plain text.
import type { Socket } from 'node:net';
import { ApiError, errors } from './errors.js';
import { boolParam } from './query-params.js';
import { exitStatus, openSession, prepareSession, type ExecUpgrade } from './exec-stream.js';
import type { ExecSession } from './pod-connector.js';
import { SpdyConnection, type SpdyStream } from './spdy-connection.js';

export const SPDY_EXEC_PROTOCOLS = ['v4.channel.k8s.io', 'v3.channel.k8s.io', 'v2.channel.k8s.io', 'channel.k8s.io'];
const STREAM_WAIT_MS = 30_000;

export function isSpdyUpgrade(headers: Record<string, string | string[] | undefined>): boolean {
  return /^spdy\/3\.1$/i.test(String(headers.upgrade ?? '').trim());
}

/** Picks the first protocol in the client's `X-Stream-Protocol-Version` list that kdp speaks. */
export function negotiateStreamProtocol(offered: string | string[] | undefined): string | undefined {
  const list = (Array.isArray(offered) ? offered.join(',') : offered ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  return list.find((p) => SPDY_EXEC_PROTOCOLS.includes(p));
}

function httpError(socket: Socket, err: unknown): void {
  const status = err instanceof ApiError ? err.status : errors.internal(String((err as Error)?.message ?? err)).status;
  const body = JSON.stringify(status);
  socket.end(`HTTP/1.1 ${status.code} ${status.reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
}

export function handleSpdyExecUpgrade(u: ExecUpgrade): void {
  const protocol = negotiateStreamProtocol(u.req.headers['x-stream-protocol-version']);
  let prepared: ReturnType<typeof prepareSession>;
  try {
    if (!protocol) {
      throw errors.badRequest(`unable to upgrade connection: unable to upgrade: unable to negotiate protocol: client supports ${String(u.req.headers['x-stream-protocol-version'] ?? '')}, server supports ${SPDY_EXEC_PROTOCOLS.join(', ')}`);
    }
    prepared = prepareSession(u);
  } catch (err) {
    httpError(u.socket, err);
    return;
  }
  const { pod, opts } = prepared;
  u.socket.write(
    'HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\n' +
      `X-Stream-Protocol-Version: ${protocol}\r\n\r\n`,
  );
  const wanted = new Set(['error']);
  if (opts.stdin) wanted.add('stdin');
  if (boolParam(u.query, 'stdout')) wanted.add('stdout');
  if (boolParam(u.query, 'stderr') && !opts.tty) wanted.add('stderr');
  if (opts.tty && protocol !== 'channel.k8s.io' && protocol !== 'v2.channel.k8s.io') wanted.add('resize');

  const streams = new Map<string, SpdyStream>();
  let session: ExecSession | undefined;
  let started = false;
  const conn = new SpdyConnection(u.socket, (s) => {
    streams.set(s.headers.streamtype ?? '', s);
    if (!started && [...wanted].every((w) => streams.has(w))) {
      started = true;
      clearTimeout(timer);
      start().catch((err) => finish(err));
    }
  }, () => {
    clearTimeout(timer);
    session?.kill();
  });
  if (u.head.length) conn.receive(u.head);
  const timer = setTimeout(() => conn.close(), STREAM_WAIT_MS);

  const finish = (outcome: number | unknown) => {
    const error = streams.get('error');
    if (typeof outcome === 'number') {
      if (protocol === 'v4.channel.k8s.io') error?.write(JSON.stringify(exitStatus(outcome)));
      else if (outcome !== 0) error?.write(`command terminated with non-zero exit code: exit code ${outcome}`);
    } else {
      const status = outcome instanceof ApiError ? outcome.status : errors.internal(String((outcome as Error)?.message ?? outcome)).status;
      error?.write(protocol === 'v4.channel.k8s.io' ? JSON.stringify(status) : status.message);
    }
    for (const s of streams.values()) s.end();
    conn.close();
  };

  const start = async () => {
    session = await openSession(u, pod, opts);
    const s = session;
    const stdin = streams.get('stdin');
    if (stdin && s.stdin) stdin.incoming.pipe(s.stdin);
    const resize = streams.get('resize');
    if (resize) {
      let pending = '';
      resize.incoming.on('data', (c: Buffer) => {
        pending += c.toString();
        // a stream of JSON objects: {"Width":80,"Height":24}{"Width":…
        let m: RegExpMatchArray | null;
        while ((m = pending.match(/^\s*(\{[^}]*\})/))) {
          pending = pending.slice(m[0].length);
          try {
            const { Width, Height } = JSON.parse(m[1]);
            s.resize?.(Width, Height);
          } catch {
            /* ignore a bad resize message */
          }
        }
      });
    }
    const stdout = streams.get('stdout');
    const stderr = streams.get('stderr');
    s.stdout.on('data', (c: Buffer) => stdout?.write(c));
    s.stderr?.on('data', (c: Buffer) => (stderr ?? stdout)?.write(c));
    finish(await s.exited);
  };
}
