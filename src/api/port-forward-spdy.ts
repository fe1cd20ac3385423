// `kubectl port-forward` over SPDY/3.1 (`X-Stream-Protocol-Version: portforward.k8s.io`): for every
// local connection kubectl opens an error stream and a data stream with the same `requestID` and
// `port` headers; kdp dials the pod's IP at that port (pods listen on their own loopback address)
// and copies bytes both ways. kubectl 1.31+ carries the same SPDY session inside a WebSocket
// (port-forward-ws.ts).
import net from 'node:net';
import type http from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { ApiError, errors } from './errors.js';
import { isSpdyUpgrade } from './exec-spdy.js';
import { SpdyConnection, type SpdyStream } from './spdy-connection.js';
import type { ObjectStore } from './store.js';

export const PORT_FORWARD_PROTOCOL = 'portforward.k8s.io';

export interface PortForwardUpgrade {
  store: ObjectStore;
  req: http.IncomingMessage;
  socket: Socket;
  head: Buffer;
  namespace?: string;
  name: string;
}

function refuse(socket: Socket, err: ApiError): void {
  const body = JSON.stringify(err.status);
  socket.end(`HTTP/1.1 ${err.code} ${err.reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
}

/** The pod's IP, if port-forward to it can start (as the apiserver and kubelet check before the upgrade). */
export function portForwardTarget(store: ObjectStore, namespace: string | undefined, name: string): string {
  const pod = store.get('/pods', namespace ?? 'default', name);
  if (pod.status?.phase !== 'Running' || !pod.status?.podIP) throw errors.badRequest(`unable to upgrade connection: pod ${name} is not running`);
  return pod.status.podIP;
}

export function handlePortForwardUpgrade(u: PortForwardUpgrade): void {
  const offered = String(u.req.headers['x-stream-protocol-version'] ?? '').split(',').map((s) => s.trim());
  let podIP: string;
  try {
    if (!isSpdyUpgrade(u.req.headers)) throw errors.badRequest('unable to upgrade connection: port-forward needs Upgrade: SPDY/3.1 or websocket');
    if (!offered.includes(PORT_FORWARD_PROTOCOL)) throw errors.badRequest(`unable to upgrade connection: unable to negotiate protocol: client supports ${offered.join(', ')}, server supports ${PORT_FORWARD_PROTOCOL}`);
    podIP = portForwardTarget(u.store, u.namespace, u.name);
  } catch (err) {
    refuse(u.socket, err instanceof ApiError ? err : errors.internal(String(err)));
    return;
  }
  u.socket.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: ${PORT_FORWARD_PROTOCOL}\r\n\r\n`);
  serveSpdyPortForward(u.socket, u.head, podIP);
}

/**
 * The SPDY side of port-forward on an upgraded connection (a TCP socket, or the byte stream a
 * WebSocket tunnel carries): every error+data stream pair with one `requestID` is one connection.
 */
export function serveSpdyPortForward(transport: Duplex, head: Buffer, podIP: string): void {
  const pairs = new Map<string, { error?: SpdyStream; data?: SpdyStream }>();
  const sockets = new Set<net.Socket>();
  const conn = new SpdyConnection(transport, (s) => {
    const id = s.headers.requestid ?? '';
    const pair = pairs.get(id) ?? {};
    pairs.set(id, pair);
    if (s.headers.streamtype === 'error') pair.error = s;
    else if (s.headers.streamtype === 'data') pair.data = s;
    if (pair.error && pair.data) {
      pairs.delete(id);
      forward(podIP, Number(s.headers.port), pair.error, pair.data, sockets);
    }
  }, () => {
    for (const s of sockets) s.destroy();
  });
  if (head.length) conn.receive(head);
}

function forward(podIP: string, port: number, error: SpdyStream, data: SpdyStream, sockets: Set<net.Socket>): void {
  const upstream = net.connect({ host: podIP, port });
  sockets.add(upstream);
  upstream.setNoDelay(true);
  data.incoming.on('data', (c: Buffer) => upstream.write(c));
  data.incoming.on('end', () => upstream.end());
  upstream.on('data', (c: Buffer) => data.write(c));
  upstream.on('end', () => data.end());
  upstream.on('error', (err: NodeJS.ErrnoException) => {
    error.write(`error forwarding port ${port} to pod ${podIP}: ${err.code === 'ECONNREFUSED' ? `dial tcp ${podIP}:${port}: connect: connection refused` : err.message}`);
    error.end();
    data.end();
  });
  upstream.on('close', () => {
    sockets.delete(upstream);
    error.end();
  });
}
