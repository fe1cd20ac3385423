// One UDP frontend, as the userspace kube-proxy's UDP proxier: a socket on ip:port; each client
// address gets its own connected socket to one endpoint (a "session"), so replies find their way
// back. Sessions idle longer than idleTimeoutMs are closed by a sweep; an ICMP error (ECONNREFUSED
// on the connected socket) ends the session, and the client's next datagram picks the next endpoint.
import dgram, { type Socket as UdpSocket, type RemoteInfo } from 'node:dgram';
import type { Frontend, RoutedEndpoint } from '../routing-table.js';
import type { RoundRobin } from './round-robin.js';

export interface UdpProxyOptions {
  /** Close a client's session after this long without traffic. Default 30 s. */
  idleTimeoutMs?: number;
  now?: () => number;
}

interface Session {
  socket: UdpSocket;
  balancer: RoundRobin;
  endpoint: RoutedEndpoint;
  last: number;
  ready: boolean;
  /** Datagrams that arrived before the upstream socket connected. */
  queue: Buffer[];
}

export class UdpProxy {
  private readonly socket: UdpSocket;
  private readonly sessions = new Map<string, Session>();
  private readonly idleTimeoutMs: number;
  private readonly now: () => number;
  private sweeper?: NodeJS.Timeout;
  private closed = false;

  /** The balancer for a new session from `clientIP` (per client node for internalTrafficPolicy Local). */
  balancerFor: (clientIP: string | undefined) => RoundRobin | undefined;

  constructor(
    readonly frontend: Frontend,
    public balancer: RoundRobin,
    opts: UdpProxyOptions = {},
  ) {
    this.balancerFor = () => this.balancer;
    this.idleTimeoutMs = opts.idleTimeoutMs ?? 30_000;
    this.now = opts.now ?? Date.now;
    this.socket = dgram.createSocket({ type: 'udp4' });
    this.socket.on('message', (msg, rinfo) => this.onMessage(msg, rinfo));
  }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      this.socket.once('error', onError);
      this.socket.bind({ address: this.frontend.ip, port: this.frontend.port, exclusive: true }, () => {
        this.socket.off('error', onError);
        this.socket.on('error', () => {});
        this.sweeper = setInterval(() => this.sweep(), Math.max(1000, this.idleTimeoutMs / 2));
        this.sweeper.unref();
        resolve();
      });
    });
  }

  /** UDP has no connections to let finish: closing drops every session. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.sweeper) clearInterval(this.sweeper);
    for (const s of this.sessions.values()) s.socket.close();
    this.sessions.clear();
    await new Promise<void>((resolve) => {
      try {
        this.socket.close(() => resolve());
      } catch {
        resolve();
      }
    });
  }

  private onMessage(msg: Buffer, rinfo: RemoteInfo): void {
    const key = `${rinfo.address}:${rinfo.port}`;
    let s = this.sessions.get(key);
    if (!s) {
      const balancer = this.balancerFor(rinfo.address);
      const ep = balancer?.pick(rinfo.address);
      if (!ep) return; // no (local) endpoint: dropped
      s = this.openSession(key, balancer!, ep, rinfo);
    }
    s.last = this.now();
    if (s.ready) s.socket.send(msg);
    else s.queue.push(msg);
  }

  private openSession(key: string, balancer: RoundRobin, ep: RoutedEndpoint, client: RemoteInfo): Session {
    const socket = dgram.createSocket({ type: 'udp4' });
    const s: Session = { socket, balancer, endpoint: ep, last: this.now(), ready: false, queue: [] };
    this.sessions.set(key, s);
    socket.on('message', (reply) => {
      s.last = this.now();
      if (!this.closed) this.socket.send(reply, client.port, client.address);
    });
    socket.on('error', () => this.endSession(key, s, true));
    socket.connect(ep.port, ep.ip, () => {
      s.ready = true;
      for (const m of s.queue) socket.send(m);
      s.queue = [];
    });
    return s;
  }

  private endSession(key: string, s: Session, failed: boolean): void {
    if (this.sessions.get(key) === s) this.sessions.delete(key);
    if (failed) s.balancer.next(s.endpoint, key.slice(0, key.lastIndexOf(':'))); // move the rotation on
    try {
      s.socket.close();
    } catch {
      // already closed
    }
  }

  private sweep(): void {
    const cutoff = this.now() - this.idleTimeoutMs;
    for (const [key, s] of this.sessions) if (s.last < cutoff) this.endSession(key, s, false);
  }
}
