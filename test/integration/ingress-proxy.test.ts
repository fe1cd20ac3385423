// kdp's ingress controller on real loopback sockets, driven through a bare ObjectStore, checked with
// real curl. Addresses: the controller on 127.66.0.1:80/443, echo "pods" on 127.66.1.x:8080.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { bootstrapNamespaces } from '../../src/api/bootstrap.js';
import { ObjectStore } from '../../src/api/store.js';
import { GR, type KObject } from '../../src/api/types.js';
import { selfSignedCertificate, startIngressController, type IngressController } from '../../src/ingress/index.js';
import { eventually } from '../support/eventually.js';

const ADDR = '127.66.0.1';
const NODE_IP = '127.66.0.200';
const BPORT = 8080;
let store: ObjectStore;
let ctl: IngressController;
const backends: Array<{ close(): void }> = [];
let seq = 0;

/** An echo "pod": answers JSON with its IP, the method, path and headers it saw, and the body length. */
function echo(ip: string, opts: { hang?: boolean; tls?: { cert: string; key: string } } = {}): Promise<void> {
  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    if (opts.hang) return;
    let size = 0;
    req.on('data', (c: Buffer) => (size += c.length));
    req.on('end', () => {
      res.setHeader('Content-Type', 'application/json');
      res.setHeader('Set-Cookie', 'app=1');
      res.end(JSON.stringify({ pod: ip, method: req.method, url: req.url, headers: req.headers, size }));
    });
  };
  const srv = opts.tls ? https.createServer(opts.tls, handler) : http.createServer(handler);
  const wss = new WebSocketServer({ server: srv as http.Server });
  wss.on('connection', (ws, req) => ws.on('message', (m) => ws.send(`${ip} ${req.url} ${m}`)));
  backends.push({ close: () => (wss.close(), srv.closeAllConnections(), srv.close()) });
  return new Promise((r) => srv.listen(BPORT, ip, () => r()));
}

function svc(name: string, ips: string[], opts: { portName?: string } = {}): void {
  store.create(GR.services, { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' }, spec: { ports: [{ name: opts.portName, port: 80, targetPort: BPORT }], selector: { app: name } } });
  if (!ips.length) return;
  store.create(GR.endpointslices, {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: `${name}-x`, namespace: 'default', labels: { 'kubernetes.io/service-name': name } },
    addressType: 'IPv4',
    ports: [{ name: opts.portName ?? '', port: BPORT, protocol: 'TCP' }],
    endpoints: ips.map((ip) => ({ addresses: [ip], conditions: { ready: true, serving: true, terminating: false } })),
  });
}

function ingress(name: string, host: string | undefined, paths: Array<[string, string, string]>, extra: { annotations?: Record<string, string>; className?: string | null; tls?: KObject['spec']['tls']; port?: number | string } = {}): KObject {
  return store.create(GR.ingresses, {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name, namespace: 'default', annotations: extra.annotations },
    spec: {
      ingressClassName: extra.className === null ? undefined : (extra.className ?? 'nginx'),
      tls: extra.tls,
      rules: [{ host, http: { paths: paths.map(([path, pathType, service]) => ({ path, pathType, backend: { service: { name: service, port: typeof extra.port === 'string' ? { name: extra.port } : { number: extra.port ?? 80 } } } })) } }],
    },
  });
}

interface CurlResult {
  code: number;
  body: string;
  /** `name: value` lines of the last response, then curl's -v output when asked for. */
  headers: string;
  json: () => any;
}

const MARK = '~~kdp-curl~~';

function curl(args: string[]): Promise<CurlResult> {
  return new Promise((resolve) => {
    execFile('curl', ['-s', '-k', '-m', '5', '-w', `${MARK}%{http_code}${MARK}%{header_json}`, ...args], { maxBuffer: 8 << 20 }, (_e, stdout, stderr) => {
      const [body, code, ...hjs] = stdout.split(MARK);
      let h: Record<string, string[]> = {};
      try {
        h = JSON.parse(hjs[hjs.length - 1] ?? '{}');
      } catch {
        /* several transfers: use -v output */
      }
      const headers = Object.entries(h).flatMap(([k, vs]) => vs.map((v) => `${k}: ${v}`)).join('\n') + '\n' + stderr;
      resolve({ code: Number(code), body, headers, json: () => JSON.parse(body) });
    });
  });
}

const at = (host: string, path: string, scheme = 'http') => ['--resolve', `${host}:${scheme === 'http' ? 80 : 443}:${ADDR}`, `${scheme}://${host}${path}`];

beforeAll(async () => {
  store = new ObjectStore();
  bootstrapNamespaces(store);
  store.create(GR.ingressclasses, { apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name: 'nginx' }, spec: { controller: 'k8s.io/ingress-nginx' } });
  for (let i = 1; i <= 12; i++) await echo(`127.66.1.${i}`);
  await echo('127.66.1.50', { hang: true });
  ctl = await startIngressController({ store, address: ADDR, nodeAddresses: [NODE_IP], log: () => {} });
});

afterAll(async () => {
  await ctl?.stop(0);
  for (const b of backends) b.close();
});

async function synced(): Promise<void> {
  await ctl.synced();
}

describe('default server', () => {
  it("answers nginx's 404 page on http and https when nothing matches", async () => {
    for (const scheme of ['http', 'https']) {
      const r = await curl([`${scheme}://${ADDR}/`]);
      expect(r.code).toBe(404);
      expect(r.body).toContain('<head><title>404 Not Found</title></head>');
      expect(r.body).toContain('<hr><center>nginx</center>');
    }
  });
  it('serves the fake default certificate when no Secret matches the SNI name', async () => {
    const subject = await new Promise<string>((resolve, reject) => {
      const s = tls.connect({ host: ADDR, port: 443, servername: 'nothing.test', rejectUnauthorized: false }, () => {
        resolve(String(s.getPeerCertificate().subject.CN));
        s.end();
      });
      s.on('error', reject);
    });
    expect(subject).toBe('Kubernetes Ingress Controller Fake Certificate');
  });
});

describe('the seed Ingress: rewrite-target /', () => {
  beforeAll(async () => {
    svc('nginx', ['127.66.1.1']);
    ingress('nginx-ing', 'localhost', [['/testpath', 'Prefix', 'nginx']], { annotations: { 'nginx.ingress.kubernetes.io/rewrite-target': '/' } });
    await synced();
  });
  it('sends /testpath, /testpath/foo?x=1 and /TESTPATHfoo upstream as / (query kept)', async () => {
    expect((await curl(at('localhost', '/testpath', 'https'))).json().url).toBe('/');
    expect((await curl(at('localhost', '/testpath/foo?x=1'))).json().url).toBe('/?x=1');
    expect((await curl(at('localhost', '/TESTPATHfoo'))).json().url).toBe('/');
  });
  it('other paths of the host get 404', async () => {
    expect((await curl(at('localhost', '/'))).code).toBe(404);
  });
  it('writes status.loadBalancer.ingress (the controller node without --publish-service)', async () => {
    await eventually(() => expect(store.get(GR.ingresses, 'default', 'nginx-ing').status?.loadBalancer?.ingress).toEqual([{ ip: NODE_IP }]), { timeout: 3000 });
  });
  it('sets the upstream headers as ingress-nginx does', async () => {
    const h = (await curl([...at('localhost', '/testpath'), '-H', 'X-Forwarded-For: 1.2.3.4'])).json().headers;
    expect(h.host).toBe('localhost');
    expect(h['x-real-ip']).toBe('127.0.0.1');
    expect(h['x-forwarded-for']).toBe('127.0.0.1');
    expect(h['x-original-forwarded-for']).toBe('1.2.3.4');
    expect(h['x-forwarded-host']).toBe('localhost');
    expect(h['x-forwarded-port']).toBe('80');
    expect(h['x-forwarded-proto']).toBe('http');
    expect(h['x-forwarded-scheme']).toBe('http');
    expect(h['x-scheme']).toBe('http');
    expect(h['x-request-id']).toMatch(/^[0-9a-f]{32}$/);
    const given = (await curl([...at('localhost', '/testpath'), '-H', 'X-Request-ID: abc'])).json().headers;
    expect(given['x-request-id']).toBe('abc');
  });
});

describe('classes', () => {
  it('ignores Ingresses of another class and gives them no status; serves class-less ones once nginx is the default class', async () => {
    svc('other', ['127.66.1.2']);
    ingress('other-class', 'other.test', [['/', 'Prefix', 'other']], { className: 'traefik' });
    ingress('no-class', 'noclass.test', [['/', 'Prefix', 'other']], { className: null });
    await synced();
    expect((await curl(at('other.test', '/'))).code).toBe(404);
    expect((await curl(at('noclass.test', '/'))).code).toBe(404);
    const cls = store.get(GR.ingressclasses, undefined, 'nginx');
    store.update(GR.ingressclasses, { ...cls, metadata: { ...cls.metadata, annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' } } });
    await synced();
    expect((await curl(at('noclass.test', '/'))).json().pod).toBe('127.66.1.2');
    expect((await curl(at('other.test', '/'))).code).toBe(404);
    expect(store.get(GR.ingresses, 'default', 'other-class').status?.loadBalancer?.ingress).toBeUndefined();
  });
});

describe('routing', () => {
  beforeAll(async () => {
    svc('foo', ['127.66.1.3']);
    svc('bar', ['127.66.1.4'], { portName: 'web' });
    ingress('paths', 'paths.test', [['/foo', 'Prefix', 'foo'], ['/foo', 'Exact', 'bar'], ['/aaa/bbb', 'Prefix', 'foo']]);
    ingress('named', 'named.test', [['/', 'Prefix', 'bar']], { port: 'web' });
    ingress('wild', '*.wild.test', [['/', 'Prefix', 'foo']]);
    await synced();
  });
  it('Exact beats Prefix on a tie; Prefix is element-wise', async () => {
    expect((await curl(at('paths.test', '/foo'))).json().pod).toBe('127.66.1.4');
    expect((await curl(at('paths.test', '/foo/x'))).json().pod).toBe('127.66.1.3');
    expect((await curl(at('paths.test', '/aaa/bbb/ccc'))).json().pod).toBe('127.66.1.3');
    expect((await curl(at('paths.test', '/aaa/bbbxyz'))).code).toBe(404);
  });
  it('named service ports resolve through the Service and its EndpointSlice', async () => {
    expect((await curl(at('named.test', '/'))).json().pod).toBe('127.66.1.4');
  });
  it('wildcard hosts take exactly one more label; the Host port is ignored', async () => {
    expect((await curl(at('a.wild.test', '/'))).json().pod).toBe('127.66.1.3');
    expect((await curl([...at('a.wild.test', '/'), '-H', 'Host: a.wild.test:80'])).json().pod).toBe('127.66.1.3');
    expect((await curl(at('b.a.wild.test', '/'))).code).toBe(404);
  });
  it('balances over 10 ready endpoints: 100 requests reach all 10', async () => {
    svc('ten', Array.from({ length: 10 }, (_, i) => `127.66.1.${i + 1}`));
    ingress('ten', 'ten.test', [['/', 'Prefix', 'ten']]);
    await synced();
    const seen = new Set<string>();
    const agent = new http.Agent({ keepAlive: true });
    for (let i = 0; i < 100; i++) {
      const body = await new Promise<string>((resolve, reject) => {
        http.get({ host: ADDR, port: 80, path: '/', headers: { host: 'ten.test' }, agent }, (res) => {
          let b = '';
          res.on('data', (c) => (b += c));
          res.on('end', () => resolve(b));
        }).on('error', reject);
      });
      seen.add(JSON.parse(body).pod);
    }
    agent.destroy();
    expect(seen.size).toBe(10);
  });
});

describe('errors', () => {
  beforeAll(async () => {
    svc('empty', []);
    svc('refused', ['127.66.1.99']);
    svc('slow', ['127.66.1.50']);
    ingress('errors', 'errors.test', [['/missing', 'Prefix', 'nosuchservice'], ['/empty', 'Prefix', 'empty'], ['/refused', 'Prefix', 'refused']]);
    ingress('slow', 'slow.test', [['/', 'Prefix', 'slow']], { annotations: { 'nginx.ingress.kubernetes.io/proxy-read-timeout': '1' } });
    await synced();
  });
  it('503 for a missing service or one without endpoints, 502 when the upstream refuses, 504 on timeout', async () => {
    for (const [path, code, title] of [['/missing', 503, '503 Service Temporarily Unavailable'], ['/empty', 503, '503 Service Temporarily Unavailable'], ['/refused', 502, '502 Bad Gateway']] as const) {
      const r = await curl(at('errors.test', path));
      expect(r.code).toBe(code);
      expect(r.body).toContain(`<title>${title}</title>`);
    }
    const slow = await curl(at('slow.test', '/'));
    expect(slow.code).toBe(504);
    expect(slow.body).toContain('504 Gateway Time-out');
  });
  it('400 for a malformed request, 431 for oversized headers, and the controller keeps serving', async () => {
    const raw = await new Promise<string>((resolve) => {
      const s = net.connect(80, ADDR, () => s.write('GARBAGE\r\n\r\n'));
      let out = '';
      s.on('data', (c) => (out += c));
      s.on('close', () => resolve(out));
    });
    expect(raw).toMatch(/^HTTP\/1\.1 400 Bad Request/);
    const big = await curl([...at('localhost', '/testpath'), '-H', `X-Big: ${'a'.repeat(40_000)}`]);
    expect(big.code).toBe(431);
    expect((await curl(at('localhost', '/testpath'))).code).toBe(200);
  });
  it('clients that give up mid-request or send an oversized chunked body do not hurt the controller', async () => {
    ingress('body2', 'body2.test', [['/', 'Prefix', 'nginx']], { annotations: { 'nginx.ingress.kubernetes.io/proxy-body-size': '1k' } });
    await synced();
    await curl([...at('slow.test', '/'), '-m', '0.3']);
    const chunked = await curl([...at('body2.test', '/'), '-H', 'Transfer-Encoding: chunked', '--data-binary', 'y'.repeat(5000)]);
    expect(chunked.code).toBe(413);
    await new Promise<void>((resolve) => {
      const s = net.connect(80, ADDR, () => s.write('POST /testpath HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100000\r\n\r\npartial'));
      s.on('error', () => resolve());
      setImmediate(() => s.destroy());
      s.on('close', () => resolve());
    });
    expect((await curl(at('localhost', '/testpath'))).code).toBe(200);
  });
});

describe('annotations', () => {
  const A = 'nginx.ingress.kubernetes.io/';
  beforeAll(async () => {
    svc('canary', ['127.66.1.11']);
    svc('tlsbackend', []);
    ingress('approot', 'approot.test', [['/', 'Prefix', 'foo']], { annotations: { [`${A}app-root`]: '/app1' } });
    ingress('perm', 'perm.test', [['/', 'Prefix', 'foo']], { annotations: { [`${A}permanent-redirect`]: 'https://example.test/new' } });
    ingress('temp', 'temp.test', [['/', 'Prefix', 'foo']], { annotations: { [`${A}temporal-redirect`]: 'https://example.test/tmp' } });
    ingress('force', 'force.test', [['/', 'Prefix', 'foo']], { annotations: { [`${A}force-ssl-redirect`]: 'true' } });
    ingress('body', 'body.test', [['/', 'Prefix', 'foo']], { annotations: { [`${A}proxy-body-size`]: '1k' } });
    ingress('cors', 'cors.test', [['/', 'Prefix', 'foo']], { annotations: { [`${A}enable-cors`]: 'true' } });
    ingress('main', 'canary.test', [['/', 'Prefix', 'foo']]);
    ingress('canary', 'canary.test', [['/', 'Prefix', 'canary']], { annotations: { [`${A}canary`]: 'true', [`${A}canary-by-header`]: 'X-Canary' } });
    ingress('sticky', 'sticky.test', [['/', 'Prefix', 'ten']], { annotations: { [`${A}affinity`]: 'cookie' } });
    ingress('vhost', 'vhost.test', [['/', 'Prefix', 'foo']], { annotations: { [`${A}upstream-vhost`]: 'internal.example', [`${A}x-forwarded-prefix`]: '/pfx' } });
    ingress('regex', 'regex.test', [['/something(/|$)(.*)', 'ImplementationSpecific', 'foo']], { annotations: { [`${A}rewrite-target`]: '/$2', [`${A}use-regex`]: 'true' } });
    await synced();
  });
  it('app-root: 302 from exactly /', async () => {
    const r = await curl(at('approot.test', '/'));
    expect(r.code).toBe(302);
    expect(r.headers).toMatch(/^location: http:\/\/approot\.test\/app1$/im);
    expect((await curl(at('approot.test', '/x'))).code).toBe(200);
  });
  it('permanent-redirect 301, temporal-redirect 302, force-ssl-redirect 308', async () => {
    const p = await curl(at('perm.test', '/a'));
    expect([p.code, p.headers]).toEqual([301, expect.stringMatching(/location: https:\/\/example\.test\/new/i)]);
    const t = await curl(at('temp.test', '/a'));
    expect([t.code, t.headers]).toEqual([302, expect.stringMatching(/location: https:\/\/example\.test\/tmp/i)]);
    const f = await curl(at('force.test', '/a?b=1'));
    expect([f.code, f.headers]).toEqual([308, expect.stringMatching(/location: https:\/\/force\.test\/a\?b=1/i)]);
    expect((await curl(at('force.test', '/a', 'https'))).code).toBe(200);
  });
  it('proxy-body-size: 413 above the limit, streamed bodies below it', async () => {
    const r = await curl([...at('body.test', '/'), '--data-binary', 'x'.repeat(2000)]);
    expect(r.code).toBe(413);
    expect(r.body).toContain('413 Request Entity Too Large');
    expect((await curl([...at('body.test', '/'), '--data-binary', 'x'.repeat(1000)])).json().size).toBe(1000);
    const file = join(mkdtempSync(join(tmpdir(), 'kdp-ing-')), 'body');
    writeFileSync(file, 'x'.repeat(700_000));
    expect((await curl([...at('localhost', '/testpath'), '--data-binary', `@${file}`])).json().size).toBe(700_000);
    rmSync(dirname(file), { recursive: true, force: true });
  });
  it('enable-cors: preflight gets 204 with the default headers', async () => {
    const r = await curl([...at('cors.test', '/'), '-X', 'OPTIONS', '-H', 'Origin: http://a.test']);
    expect(r.code).toBe(204);
    expect(r.headers).toMatch(/access-control-allow-origin: \*/i);
    expect(r.headers).toMatch(/access-control-allow-methods: GET, PUT, POST, DELETE, PATCH, OPTIONS/i);
    expect(r.headers).toMatch(/access-control-max-age: 1728000/i);
    expect((await curl(at('cors.test', '/'))).headers).toMatch(/access-control-allow-origin: \*/i);
  });
  it('canary-by-header: always → canary, never/absent → main', async () => {
    expect((await curl([...at('canary.test', '/'), '-H', 'X-Canary: always'])).json().pod).toBe('127.66.1.11');
    expect((await curl([...at('canary.test', '/'), '-H', 'X-Canary: never'])).json().pod).toBe('127.66.1.3');
    expect((await curl(at('canary.test', '/'))).json().pod).toBe('127.66.1.3');
  });
  it('canary-weight 100 sends everything to the canary, 0 nothing', async () => {
    ingress('wmain', 'weight.test', [['/', 'Prefix', 'foo']]);
    const c = ingress('wcanary', 'weight.test', [['/', 'Prefix', 'canary']], { annotations: { [`${A}canary`]: 'true', [`${A}canary-weight`]: '100' } });
    await synced();
    for (let i = 0; i < 5; i++) expect((await curl(at('weight.test', '/'))).json().pod).toBe('127.66.1.11');
    store.update(GR.ingresses, { ...c, metadata: { ...store.get(GR.ingresses, 'default', 'wcanary').metadata, annotations: { [`${A}canary`]: 'true', [`${A}canary-weight`]: '0' } } });
    await synced();
    for (let i = 0; i < 5; i++) expect((await curl(at('weight.test', '/'))).json().pod).toBe('127.66.1.3');
  });
  it('affinity cookie: INGRESSCOOKIE pins the client to one endpoint', async () => {
    const first = await curl(at('sticky.test', '/'));
    const cookie = /set-cookie: (INGRESSCOOKIE=[0-9a-f]+); Path=\/; HttpOnly/i.exec(first.headers)?.[1];
    expect(cookie).toBeDefined();
    expect(first.headers).toMatch(/set-cookie: app=1/i);
    for (let i = 0; i < 5; i++) expect((await curl([...at('sticky.test', '/'), '-H', `Cookie: ${cookie}`])).json().pod).toBe(first.json().pod);
  });
  it('upstream-vhost sets the upstream Host; x-forwarded-prefix adds its header', async () => {
    const h = (await curl(at('vhost.test', '/'))).json().headers;
    expect(h.host).toBe('internal.example');
    expect(h['x-forwarded-host']).toBe('vhost.test');
    expect(h['x-forwarded-prefix']).toBe('/pfx');
  });
  it('rewrite-target with use-regex and capture groups', async () => {
    expect((await curl(at('regex.test', '/something'))).json().url).toBe('/');
    expect((await curl(at('regex.test', '/something/new?q=1'))).json().url).toBe('/new?q=1');
  });
  it('backend-protocol HTTPS proxies over TLS', async () => {
    const pem = await selfSignedCertificate({ commonName: 'backend', dnsNames: ['backend'] });
    await echo('127.66.1.60', { tls: pem });
    svc('secure-backend', ['127.66.1.60']);
    ingress('https-backend', 'hb.test', [['/', 'Prefix', 'secure-backend']], { annotations: { [`${A}backend-protocol`]: 'HTTPS' } });
    await synced();
    expect((await curl(at('hb.test', '/x'))).json()).toMatchObject({ pod: '127.66.1.60', url: '/x' });
  });
});

describe('TLS', () => {
  it('chooses the kubernetes.io/tls Secret by SNI, redirects http to https (308), and follows Secret changes', async () => {
    const pem = await selfSignedCertificate({ commonName: 'secure.test', dnsNames: ['secure.test'] });
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    store.create(GR.secrets, { apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/tls', metadata: { name: 'secure-tls', namespace: 'default' }, data: { 'tls.crt': b64(pem.cert), 'tls.key': b64(pem.key) } });
    ingress('secure', 'secure.test', [['/', 'Prefix', 'foo']], { tls: [{ hosts: ['secure.test'], secretName: 'secure-tls' }] });
    await synced();
    const r = await curl(['-v', ...at('secure.test', '/', 'https')]);
    expect(r.code).toBe(200);
    expect(r.headers).toMatch(/subject: CN=secure\.test/);
    expect(r.headers).toMatch(/strict-transport-security: max-age=15724800; includeSubDomains/i);
    const redirect = await curl(at('secure.test', '/p?q=1'));
    expect([redirect.code, redirect.headers]).toEqual([308, expect.stringMatching(/location: https:\/\/secure\.test\/p\?q=1/i)]);
    // A kept-alive connection survives a certificate change; new handshakes see the new certificate.
    const agent = new https.Agent({ keepAlive: true, rejectUnauthorized: false });
    const get = () => new Promise<string>((resolve, reject) => https.get({ host: ADDR, port: 443, servername: 'secure.test', headers: { host: 'secure.test' }, agent }, (res) => {
      const cn = String((res.socket as tls.TLSSocket).getPeerCertificate().subject.CN);
      res.resume();
      res.on('end', () => resolve(cn));
    }).on('error', reject));
    expect(await get()).toBe('secure.test');
    const pem2 = await selfSignedCertificate({ commonName: 'secure2.test', dnsNames: ['secure.test'] });
    const s = store.get(GR.secrets, 'default', 'secure-tls');
    store.update(GR.secrets, { ...s, data: { 'tls.crt': b64(pem2.cert), 'tls.key': b64(pem2.key) } });
    await synced();
    expect(await get()).toBe('secure.test');
    agent.destroy();
    expect((await curl(['-v', ...at('secure.test', '/', 'https')])).headers).toMatch(/subject: CN=secure2\.test/);
  });
});

describe('WebSocket and keep-alive', () => {
  it('passes a WebSocket upgrade through and back', async () => {
    const ws = new WebSocket(`ws://${ADDR}/testpath/ws`, { headers: { host: 'localhost' } });
    const msg = await new Promise<string>((resolve, reject) => {
      ws.on('open', () => ws.send('hello'));
      ws.on('message', (m) => resolve(String(m)));
      ws.on('error', reject);
    });
    ws.close();
    expect(msg).toBe('127.66.1.1 / hello');
  });
  it('a rule change applies to the next request on an open keep-alive connection', async () => {
    svc('before', ['127.66.1.5']);
    svc('after', ['127.66.1.6']);
    const ing = ingress('switch', 'switch.test', [['/', 'Prefix', 'before']]);
    await synced();
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const ports = new Set<number>();
    const get = () => new Promise<string>((resolve, reject) => http.get({ host: ADDR, port: 80, path: '/', headers: { host: 'switch.test' }, agent }, (res) => {
      ports.add(res.socket.localPort!);
      let b = '';
      res.on('data', (c) => (b += c));
      res.on('end', () => resolve(JSON.parse(b).pod));
    }).on('error', reject));
    expect(await get()).toBe('127.66.1.5');
    const cur = store.get(GR.ingresses, 'default', 'switch');
    store.update(GR.ingresses, { ...cur, spec: { ...ing.spec, rules: [{ host: 'switch.test', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'after', port: { number: 80 } } } }] } }] } });
    await synced();
    expect(await get()).toBe('127.66.1.6');
    expect(ports.size).toBe(1);
    agent.destroy();
  });
  it('keeps the client connection alive across requests', async () => {
    const r = await curl(['-v', ...at('localhost', '/testpath'), `http://localhost/testpath`]);
    expect(r.headers).toMatch(/Re-using existing connection|Reusing existing connection/);
  });
  void seq;
});
