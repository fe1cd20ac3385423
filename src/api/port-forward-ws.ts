// `port-forward` over WebSocket, both ways clients speak it:
// - tunnelled SPDY (kubectl/client-go ≥ 1.31, subprotocol `SPDY/3.1+portforward.k8s.io`): every binary
//   message carries the bytes of one SPDY/3.1 session, the same session `Upgrade: SPDY/3.1` gives
//   (port-forward-spdy.ts), so kubectl needs no fallback;
// - the kubelet's channel protocol (`v4.channel.k8s.io`, `v4.base64.channel.k8s.io`, or none: the
//   Python and JavaScript clients): `?ports=80,443`, one connection per port for the life of the
//   WebSocket, data on channel 2i, errors on 2i+1, each channel's first frame the port (uint16 LE).
import net from 'node:net';
import type http from 'node:http';
import type { Socket } from 'node:net';
import { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { ApiError, errors } from './errors.js';
import { PORT_FORWARD_PROTOCOL, portForwardTarget, serveSpdyPortForward, type PortForwardUpgrade } from './port-forward-spdy.js';

export const TUNNEL_PREFIX = 'SPDY/3.1+';
const TUNNEL_PROTOCOL = TUNNEL_PREFIX + PORT_FORWARD_PROTOCOL;
const CHANNEL_PROTOCOLS = ['v4.channel.k8s.io', 'v4.base64.channel.k8s.io'];

/**
 * `SPDY/3.1+portforward.k8s.io` is not an RFC 7230 token (the `/`), which the ws library refuses in
 * `Sec-WebSocket-Protocol`: a tunnel request is handed to it under this stand-in, and the answer's
 * header is put back to the real name (gorilla/websocket, client-go's side, accepts it).
 */
const TUNNEL_STAND_IN = 'kdp.tunnel.portforward.k8s.io';
const tunnelled = new WeakSet<http.IncomingMessage>();
const wss = new WebSocketServer({
  noServer: true,
  perMessageDeflate: false,
  handleProtocols: (offered) => (offered.has(TUNNEL_STAND_IN) ? TUNNEL_STAND_IN : (choose([...offered]) ?? false)),
});
wss.on('headers', (headers: string[], req: http.IncomingMessage) => {
  if (!tunnelled.has(req)) return;
  const i = headers.findIndex((h) => /^sec-websocket-protocol:/i.test(h));
  if (i >= 0) headers[i] = `Sec-WebSocket-Protocol: ${TUNNEL_PROTOCOL}`;
});

export function isWebSocketUpgrade(headers: http.IncomingHttpHeaders): boolean {
  return String(headers.upgrade ?? '').trim().toLowerCase() === 'websocket';
}

function offeredProtocols(req: http.IncomingMessage): string[] {
  return String(req.headers['sec-websocket-protocol'] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}

/** The tunnel when offered; else, as wsstream does, the first offered channel protocol kdp speaks. */
function choose(offered: string[]): string | undefined {
  if (offered.includes(TUNNEL_PROTOCOL)) return TUNNEL_PROTOCOL;
  return offered.find((p) => CHANNEL_PROTOCOLS.includes(p));
}

/** `ports` query parameters as the kubelet reads them (repeatable, comma-separated, 1..65535). */
export function parsePorts(query: URLSearchParams): number[] {
  const values = query.getAll('ports');
  if (!values.length) throw errors.badRequest('query parameter "ports" is required');
  const ports: number[] = [];
  for (const v of values) {
    if (!v) throw errors.badRequest('query parameter "ports" cannot be empty');
    for (const p of v.split(',')) {
      const n = /^\d+$/.test(p) ? Number(p) : NaN;
      if (!(n <= 65535)) throw errors.badRequest(`unable to parse "${v}" as a port: strconv.ParseUint: parsing "${p}": ${Number.isNaN(n) ? 'invalid syntax' : 'value out of range'}`);
      if (n < 1) throw errors.badRequest(`port "${v}" must be > 0`);
      ports.push(n);
    }
  }
  return ports;
}

function refuse(socket: Socket, err: ApiError): void {
  const body = JSON.stringify(err.status);
  socket.end(`HTTP/1.1 ${err.code} ${err.reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
}

export function handleWebSocketPortForward(u: PortForwardUpgrade & { query: URLSearchParams }): void {
  const offered = offeredProtocols(u.req);
  const protocol = choose(offered);
  let podIP: string;
  let ports: number[] = [];
  try {
    if (offered.length && !protocol) throw errors.badRequest(`unable to upgrade websocket connection: requested protocol(s) are not supported: [${offered.join(' ')}]; supports [${[TUNNEL_PROTOCOL, ...CHANNEL_PROTOCOLS].join(' ')}]`);
    if (protocol !== TUNNEL_PROTOCOL) ports = parsePorts(u.query);
    podIP = portForwardTarget(u.store, u.namespace, u.name);
  } catch (err) {
    refuse(u.socket, err instanceof ApiError ? err : errors.internal(String(err)));
    return;
  }
  if (protocol === TUNNEL_PROTOCOL) {
    tunnelled.add(u.req);
    u.req.headers['sec-websocket-protocol'] = TUNNEL_STAND_IN;
  }
  wss.handleUpgrade(u.req, u.socket, u.head, (ws) => {
    if (protocol === TUNNEL_PROTOCOL) serveSpdyPortForward(tunnel(ws), Buffer.alloc(0), podIP);
    else serveChannels(ws, ws.protocol === 'v4.base64.channel.k8s.io', podIP, ports);
  });
}

/** The WebSocket as the byte stream it tunnels: a write is one binary message, a message is bytes. */
function tunnel(ws: WebSocket): Duplex {
  const d = new Duplex({
    read() {},
    write(chunk: Buffer, _enc, cb) {
      if (ws.readyState === ws.OPEN) ws.send(chunk, { binary: true });
      cb();
    },
    final(cb) {
      if (ws.readyState === ws.OPEN) ws.close(1000);
      cb();
    },
  });
  ws.on('message', (data: Buffer) => d.push(data));
  ws.on('close', () => {
    d.push(null);
    d.destroy();
  });
  ws.on('error', () => d.destroy());
  return d;
}

function serveChannels(ws: WebSocket, base64: boolean, podIP: string, ports: number[]): void {
  const send = (channel: number, data: Buffer) => {
    if (ws.readyState !== ws.OPEN) return;
    if (base64) ws.send(String.fromCharCode(48 + channel) + data.toString('base64'));
    else ws.send(Buffer.concat([Buffer.of(channel), data]), { binary: true });
  };
  let open = ports.length;
  const upstreams = ports.map((port, i) => {
    const portBytes = Buffer.alloc(2);
    portBytes.writeUInt16LE(port);
    send(2 * i, portBytes);
    send(2 * i + 1, portBytes);
    const s = net.connect({ host: podIP, port });
    s.setNoDelay(true);
    s.on('data', (c: Buffer) => send(2 * i, c));
    s.on('error', (err: NodeJS.ErrnoException) => {
      const why = err.code === 'ECONNREFUSED' ? `dial tcp ${podIP}:${port}: connect: connection refused` : err.message;
      send(2 * i + 1, Buffer.from(`error forwarding port ${port} to pod ${podIP}: ${why}`));
    });
    s.on('close', () => {
      // As the kubelet: when every port's connection has ended, the WebSocket closes.
      if (--open === 0 && ws.readyState === ws.OPEN) ws.close(1000);
    });
    return s;
  });
  ws.on('message', (data: Buffer, isBinary) => {
    const raw = isBinary ? data : Buffer.from(data);
    if (!raw.length) return;
    const channel = base64 ? raw[0] - 48 : raw[0];
    const payload = base64 ? Buffer.from(raw.subarray(1).toString(), 'base64') : raw.subarray(1);
    // Only data channels are read; a frame for another channel is ignored, as wsstream does.
    if (channel % 2 === 0 && channel / 2 < upstreams.length && payload.length) upstreams[channel / 2].write(payload);
  });
  ws.on('close', () => {
    for (const s of upstreams) s.destroy();
  });
}
