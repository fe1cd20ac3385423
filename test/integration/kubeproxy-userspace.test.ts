// kube-proxy's userspace dataplane over real loopback sockets, driven through a bare ObjectStore.
// Addresses: backends ("pods") on 127.77.1.x, Service VIPs on 127.77.100.x, one random high port.
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import http from 'node:http';
import net from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { InformerFactory } from '../../src/api/informer.js';
import { ObjectStore } from '../../src/api/store.js';
import { GR, type KObject } from '../../src/api/types.js';
import { startKubeProxy, UserspaceDataplane, type KubeProxy } from '../../src/kubeproxy/index.js';
import { TrafficCounters } from '../../src/lib/traffic-counters.js';
import { eventually } from '../support/eventually.js';
import { getOnce } from '../support/proxy-clients.js';

const PORT = 20000 + Math.floor(Math.random() * 20000);
const BACKEND_PORT = PORT + 1;

type Ep = { ip: string; ready?: boolean; serving?: boolean; terminating?: boolean };

function service(name: string, clusterIP: string, ports: { name?: string; port: number; protocol?: string }[] = [{ port: PORT }]): KObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' }, spec: { clusterIP, clusterIPs: [clusterIP], ports } };
}

function slice(service: string, eps: Ep[], port = BACKEND_PORT, protocol = 'TCP'): KObject {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: `${service}-abcde`, namespace: 'default', labels: { 'kubernetes.io/service-name': service } },
    addressType: 'IPv4',
    ports: [{ name: '', port, protocol }],
    endpoints: eps.map((e) => ({
      addresses: [e.ip],
      conditions: { ready: e.ready ?? true, serving: e.serving ?? e.ready ?? true, terminating: e.terminating ?? false },
    })),
  };
}

/** An HTTP "pod" that answers with its own IP. */
function httpBackend(ip: string): Promise<http.Server> {
  const srv = http.createServer((_req, res) => res.end(ip));
  return new Promise((resolve) => srv.listen(BACKEND_PORT, ip, () => resolve(srv)));
}

/** One request on a fresh connection; resolves with the body (the backend's IP). */
const get = (ip: string, port = PORT): Promise<string> => getOnce(ip, port);

function connectError(ip: string, port = PORT): Promise<string | undefined> {
  return new Promise((resolve) => {
    const s = net.connect({ host: ip, port });
    s.on('connect', () => {
      s.destroy();
      resolve(undefined);
    });
    s.on('error', (err: NodeJS.ErrnoException) => resolve(err.code));
  });
}

function curl(url: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('curl', ['-sS', '--max-time', '5', '--noproxy', '*', url], (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

const close = (s: net.Server | http.Server) => new Promise<void>((r) => s.close(() => r()));

describe('kube-proxy userspace dataplane', () => {
  let store: ObjectStore;
  let informers: InformerFactory;
  let proxy: KubeProxy;
  let logs: string[];
  const backends: (net.Server | http.Server)[] = [];
  const backendIPs = ['127.77.1.1', '127.77.1.2', '127.77.1.3'];

  beforeAll(async () => {
    for (const ip of backendIPs) backends.push(await httpBackend(ip));
  });
  afterAll(async () => {
    await Promise.all(backends.map(close));
  });

  beforeEach(async () => {
    store = new ObjectStore();
    store.create(GR.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } });
    informers = new InformerFactory(store);
    logs = [];
    proxy = await startKubeProxy({ informers, store, log: (l) => logs.push(l), retryMs: 50 });
  });
  afterEach(async () => {
    await proxy.stop();
    informers.stop();
  });

  it('balances new connections round robin over every ready endpoint', async () => {
    store.create(GR.services, service('web', '127.77.100.1'));
    store.create(GR.endpointslices, slice('web', backendIPs.map((ip) => ({ ip }))));
    await proxy.synced();
    expect(proxy.listening()).toEqual([`127.77.100.1:${PORT}/TCP`]);
    const seen: string[] = [];
    for (let i = 0; i < 9; i++) seen.push(await get('127.77.100.1'));
    expect(seen.slice(0, 3).sort()).toEqual(backendIPs);
    expect(seen.slice(3, 6)).toEqual(seen.slice(0, 3));
    expect(seen.slice(6, 9)).toEqual(seen.slice(0, 3));
  });

  it('stops sending new connections to an endpoint removed from the slice, or not ready, at once', async () => {
    store.create(GR.services, service('web', '127.77.100.2'));
    const s = store.create(GR.endpointslices, slice('web', backendIPs.map((ip) => ({ ip }))));
    await proxy.synced();
    const upd = structuredClone(s);
    upd.endpoints = slice('web', [{ ip: '127.77.1.1' }, { ip: '127.77.1.2', ready: false, serving: true, terminating: true }]).endpoints;
    store.update(GR.endpointslices, upd);
    await proxy.synced();
    const seen = new Set<string>();
    for (let i = 0; i < 6; i++) seen.add(await get('127.77.100.2'));
    expect([...seen]).toEqual(['127.77.1.1']);
  });

  it('refuses connections while a service has no usable endpoints, and serves again when one is ready', async () => {
    store.create(GR.services, service('empty', '127.77.100.3'));
    await proxy.synced();
    expect(await connectError('127.77.100.3')).toBe('ECONNREFUSED');

    const s = store.create(GR.endpointslices, slice('empty', [{ ip: '127.77.1.1', ready: false, serving: false }]));
    await proxy.synced();
    expect(await connectError('127.77.100.3')).toBe('ECONNREFUSED');

    const ready = structuredClone(s);
    ready.endpoints = slice('empty', [{ ip: '127.77.1.3' }]).endpoints;
    store.update(GR.endpointslices, ready);
    await proxy.synced();
    expect(await get('127.77.100.3')).toBe('127.77.1.3');

    store.delete(GR.endpointslices, 'default', s.metadata.name);
    await proxy.synced();
    expect(await connectError('127.77.100.3')).toBe('ECONNREFUSED');
  });

  it('uses serving+terminating endpoints when none is ready', async () => {
    store.create(GR.services, service('draining', '127.77.100.4'));
    store.create(GR.endpointslices, slice('draining', [{ ip: '127.77.1.2', ready: false, serving: true, terminating: true }, { ip: '127.77.1.3', ready: false, serving: false }]));
    await proxy.synced();
    expect(await get('127.77.100.4')).toBe('127.77.1.2');
    expect(await get('127.77.100.4')).toBe('127.77.1.2');
  });

  it('skips an endpoint nobody listens on and retries the next one', async () => {
    store.create(GR.services, service('flaky', '127.77.100.5'));
    store.create(GR.endpointslices, slice('flaky', [{ ip: '127.77.1.1' }, { ip: '127.77.1.9' }, { ip: '127.77.1.2' }, { ip: '127.77.1.8' }]));
    await proxy.synced();
    const seen: string[] = [];
    for (let i = 0; i < 8; i++) seen.push(await get('127.77.100.5'));
    expect(new Set(seen)).toEqual(new Set(['127.77.1.1', '127.77.1.2']));
  });

  it('counts each connection once, against the endpoint that answered (TrafficCounters)', async () => {
    await proxy.stop();
    const counters = new TrafficCounters();
    proxy = await startKubeProxy({ informers, store, log: (l) => logs.push(l), retryMs: 50, dataplane: new UserspaceDataplane({ counters }) });
    store.create(GR.services, service('counted', '127.77.100.6'));
    store.create(GR.endpointslices, slice('counted', [{ ip: '127.77.1.1' }, { ip: '127.77.1.9' }, { ip: '127.77.1.2' }]));
    await proxy.synced();
    for (let i = 0; i < 9; i++) await get('127.77.100.6');
    const eps = counters.snapshot().get('default/counted');
    // 127.77.1.9 has no listener: its turns go to the next endpoint, and it is never counted.
    expect(Object.fromEntries(eps ?? [])).toEqual({ [`127.77.1.1:${BACKEND_PORT}`]: expect.any(Number), [`127.77.1.2:${BACKEND_PORT}`]: expect.any(Number) });
    expect([...eps!.values()].reduce((a, b) => a + b, 0)).toBe(9);
  });

  it('resets the client when every endpoint is dead', async () => {
    store.create(GR.services, service('dead', '127.77.100.6'));
    store.create(GR.endpointslices, slice('dead', [{ ip: '127.77.1.8' }, { ip: '127.77.1.9' }]));
    await proxy.synced();
    await expect(get('127.77.100.6')).rejects.toMatchObject({ code: expect.stringMatching(/ECONNRESET|EPIPE/) });
  });

  it('keeps an established connection to a removed endpoint and passes half-close both ways', async () => {
    // A "pod" that answers only after the client half-closes: proves FIN is forwarded and the reply
    // direction stays open afterwards.
    let gotFirstBytes!: () => void;
    const firstBytes = new Promise<void>((r) => (gotFirstBytes = r));
    const upper = net.createServer({ allowHalfOpen: true }, (c) => {
      const chunks: Buffer[] = [];
      c.on('data', (d) => {
        chunks.push(d);
        gotFirstBytes();
      });
      c.on('end', () => c.end(Buffer.concat(chunks).toString().toUpperCase()));
    });
    await new Promise<void>((r) => upper.listen(BACKEND_PORT, '127.77.1.20', () => r()));
    let client: net.Socket | undefined;
    try {
      store.create(GR.services, service('upper', '127.77.100.7'));
      const s = store.create(GR.endpointslices, slice('upper', [{ ip: '127.77.1.20' }]));
      await proxy.synced();
      const c = (client = net.connect({ host: '127.77.100.7', port: PORT, allowHalfOpen: true }));
      await new Promise((r) => c.once('connect', r));
      c.write('hello ');
      await firstBytes; // the splice to the pod is up
      store.delete(GR.endpointslices, 'default', s.metadata.name);
      await proxy.synced();
      expect(await connectError('127.77.100.7')).toBe('ECONNREFUSED'); // new connections refused…
      const reply = new Promise<string>((resolve) => {
        let out = '';
        c.on('data', (d) => (out += d));
        c.on('end', () => resolve(out));
      });
      c.end('world'); // …the old one finishes
      expect(await reply).toBe('HELLO WORLD');
    } finally {
      client?.destroy();
      await proxy.stop();
      await close(upper);
    }
  });

  it('logs a bind failure once, records an Event, retries, and keeps serving other services', async () => {
    const squatter = net.createServer();
    await new Promise<void>((r) => squatter.listen(PORT, '127.77.100.8', () => r()));
    let freed = false;
    try {
      store.create(GR.services, service('busy', '127.77.100.8'));
      store.create(GR.endpointslices, slice('busy', [{ ip: '127.77.1.1' }]));
      store.create(GR.services, service('fine', '127.77.100.9'));
      store.create(GR.endpointslices, slice('fine', [{ ip: '127.77.1.2' }]));
      await proxy.synced();
      expect(await get('127.77.100.9')).toBe('127.77.1.2');
      await new Promise((r) => setTimeout(r, 200)); // a few retries at 50, 100 ms
      const errs = logs.filter((l) => l.startsWith('[ERROR] kube-proxy:'));
      expect(errs).toEqual([
        `[ERROR] kube-proxy: can't listen on 127.77.100.8:${PORT}/TCP (service port default/busy): address already in use: another process holds this port (see \`ss -tlnp 'sport = :${PORT}'\`); will retry`,
      ]);
      const events = store.list(GR.events).items;
      expect(events.map((e) => [e.involvedObject.name, e.type, e.reason])).toEqual([['busy', 'Warning', 'FailedToBindPort']]);

      await close(squatter);
      freed = true;
      await eventually(() => expect(proxy.listening()).toContain(`127.77.100.8:${PORT}/TCP`), { timeout: 5000, what: 'the retried listener' });
      expect(await get('127.77.100.8')).toBe('127.77.1.1');
      expect(logs).toContain(`[INFO] kube-proxy: now listening on 127.77.100.8:${PORT}/TCP`);
    } finally {
      if (!freed) await close(squatter);
    }
  });

  it('answers a real curl, and curl sees "Connection refused" for a service without endpoints', async () => {
    store.create(GR.services, service('web', '127.77.100.12'));
    store.create(GR.endpointslices, slice('web', [{ ip: '127.77.1.3' }]));
    store.create(GR.services, service('nothing', '127.77.100.13'));
    await proxy.synced();
    const ok = await curl(`http://127.77.100.12:${PORT}/`);
    expect(ok).toMatchObject({ code: 0, stdout: '127.77.1.3' });
    const refused = await curl(`http://127.77.100.13:${PORT}/`);
    expect(refused.code).toBe(7);
    expect(refused.stderr).toMatch(/Connection refused|Couldn't connect/);
  });

  it('carries a large stream both ways intact (backpressure)', async () => {
    const echo = net.createServer((c) => c.pipe(c));
    await new Promise<void>((r) => echo.listen(BACKEND_PORT, '127.77.1.21', () => r()));
    store.create(GR.services, service('echo', '127.77.100.14'));
    store.create(GR.endpointslices, slice('echo', [{ ip: '127.77.1.21' }]));
    await proxy.synced();
    const client = net.connect({ host: '127.77.100.14', port: PORT });
    try {
      const payload = randomBytes(8 * 1024 * 1024);
      const hash = createHash('sha256');
      let received = 0;
      const done = new Promise<void>((resolve, reject) => {
        client.on('data', (d: Buffer) => {
          hash.update(d);
          received += d.length;
          if (received >= payload.length) resolve();
        });
        client.on('error', reject);
      });
      client.write(payload);
      await done;
      expect(received).toBe(payload.length);
      expect(hash.digest('hex')).toBe(createHash('sha256').update(payload).digest('hex'));
    } finally {
      client.destroy();
      await proxy.stop();
      await close(echo);
    }
  });

  it('proxies UDP datagrams and their replies', async () => {
    const echo = dgram.createSocket('udp4');
    echo.on('message', (m, r) => echo.send(Buffer.concat([Buffer.from('echo:'), m]), r.port, r.address));
    await new Promise<void>((r) => echo.bind(BACKEND_PORT, '127.77.1.30', () => r()));
    const client = dgram.createSocket('udp4');
    try {
      store.create(GR.services, service('udp', '127.77.100.10', [{ name: 'dns', port: PORT, protocol: 'UDP' }]));
      const s = slice('udp', [{ ip: '127.77.1.30' }], BACKEND_PORT, 'UDP');
      s.ports[0].name = 'dns';
      store.create(GR.endpointslices, s);
      await proxy.synced();
      expect(proxy.listening()).toEqual([`127.77.100.10:${PORT}/UDP`]);
      const reply = new Promise<string>((resolve) => client.once('message', (m) => resolve(m.toString())));
      client.send('ping', PORT, '127.77.100.10');
      expect(await reply).toBe('echo:ping');
    } finally {
      client.close();
      await new Promise<void>((r) => echo.close(() => r()));
    }
  });

  it('closes every listener and connection on stop', async () => {
    store.create(GR.services, service('web', '127.77.100.11'));
    store.create(GR.endpointslices, slice('web', [{ ip: '127.77.1.1' }]));
    await proxy.synced();
    const client = net.connect({ host: '127.77.100.11', port: PORT });
    await new Promise((r) => client.once('connect', r));
    const closed = new Promise((r) => client.once('close', r));
    client.on('error', () => {});
    await proxy.stop();
    await closed;
    expect(await connectError('127.77.100.11')).toBe('ECONNREFUSED');
  });
});
