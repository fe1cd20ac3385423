// Kept-alive upstream connections for the fast proxy path, per endpoint (`ip:port`), like nginx's
// `upstream { keepalive 320; }`: a connection returns to its endpoint's idle list when a response
// ended cleanly, is reused last-in first-out, and is closed after 60 s idle, on any byte or FIN
// that arrives while idle, or when the list is full. No http.Agent: one socket, its listeners bound
// once, and a `user` that receives its events while it carries a request.
import net, { type Socket } from 'node:net';

/**
 * What every upstream connection reads into (Node's `onread`: no Buffer per read, no stream
 * machinery). Data handed to a user is valid only during the call: keep a copy of what must outlive it.
 */
export const READ_BUFFER = Buffer.allocUnsafe(64 * 1024);

export interface UpstreamUser {
  onUpstreamData(data: Buffer): void;
  /** The socket closed while in use (`err` when it failed rather than ended). */
  onUpstreamClose(err: NodeJS.ErrnoException | undefined): void;
  onUpstreamTimeout(): void;
  onUpstreamDrain(): void;
}

export class UpstreamConnection {
  readonly socket: Socket;
  user: UpstreamUser | undefined;
  closed = false;
  private timeoutMs = 0;
  private error: NodeJS.ErrnoException | undefined;

  constructor(
    private readonly pool: UpstreamPool,
    readonly endpoint: string,
    host: string,
    port: number,
  ) {
    const s = net.connect({
      host,
      port,
      noDelay: true,
      onread: {
        buffer: READ_BUFFER,
        callback: (n: number, buf: Uint8Array): boolean => {
          if (this.user) this.user.onUpstreamData((buf as Buffer).subarray(0, n));
          else s.destroy();
          return true;
        },
      },
    });
    this.socket = s;
    s.on('error', (err: NodeJS.ErrnoException) => {
      this.error ??= err;
    });
    s.on('end', () => {
      if (!this.user) s.destroy();
    });
    s.on('close', () => {
      this.closed = true;
      this.pool.forget(this);
      const u = this.user;
      this.user = undefined;
      u?.onUpstreamClose(this.error);
    });
    s.on('timeout', () => {
      if (this.user) this.user.onUpstreamTimeout();
      else s.destroy();
    });
    s.on('drain', () => this.user?.onUpstreamDrain());
  }

  setTimeout(ms: number): void {
    if (ms !== this.timeoutMs) {
      this.timeoutMs = ms;
      this.socket.setTimeout(ms);
    }
  }

  /** Closes it without telling its user. */
  discard(): void {
    this.user = undefined;
    this.socket.destroy();
  }
}

/** Idle connections kept per endpoint (nginx `keepalive`), and for how long. */
const MAX_IDLE = 320;
const IDLE_MS = 60_000;

export class UpstreamPool {
  private readonly idle = new Map<string, UpstreamConnection[]>();
  private readonly all = new Set<UpstreamConnection>();
  private readonly addresses = new Map<string, [string, number]>();

  /** An idle kept-alive connection to `endpoint`, if there is one. */
  take(endpoint: string): UpstreamConnection | undefined {
    const list = this.idle.get(endpoint);
    while (list?.length) {
      const c = list.pop()!;
      if (!c.closed && !c.socket.destroyed) return c;
    }
    return undefined;
  }

  connect(endpoint: string): UpstreamConnection {
    let addr = this.addresses.get(endpoint);
    if (!addr) {
      const colon = endpoint.lastIndexOf(':');
      let host = endpoint.slice(0, colon);
      if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
      addr = [host, Number(endpoint.slice(colon + 1))];
      if (this.addresses.size > 10_000) this.addresses.clear();
      this.addresses.set(endpoint, addr);
    }
    const c = new UpstreamConnection(this, endpoint, addr[0], addr[1]);
    this.all.add(c);
    return c;
  }

  /** Back to the idle list after a response that ended cleanly. */
  release(c: UpstreamConnection): void {
    c.user = undefined;
    if (c.closed) return;
    let list = this.idle.get(c.endpoint);
    if (!list) this.idle.set(c.endpoint, (list = []));
    if (list.length >= MAX_IDLE) return c.discard();
    c.setTimeout(IDLE_MS);
    list.push(c);
  }

  /** Called when a connection closes. */
  forget(c: UpstreamConnection): void {
    this.all.delete(c);
    const list = this.idle.get(c.endpoint);
    if (!list) return;
    const i = list.lastIndexOf(c);
    if (i >= 0) list.splice(i, 1);
    if (!list.length) this.idle.delete(c.endpoint);
  }

  destroy(): void {
    for (const c of [...this.all]) c.discard();
    this.idle.clear();
  }
}
