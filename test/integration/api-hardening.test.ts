// What keeps the API server standing under abuse (issue 14, point 5): kube-apiserver's 3 MiB body
// limit with a 413 Status, and watchers that never read are cut off instead of buffering every event
// in memory (the worst case measured: five stalled watches while a 900 KB ConfigMap changes 150 times).
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_BODY, startApiServer, WATCH_BACKLOG_LIMIT, type ApiServer } from '../../src/api/server.js';
import { ObjectStore } from '../../src/api/store.js';
import { startBareApi } from '../support/api.js';
import { eventually } from '../support/eventually.js';

let api: ApiServer;
let store: ObjectStore;

beforeAll(async () => {
  ({ api, store } = await startBareApi('127.87.0.0/16'));
});

afterAll(async () => {
  await api?.close();
});

describe('API hardening', () => {
  it('refuses a body over 3 MiB with 413 and the apiserver Status, and reads one just under it', async () => {
    const big = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'big' }, data: { x: 'a'.repeat(MAX_BODY) } };
    const res = await fetch(`${api.url}/api/v1/namespaces/default/configmaps`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(big) });
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Request entity too large: limit is 3145728', reason: 'RequestEntityTooLarge', code: 413 });
    big.data.x = 'a'.repeat(MAX_BODY - 200);
    const under = await fetch(`${api.url}/api/v1/namespaces/default/configmaps`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(big) });
    // read and judged: a ConfigMap's own limit is 1 MiB
    expect(under.status).toBe(422);
    expect(((await under.json()) as { message: string }).message).toContain('Too long: must have at most 1048576 bytes');
  });

  it('cuts off watchers that never read, so memory stays bounded, and keeps serving a watcher that reads', async () => {
    const { port } = api.address;
    const value = 'v'.repeat(900 * 1024);
    store.create('/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'churn', namespace: 'default' }, data: { v: value } });
    const rv = store.resourceVersion();
    // five stalled watchers: they send the request, then never read
    const stalled = await Promise.all(Array.from({ length: 5 }, () => new Promise<{ sock: net.Socket; closed: Promise<void> }>((resolve) => {
      const sock = net.connect(port, '127.0.0.1', () => {
        sock.write(`GET /api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${rv} HTTP/1.1\r\nHost: x\r\n\r\n`);
        sock.pause();
        resolve({ sock, closed: new Promise((r) => sock.once('close', () => r())) });
      });
      sock.on('error', () => undefined);
    })));
    // and one that reads every event
    let seen = 0;
    const reader = new AbortController();
    const stream = fetch(`${api.url}/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${rv}`, { signal: reader.signal }).then(async (res) => {
      let buf = '';
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buf += Buffer.from(chunk).toString();
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          buf = buf.slice(nl + 1);
          seen++;
        }
      }
    }).catch(() => undefined);
    const before = process.memoryUsage().rss;
    let peak = before;
    for (let i = 0; i < 150; i++) {
      store.update('/configmaps', { ...structuredClone(store.get('/configmaps', 'default', 'churn')), data: { v: `${i}${value.slice(1)}` } });
      peak = Math.max(peak, process.memoryUsage().rss);
      // paced by the reader, so only the stalled watchers fall behind, however busy the machine
      await eventually(() => expect(seen).toBeGreaterThanOrEqual(i + 1), { what: `the reading watcher at event ${i + 1}`, timeout: 20_000 });
    }
    await eventually(() => expect(seen).toBe(150), { what: 'the reading watcher saw every change', timeout: 20_000 });
    // Unbounded, the five backlogs hold 5 × 150 × 900 KB: RSS grew 916 MiB in this test without the
    // limit; with it, the growth is the store's own history plus at most the limit per watcher.
    const growthMiB = (peak - before) / 1024 / 1024;
    console.log(`[watch backlog] RSS grew ${growthMiB.toFixed(0)} MiB with 5 stalled watchers (limit ${WATCH_BACKLOG_LIMIT / 1024 / 1024} MiB each)`);
    expect(growthMiB).toBeLessThan(400);
    // the stalled watchers were closed by the server: once they read, their streams end
    for (const w of stalled) w.sock.resume();
    await Promise.all(stalled.map((w) => w.closed));
    reader.abort();
    await stream;
  }, 60_000);
});

describe('API hardening: slow clients and long heads', () => {
  let slow: ApiServer;
  beforeAll(async () => {
    slow = await startApiServer({ store, host: '127.0.0.1', port: 0, headersTimeoutMs: 400, requestTimeoutMs: 800 });
  });
  afterAll(async () => {
    await slow?.close();
  });

  const raw = (port: number, bytes: string) => new Promise<{ reply: string; closed: boolean }>((resolve) => {
    let reply = '';
    const sock = net.connect(port, '127.0.0.1', () => sock.write(bytes));
    sock.on('data', (c) => (reply += c));
    sock.on('error', () => undefined);
    sock.on('close', () => resolve({ reply, closed: true }));
  });

  it('ends a client that never finishes its request head with 408', async () => {
    const { reply, closed } = await raw(slow.address.port, 'GET /api/v1/namespaces HTTP/1.1\r\nHost: x\r\nX-Slow: ');
    expect(closed).toBe(true);
    expect(reply).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('refuses a request head (URL included) over 16 KiB with 431', async () => {
    const { reply } = await raw(slow.address.port, `GET /api/v1/namespaces?x=${'a'.repeat(17 * 1024)} HTTP/1.1\r\nHost: x\r\n\r\n`);
    expect(reply).toMatch(/^HTTP\/1\.1 431 /);
  });

  it('keeps serving a watch long after the request timeouts', async () => {
    const ctrl = new AbortController();
    const res = await fetch(`${slow.url}/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${store.resourceVersion()}`, { signal: ctrl.signal });
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const first = reader.read();
    // a request whose body never completes is ended by the request timeout (800 ms)…
    const { reply } = await raw(slow.address.port, 'POST /api/v1/namespaces/default/configmaps HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{');
    expect(reply).toMatch(/^HTTP\/1\.1 408 /);
    // …while the watch opened before it still streams
    store.create('/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'late', namespace: 'default' } });
    const chunk = await first;
    expect(Buffer.from(chunk.value ?? []).toString()).toContain('"late"');
    ctrl.abort();
  });
});
