// One proxied request of the fast path (fast-proxy.ts): its head and body on the way up over a pooled
// upstream connection, the response on the way down (head rewritten by http1.ts, body streamed with
// backpressure), and what happens when the upstream fails: a stale kept-alive connection retried once,
// a refused one retried on the next endpoint, else nginx's 502/504 page — as proxy-server.ts's error
// callback decides for the node:http path.
import type { Balancer } from './balancer.js';
import { BAD, ChunkedScanner, INCOMPLETE, httpDate, parseResponseHead, upstreamRequestHead, type RequestHead, type ResponseHead } from './http1.js';
import { HSTS, RETRYABLE, type Plan, type ResponseEdits } from './request-plan.js';
import type { MatchResult, RouteTable } from './route-table.js';
import type { UpstreamConnection, UpstreamPool, UpstreamUser } from './upstream-pool.js';

export type ProxyPlan = Extract<Plan, { kind: 'proxy' }>;

/** What an exchange needs from its client connection (FastConnection). */
export interface ExchangeHost {
  readonly ctx: { table(): RouteTable; readonly balancer: Balancer; readonly pool: UpstreamPool };
  /** The connection ends after this response (server shutdown). */
  readonly closing: boolean;
  /** Writes `s` then `piece` then `tail` as one write; false when the client is full. */
  write(s: string, piece?: Buffer, tail?: Buffer): boolean;
  /** nginx's page for `status`; returns whether the connection stays open. */
  answer(head: RequestHead, status: number, extra: Record<string, string> | undefined, bodyUnread: boolean, headersOnly?: boolean, forceClose?: boolean): boolean;
  exchangeDone(close: boolean): void;
  pauseReading(): void;
  resumeReading(): void;
  destroy(): void;
}

const CRLF = '\r\n';
const CRLF_BUF = Buffer.from(CRLF);
const LAST_CHUNK = Buffer.from('0\r\n\r\n');

const HEAD_STATE = 0;
const BODY_STATE = 1;
const DONE_STATE = 2;

const NO_BODY = 0;
const LENGTH = 1;
const CHUNKED = 2;
const UNTIL_CLOSE = 3;

const HSTS_DROP: ReadonlySet<string> = new Set(['strict-transport-security']);

/** The response headers the proxy overrides and so removes from the upstream's. */
function dropSet(edits: ResponseEdits): ReadonlySet<string> | undefined {
  if (!edits.cors) return edits.hsts ? HSTS_DROP : undefined;
  const s = new Set<string>();
  if (edits.hsts) s.add('strict-transport-security');
  if (edits.cors) for (const k of Object.keys(edits.cors)) s.add(k);
  return s;
}

/** One proxied request: its upstream connection, its body on the way up, its response on the way down. */
export class Exchange implements UpstreamUser {
  private up: UpstreamConnection | undefined;
  private reused = false;
  private tries = 1;
  private staleRetried = false;
  private endpoint: string;
  private readonly upstreamHead: string;
  private readonly m: MatchResult;
  private readonly edits: ResponseEdits;
  private readonly drop: ReadonlySet<string> | undefined;
  private readonly limit: number;
  /** No body: the request can be sent again on another connection. */
  private readonly replayable: boolean;
  requestDone: boolean;
  private bodyLeft: number;
  private readonly bodyScanner: ChunkedScanner | undefined;
  private upstreamFull = false;

  private state = HEAD_STATE;
  private partial: Buffer | undefined;
  private gotBytes = false;
  private headSent = false;
  private framing = NO_BODY;
  private left = 0;
  private scanner: ChunkedScanner | undefined;
  /** chunked upstream body → HTTP/1.0 client: data only, closed at the end. */
  private dechunk = false;
  /** close-delimited upstream body → HTTP/1.1 client: chunked by us. */
  private rechunk = false;
  private reusable = true;
  private clientClose = false;
  private clientFull = false;

  constructor(
    private readonly conn: ExchangeHost,
    private readonly req: RequestHead,
    plan: ProxyPlan,
  ) {
    this.m = plan.m;
    this.endpoint = plan.endpoint;
    this.edits = plan.edits;
    this.drop = dropSet(plan.edits);
    this.limit = plan.m.location.config.proxyBodySize;
    this.upstreamHead = upstreamRequestHead(req.method, plan.url, req.headers);
    this.bodyScanner = req.chunked ? new ChunkedScanner() : undefined;
    this.bodyLeft = req.chunked ? 0 : Math.max(req.contentLength, 0);
    this.requestDone = !req.chunked && this.bodyLeft === 0;
    this.replayable = this.requestDone;
    const c = this.edits.clientConnection;
    this.clientClose = req.minor === 0 || (c !== undefined && /close/i.test(c));
  }

  /** Sends the head, with the body bytes already received (one write); returns where they end. */
  start(buf: Buffer | undefined, off: number): number {
    if (this.requestDone || !buf) {
      this.send(false);
      return off;
    }
    this.send(false, true);
    const at = this.feedBody(buf, off);
    this.up?.socket.uncork();
    return at;
  }

  /** Sends the head on a pooled connection (or a new one when `fresh`). */
  private send(fresh: boolean, cork = false): void {
    const pool = this.conn.ctx.pool;
    let up = fresh ? undefined : pool.take(this.endpoint);
    this.reused = up !== undefined;
    up ??= pool.connect(this.endpoint);
    up.user = this;
    up.setTimeout(this.edits.readTimeoutMs);
    this.up = up;
    this.gotBytes = false;
    this.partial = undefined;
    if (cork) up.socket.cork();
    if (!up.socket.write(this.upstreamHead, 'latin1')) this.upstreamFull = true;
  }

  /** Forwards request body bytes from buf[off…]; returns where the body (or buf) ends. */
  feedBody(buf: Buffer, off: number): number {
    const end = buf.length;
    if (!this.bodyScanner) {
      const n = Math.min(this.bodyLeft, end - off);
      if (n > 0) this.upstreamWrite(buf.subarray(off, off + n));
      this.bodyLeft -= n;
      if (this.bodyLeft === 0) this.requestDone = true;
      return off + n;
    }
    const sc = this.bodyScanner;
    const stop = sc.scan(buf, off, end);
    if (stop < 0) {
      // A broken chunked body: node:http's parser would have answered 400 and closed.
      this.fail(400, true);
      return end;
    }
    if (this.limit > 0 && sc.dataBytes > this.limit && !this.headSent) {
      this.fail(413, true);
      return end;
    }
    const cut = sc.inTrailer ? (sc.trailerAt >= 0 ? sc.trailerAt : off) : stop;
    if (cut > off) this.upstreamWrite(buf.subarray(off, cut));
    if (sc.done) {
      this.upstreamWrite(CRLF_BUF);
      this.requestDone = true;
    }
    return stop;
  }

  private upstreamWrite(b: Buffer): void {
    if (!this.up) return;
    if (!this.up.socket.write(b)) {
      this.upstreamFull = true;
      this.conn.pauseReading();
    }
  }

  onUpstreamDrain(): void {
    if (this.upstreamFull) {
      this.upstreamFull = false;
      this.conn.resumeReading();
    }
  }

  clientDrained(): void {
    if (this.clientFull) {
      this.clientFull = false;
      this.up?.socket.resume();
    }
  }

  /** `d` is only valid during the call (upstream-pool.ts READ_BUFFER). */
  onUpstreamData(d: Buffer): void {
    this.gotBytes = true;
    if (this.state === BODY_STATE) return this.body(d, 0, '');
    if (this.state === DONE_STATE) {
      this.reusable = false;
      return;
    }
    const buf = this.partial ? Buffer.concat([this.partial, d]) : d;
    this.partial = undefined;
    let pos = 0;
    for (;;) {
      const r = parseResponseHead(buf, pos, this.drop);
      if (r === INCOMPLETE) {
        this.partial = Buffer.from(buf.subarray(pos));
        return;
      }
      if (r === BAD) return this.upstreamFailed(undefined, false, true);
      if (r.status >= 100 && r.status < 200) {
        // 101 was never asked for; other 1xx are dropped, as Node's client does.
        if (r.status === 101) return this.upstreamFailed(undefined, false, true);
        pos = r.end;
        if (pos >= buf.length) return;
        continue;
      }
      return this.respond(r, buf, r.end);
    }
  }

  private respond(r: ResponseHead, buf: Buffer, pos: number): void {
    const method = this.req.method;
    if (method === 'HEAD' || r.status === 204 || r.status === 304) this.framing = NO_BODY;
    else if (r.chunked) this.framing = CHUNKED;
    else if (r.contentLength >= 0 && !r.untilClose) this.framing = LENGTH;
    else this.framing = UNTIL_CLOSE;
    if (r.close || this.framing === UNTIL_CLOSE) this.reusable = false;
    this.left = r.contentLength;
    const http10 = this.req.minor === 0;
    let s = r.head;
    const e = this.edits;
    if (e.setCookie) s += `Set-Cookie: ${e.setCookie}\r\n`;
    if (e.hsts) s += `Strict-Transport-Security: ${HSTS}\r\n`;
    if (e.cors) for (const k in e.cors) s += `${k}: ${e.cors[k]}\r\n`;
    if (this.conn.closing) this.clientClose = true;
    s += this.clientClose ? 'Connection: close\r\n' : 'Connection: keep-alive\r\n';
    if (!r.hasDate) s += `Date: ${httpDate()}\r\n`;
    if (this.framing === CHUNKED) {
      this.scanner = new ChunkedScanner();
      if (http10) this.dechunk = true;
      else s += 'Transfer-Encoding: chunked\r\n';
    } else if (this.framing === UNTIL_CLOSE && !http10) {
      this.rechunk = true;
      s += 'Transfer-Encoding: chunked\r\n';
    }
    s += CRLF;
    this.headSent = true;
    this.state = BODY_STATE;
    if (this.framing === NO_BODY) {
      if (pos < buf.length) this.reusable = false;
      this.clientWrite(s);
      return this.responseEnded();
    }
    this.body(buf, pos, s);
  }

  /** Passes response body bytes buf[pos…] on, after `prefix` (the head, when it is still unsent). */
  private body(buf: Buffer, pos: number, prefix: string): void {
    const end = buf.length;
    switch (this.framing) {
      case LENGTH: {
        const n = Math.min(this.left, end - pos);
        if (pos + n < end) this.reusable = false;
        this.left -= n;
        this.clientWrite(prefix, n > 0 ? buf.subarray(pos, pos + n) : undefined);
        if (this.left === 0) this.responseEnded();
        return;
      }
      case CHUNKED: {
        const sc = this.scanner!;
        if (this.dechunk) {
          if (prefix) this.clientWrite(prefix);
          const stop = sc.scan(buf, pos, end, (b, s, e) => this.clientWrite('', b.subarray(s, e)));
          if (stop < 0) return this.brokenResponse();
          if (sc.done) {
            if (stop < end) this.reusable = false;
            this.responseEnded();
          }
          return;
        }
        const stop = sc.scan(buf, pos, end);
        if (stop < 0) return this.brokenResponse();
        const cut = sc.inTrailer ? (sc.trailerAt >= 0 ? sc.trailerAt : pos) : stop;
        const piece = cut > pos ? buf.subarray(pos, cut) : undefined;
        if (sc.done) {
          if (stop < end) this.reusable = false;
          this.clientWrite(prefix, piece, CRLF_BUF);
          return this.responseEnded();
        }
        if (prefix || piece) this.clientWrite(prefix, piece);
        return;
      }
      case UNTIL_CLOSE: {
        if (pos >= end) {
          if (prefix) this.clientWrite(prefix);
          return;
        }
        const piece = buf.subarray(pos);
        if (this.rechunk) this.clientWrite(`${prefix}${piece.length.toString(16)}\r\n`, piece, CRLF_BUF);
        else this.clientWrite(prefix, piece);
        return;
      }
    }
  }

  private clientWrite(s: string, piece?: Buffer, tail?: Buffer): void {
    if (!this.conn.write(s, piece, tail) && !this.clientFull && this.up) {
      this.clientFull = true;
      this.up.socket.pause();
    }
  }

  private responseEnded(): void {
    this.state = DONE_STATE;
    // An upstream that answered before the whole body arrived: neither connection carries more requests.
    if (!this.requestDone) this.reusable = false;
    this.complete();
  }

  /** Response written (and request sent): the upstream goes back to the pool if it can. */
  private complete(): void {
    const up = this.up;
    this.up = undefined;
    if (up) {
      if (this.clientFull) up.socket.resume();
      if (this.reusable && this.requestDone && !this.upstreamFull) this.conn.ctx.pool.release(up);
      else up.discard();
    }
    this.conn.exchangeDone(this.clientClose || !this.requestDone);
  }

  onUpstreamClose(err: NodeJS.ErrnoException | undefined): void {
    this.up = undefined;
    if (this.state === BODY_STATE && this.framing === UNTIL_CLOSE && !err) {
      this.reusable = false;
      if (this.rechunk) this.clientWrite('', LAST_CHUNK);
      return this.responseEnded();
    }
    if (this.state === DONE_STATE) return;
    this.upstreamFailed(err, false, false);
  }

  onUpstreamTimeout(): void {
    this.upstreamFailed(undefined, true, false);
  }

  /** Closes the upstream connection in use, if any, without hearing from it again. */
  private dropUpstream(): void {
    const up = this.up;
    this.up = undefined;
    up?.discard();
  }

  /** The upstream failed before or during the response (proxy-server.ts's error callback). */
  private upstreamFailed(err: NodeJS.ErrnoException | undefined, timedOut: boolean, bad: boolean): void {
    this.dropUpstream();
    if (this.headSent) return this.conn.destroy();
    if (!timedOut && !bad && this.replayable) {
      // A kept-alive connection the upstream had closed: once more on a new one (nginx does this
      // for idempotent requests; nothing of the response arrived, so nothing is lost or doubled).
      if (this.reused && !this.gotBytes && !this.staleRetried && this.req.method !== 'POST' && this.req.method !== 'PATCH') {
        this.staleRetried = true;
        return this.send(true);
      }
      const ups = this.conn.ctx.table().upstreams.get(this.m.location.upstream ?? '');
      if (RETRYABLE.has(err?.code ?? '') && ups && this.tries < Math.min(3, ups.endpoints.length)) {
        this.tries++;
        this.endpoint = this.conn.ctx.balancer.pick(ups);
        return this.send(false);
      }
    }
    this.fail(timedOut ? 504 : 502, false);
  }

  /** Answers with nginx's page instead of a response; the exchange is over. */
  private fail(status: number, close: boolean): void {
    this.dropUpstream();
    this.state = DONE_STATE;
    if (this.headSent) return this.conn.destroy();
    this.headSent = true;
    const keep = this.conn.answer(this.req, status, undefined, !this.requestDone, false, close);
    this.conn.exchangeDone(!keep);
  }

  private brokenResponse(): void {
    this.dropUpstream();
    this.state = DONE_STATE;
    this.conn.destroy();
  }

  /** The client went away. */
  abort(): void {
    this.state = DONE_STATE;
    this.dropUpstream();
  }
}
