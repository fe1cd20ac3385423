import { describe, expect, it } from 'vitest';
import type { KObject } from '../api/types.js';
import { buildRouteTable, route, type PathType } from './route-table.js';
import { UpstreamResolver } from './upstreams.js';
import { normalizePath, rewriteTarget, splitTarget } from './uri.js';

let clock = 0;
function ing(name: string, paths: Array<[string, PathType, string]>, opts: { host?: string; annotations?: Record<string, string>; defaultBackend?: string; tls?: Array<{ hosts: string[]; secretName?: string }>; created?: string } = {}): KObject {
  clock++;
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name, namespace: 'default', annotations: opts.annotations, creationTimestamp: opts.created ?? `2024-01-01T00:00:${String(clock).padStart(2, '0')}Z` },
    spec: {
      defaultBackend: opts.defaultBackend ? { service: { name: opts.defaultBackend, port: { number: 80 } } } : undefined,
      tls: opts.tls,
      rules: paths.length ? [{ host: opts.host, http: { paths: paths.map(([path, pathType, svc]) => ({ path, pathType, backend: { service: { name: svc, port: { number: 80 } } } })) } }] : undefined,
    },
  };
}

const resolver = new UpstreamResolver([], []);

/** The service a request reaches, or '404' for the default backend. */
function reach(ings: KObject[], url: string, host = 'example.test'): string {
  const table = buildRouteTable(ings, resolver);
  const m = route(table, host, normalizePath(splitTarget(url)[0])!);
  if (!m || !m.location.upstream) return '404';
  return m.location.upstream.replace(/^default-/, '').replace(/-80$/, '');
}

describe('the path table of the Kubernetes Ingress docs (REFERENCE.md)', () => {
  const rows: Array<[string, Array<[string, PathType]>, string, boolean]> = [
    ['Prefix / matches all paths', [['/', 'Prefix']], '/anything/at/all', true],
    ['Exact /foo matches /foo', [['/foo', 'Exact']], '/foo', true],
    ['Exact /foo does not match /bar', [['/foo', 'Exact']], '/bar', false],
    ['Exact /foo does not match /foo/', [['/foo', 'Exact']], '/foo/', false],
    ['Exact /foo/ does not match /foo', [['/foo/', 'Exact']], '/foo', false],
    ['Prefix /foo matches /foo', [['/foo', 'Prefix']], '/foo', true],
    ['Prefix /foo matches /foo/', [['/foo', 'Prefix']], '/foo/', true],
    ['Prefix /foo/ matches /foo', [['/foo/', 'Prefix']], '/foo', true],
    ['Prefix /foo/ matches /foo/', [['/foo/', 'Prefix']], '/foo/', true],
    ['Prefix /aaa/bb does not match /aaa/bbb', [['/aaa/bb', 'Prefix']], '/aaa/bbb', false],
    ['Prefix /aaa/bbb matches /aaa/bbb', [['/aaa/bbb', 'Prefix']], '/aaa/bbb', true],
    ['Prefix /aaa/bbb/ matches /aaa/bbb (trailing slash ignored)', [['/aaa/bbb/', 'Prefix']], '/aaa/bbb', true],
    ['Prefix /aaa/bbb matches /aaa/bbb/ (trailing slash matched)', [['/aaa/bbb', 'Prefix']], '/aaa/bbb/', true],
    ['Prefix /aaa/bbb matches /aaa/bbb/ccc (subpath)', [['/aaa/bbb', 'Prefix']], '/aaa/bbb/ccc', true],
    ['Prefix /aaa/bbb does not match /aaa/bbbxyz (no string prefix)', [['/aaa/bbb', 'Prefix']], '/aaa/bbbxyz', false],
    ['Prefix /aaa does not match /ccc (default backend)', [['/aaa', 'Prefix']], '/ccc', false],
  ];
  for (const [title, paths, req, matches] of rows) {
    it(title, () => {
      const i = ing('t', paths.map(([p, t]) => [p, t, 'svc']), { host: 'example.test' });
      expect(reach([i], req)).toBe(matches ? 'svc' : '404');
    });
  }

  it('Prefix /, /aaa: /aaa/ccc goes to /aaa', () => {
    expect(reach([ing('t', [['/', 'Prefix', 'root'], ['/aaa', 'Prefix', 'aaa']], { host: 'example.test' })], '/aaa/ccc')).toBe('aaa');
  });
  it('Prefix /, /aaa, /aaa/bbb: /aaa/bbb goes to /aaa/bbb, /ccc to /', () => {
    const i = ing('t', [['/', 'Prefix', 'root'], ['/aaa', 'Prefix', 'aaa'], ['/aaa/bbb', 'Prefix', 'bbb']], { host: 'example.test' });
    expect(reach([i], '/aaa/bbb')).toBe('bbb');
    expect(reach([i], '/ccc')).toBe('root');
  });
  it('Mixed /foo Prefix and /foo Exact: /foo prefers Exact, /foo/x takes Prefix', () => {
    const i = ing('t', [['/foo', 'Prefix', 'prefix'], ['/foo', 'Exact', 'exact']], { host: 'example.test' });
    expect(reach([i], '/foo')).toBe('exact');
    expect(reach([i], '/foo/x')).toBe('prefix');
  });
  it('longest path wins whatever the order of rules', () => {
    const i = ing('t', [['/a', 'Prefix', 'short'], ['/a/b/c', 'Prefix', 'long'], ['/a/b', 'Prefix', 'mid']], { host: 'example.test' });
    expect(reach([i], '/a/b/c/d')).toBe('long');
    expect(reach([i], '/a/b/x')).toBe('mid');
    expect(reach([i], '/a/x')).toBe('short');
  });
  it('ImplementationSpecific is a plain nginx prefix (character-wise)', () => {
    const i = ing('t', [['/foo', 'ImplementationSpecific', 'svc']], { host: 'example.test' });
    expect(reach([i], '/foobar')).toBe('svc');
  });
  it('Exact is case-sensitive; the path is matched decoded and with // merged', () => {
    const i = ing('t', [['/Foo', 'Exact', 'svc'], ['/a b', 'Prefix', 'space']], { host: 'example.test' });
    expect(reach([i], '/Foo')).toBe('svc');
    expect(reach([i], '/foo')).toBe('404');
    expect(reach([i], '/a%20b//c')).toBe('space');
  });
});

describe('hosts', () => {
  const exact = ing('exact', [['/', 'Prefix', 'exact']], { host: 'foo.bar.com' });
  const wild = ing('wild', [['/', 'Prefix', 'wild']], { host: '*.bar.com' });
  const any = ing('any', [['/', 'Prefix', 'any']]);
  it('exact host beats wildcard; wildcard takes exactly one more label; no host takes the rest', () => {
    expect(reach([exact, wild, any], '/', 'foo.bar.com')).toBe('exact');
    expect(reach([exact, wild, any], '/', 'baz.bar.com')).toBe('wild');
    expect(reach([exact, wild, any], '/', 'a.baz.bar.com')).toBe('any');
    expect(reach([exact, wild, any], '/', 'bar.com')).toBe('any');
  });
  it('a host with rules but no matching path gets 404, not the host-less rules', () => {
    const onlyApi = ing('api', [['/api', 'Prefix', 'api']], { host: 'foo.bar.com' });
    expect(reach([onlyApi, any], '/other', 'foo.bar.com')).toBe('404');
    expect(reach([onlyApi, any], '/other', 'elsewhere')).toBe('any');
  });
  it('defaultBackend: unmatched hosts and paths of that Ingress go there, else 404', () => {
    const d = ing('d', [['/api', 'Prefix', 'api']], { host: 'foo.bar.com', defaultBackend: 'fallback' });
    expect(reach([d], '/other', 'foo.bar.com')).toBe('fallback');
    expect(reach([d], '/x', 'unknown.host')).toBe('fallback');
    expect(reach([ing('n', [['/api', 'Prefix', 'api']], { host: 'foo.bar.com' })], '/x', 'unknown.host')).toBe('404');
  });
});

describe('several Ingresses', () => {
  it('merge on one host; the oldest wins a duplicate path and the conflict is reported', () => {
    const older = ing('older', [['/a', 'Prefix', 'old']], { host: 'h', created: '2024-01-01T00:00:00Z' });
    const newer = ing('newer', [['/a', 'Prefix', 'new'], ['/b', 'Prefix', 'b']], { host: 'h', created: '2024-01-02T00:00:00Z' });
    const table = buildRouteTable([newer, older], resolver);
    expect(reach([newer, older], '/a', 'h')).toBe('old');
    expect(reach([newer, older], '/b', 'h')).toBe('b');
    expect(table.problems.join('\n')).toContain('path "/a" is already defined by ingress default/older');
  });
  it('a canary Ingress attaches to the main location with the same host and path', () => {
    const main = ing('main', [['/', 'Prefix', 'stable']], { host: 'h' });
    const canary = ing('canary', [['/', 'Prefix', 'canary']], { host: 'h', annotations: { 'nginx.ingress.kubernetes.io/canary': 'true', 'nginx.ingress.kubernetes.io/canary-by-header': 'X-Canary' } });
    const m = route(buildRouteTable([main, canary], resolver), 'h', '/x')!;
    expect(m.location.upstream).toBe('default-stable-80');
    expect(m.location.canary).toMatchObject({ upstream: 'default-canary-80', config: { byHeader: 'X-Canary' } });
  });
});

describe('rewrite-target, as ingress-nginx rewrites', () => {
  const RT = 'nginx.ingress.kubernetes.io/rewrite-target';
  function upstreamPath(i: KObject, url: string, host = 'localhost'): string | undefined {
    const [raw, query] = splitTarget(url);
    const m = route(buildRouteTable([i], resolver), host, normalizePath(raw)!);
    if (!m?.location.upstream) return undefined;
    return m.location.config.rewriteTarget !== undefined ? rewriteTarget(m.location.config.rewriteTarget, m.captures, query) : url;
  }
  const seed = ing('nginx-ing', [['/testpath', 'Prefix', 'nginx']], { host: 'localhost', annotations: { [RT]: '/' } });
  it('the seed: /testpath, /testpath/foo and even /TESTPATHfoo reach nginx as /', () => {
    expect(upstreamPath(seed, '/testpath')).toBe('/');
    expect(upstreamPath(seed, '/testpath/foo')).toBe('/');
    expect(upstreamPath(seed, '/TESTPATHfoo')).toBe('/');
    expect(upstreamPath(seed, '/')).toBeUndefined();
  });
  it('keeps the query string', () => {
    expect(upstreamPath(seed, '/testpath/x?a=1&b=2')).toBe('/?a=1&b=2');
  });
  it('the documented regex form: /something(/|$)(.*) → /$2', () => {
    const i = ing('r', [['/something(/|$)(.*)', 'ImplementationSpecific', 'svc']], { host: 'rewrite.bar.com', annotations: { [RT]: '/$2', 'nginx.ingress.kubernetes.io/use-regex': 'true' } });
    expect(upstreamPath(i, '/something', 'rewrite.bar.com')).toBe('/');
    expect(upstreamPath(i, '/something/', 'rewrite.bar.com')).toBe('/');
    expect(upstreamPath(i, '/something/new', 'rewrite.bar.com')).toBe('/new');
    expect(upstreamPath(i, '/something/new?x=1', 'rewrite.bar.com')).toBe('/new?x=1');
    expect(upstreamPath(i, '/somethingelse', 'rewrite.bar.com')).toBeUndefined();
  });
  it('a rewrite puts every location of the host in regex mode, longest path first', () => {
    const a = ing('a', [['/api', 'Prefix', 'api'], ['/api/v2', 'Exact', 'v2']], { host: 'h' });
    const b = ing('b', [['/x', 'Prefix', 'x']], { host: 'h', annotations: { [RT]: '/' } });
    expect(reach([a, b], '/API/v2/more', 'h')).toBe('v2');
    expect(reach([a, b], '/apifoo', 'h')).toBe('api');
  });
  it('a target with its own query appends the original one; a trailing ? drops it', () => {
    expect(rewriteTarget('/new?a=1', undefined, 'b=2')).toBe('/new?a=1&b=2');
    expect(rewriteTarget('/new?', undefined, 'b=2')).toBe('/new');
  });
  it('an invalid regex disables only its own path', () => {
    const i = ing('bad', [['/ok', 'Prefix', 'ok'], ['/bad(', 'ImplementationSpecific', 'bad']], { host: 'h', annotations: { 'nginx.ingress.kubernetes.io/use-regex': 'true' } });
    expect(reach([i], '/ok', 'h')).toBe('ok');
    expect(buildRouteTable([i], resolver).problems.join()).toContain('not a valid regular expression');
  });
});

describe('normalizePath', () => {
  it('decodes, merges slashes, resolves dots, rejects escapes above the root', () => {
    expect(normalizePath('/a//b/./c/../d')).toBe('/a/b/d');
    expect(normalizePath('/a/%2e%2e/b')).toBe('/b');
    expect(normalizePath('/..')).toBeUndefined();
    expect(normalizePath('/%zz')).toBeUndefined();
    expect(normalizePath('/a/')).toBe('/a/');
  });
});
