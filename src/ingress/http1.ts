// HTTP/1.1 framing for the fast proxy path (fast-proxy.ts), pure: Buffers in, values out.
// - Request heads are parsed into what Node's server would hand the slow path (method, url, a
//   Node-style header object with lower-case names), or declined (DECLINE) whenever the fast path
//   could differ from node:http: unknown methods, absolute targets, duplicate or odd headers,
//   Upgrade, Expect, Transfer-Encoding other than chunked, no Host… The caller then hands the
//   connection to node:http, which answers exactly as it always has (400, 431, WebSocket…).
// - Response heads are checked and rewritten for the client the way proxy-server.ts edits them:
//   `Server: nginx`, hop-by-hop Connection/Keep-Alive/Transfer-Encoding removed, chosen headers dropped.
// - ChunkedScanner follows a chunked body across Buffers without copying it.
import type { IncomingHttpHeaders } from 'node:http';
import { STATUS_CODES } from 'node:http';

export const INCOMPLETE = 0;
export const DECLINE = 1;
export const BAD = 2;

export const MAX_HEAD = 32 * 1024;
const MAX_HEADERS = 100;
const CRLF2 = Buffer.from('\r\n\r\n');
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH']);
// The header block after the start line, checked in one pass: `token ":" value CRLF` lines, values
// of visible ASCII, SP and HTAB (responses: obs-text too). No obs-fold, no bare CR or LF, no NUL.
const REQUEST_FIELDS = /(?:[!#$%&'*+\-.^_`|~0-9A-Za-z]+:[\t\x20-\x7e]*\r\n)*$/y;
const RESPONSE_FIELDS = /(?:[!#$%&'*+\-.^_`|~0-9A-Za-z]+:[\t\x20-\x7e\x80-\xff]*\r\n)*$/y;
const BAD_REASON = /[^\t\x20-\x7e\x80-\xff]/;
const TARGET = /^\/[\x21-\x7e]*$/;
const DIGITS = /^\d{1,15}$/;

export interface RequestHead {
  method: string;
  url: string;
  /** HTTP/1.<minor>: 0 or 1. */
  minor: number;
  /** As Node's IncomingMessage.headers: lower-case names, first-seen order. */
  headers: IncomingHttpHeaders;
  /** Index just past the blank line that ends the head. */
  end: number;
  /** -1 when absent. */
  contentLength: number;
  chunked: boolean;
  /** The client's Connection header (the plan removes it from `headers`). */
  connection: string | undefined;
}

/** Parses the request head starting at `start`; DECLINE = let node:http have the connection. */
export function parseRequestHead(buf: Buffer, start: number): RequestHead | typeof INCOMPLETE | typeof DECLINE {
  const blank = buf.indexOf(CRLF2, start);
  if (blank < 0) return buf.length - start > MAX_HEAD ? DECLINE : INCOMPLETE;
  if (blank - start > MAX_HEAD) return DECLINE;
  // Every line, the last one included, ends in CRLF.
  const s = buf.toString('latin1', start, blank + 2);
  const lineEnd = s.indexOf('\r\n');
  const sp1 = s.indexOf(' ');
  if (sp1 <= 0 || sp1 > lineEnd) return DECLINE;
  const method = s.slice(0, sp1);
  if (!METHODS.has(method)) return DECLINE;
  const sp2 = s.indexOf(' ', sp1 + 1);
  if (sp2 < 0 || sp2 > lineEnd) return DECLINE;
  const url = s.slice(sp1 + 1, sp2);
  if (!TARGET.test(url)) return DECLINE;
  const version = s.slice(sp2 + 1, lineEnd);
  const minor = version === 'HTTP/1.1' ? 1 : version === 'HTTP/1.0' ? 0 : -1;
  if (minor < 0) return DECLINE;

  REQUEST_FIELDS.lastIndex = lineEnd + 2;
  if (!REQUEST_FIELDS.test(s)) return DECLINE;
  const headers: IncomingHttpHeaders = {};
  let contentLength = -1;
  let chunked = false;
  let host = false;
  let connection: string | undefined;
  let count = 0;
  for (let i = lineEnd + 2; i < s.length; ) {
    const colon = s.indexOf(':', i);
    const j = s.indexOf('\r\n', colon);
    const key = s.slice(i, colon).toLowerCase();
    const value = fieldValue(s, colon + 1, j);
    i = j + 2;
    if (++count > MAX_HEADERS) return DECLINE;
    // Also catches names that are Object.prototype members (`constructor`, `__proto__`).
    if (headers[key] !== undefined) return DECLINE;
    switch (key) {
      case 'host':
        host = true;
        break;
      case 'connection':
        connection = value;
        break;
      case 'content-length':
        if (!DIGITS.test(value)) return DECLINE;
        contentLength = Number(value);
        break;
      case 'transfer-encoding':
        if (value.toLowerCase() !== 'chunked') return DECLINE;
        chunked = true;
        break;
      case 'upgrade':
      case 'expect':
        return DECLINE;
      case 'set-cookie':
        headers[key] = [value];
        continue;
    }
    headers[key] = value;
  }
  // A chunked DELETE/OPTIONS loses its framing in http-proxy-3 (deleteLength): node:http's business.
  if (!host || (chunked && (contentLength >= 0 || minor === 0 || method === 'DELETE' || method === 'OPTIONS'))) return DECLINE;
  return { method, url, minor, headers, end: blank + 4, contentLength, chunked, connection };
}

/** s[from, to) without leading and trailing SP/HTAB (Node trims field values so). */
function fieldValue(s: string, from: number, to: number): string {
  let a = from;
  let b = to;
  while (a < b && (s.charCodeAt(a) === 32 || s.charCodeAt(a) === 9)) a++;
  while (b > a && (s.charCodeAt(b - 1) === 32 || s.charCodeAt(b - 1) === 9)) b--;
  return s.slice(a, b);
}

export interface ResponseHead {
  status: number;
  /** Index just past the blank line. */
  end: number;
  /** -1 when absent. */
  contentLength: number;
  chunked: boolean;
  /** Transfer-Encoding without chunked: the body runs to the connection's close. */
  untilClose: boolean;
  /** The upstream will not keep the connection (Connection: close, or HTTP/1.0 without keep-alive). */
  close: boolean;
  hasDate: boolean;
  /** `HTTP/1.1 <status> <reason>` and the kept or edited header lines, each ending in CRLF. */
  head: string;
}

function hasToken(v: string, token: string): boolean {
  const lower = v.toLowerCase();
  if (lower === token) return true;
  for (const part of lower.split(',')) if (part.trim() === token) return true;
  return false;
}

/**
 * Parses an upstream response head and makes the client's (without its final CRLF): hop-by-hop
 * headers removed, `Server: nginx`, and every header named in `drop` (lower-case) removed.
 * BAD = a response Node's client would refuse: the request fails with 502.
 */
export function parseResponseHead(buf: Buffer, start: number, drop?: ReadonlySet<string>): ResponseHead | typeof INCOMPLETE | typeof BAD {
  const blank = buf.indexOf(CRLF2, start);
  if (blank < 0) return buf.length - start > 2 * MAX_HEAD ? BAD : INCOMPLETE;
  const s = buf.toString('latin1', start, blank + 2);
  const lineEnd = s.indexOf('\r\n');
  // HTTP/1.x NNN[ reason]
  if (lineEnd < 12 || !s.startsWith('HTTP/1.') || s.charCodeAt(8) !== 32) return BAD;
  const minor = s.charCodeAt(7) - 48;
  if (minor !== 0 && minor !== 1) return BAD;
  const code = s.slice(9, 12);
  if (!/^[1-9]\d\d$/.test(code) || (lineEnd > 12 && s.charCodeAt(12) !== 32)) return BAD;
  const status = Number(code);
  const reason = lineEnd > 13 ? s.slice(13, lineEnd) : '';
  if (reason && BAD_REASON.test(reason)) return BAD;
  RESPONSE_FIELDS.lastIndex = lineEnd + 2;
  if (!RESPONSE_FIELDS.test(s)) return BAD;
  let head = `HTTP/1.1 ${code} ${reason || STATUS_CODES[status] || 'unknown'}\r\n`;
  let contentLength = -1;
  let chunked = false;
  let otherCoding = false;
  let closeToken = false;
  let keepAliveToken = false;
  let hasDate = false;
  let hasServer = false;
  for (let i = lineEnd + 2; i < s.length; ) {
    const colon = s.indexOf(':', i);
    const j = s.indexOf('\r\n', colon);
    const line = i;
    i = j + 2;
    // Only these names matter (and those in `drop`): skip the others without making strings.
    const n = colon - line;
    if (!drop && n !== 4 && n !== 6 && n !== 10 && n !== 14 && n !== 17) {
      head += s.slice(line, i);
      continue;
    }
    const key = s.slice(line, colon).toLowerCase();
    switch (key) {
      case 'connection': {
        const v = fieldValue(s, colon + 1, j).toLowerCase();
        if (v === 'keep-alive') keepAliveToken = true;
        else if (v === 'close') closeToken = true;
        else {
          closeToken ||= hasToken(v, 'close');
          keepAliveToken ||= hasToken(v, 'keep-alive');
        }
        continue;
      }
      case 'keep-alive':
        continue;
      case 'transfer-encoding': {
        const codings = fieldValue(s, colon + 1, j).toLowerCase();
        if (codings === 'chunked' || /(^|,)\s*chunked$/.test(codings)) chunked = true;
        else otherCoding = true;
        continue;
      }
      case 'content-length': {
        const v = fieldValue(s, colon + 1, j);
        // llhttp refuses a second Content-Length even with the same value.
        if (!DIGITS.test(v) || contentLength >= 0) return BAD;
        contentLength = Number(v);
        break;
      }
      case 'server':
        if (!hasServer) head += 'Server: nginx\r\n';
        hasServer = true;
        continue;
      case 'date':
        hasDate = true;
        break;
    }
    if (drop?.has(key)) continue;
    head += s.slice(line, i);
  }
  if ((chunked || otherCoding) && contentLength >= 0) return BAD;
  if (!hasServer) head += 'Server: nginx\r\n';
  return {
    status,
    end: blank + 4,
    contentLength,
    chunked,
    untilClose: otherCoding && !chunked,
    close: closeToken || (minor === 0 && !keepAliveToken),
    hasDate,
    head,
  };
}

const SIZE = 0;
const EXT = 1;
const SIZE_LF = 2;
const DATA = 3;
const DATA_CR = 4;
const DATA_LF = 5;
const TRAILER = 6;
const TRAILER_LINE = 7;
const TRAILER_LF = 8;
const FINAL_LF = 9;
const DONE = 10;

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/**
 * Follows a chunked body across Buffers. scan() returns where it stopped: `end`, or just past the
 * body's final CRLF (then `done`), or -1 for a framing error. To pass the body on with its trailer
 * section removed: forward up to `trailerAt` (or everything when the trailer section has not begun),
 * then a CRLF of your own once done.
 */
export class ChunkedScanner {
  private state = SIZE;
  private size = 0;
  private digits = 0;
  /** Data bytes seen so far. */
  dataBytes = 0;
  /** Where the trailer section began, in the Buffer of the last scan(); -1 if not in that Buffer. */
  trailerAt = -1;

  get done(): boolean {
    return this.state === DONE;
  }

  get inTrailer(): boolean {
    return this.state >= TRAILER;
  }

  scan(buf: Buffer, start: number, end: number, onData?: (buf: Buffer, start: number, end: number) => void): number {
    this.trailerAt = -1;
    let i = start;
    while (i < end) {
      switch (this.state) {
        case SIZE: {
          const c = buf[i];
          const v = hexValue(c);
          if (v >= 0) {
            if (++this.digits > 12) return -1;
            this.size = this.size * 16 + v;
          } else if (this.digits === 0) return -1;
          else if (c === 13) this.state = SIZE_LF;
          else if (c === 59 || c === 32 || c === 9) this.state = EXT;
          else return -1;
          i++;
          break;
        }
        case EXT: {
          const c = buf[i++];
          if (c === 13) this.state = SIZE_LF;
          else if (c === 10) return -1;
          break;
        }
        case SIZE_LF:
          if (buf[i++] !== 10) return -1;
          if (this.size === 0) {
            this.state = TRAILER;
            this.trailerAt = i;
          } else this.state = DATA;
          break;
        case DATA: {
          const n = Math.min(this.size, end - i);
          if (onData) onData(buf, i, i + n);
          this.dataBytes += n;
          this.size -= n;
          i += n;
          if (this.size === 0) this.state = DATA_CR;
          break;
        }
        case DATA_CR:
          if (buf[i++] !== 13) return -1;
          this.state = DATA_LF;
          break;
        case DATA_LF:
          if (buf[i++] !== 10) return -1;
          this.state = SIZE;
          this.digits = 0;
          break;
        case TRAILER:
          this.state = buf[i++] === 13 ? FINAL_LF : TRAILER_LINE;
          break;
        case TRAILER_LINE: {
          const c = buf[i++];
          if (c === 13) this.state = TRAILER_LF;
          else if (c === 10) return -1;
          break;
        }
        case TRAILER_LF:
          if (buf[i++] !== 10) return -1;
          this.state = TRAILER;
          break;
        case FINAL_LF:
          if (buf[i++] !== 10) return -1;
          this.state = DONE;
          return i;
        default:
          return i;
      }
    }
    return i;
  }
}

let dateSecond = -1;
let dateValue = '';
/** The Date header value, made once per second. */
export function httpDate(): string {
  const now = Date.now();
  const sec = Math.floor(now / 1000);
  if (sec !== dateSecond) {
    dateSecond = sec;
    dateValue = new Date(sec * 1000).toUTCString();
  }
  return dateValue;
}

/** Whether Node's server keeps the connection after answering this request itself (llhttp's rule). */
export function keepsAlive(head: RequestHead): boolean {
  const c = head.connection;
  if (head.minor === 1) return !(c && hasToken(c, 'close'));
  return !!c && hasToken(c, 'keep-alive');
}

/** Node's `transfer-encoding: chunked`-by-default methods: a body-less one gets `Content-Length: 0`. */
const LENGTH_ZERO_METHODS = new Set(['POST', 'PUT', 'PATCH']);

/**
 * The upstream request head exactly as Node's http.request (keep-alive agent) writes it for
 * http-proxy-3 with these headers: `name: value` lines in object order, then `Connection:
 * keep-alive`, then `Content-Length: 0` for a body-less POST/PUT/PATCH. The target is http-proxy-3's
 * urlJoin('/', url): a lone trailing `?` is dropped.
 */
export function upstreamRequestHead(method: string, url: string, headers: IncomingHttpHeaders): string {
  // http-proxy-3's deleteLength pass, then its `trailer` blacklist.
  if ((method === 'DELETE' || method === 'OPTIONS') && !headers['content-length']) {
    headers['content-length'] = '0';
    delete headers['transfer-encoding'];
  }
  if (headers.trailer !== undefined) delete headers.trailer;
  const q = url.indexOf('?');
  let s = `${method} ${q >= 0 && q === url.length - 1 ? url.slice(0, q) : url} HTTP/1.1\r\n`;
  let framed = false;
  for (const k in headers) {
    const v = headers[k];
    if (v === undefined) continue;
    if (k === 'content-length' || k === 'transfer-encoding') framed = true;
    if (typeof v === 'string') s += `${k}: ${v}\r\n`;
    else for (const one of v) s += `${k}: ${one}\r\n`;
  }
  s += 'Connection: keep-alive\r\n';
  if (!framed && LENGTH_ZERO_METHODS.has(method)) s += 'Content-Length: 0\r\n';
  return `${s}\r\n`;
}
