import { describe, expect, it } from 'vitest';
import { BAD, ChunkedScanner, DECLINE, INCOMPLETE, keepsAlive, parseRequestHead, parseResponseHead, upstreamRequestHead, type RequestHead, type ResponseHead } from './http1.js';

const req = (s: string, start = 0) => parseRequestHead(Buffer.from(s, 'latin1'), start);
const head = (s: string) => {
  const r = req(s);
  if (typeof r === 'number') throw new Error(`not parsed: ${r}`);
  return r as RequestHead;
};
const res = (s: string, drop?: Set<string>) => parseResponseHead(Buffer.from(s, 'latin1'), 0, drop);
const resHead = (s: string, drop?: Set<string>) => {
  const r = res(s, drop);
  if (typeof r === 'number') throw new Error(`not parsed: ${r}`);
  return r as ResponseHead;
};

describe('parseRequestHead', () => {
  it("gives Node's view of a request: lower-case names in order, trimmed values, set-cookie as an array", () => {
    const h = head('POST /a/b?x=1 HTTP/1.1\r\nHost: Example.test\r\nX-Thing:   spaced out \t\r\nSet-Cookie: a=1\r\nContent-Length: 5\r\nConnection: keep-alive\r\n\r\nhello');
    expect(h).toMatchObject({ method: 'POST', url: '/a/b?x=1', minor: 1, contentLength: 5, chunked: false, connection: 'keep-alive' });
    expect(Object.entries(h.headers)).toEqual([['host', 'Example.test'], ['x-thing', 'spaced out'], ['set-cookie', ['a=1']], ['content-length', '5'], ['connection', 'keep-alive']]);
    expect(h.end).toBe(Buffer.byteLength('POST /a/b?x=1 HTTP/1.1\r\nHost: Example.test\r\nX-Thing:   spaced out \t\r\nSet-Cookie: a=1\r\nContent-Length: 5\r\nConnection: keep-alive\r\n\r\n'));
  });
  it('finds the next pipelined request from an offset, and waits for an unfinished head', () => {
    const two = 'GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.0\r\nHost: b\r\n\r\n';
    const first = head(two);
    const second = req(two, first.end) as RequestHead;
    expect([first.url, second.url, second.minor, second.end]).toEqual(['/1', '/2', 0, two.length]);
    expect(req('GET / HTTP/1.1\r\nHost: a\r\n')).toBe(INCOMPLETE);
    expect(req('GET / HTTP/1.1\r\nHost: a\r\n\r')).toBe(INCOMPLETE);
  });
  it('marks chunked bodies', () => {
    expect(head('PUT / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: Chunked\r\n\r\n')).toMatchObject({ chunked: true, contentLength: -1 });
  });
  it('declines whatever node:http should judge instead', () => {
    const declined: string[] = [
      'GARBAGE\r\n\r\n',
      'BREW / HTTP/1.1\r\nHost: a\r\n\r\n',
      'CONNECT a:443 HTTP/1.1\r\nHost: a\r\n\r\n',
      'GET http://a/ HTTP/1.1\r\nHost: a\r\n\r\n',
      'GET * HTTP/1.1\r\nHost: a\r\n\r\n',
      'GET /a b HTTP/1.1\r\nHost: a\r\n\r\n',
      'GET /\x01 HTTP/1.1\r\nHost: a\r\n\r\n',
      'GET / HTTP/2.0\r\nHost: a\r\n\r\n',
      'GET / HTTP/1.1\r\n\r\n',
      'GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n',
      'GET / HTTP/1.1\r\nHost: a\r\nX-A: 1\r\nx-a: 2\r\n\r\n',
      'GET / HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n',
      'POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\n',
      'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n',
      'POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n',
      'POST / HTTP/1.0\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n',
      'DELETE / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n',
      'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1x\r\n\r\n',
      'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n',
      'GET / HTTP/1.1\r\nHost: a\r\nX-Fold: a\r\n  b\r\n\r\n',
      'GET / HTTP/1.1\r\nHost : a\r\n\r\n',
      'GET / HTTP/1.1\r\nHost: a\r\nNoColon\r\n\r\n',
      'GET / HTTP/1.1\r\nHost: a\nX: b\r\n\r\n',
      'GET / HTTP/1.1\r\nHost: a\r\nX: caf\xe9\r\n\r\n',
      'GET / HTTP/1.1\r\nHost: a\r\n__proto__: x\r\n\r\n',
      'GET / HTTP/1.1\r\nHost: a\r\nconstructor: x\r\n\r\n',
      '\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n',
      `GET / HTTP/1.1\r\nHost: a\r\nX-Big: ${'a'.repeat(40_000)}\r\n\r\n`,
      `GET / HTTP/1.1\r\nHost: a\r\nX-Big: ${'a'.repeat(40_000)}`,
    ];
    for (const d of declined) expect([JSON.stringify(d.slice(0, 60)), req(d)]).toEqual([JSON.stringify(d.slice(0, 60)), DECLINE]);
  });
  it('applies llhttp keep-alive rules for answers the proxy makes itself', () => {
    expect(keepsAlive(head('GET / HTTP/1.1\r\nHost: a\r\n\r\n'))).toBe(true);
    expect(keepsAlive(head('GET / HTTP/1.1\r\nHost: a\r\nConnection: foo, Close\r\n\r\n'))).toBe(false);
    expect(keepsAlive(head('GET / HTTP/1.0\r\nHost: a\r\n\r\n'))).toBe(false);
    expect(keepsAlive(head('GET / HTTP/1.0\r\nHost: a\r\nConnection: Keep-Alive\r\n\r\n'))).toBe(true);
  });
});

describe('parseResponseHead', () => {
  it('rewrites for the client: Server: nginx in place, hop-by-hop headers gone, the rest byte for byte', () => {
    const r = resHead('HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nDate: x\r\nContent-Type: text/plain\r\nContent-Length: 31\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\nX-Mixed-Case: A b\r\n\r\nbody');
    expect(r).toMatchObject({ status: 200, contentLength: 31, chunked: false, close: false, hasDate: true, untilClose: false });
    expect(r.head).toBe('HTTP/1.1 200 OK\r\nServer: nginx\r\nDate: x\r\nContent-Type: text/plain\r\nContent-Length: 31\r\nX-Mixed-Case: A b\r\n');
    expect(r.end).toBe(r.head.length + 'Connection: keep-alive\r\nKeep-Alive: timeout=5\r\n'.length - 'Server: nginx\r\n'.length + 'Server: nginx/1.22.1\r\n'.length + 2);
  });
  it('adds Server when missing, the reason phrase when empty, and drops the headers the proxy overrides', () => {
    const r = resHead('HTTP/1.0 404\r\nStrict-Transport-Security: max-age=1\r\nTransfer-Encoding: chunked\r\n\r\n', new Set(['strict-transport-security']));
    expect(r).toMatchObject({ status: 404, chunked: true, close: true, hasDate: false });
    expect(r.head).toBe('HTTP/1.1 404 Not Found\r\nServer: nginx\r\n');
  });
  it('reads the framing: chunked last, other codings until close, HTTP/1.0 keep-alive', () => {
    expect(resHead('HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n')).toMatchObject({ chunked: true, untilClose: false });
    expect(resHead('HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n')).toMatchObject({ chunked: false, untilClose: true });
    expect(resHead('HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n')).toMatchObject({ close: false, contentLength: 0 });
    expect(resHead('HTTP/1.1 200 OK\r\nConnection: foo, close\r\n\r\n')).toMatchObject({ close: true, contentLength: -1 });
  });
  it("refuses what Node's client refuses (a 502)", () => {
    for (const bad of [
      'HTTP/2 200 OK\r\n\r\n',
      'HTTP/1.1 2000 OK\r\n\r\n',
      'HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n',
      'HTTP/1.1 200 OK\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n',
      'HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n',
      'HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n',
      'HTTP/1.1 200 OK\r\nX: a\x00b\r\n\r\n',
      'SSH-2.0-OpenSSH\r\n\r\n',
    ]) expect([bad, res(bad)]).toEqual([bad, BAD]);
    expect(res('HTTP/1.1 200 OK\r\nX: 1\r\n')).toBe(INCOMPLETE);
    expect(res(`HTTP/1.1 200 OK\r\nX: ${'a'.repeat(70_000)}`)).toBe(BAD);
    expect(res('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\n')).toBe(BAD);
  });
});

describe('ChunkedScanner', () => {
  const body = '4\r\nWiki\r\n6;ext=1\r\npedia \r\nE\r\nin \r\n\r\nchunks.\r\n0\r\nX-Trailer: 1\r\n\r\n';
  const data = 'Wikipedia in \r\n\r\nchunks.';

  it('finds the data and the end whatever the Buffer boundaries', () => {
    const whole = Buffer.from(`${body}NEXT`);
    for (let cut = 0; cut <= body.length; cut++) {
      const sc = new ChunkedScanner();
      let seen = '';
      const onData = (b: Buffer, s: number, e: number) => (seen += b.toString('latin1', s, e));
      const a = whole.subarray(0, cut);
      const b = whole.subarray(cut);
      expect(sc.scan(a, 0, a.length, onData)).toBe(a.length);
      const stop = sc.done ? 0 : sc.scan(b, 0, b.length, onData);
      expect([cut, sc.done, stop, seen, sc.dataBytes]).toEqual([cut, true, body.length - cut, data, data.length]);
    }
  });
  it('says where the trailer section begins, so it can be cut', () => {
    const sc = new ChunkedScanner();
    const b = Buffer.from(body);
    expect(sc.scan(b, 0, b.length)).toBe(b.length);
    expect(b.toString('latin1', 0, sc.trailerAt)).toBe(body.slice(0, body.indexOf('X-Trailer')));
    const plain = new ChunkedScanner();
    const p = Buffer.from('0\r\n\r\n');
    expect([plain.scan(p, 0, p.length), plain.trailerAt, plain.done]).toEqual([5, 3, true]);
  });
  it('rejects broken framing', () => {
    for (const bad of ['x\r\n', '\r\n', '3\r\nabcX', '3\r\nabc\rX', '3\nabc', '1234567890123\r\n', '0\r\nX\n']) {
      const sc = new ChunkedScanner();
      const b = Buffer.from(bad);
      expect([bad, sc.scan(b, 0, b.length)]).toEqual([bad, -1]);
    }
  });
});

describe('upstreamRequestHead', () => {
  it("writes Node's head: names as given in order, Connection: keep-alive, Content-Length: 0 for a body-less POST", () => {
    expect(upstreamRequestHead('POST', '/x', { host: 'a', 'set-cookie': ['1', '2'], trailer: 'x' })).toBe('POST /x HTTP/1.1\r\nhost: a\r\nset-cookie: 1\r\nset-cookie: 2\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n');
    expect(upstreamRequestHead('PUT', '/x', { host: 'a', 'content-length': '3' })).toBe('PUT /x HTTP/1.1\r\nhost: a\r\ncontent-length: 3\r\nConnection: keep-alive\r\n\r\n');
    expect(upstreamRequestHead('GET', '/x?', { host: 'a' })).toBe('GET /x HTTP/1.1\r\nhost: a\r\nConnection: keep-alive\r\n\r\n');
    expect(upstreamRequestHead('GET', '/x?a?b', { host: 'a' })).toBe('GET /x?a?b HTTP/1.1\r\nhost: a\r\nConnection: keep-alive\r\n\r\n');
  });
  it("adds http-proxy-3's content-length: 0 to a DELETE or OPTIONS without one", () => {
    expect(upstreamRequestHead('DELETE', '/', { host: 'a' })).toBe('DELETE / HTTP/1.1\r\nhost: a\r\ncontent-length: 0\r\nConnection: keep-alive\r\n\r\n');
    expect(upstreamRequestHead('OPTIONS', '/', { host: 'a', 'content-length': '2' })).toBe('OPTIONS / HTTP/1.1\r\nhost: a\r\ncontent-length: 2\r\nConnection: keep-alive\r\n\r\n');
  });
});
