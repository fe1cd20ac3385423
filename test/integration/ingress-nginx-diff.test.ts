// Differential test against Debian's nginx (package `nginx` or `nginx-light`): the same locations
// rendered as nginx.conf the way ingress-nginx's template renders them (`location = /p`, `location /p/`,
// `location ~* "^<path>"` + `rewrite "(?i)<path>" <target> break;`), then the same requests sent to
// real nginx and to kdp's controller; both must pick the same upstream, send it the same path and
// answer with the same status. nginx does its own URI normalisation, location choice and rewriting,
// so this checks kdp's matcher and rewriter against nginx's, for the path table and the rewrite
// examples. Skipped (with a message) where nginx is not installed.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootstrapNamespaces } from '../../src/api/bootstrap.js';
import { ObjectStore } from '../../src/api/store.js';
import { GR, type KObject } from '../../src/api/types.js';
import { startIngressController, type IngressController, type RouteTable, type Server } from '../../src/ingress/index.js';
import { eventually } from '../support/eventually.js';

const NGINX = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((p) => existsSync(p));
if (!NGINX) console.log('[skip] ingress-nginx-diff: no nginx binary (apt-get install -y nginx-light)');

const KDP = '127.67.0.1';
const NGX = '127.67.0.2';
const BACKEND = '127.67.1.1';
const SERVICES = ['root', 'aaa', 'bbb', 'exact', 'prefix', 'impl', 'trail', 'seed', 'regex', 'x', 'api', 'v2'];
const portOf = (svc: string) => 18100 + SERVICES.indexOf(svc);
const A = 'nginx.ingress.kubernetes.io/';

const INGRESSES: Array<{ name: string; host: string; annotations?: Record<string, string>; paths: Array<[string, string, string]> }> = [
  { name: 'plain', host: 'plain.test', paths: [['/', 'Prefix', 'root'], ['/aaa', 'Prefix', 'aaa'], ['/aaa/bbb', 'Prefix', 'bbb'], ['/foo', 'Exact', 'exact'], ['/foo', 'Prefix', 'prefix'], ['/impl', 'ImplementationSpecific', 'impl'], ['/trail/', 'Prefix', 'trail']] },
  { name: 'seed', host: 'seed.test', annotations: { [`${A}rewrite-target`]: '/' }, paths: [['/testpath', 'Prefix', 'seed']] },
  { name: 'regex', host: 'regex.test', annotations: { [`${A}rewrite-target`]: '/$2', [`${A}use-regex`]: 'true' }, paths: [['/something(/|$)(.*)', 'ImplementationSpecific', 'regex']] },
  { name: 'mixed-a', host: 'mixed.test', paths: [['/api', 'Prefix', 'api'], ['/api/v2', 'Exact', 'v2']] },
  { name: 'wild', host: '*.wild.test', paths: [['/w', 'Prefix', 'aaa']] },
  { name: 'mixed-b', host: 'mixed.test', annotations: { [`${A}rewrite-target`]: '/r/$1' }, paths: [['/x/(.*)', 'ImplementationSpecific', 'x']] },
];

const REQUESTS: Array<[string, string]> = [
  ...['/', '/foo', '/foo/', '/foo/bar', '/foobar', '/aaa', '/aaa/', '/aaa/bbb', '/aaa/bbb/', '/aaa/bbb/ccc', '/aaa/bbbxyz', '/aaa/ccc', '/ccc', '/impl', '/implx', '/trail', '/trail/', '/trail/x', '/trailx', '//aaa//bbb', '/foo/../aaa/bbb?q=1', '/FOO', '/a%20b'].map((p) => ['plain.test', p] as [string, string]),
  ...['/testpath', '/testpath/', '/testpath/foo?a=b', '/TESTPATHfoo', '/TestPath/x', '/other', '/'].map((p) => ['seed.test', p] as [string, string]),
  ...['/something', '/something/', '/something/new', '/something/new?x=1', '/somethingelse', '/SOMETHING/Up', '/'].map((p) => ['regex.test', p] as [string, string]),
  ...['/x/1', '/X/a/b?c=d', '/api', '/apix', '/api/v2', '/API/v2/z', '/other'].map((p) => ['mixed.test', p] as [string, string]),
  ['unknown.test', '/'],
  ...['a.wild.test', 'b.a.wild.test', 'wild.test', 'A.Wild.Test'].map((h) => [h, '/w/x'] as [string, string]),
];

/** ingress-nginx's rendering of one server block from kdp's route table. */
function serverBlock(s: Server, listen: string, upstreamPort: (name: string) => number): string {
  const name = s.hostname.startsWith('*.') ? `~^(?<subdomain>[\\w-]+)\\.${s.hostname.slice(2).replace(/\./g, '\\.')}$` : s.hostname;
  const body = (l: Server['regexes'][number]) => {
    if (!l.upstream) return 'return 404;';
    const rw = s.regexMode && l.config.rewriteTarget !== undefined ? `rewrite "(?i)${l.path}" ${l.config.rewriteTarget} break; ` : '';
    return `${rw}proxy_pass http://${BACKEND}:${upstreamPort(l.upstream)};`;
  };
  const locs: string[] = [];
  if (s.regexMode) for (const l of s.regexes) locs.push(`location ~* "^${l.path}" { ${body(l)} }`);
  else {
    for (const [p, l] of s.exact) locs.push(`location = ${p} { ${body(l)} }`);
    for (const [p, l] of s.prefixes) locs.push(`location ${p} { ${body(l)} }`);
  }
  return `server { listen ${listen}${name === '_' ? ' default_server' : ''}; server_name ${name}; ${locs.join('\n ')} }`;
}

function nginxConf(table: RouteTable, dir: string): string {
  const port = (up: string) => portOf(up.replace(/^default-/, '').replace(/-80$/, ''));
  const servers = [table.defaultServer, ...table.servers.values(), ...table.wildcards.values()].map((s) => serverBlock(s, `${NGX}:80`, port));
  return `daemon off; master_process off; pid ${dir}/nginx.pid; error_log stderr error;
events { worker_connections 256; }
http { access_log off; client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy; fastcgi_temp_path ${dir}/fcgi; uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
proxy_http_version 1.1; proxy_set_header Host $host;
${servers.join('\n')}
}`;
}

function get(addr: string, host: string, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http.get({ host: addr, port: 80, path, headers: { host }, agent: false }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, body: res.statusCode === 200 ? body : '' }));
    }).on('error', reject);
  });
}

describe.skipIf(!NGINX)(`kdp and Debian's nginx route and rewrite alike`, () => {
  let store: ObjectStore;
  let ctl: IngressController;
  let nginx: ChildProcess;
  let dir: string;
  const backends: http.Server[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kdp-nginx-diff-'));
    for (const sub of ['body', 'proxy', 'fcgi', 'uwsgi', 'scgi']) mkdirSync(join(dir, sub));
    for (const svc of SERVICES) {
      const srv = http.createServer((req, res) => res.end(`${svc} ${req.url}`));
      await new Promise<void>((r) => srv.listen(portOf(svc), BACKEND, () => r()));
      backends.push(srv);
    }
    store = new ObjectStore();
    bootstrapNamespaces(store);
    store.create(GR.ingressclasses, { apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name: 'nginx' }, spec: { controller: 'k8s.io/ingress-nginx' } });
    for (const svc of SERVICES) {
      store.create(GR.services, { apiVersion: 'v1', kind: 'Service', metadata: { name: svc, namespace: 'default' }, spec: { ports: [{ port: 80 }] } });
      store.create(GR.endpointslices, { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: `${svc}-x`, namespace: 'default', labels: { 'kubernetes.io/service-name': svc } }, addressType: 'IPv4', ports: [{ name: '', port: portOf(svc) }], endpoints: [{ addresses: [BACKEND], conditions: { ready: true } }] });
    }
    for (const ing of INGRESSES) {
      const obj: KObject = { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: ing.name, namespace: 'default', annotations: ing.annotations }, spec: { ingressClassName: 'nginx', rules: [{ host: ing.host, http: { paths: ing.paths.map(([path, pathType, svc]) => ({ path, pathType, backend: { service: { name: svc, port: { number: 80 } } } })) } }] } };
      store.create(GR.ingresses, obj);
    }
    ctl = await startIngressController({ store, address: KDP, log: () => {} });
    await ctl.synced();
    const conf = join(dir, 'nginx.conf');
    writeFileSync(conf, nginxConf(ctl.table(), dir));
    execFileSync(NGINX!, ['-t', '-q', '-p', dir, '-c', conf, '-e', 'stderr']);
    nginx = spawn(NGINX!, ['-p', dir, '-c', conf, '-e', 'stderr'], { stdio: ['ignore', 'ignore', 'pipe'] });
    await eventually(() => get(NGX, 'unknown.test', '/'), { timeout: 5000, what: 'nginx listening' });
  }, 30_000);

  afterAll(async () => {
    if (nginx && nginx.exitCode === null) {
      nginx.kill('SIGTERM');
      await new Promise((r) => nginx.once('exit', r));
    }
    await ctl?.stop(0);
    for (const b of backends) b.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('every request reaches the same upstream with the same path and status', async () => {
    const diffs: string[] = [];
    for (const [host, path] of REQUESTS) {
      const [a, b] = await Promise.all([get(KDP, host, path), get(NGX, host, path)]);
      if (a.status !== b.status || a.body !== b.body) diffs.push(`${host}${path}: kdp ${a.status} "${a.body}" vs nginx ${b.status} "${b.body}"`);
    }
    expect(diffs).toEqual([]);
    expect(REQUESTS.length).toBeGreaterThan(40);
  });

  it('the comparison can fail: a deliberately different nginx answer is noticed', async () => {
    const a = await get(KDP, 'seed.test', '/testpath/foo');
    const b = await get(NGX, 'plain.test', '/aaa');
    expect(a.body).not.toBe(b.body);
  });
});
