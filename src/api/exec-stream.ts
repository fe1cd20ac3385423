// `exec` over WebSocket, the Kubernetes remotecommand protocol: every binary message starts with a
// channel byte (0 stdin, 1 stdout, 2 stderr, 3 error/Status, 4 resize; v5 adds 255 = close a channel).
import type http from 'node:http';
import type { Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { ApiError, errors } from './errors.js';
import type { ExecOptions, ExecSession, PodConnector } from './pod-connector.js';
import type { ObjectStore } from './store.js';
import type { KObject } from './types.js';
import { openAttach, prepareAttach, streamTarget } from './attach-stream.js';

const PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'];
const wss = new WebSocketServer({
  noServer: true,
  perMessageDeflate: false,
  handleProtocols: (offered) => PROTOCOLS.find((p) => offered.has(p)) ?? false,
});

export const CH = { stdin: 0, stdout: 1, stderr: 2, error: 3, resize: 4, close: 255 } as const;

export interface ExecUpgrade {
  store: ObjectStore;
  connector: PodConnector;
  req: http.IncomingMessage;
  socket: Socket;
  head: Buffer;
  namespace?: string;
  name: string;
  query: URLSearchParams;
  /** `pods/attach` instead of `pods/exec`: no command, the container's main process. */
  attach?: boolean;
}

function frame(channel: number, data: Buffer | string): Buffer {
  const body = typeof data === 'string' ? Buffer.from(data) : data;
  const out = Buffer.allocUnsafe(body.length + 1);
  out[0] = channel;
  body.copy(out, 1);
  return out;
}

export function exitStatus(code: number): object {
  if (code === 0) return { metadata: {}, status: 'Success' };
  return {
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: error executing command [], exit code ${code}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(code) }] },
  };
}

export function handleExecUpgrade(u: ExecUpgrade): void {
  const offered = String(u.req.headers['sec-websocket-protocol'] ?? '').split(',').map((s) => s.trim());
  if (!offered.some((p) => PROTOCOLS.includes(p))) {
    const status = errors.badRequest(`unable to upgrade connection: none of the requested subprotocols (${offered.join(', ')}) is supported: ${PROTOCOLS.join(', ')}`).status;
    const body = JSON.stringify(status);
    u.socket.end(`HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    return;
  }
  wss.handleUpgrade(u.req, u.socket, u.head, (ws) => {
    run(u, ws).catch((err) => {
      const status = err instanceof ApiError ? err.status : errors.internal(String(err?.message ?? err)).status;
      if (ws.readyState === ws.OPEN) ws.send(frame(CH.error, JSON.stringify(status)));
      ws.close(1000);
    });
  });
}

/** Checks an exec request the way the apiserver does before it upgrades the connection. */
export function prepareExec(u: Pick<ExecUpgrade, 'store' | 'namespace' | 'name' | 'query'>): { pod: KObject; opts: ExecOptions } {
  const pod = u.store.get('/pods', u.namespace ?? 'default', u.name);
  const command = u.query.getAll('command');
  if (!command.length) throw errors.badRequest('you must specify at least 1 command');
  const { container, stdin, tty } = streamTarget(pod, u.name, u.query);
  if (pod.status?.phase !== 'Running') {
    throw errors.badRequest(`unable to upgrade connection: container not found ("${container}")`);
  }
  return { pod, opts: { container, command, stdin, tty } };
}

/** exec or attach: checks the request, then (once upgraded) opens the session. */
export function prepareSession(u: ExecUpgrade): { pod: KObject; opts: ExecOptions } {
  return u.attach ? prepareAttach(u) : prepareExec(u);
}

export function openSession(u: ExecUpgrade, pod: KObject, opts: ExecOptions): Promise<ExecSession> {
  return u.attach ? openAttach(u.connector, pod, opts) : u.connector.exec(pod, opts);
}

async function run(u: ExecUpgrade, ws: WebSocket): Promise<void> {
  const { pod, opts } = prepareSession(u);
  const v5 = ws.protocol === 'v5.channel.k8s.io';
  const session: ExecSession = await openSession(u, pod, opts);
  const pending: Buffer[] = [];
  ws.on('message', (data: Buffer, isBinary) => {
    const buf = isBinary ? data : Buffer.from(data);
    if (!buf.length) return;
    const ch = buf[0];
    const payload = buf.subarray(1);
    if (ch === CH.stdin) {
      if (session.stdin) session.stdin.write(payload);
      else pending.push(payload);
    } else if (ch === CH.resize) {
      try {
        const { Width, Height } = JSON.parse(payload.toString());
        session.resize?.(Width, Height);
      } catch {
        /* ignore a bad resize message */
      }
    } else if (ch === CH.close && v5 && payload[0] === CH.stdin) {
      session.stdin?.end();
    }
  });
  ws.on('close', () => session.kill());
  const send = (ch: number) => (chunk: Buffer) => {
    if (ws.readyState === ws.OPEN) ws.send(frame(ch, chunk));
  };
  session.stdout.on('data', send(CH.stdout));
  session.stderr?.on('data', send(CH.stderr));
  const code = await session.exited;
  if (ws.readyState === ws.OPEN) {
    ws.send(frame(CH.error, JSON.stringify(exitStatus(code))));
    ws.close(1000);
  }
}
