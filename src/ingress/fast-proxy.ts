// The fast proxy path: a client connection read straight off its socket (plain TCP, or TLS after the
// handshake), requests framed by http1.ts, routed and planned by the same planRequest() as the
// node:http path, and passed over pooled keep-alive upstream sockets (upstream-pool.ts) with the head
// built once as one string. Responses are streamed back with only proxy-server.ts's edits.
//
// Whatever this path does not do exactly like the node:http path (see http1.ts: Upgrade, Expect,
// odd or duplicate headers, upstream TLS…) is handed over before anything is answered: the unread
// bytes are pushed back onto the socket and node:http takes the connection for good.
//
// One request at a time per connection: pipelined requests wait in the buffer until the previous
// response has ended. Backpressure both ways (pause the reader while the writer is full).
import type { Socket } from 'node:net';
import { STATUS_CODES } from 'node:http';
import type { Balancer } from './balancer.js';
import { pageBuffer, pageHead } from './error-pages.js';
import { DECLINE, INCOMPLETE, httpDate, keepsAlive, parseRequestHead, type RequestHead } from './http1.js';
import { Exchange, type ExchangeHost } from './proxy-exchange.js';
import { planRequest, type Plan } from './request-plan.js';
import type { Location, RouteTable } from './route-table.js';
import { READ_BUFFER, type UpstreamPool } from './upstream-pool.js';

/** Counters for tests and the bench (no per-request logging). */
export interface FastPathStats {
  /** Requests the fast path answered or proxied. */
  requests: number;
  /** Connections given to node:http. */
  handOffs: number;
}

export interface FastProxyContext {
  table(): RouteTable;
  readonly stats: FastPathStats;
  readonly balancer: Balancer;
  readonly pool: UpstreamPool;
  /** Gives the connection to node:http (the unread bytes are already back on the socket). */
  handOff(socket: Socket, isTls: boolean): void;
}

const KEEP_ALIVE_MS = 75_000;
/** Pipelined bytes kept while a response is in flight before the client is paused. */
const PIPELINE_HIGH = 64 * 1024;

/** Upstream TLS is node:http's (https.Agent); everything else this path does itself. */
const declineLocation = (l: Location): boolean => l.config.backendProtocol === 'HTTPS';

export class FastConnection implements ExchangeHost {
  private buf: Buffer | undefined;
  private off = 0;
  private ex: Exchange | undefined;
  /** Close once the current response has been written. */
  private closeAfter = false;
  private clientEnded = false;
  private paused = false;
  private gone = false;
  readonly remoteAddress: string;

  /** The socket listeners, bound once: on in the constructor, off at the hand-off. */
  private readonly listeners: ReadonlyArray<[string, (d: Buffer) => void]> = [
    ['data', (d: Buffer): void => this.data(d)],
    ['end', (): void => this.end()],
    ['close', (): void => this.closed()],
    ['error', (): void => void this.socket.destroy()],
    ['drain', (): void => this.ex?.clientDrained()],
    ['timeout', (): void => this.idleTimeout()],
  ];

  constructor(
    readonly ctx: FastProxyContext,
    readonly socket: Socket,
    readonly isTls: boolean,
    readonly port: number,
    private readonly registry: Set<FastConnection>,
  ) {
    this.remoteAddress = socket.remoteAddress ?? '';
    registry.add(this);
    for (const [event, fn] of this.listeners) socket.on(event, fn);
    socket.setTimeout(KEEP_ALIVE_MS);
  }

  /** Server shutdown: close now when idle, else after the response in flight. */
  closeIdle(): void {
    if (!this.ex && !this.pending()) this.socket.destroy();
    else this.closeAfter = true;
  }

  destroy(): void {
    this.socket.destroy();
  }

  private pending(): number {
    return this.buf ? this.buf.length - this.off : 0;
  }

  private data(d: Buffer): void {
    if (this.gone) return;
    if (this.buf && this.off < this.buf.length) {
      this.buf = Buffer.concat([this.off ? this.buf.subarray(this.off) : this.buf, d]);
    } else this.buf = d;
    this.off = 0;
    this.pump();
  }

  /** Feeds the request body in flight, or starts the next request. */
  private pump(): void {
    while (!this.gone) {
      const ex = this.ex;
      if (ex) {
        if (!ex.requestDone && this.buf) this.off = ex.feedBody(this.buf, this.off);
        if (this.buf && this.off >= this.buf.length) this.buf = undefined;
        if (this.ex && this.ex.requestDone && this.pending() > PIPELINE_HIGH) this.pauseReading();
        return;
      }
      if (!this.buf) {
        if (this.clientEnded) this.socket.end();
        return;
      }
      const head = parseRequestHead(this.buf, this.off);
      if (head === INCOMPLETE) {
        if (this.clientEnded) this.socket.destroy();
        return;
      }
      if (head === DECLINE) return this.handOff();
      this.begin(head);
    }
  }

  private begin(head: RequestHead): void {
    let plan: Plan | undefined;
    try {
      plan = planRequest(this.ctx.table(), this.ctx.balancer, { method: head.method, url: head.url, headers: head.headers, remoteAddress: this.remoteAddress, isTls: this.isTls, port: this.port, decline: declineLocation });
    } catch {
      plan = { kind: 'page', status: 500 };
    }
    if (plan.kind === 'decline') return this.handOff();
    this.ctx.stats.requests++;
    this.off = head.end;
    if (this.buf && this.off >= this.buf.length) this.buf = undefined;
    const unread = head.contentLength > 0 || head.chunked;
    if (plan.kind === 'page') return void this.answer(head, plan.status, plan.extra, unread);
    if (plan.kind === 'preflight') return void this.answer(head, 204, plan.headers, unread, true);
    const ex = new Exchange(this, head, plan);
    this.ex = ex;
    this.off = ex.start(this.buf, this.off);
    if (this.buf && this.off >= this.buf.length) this.buf = undefined;
  }

  /** Whether the connection ends after the response in flight (server shutdown). */
  get closing(): boolean {
    return this.closeAfter;
  }

  /**
   * A response the proxy makes itself, as proxy-server.ts's sendPage / writeHead do through Node:
   * nginx's page (or `headers` alone for the CORS preflight), Date, Connection (+ Keep-Alive).
   * A request whose body has not been read closes the connection after the answer.
   */
  answer(head: RequestHead, status: number, extra: Record<string, string> | undefined, bodyUnread: boolean, headersOnly = false, forceClose = false): boolean {
    const keep = !forceClose && !bodyUnread && !this.closeAfter && keepsAlive(head);
    let s = headersOnly ? `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'unknown'}\r\n` : pageHead(status);
    const body = headersOnly ? undefined : pageBuffer(status);
    if (extra) for (const k in extra) s += `${k}: ${extra[k]}\r\n`;
    s += `Date: ${httpDate()}\r\n`;
    s += keep ? `Connection: keep-alive\r\nKeep-Alive: timeout=${KEEP_ALIVE_MS / 1000}\r\n\r\n` : 'Connection: close\r\n\r\n';
    this.write(s, body && head.method !== 'HEAD' ? body : undefined);
    if (!keep) this.finish();
    return keep;
  }

  /** Writes a head string and an optional body piece as one write; false when the socket is full. */
  write(s: string, piece?: Buffer, tail?: Buffer): boolean {
    if (!piece && !tail) return this.socket.write(s, 'latin1');
    const n = s.length + (piece?.length ?? 0) + (tail?.length ?? 0);
    // Small: one latin1 string (Node writes it from the stack, no Buffer to allocate).
    if (n <= 4 * 1024) {
      let str = s;
      if (piece) str += piece.toString('latin1');
      if (tail) str += tail.toString('latin1');
      return this.socket.write(str, 'latin1');
    }
    if (n <= 16 * 1024) {
      const b = Buffer.allocUnsafe(n);
      let at = b.write(s, 0, 'latin1');
      if (piece) at += piece.copy(b, at);
      if (tail) tail.copy(b, at);
      return this.socket.write(b);
    }
    this.socket.cork();
    if (s) this.socket.write(s, 'latin1');
    // A write that does not complete at once keeps its Buffer: never the shared read buffer.
    if (piece) this.socket.write(piece.buffer === READ_BUFFER.buffer ? Buffer.from(piece) : piece);
    if (tail) this.socket.write(tail);
    const ok = !this.socket.writableNeedDrain;
    this.socket.uncork();
    return ok;
  }

  /** The exchange ended; `close` when the connection cannot carry another request. */
  exchangeDone(close: boolean): void {
    this.ex = undefined;
    if (close) this.closeAfter = true;
    if (this.closeAfter) return this.finish();
    this.resumeReading();
    this.pump();
  }

  /** Ends the connection once what was written has been sent. */
  private finish(): void {
    if (this.gone) return;
    this.gone = true;
    this.buf = undefined;
    this.socket.end();
  }

  pauseReading(): void {
    if (!this.paused) {
      this.paused = true;
      this.socket.pause();
    }
  }

  resumeReading(): void {
    if (this.paused) {
      this.paused = false;
      this.socket.resume();
    }
  }

  private end(): void {
    this.clientEnded = true;
    // A client that stops sending in the middle of a request body has abandoned it.
    if (this.ex && !this.ex.requestDone) return void this.socket.destroy();
    if (!this.ex) this.pump();
  }

  private closed(): void {
    this.gone = true;
    this.registry.delete(this);
    this.ex?.abort();
    this.ex = undefined;
    this.buf = undefined;
  }

  private idleTimeout(): void {
    if (this.ex) return;
    // Node's requestTimeout answer for a request that never finished arriving.
    if (this.pending()) this.socket.end('HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n');
    else this.socket.destroy();
    this.gone = true;
  }

  private handOff(): void {
    const s = this.socket;
    this.ctx.stats.handOffs++;
    const rest = this.buf && this.off < this.buf.length ? this.buf.subarray(this.off) : undefined;
    this.gone = true;
    this.buf = undefined;
    // node:http aborts requests whose client has half-closed anyway. The connection stays ours until
    // it closes: its error listener must stay (a write that failed reports its error a tick later).
    if (this.clientEnded) return void s.end();
    this.registry.delete(this);
    for (const [event, fn] of this.listeners) s.off(event, fn);
    s.setTimeout(0);
    s.pause();
    if (rest) s.unshift(rest);
    this.ctx.handOff(s, this.isTls);
    s.resume();
  }
}
