// Issue #5: `kdp addons enable ingress-nginx`, then the ingress-controller-conformance scenarios
// through the controller's LoadBalancer ports on this cluster's hostAddress, with real curl and an
// echo image (ealen/echo-server) that reports the path, host, headers and pod it saw.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selfSignedCertificate } from '../../src/ingress/index.js';
import { eventually } from '../support/eventually.js';
import { run, startKdp, type KdpCluster } from '../support/kdp.js';
import { startUpstreamDns, type UpstreamDns } from '../support/upstream-dns.js';
import { deployment } from './services-helpers.js';

let k: KdpCluster;
let upstream: UpstreamDns;

const ok = (args: string[], input?: string): Promise<string> => k.ok(args, { input });

async function curl(host: string, path: string, opts: { https?: boolean; args?: string[] } = {}): Promise<{ code: number; body: string; stderr: string; echo: () => any }> {
  const port = opts.https ? 443 : 80;
  const r = await run('curl', ['-s', '-k', '-m', '3', '--resolve', `${host}:${port}:${k.hostAddress}`, '-w', '\n%{http_code}', ...(opts.args ?? []), `${opts.https ? 'https' : 'http'}://${host}${path}`]);
  const i = r.stdout.lastIndexOf('\n');
  const body = r.stdout.slice(0, i);
  return { code: Number(r.stdout.slice(i + 1)), body, stderr: r.stderr, echo: () => JSON.parse(body) };
}

/** ealen's echo server: a Deployment and its Service (named port http). */
function echoApp(name: string, replicas = 1): string {
  return `${deployment(name, replicas, 'ealen/echo-server:0.9.2')}---
apiVersion: v1
kind: Service
metadata: {name: ${name}}
spec:
  selector: {app: ${name}}
  ports: [{name: http, port: 80, targetPort: 80}]
`;
}

function ingressYaml(name: string, spec: string, extra = ''): string {
  return `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: ${name}${extra}}
spec:
${spec}
`;
}

const backend = (svc: string) => `{service: {name: ${svc}, port: {number: 80}}}`;

beforeAll(async () => {
  upstream = await startUpstreamDns('127.60.0.56', {});
  k = await startKdp({ slot: 6, upstreamDns: [`${upstream.address}:${upstream.port}`] });
  const out = await ok(['addons', 'enable', 'ingress-nginx']);
  expect(out).toContain("The 'ingress-nginx' addon is enabled");
  await ok(['apply', '-f', '-'], [echoApp('echo', 10), echoApp('foo'), echoApp('bar')].join('---\n'));
  await eventually(async () => {
    const pods = JSON.parse(await ok(['get', 'pods', '-A', '-o', 'json'])).items as any[];
    const ready = pods.filter((p) => p.status?.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True'));
    expect(ready.filter((p) => p.metadata.namespace === 'default').length).toBe(12);
    expect(ready.some((p) => p.metadata.name.startsWith('ingress-nginx-controller-'))).toBe(true);
  }, { timeout: 40_000, what: 'echo pods and the controller Ready' });
  await eventually(async () => expect((await curl('nothing.test', '/')).code).toBe(404), { timeout: 15_000, what: 'the controller answering on hostAddress:80' });
}, 90_000);

afterAll(async () => {
  await k?.stop();
  await upstream?.close();
});

describe('kdp addons', () => {
  it('lists ingress-nginx as enabled', async () => {
    expect(await ok(['addons', 'list'])).toMatch(/^ingress-nginx\s+enabled\s/m);
  });
});

describe('ingress-controller-conformance scenarios', () => {
  it('default backend: every method reaches it, with the path it was sent', async () => {
    await ok(['apply', '-f', '-'], ingressYaml('default-backend', `  defaultBackend: ${backend('echo')}`));
    await eventually(async () => expect((await curl('any.test', '/x')).code).toBe(200), { timeout: 10_000, what: 'default backend' });
    for (const method of ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']) {
      const r = await curl('any.test', '/some/path?q=1', { args: ['-X', method] });
      expect(r.code, method).toBe(200);
      expect(r.echo().http).toMatchObject({ method, originalUrl: '/some/path?q=1' });
    }
    expect((await curl('any.test', '/', { args: ['-I'] })).body).toMatch(/^HTTP\/1\.1 200/);
  });

  it('host rules: exact and wildcard hosts, over TLS with a self-signed certificate', async () => {
    const pem = await selfSignedCertificate({ commonName: 'foo.bar.com', dnsNames: ['foo.bar.com', '*.wild.com'] });
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    await ok(['apply', '-f', '-'], `apiVersion: v1\nkind: Secret\ntype: kubernetes.io/tls\nmetadata: {name: conformance-tls}\ndata: {tls.crt: ${b64(pem.cert)}, tls.key: ${b64(pem.key)}}\n`);
    await ok(['apply', '-f', '-'], ingressYaml('host-rules', `  tls: [{hosts: [foo.bar.com, '*.wild.com'], secretName: conformance-tls}]
  rules:
  - {host: foo.bar.com, http: {paths: [{path: /, pathType: Prefix, backend: ${backend('foo')}}]}}
  - {host: '*.wild.com', http: {paths: [{path: /, pathType: Prefix, backend: ${backend('bar')}}]}}`));
    await eventually(async () => expect((await curl('foo.bar.com', '/', { https: true })).code).toBe(200), { timeout: 10_000, what: 'host rule' });
    const exact = await curl('foo.bar.com', '/', { https: true, args: ['-v'] });
    expect(exact.echo().environment.POD_NAME).toMatch(/^foo-/);
    expect(exact.echo().request.headers['x-forwarded-proto']).toBe('https');
    expect(exact.stderr).toMatch(/subject: CN=foo\.bar\.com/);
    expect((await curl('a.wild.com', '/', { https: true })).echo().environment.POD_NAME).toMatch(/^bar-/);
    expect((await curl('a.b.wild.com', '/', { https: true })).echo().environment.POD_NAME).toMatch(/^echo-/); // → default backend
    const redirect = await curl('foo.bar.com', '/p');
    expect(redirect.code).toBe(308);
  });

  it('the path table: Exact, Prefix element-wise, longest match, Exact beats Prefix', async () => {
    await ok(['apply', '-f', '-'], ingressYaml('path-rules', `  rules:
  - host: path-rules
    http:
      paths:
      - {path: /foo, pathType: Prefix, backend: ${backend('foo')}}
      - {path: /foo, pathType: Exact, backend: ${backend('bar')}}
      - {path: /aaa/bbb, pathType: Prefix, backend: ${backend('bar')}}
      - {path: /aaa, pathType: Prefix, backend: ${backend('foo')}}`));
    await eventually(async () => expect((await curl('path-rules', '/foo')).code).toBe(200), { timeout: 10_000, what: 'path rules' });
    const pod = async (p: string) => {
      const r = await curl('path-rules', p);
      return r.code === 404 ? '404' : r.echo().environment.POD_NAME.split('-')[0];
    };
    expect(await pod('/foo')).toBe('bar');
    expect(await pod('/foo/')).toBe('foo');
    expect(await pod('/foo/x')).toBe('foo');
    expect(await pod('/foobar')).toBe('404');
    expect(await pod('/aaa/bbb')).toBe('bar');
    expect(await pod('/aaa/bbb/ccc')).toBe('bar');
    expect(await pod('/aaa/bbbxyz')).toBe('foo');
    expect(await pod('/ccc')).toBe('404');
  });

  it('an unknown ingressClassName gets no status address; served Ingresses get the LoadBalancer address', async () => {
    await ok(['apply', '-f', '-'], ingressYaml('unknown-class', `  ingressClassName: no-such-class\n  rules: [{host: unknown-class, http: {paths: [{path: /, pathType: Prefix, backend: ${backend('foo')}}]}}]`));
    const lb = JSON.parse(await ok(['get', 'svc', 'ingress-nginx-controller', '-n', 'ingress-nginx', '-o', 'json'])).status.loadBalancer.ingress[0].ip;
    await eventually(async () => {
      const ing = JSON.parse(await ok(['get', 'ingress', 'path-rules', '-o', 'json']));
      expect(ing.status?.loadBalancer?.ingress).toEqual([{ ip: lb }]);
    }, { timeout: 10_000, what: 'status of a served Ingress' });
    expect((await curl('unknown-class', '/')).echo().environment.POD_NAME).toMatch(/^echo-/); // default backend, not foo
    const unknown = JSON.parse(await ok(['get', 'ingress', 'unknown-class', '-o', 'json']));
    expect(unknown.status?.loadBalancer?.ingress ?? []).toEqual([]);
  });

  it('10 replicas behind one path: 100 requests are served by all 10 pods', async () => {
    await ok(['apply', '-f', '-'], ingressYaml('ten', `  rules: [{host: ten.test, http: {paths: [{path: /, pathType: Prefix, backend: ${backend('echo')}}]}}]`));
    await eventually(async () => expect((await curl('ten.test', '/')).code).toBe(200), { timeout: 10_000, what: 'ten' });
    const urls = Array.from({ length: 100 }, () => `http://ten.test/`);
    const r = await run('curl', ['-s', '-m', '10', '--resolve', `ten.test:80:${k.hostAddress}`, '-w', '\n', ...urls]);
    const pods = new Set(r.stdout.trim().split('\n').map((l) => JSON.parse(l).environment.POD_NAME));
    expect(pods.size).toBe(10);
  });
});

describe('kdp addons disable', () => {
  it('deletes what enable applied', async () => {
    const out = await ok(['addons', 'disable', 'ingress-nginx']);
    expect(out).toContain('deployment.apps "ingress-nginx-controller" deleted');
    expect(out).toContain("The 'ingress-nginx' addon is disabled");
    expect(await ok(['addons', 'list'])).toMatch(/^ingress-nginx\s+disabled\s/m);
  });
});
