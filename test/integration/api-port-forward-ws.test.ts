// Port-forward over WebSocket on real loopback sockets, driven with the `ws` client: the kubelet's
// channel protocol (binary and base64: the port first on every channel, data both ways, one
// connection per port, a dial error on the error channel, the WebSocket closing with the
// connections), the refusals before the upgrade, and the answer to client-go's SPDY tunnel offer.
import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { bootstrap } from '../../src/api/bootstrap.js';
import { defaultConfig } from '../../src/api/config.js';
import { startApiServer, type ApiServer } from '../../src/api/server.js';
import { ObjectStore } from '../../src/api/store.js';
import { registerStrategies } from '../../src/api/strategies/index.js';
import { until } from '../support/eventually.js';

let api: ApiServer;
let store: ObjectStore;
let echo: net.Server;
let echoPort: number;
let closedPort: number;
const sockets = new Set<net.Socket>();

beforeAll(async () => {
  const config = defaultConfig({ serviceCidr: '127.88.0.0/16', upstreamDns: [], stateDir: '/nonexistent' });
  store = new ObjectStore();
  registerStrategies(store, config);
  bootstrap(store, config);
  // the "pod": an echo server on 127.0.0.1 that closes after answering "bye"
  echo = net.createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('data', (c) => (String(c) === 'bye' ? s.end('bye!') : s.write(c)));
  });
  await new Promise<void>((r) => echo.listen(0, '127.0.0.1', () => r()));
  echoPort = (echo.address() as net.AddressInfo).port;
  const probe = net.createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
  closedPort = (probe.address() as net.AddressInfo).port;
  await new Promise<void>((r) => probe.close(() => r()));
  const pod = store.create('/pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'nginx' }] } });
  store.update('/pods', { ...pod, status: { phase: 'Running', podIP: '127.0.0.1' } }, { subresource: 'status' });
  store.create('/pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'pending', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'nginx' }] } });
  api = await startApiServer({ store, host: '127.0.0.1', port: 0 });
});

afterAll(async () => {
  await api?.close();
  for (const s of sockets) s.destroy();
  await new Promise<void>((r) => echo.close(() => r()));
});

function open(query: string, protocols: string[], pod = 'p'): { ws: WebSocket; frames: (Buffer | string)[]; closed: Promise<number> } {
  const ws = new WebSocket(`${api.url.replace('http', 'ws')}/api/v1/namespaces/default/pods/${pod}/portforward?${query}`, protocols);
  const frames: (Buffer | string)[] = [];
  ws.on('message', (d: Buffer, binary) => frames.push(binary ? d : String(d)));
  const closed = new Promise<number>((r) => ws.on('close', (code) => r(code)));
  ws.on('error', () => {});
  return { ws, frames, closed };
}

const le = (port: number) => Buffer.from([port & 0xff, port >> 8]);

describe('port-forward over WebSocket', () => {
  it('v4.channel.k8s.io: the port on both channels first, then bytes both ways; the WebSocket closes with the connection', async () => {
    const { ws, frames, closed } = open(`ports=${echoPort}`, ['v5.channel.k8s.io', 'v4.channel.k8s.io']);
    await new Promise((r) => ws.once('open', r));
    expect(ws.protocol).toBe('v4.channel.k8s.io');
    await until(() => frames.length >= 2, 'port frames');
    expect(frames.slice(0, 2)).toEqual([Buffer.concat([Buffer.of(0), le(echoPort)]), Buffer.concat([Buffer.of(1), le(echoPort)])]);
    ws.send(Buffer.concat([Buffer.of(0), Buffer.from('hello')]));
    await until(() => frames.length >= 3, 'echo');
    expect(frames[2]).toEqual(Buffer.concat([Buffer.of(0), Buffer.from('hello')]));
    ws.send(Buffer.concat([Buffer.of(0), Buffer.from('bye')]));
    expect(await closed).toBe(1000);
    expect(Buffer.concat(frames.slice(3) as Buffer[]).subarray(1).toString()).toBe('bye!');
  });

  it('v4.base64.channel.k8s.io: text frames, channel as a digit, payload base64', async () => {
    const { ws, frames } = open(`ports=${echoPort}`, ['v4.base64.channel.k8s.io']);
    await new Promise((r) => ws.once('open', r));
    await until(() => frames.length >= 2, 'port frames');
    expect(frames.slice(0, 2)).toEqual([`0${le(echoPort).toString('base64')}`, `1${le(echoPort).toString('base64')}`]);
    ws.send(`0${Buffer.from('abc').toString('base64')}`);
    await until(() => frames.length >= 3, 'echo');
    expect(frames[2]).toBe(`0${Buffer.from('abc').toString('base64')}`);
    ws.close();
  });

  it('several ports: channels 2i and 2i+1 each; a refused dial is reported on its error channel', async () => {
    const { ws, frames, closed } = open(`ports=${echoPort},${closedPort}`, ['v4.channel.k8s.io']);
    await new Promise((r) => ws.once('open', r));
    await until(() => frames.some((f) => (f as Buffer)[0] === 3 && f.length > 3), 'error frame');
    const error = frames.find((f) => (f as Buffer)[0] === 3 && f.length > 3) as Buffer;
    expect(error.subarray(1).toString()).toBe(`error forwarding port ${closedPort} to pod 127.0.0.1: dial tcp 127.0.0.1:${closedPort}: connect: connection refused`);
    expect(frames.slice(0, 4).map((f) => (f as Buffer)[0])).toEqual([0, 1, 2, 3]);
    // the first port still works
    ws.send(Buffer.concat([Buffer.of(0), Buffer.from('still')]));
    await until(() => frames.some((f) => String((f as Buffer).subarray(1)) === 'still'), 'first port echoes');
    ws.close();
    await closed;
  });

  it('refuses before upgrading: no ports, a bad port, a pod not running, an unknown subprotocol', async () => {
    const refusal = (query: string, protocols: string[], pod = 'p') =>
      new Promise<{ status: number; body: string }>((resolve) => {
        const ws = new WebSocket(`${api.url.replace('http', 'ws')}/api/v1/namespaces/default/pods/${pod}/portforward?${query}`, protocols);
        ws.on('unexpected-response', (_req, res) => {
          let body = '';
          res.on('data', (c) => (body += c));
          res.on('end', () => resolve({ status: res.statusCode!, body }));
        });
        ws.on('error', () => {});
      });
    expect(await refusal('', ['v4.channel.k8s.io'])).toMatchObject({ status: 400, body: expect.stringContaining('query parameter \\"ports\\" is required') });
    expect(await refusal('ports=http', ['v4.channel.k8s.io'])).toMatchObject({ status: 400, body: expect.stringContaining('unable to parse \\"http\\" as a port') });
    expect(await refusal('ports=80', ['v4.channel.k8s.io'], 'pending')).toMatchObject({ status: 400, body: expect.stringContaining('pod pending is not running') });
    expect(await refusal('ports=80', ['v5.channel.k8s.io'])).toMatchObject({ status: 400, body: expect.stringContaining('requested protocol(s) are not supported') });
  });

  it("client-go's tunnel offer (SPDY/3.1+portforward.k8s.io) is accepted under its own name", async () => {
    const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
      const r = http.request(`${api.url}/api/v1/namespaces/default/pods/p/portforward`, {
        headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==', 'Sec-WebSocket-Protocol': 'SPDY/3.1+portforward.k8s.io' },
      });
      r.on('upgrade', (response, socket) => {
        socket.destroy();
        resolve(response);
      });
      r.on('response', (response) => reject(new Error(`no upgrade: ${response.statusCode}`)));
      r.on('error', reject);
      r.end();
    });
    expect(res.statusCode).toBe(101);
    expect(res.headers['sec-websocket-protocol']).toBe('SPDY/3.1+portforward.k8s.io');
    expect(res.headers['sec-websocket-accept']).toBe('s3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
  });
});
