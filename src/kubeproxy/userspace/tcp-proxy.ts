// One TCP frontend: a listener on ip:port that splices every accepted connection to an endpoint.
// Hot path: accept → pick → connect → pipe both ways. No logging, no per-byte work, half-close kept.
import net, { type Server, type Socket } from 'node:net';
import type { Frontend, RoutedEndpoint } from '../routing-table.js';
import type { RoundRobin } from './round-robin.js';
import type { TrafficCounters } from '../../lib/traffic-counters.js';

export interface TcpProxyOptions {
  /** Give up on a dial after this long and try the next endpoint. Default 1000 ms. */
  connectTimeoutMs?: number;
  /** Every live client socket, so the dataplane can close them all on stop. */
  connections: Set<Socket>;
  /** Where each spliced connection is counted per endpoint (the dashboard's spread); absent: not counted. */
  counters?: TrafficCounters;
}

/** The peer of a spliced socket (client ↔ upstream), stored on the socket to avoid closures. */
const PEER = Symbol('kubeproxy.peer');
/** How long a dropped connection is held before kdp closes it (the client has long given up). */
const DROP_HOLD_MS = 120_000;
type Spliced = Socket & { [PEER]?: Socket };

export class TcpProxy {
  readonly server: Server;
  private readonly connectTimeoutMs: number;
  private readonly connections: Set<Socket>;
  private readonly counters?: TrafficCounters;

  /** The balancer for a new connection from `clientIP` (per client node for internalTrafficPolicy Local). */
  balancerFor: (clientIP: string | undefined) => RoundRobin | undefined;

  constructor(
    readonly frontend: Frontend,
    public balancer: RoundRobin,
    opts: TcpProxyOptions,
  ) {
    this.balancerFor = () => this.balancer;
    this.connectTimeoutMs = opts.connectTimeoutMs ?? 1000;
    this.connections = opts.connections;
    this.counters = opts.counters;
    this.server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true, noDelay: true }, (client) => this.onConnection(client));
  }

  /** Binds; rejects with the listen error (err.code EADDRINUSE, EACCES, …). */
  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      this.server.once('error', onError);
      this.server.listen({ host: this.frontend.ip, port: this.frontend.port, backlog: 4096 }, () => {
        this.server.off('error', onError);
        // Accept errors (EMFILE…) must not crash the process; the server keeps accepting.
        this.server.on('error', () => {});
        resolve();
      });
    });
  }

  /** Stops accepting; connections already spliced go on until either side closes. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      if (!this.server.listening) return resolve();
      this.server.close(() => resolve());
      // server.close's callback waits for every connection; the listening socket itself is closed now.
      setImmediate(resolve);
    });
  }

  private onConnection(client: Socket): void {
    const conns = this.connections;
    conns.add(client);
    client.on('close', (hadError: boolean) => onClientClose(conns, client, hadError));
    client.on('error', onSpliceError);
    const clientIP = client.remoteAddress;
    const balancer = this.balancerFor(clientIP);
    const ep = balancer?.pick(clientIP);
    if (!ep) {
      if (balancer?.drop) {
        // Traffic policy Local and no endpoint on this node: dropped. The connection stays unanswered
        // (never read, never reset) until the client gives up; kernel proxies drop the SYN instead.
        client.setTimeout(DROP_HOLD_MS, () => client.destroy());
        return;
      }
      client.resetAndDestroy();
      return;
    }
    this.dial(client as Spliced, balancer!, ep, clientIP, 1);
  }

  private dial(client: Spliced, balancer: RoundRobin, ep: RoutedEndpoint, clientIP: string | undefined, attempt: number): void {
    const upstream: Spliced = net.connect({ host: ep.ip, port: ep.port, noDelay: true, allowHalfOpen: true });
    client[PEER] = upstream;
    upstream[PEER] = client;
    upstream.setTimeout(this.connectTimeoutMs);
    let failed = false;
    const onDialFailed = (): void => {
      if (failed) return;
      failed = true;
      upstream.removeListener('connect', onConnect);
      upstream.destroy();
      if (client.destroyed) return;
      const next = attempt < balancer.endpoints.length ? balancer.next(ep, clientIP) : undefined;
      if (next) this.dial(client, balancer, next, clientIP, attempt + 1);
      else client.resetAndDestroy();
    };
    const onConnect = (): void => {
      upstream.removeListener('error', onDialFailed);
      upstream.removeListener('timeout', onDialFailed);
      upstream.setTimeout(0);
      if (client.destroyed) {
        upstream.destroy();
        return;
      }
      upstream.on('error', onSpliceError);
      this.counters?.record(this.frontend.servicePort, `${ep.ip}:${ep.port}`);
      client.pipe(upstream);
      upstream.pipe(client);
    };
    upstream.on('error', onDialFailed);
    upstream.once('timeout', onDialFailed);
    upstream.once('connect', onConnect);
  }
}

function onClientClose(conns: Set<Socket>, client: Spliced, hadError: boolean): void {
  conns.delete(client);
  const up = client[PEER];
  // A normal close means both directions ended and the upstream closes by itself; otherwise (client
  // gone while dialing, or with an error) the upstream has nothing left to talk to.
  if (up && !up.destroyed && (hadError || up.connecting)) up.destroy();
}

/** A reset or error on one side resets the other, so the peer sees what happened. */
function onSpliceError(this: Spliced): void {
  const peer = this[PEER];
  if (!peer || peer.destroyed) return;
  if (peer.connecting) peer.destroy();
  else peer.resetAndDestroy();
}

/** Closes a client connection and its upstream at once (shutdown). */
export function destroyConnection(client: Socket): void {
  const up = (client as Spliced)[PEER];
  client.destroy();
  if (up && !up.destroyed) up.destroy();
}
