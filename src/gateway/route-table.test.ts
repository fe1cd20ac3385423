import { describe, expect, it } from 'vitest';
import type { KObject } from '../api/types.js';
import { pickBackend, modifyPath, redirectTarget, applyHeaderModifier, type HeaderMap } from './filters.js';
import { intersectHostnames } from './hostnames.js';
import { matchRequest, type RequestView } from './request-match.js';
import { buildGatewayModel, KDP_CONTROLLER_NAME, selectListener, type GatewayInputs } from './route-table.js';

const o = (kind: string, ns: string | undefined, name: string, spec: object, extra: object = {}): KObject =>
  ({ apiVersion: 'v1', kind, metadata: { name, ...(ns ? { namespace: ns } : {}), generation: 1, creationTimestamp: '2026-01-01T00:00:00Z', ...extra }, spec }) as unknown as KObject;

const svc = (ns: string, name: string) => o('Service', ns, name, { ports: [{ port: 8080 }] });
const route = (name: string, spec: object, ns = 'infra', ts = '2026-01-01T00:00:00Z') => o('HTTPRoute', ns, name, spec, { creationTimestamp: ts });

function inputs(over: Partial<GatewayInputs>): GatewayInputs {
  return {
    controllerName: KDP_CONTROLLER_NAME,
    gatewayClasses: [o('GatewayClass', undefined, 'kdp', { controllerName: KDP_CONTROLLER_NAME }), o('GatewayClass', undefined, 'other', { controllerName: 'x/y' })],
    gateways: [o('Gateway', 'infra', 'gw', { gatewayClassName: 'kdp', listeners: [{ name: 'http', port: 80, protocol: 'HTTP', allowedRoutes: { namespaces: { from: 'Same' } } }] })],
    httpRoutes: [], referenceGrants: [], services: [svc('infra', 'v1'), svc('infra', 'v2'), svc('web', 'w')], secrets: [],
    namespaces: [o('Namespace', undefined, 'infra', {}), o('Namespace', undefined, 'web', {}, { labels: { team: 'web' } })],
    addresses: new Map([['infra/gw', { address: '127.1.0.1' }]]),
    ...over,
  };
}

function req(path: string, extra: Partial<RequestView> & { headers?: Record<string, string> } = {}): RequestView {
  const [p, q] = path.split('?');
  const headers = extra.headers ?? {};
  return { host: extra.host ?? 'example.com', path: p, query: new URLSearchParams(q ?? ''), method: extra.method ?? 'GET', header: (n) => headers[n] };
}

const backendOf = (m: ReturnType<typeof buildGatewayModel>, r: RequestView) => {
  const l = selectListener(m.ports[0], r.host)!;
  const e = matchRequest(l, r);
  return e ? `${e.rule.route}#${e.rule.ruleIndex}` : undefined;
};

describe('Gateway API route table', () => {
  it('accepts our GatewayClass only, and programs our Gateway on its address', () => {
    const m = buildGatewayModel(inputs({}));
    expect([...m.classStatus.keys()]).toEqual(['kdp']);
    expect(m.classStatus.get('kdp')!.conditions.map((c) => `${c.type}=${c.status}/${c.reason}`)).toEqual(['Accepted=True/Accepted', 'SupportedVersion=True/SupportedVersion']);
    const features = m.classStatus.get('kdp')!.supportedFeatures.map((f) => f.name);
    expect(features).toEqual([...features].sort());
    expect(features).toContain('HTTPRoute');
    const st = m.gatewayStatus.get('infra/gw') as any;
    expect(st.addresses).toEqual([{ type: 'IPAddress', value: '127.1.0.1' }]);
    expect(st.conditions.map((c: any) => `${c.type}=${c.status}/${c.reason}`)).toEqual(['Accepted=True/Accepted', 'Programmed=True/Programmed']);
    expect(m.ports.map((p) => `${p.address}:${p.port}`)).toEqual(['127.1.0.1:80']);
  });

  it('orders matches as the spec says: Exact, longest prefix, method, headers, query params, oldest route', () => {
    const m = buildGatewayModel(inputs({
      httpRoutes: [
        route('b', { parentRefs: [{ name: 'gw' }], rules: [
          { matches: [{ path: { type: 'PathPrefix', value: '/' } }], backendRefs: [{ name: 'v1', port: 8080 }] },
          { matches: [{ path: { type: 'PathPrefix', value: '/foo' } }], backendRefs: [{ name: 'v1', port: 8080 }] },
          { matches: [{ path: { type: 'Exact', value: '/foo' } }], backendRefs: [{ name: 'v1', port: 8080 }] },
          { matches: [{ path: { type: 'PathPrefix', value: '/foo' }, method: 'POST' }], backendRefs: [{ name: 'v1', port: 8080 }] },
          { matches: [{ path: { type: 'PathPrefix', value: '/foo' }, headers: [{ name: 'X-A', value: '1' }] }], backendRefs: [{ name: 'v1', port: 8080 }] },
          { matches: [{ path: { type: 'PathPrefix', value: '/foo' }, headers: [{ name: 'x-a', value: '1' }, { name: 'x-b', value: '2' }] }], backendRefs: [{ name: 'v1', port: 8080 }] },
          { matches: [{ path: { type: 'PathPrefix', value: '/q' }, queryParams: [{ name: 'a', value: '1' }] }], backendRefs: [{ name: 'v1', port: 8080 }] },
        ] }, 'infra', '2026-01-02T00:00:00Z'),
        route('a', { parentRefs: [{ name: 'gw' }], rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/q' } }], backendRefs: [{ name: 'v2', port: 8080 }] }] }, 'infra', '2026-01-01T00:00:00Z'),
      ],
    }));
    expect(backendOf(m, req('/foo'))).toBe('infra/b#2');
    expect(backendOf(m, req('/foo/x'))).toBe('infra/b#1');
    expect(backendOf(m, req('/foobar'))).toBe('infra/b#0');
    expect(backendOf(m, req('/foo/x', { method: 'POST' }))).toBe('infra/b#3');
    expect(backendOf(m, req('/foo/x', { headers: { 'x-a': '1' } }))).toBe('infra/b#4');
    expect(backendOf(m, req('/foo/x', { headers: { 'x-a': '1', 'x-b': '2' } }))).toBe('infra/b#5');
    expect(backendOf(m, req('/q?a=1'))).toBe('infra/b#6');
    expect(backendOf(m, req('/q'))).toBe('infra/a#0'); // same precedence: the older route
  });

  it('reports the parents\' reasons: NotAllowedByListeners, NoMatchingParent, NoMatchingListenerHostname, refs', () => {
    const m = buildGatewayModel(inputs({
      gateways: [o('Gateway', 'infra', 'gw', { gatewayClassName: 'kdp', listeners: [{ name: 'http', port: 80, protocol: 'HTTP', hostname: 'a.example.com' }] })],
      httpRoutes: [
        route('other-ns', { parentRefs: [{ name: 'gw', namespace: 'infra' }] }, 'web'),
        route('section', { parentRefs: [{ name: 'gw', sectionName: 'nope' }] }),
        route('hosts', { parentRefs: [{ name: 'gw' }], hostnames: ['b.example.com'] }),
        route('refs', { parentRefs: [{ name: 'gw' }], rules: [{ backendRefs: [{ name: 'missing', port: 8080 }] }] }),
        route('kind', { parentRefs: [{ name: 'gw' }], rules: [{ backendRefs: [{ group: 'x.io', kind: 'Thing', name: 'v1' }] }] }),
        route('xns', { parentRefs: [{ name: 'gw' }], rules: [{ backendRefs: [{ name: 'w', namespace: 'web', port: 8080 }] }] }),
        route('foreign', { parentRefs: [{ name: 'not-ours' }] }),
      ],
    }));
    const reasons = (name: string) => (m.routeParents.get(`${name === 'other-ns' ? 'web' : 'infra'}/${name}`) as any)?.[0].conditions.map((c: any) => `${c.type}=${c.status}/${c.reason}`);
    expect(reasons('other-ns')).toEqual(['Accepted=False/NotAllowedByListeners', 'ResolvedRefs=True/ResolvedRefs']);
    expect(reasons('section')).toEqual(['Accepted=False/NoMatchingParent', 'ResolvedRefs=True/ResolvedRefs']);
    expect(reasons('hosts')).toEqual(['Accepted=False/NoMatchingListenerHostname', 'ResolvedRefs=True/ResolvedRefs']);
    expect(reasons('refs')).toEqual(['Accepted=True/Accepted', 'ResolvedRefs=False/BackendNotFound']);
    expect(reasons('kind')).toEqual(['Accepted=True/Accepted', 'ResolvedRefs=False/InvalidKind']);
    expect(reasons('xns')).toEqual(['Accepted=True/Accepted', 'ResolvedRefs=False/RefNotPermitted']);
    expect(m.routeParents.has('infra/foreign')).toBe(false);
    expect((m.gatewayStatus.get('infra/gw') as any).listeners[0].attachedRoutes).toBe(3);
  });

  it('a ReferenceGrant permits the cross-namespace backend', () => {
    const grant = o('ReferenceGrant', 'web', 'g', { from: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: 'infra' }], to: [{ group: '', kind: 'Service' }] });
    const m = buildGatewayModel(inputs({ referenceGrants: [grant], httpRoutes: [route('xns', { parentRefs: [{ name: 'gw' }], rules: [{ backendRefs: [{ name: 'w', namespace: 'web', port: 8080 }] }] })] }));
    expect((m.routeParents.get('infra/xns') as any)[0].conditions[1].reason).toBe('ResolvedRefs');
  });

  it('flags unsupported protocols and conflicts per listener', () => {
    const m = buildGatewayModel(inputs({
      gateways: [o('Gateway', 'infra', 'gw', { gatewayClassName: 'kdp', listeners: [
        { name: 'http', port: 80, protocol: 'HTTP' }, { name: 'udp', port: 53, protocol: 'UDP' }, { name: 'dup', port: 80, protocol: 'HTTP' },
      ] })],
    }));
    const st = m.gatewayStatus.get('infra/gw') as any;
    expect(st.conditions[0]).toMatchObject({ type: 'Accepted', status: 'True', reason: 'ListenersNotValid' });
    expect(st.listeners[1].conditions[0]).toMatchObject({ type: 'Accepted', status: 'False', reason: 'UnsupportedProtocol' });
    expect(st.listeners[0].conditions.find((c: any) => c.type === 'Conflicted')).toMatchObject({ status: 'True', reason: 'HostnameConflict' });
  });

  it('intersects listener and route hostnames and prefers the most specific', () => {
    expect(intersectHostnames('*.example.com', ['a.example.com', 'other.org', '*.b.example.com'])).toEqual(['a.example.com', '*.b.example.com']);
    expect(intersectHostnames('a.example.com', ['*.example.com'])).toEqual(['a.example.com']);
    expect(intersectHostnames('a.example.com', ['b.example.com'])).toBeNull();
    expect(intersectHostnames(undefined, [])).toEqual([]);
    const m = buildGatewayModel(inputs({ httpRoutes: [
      route('wild', { parentRefs: [{ name: 'gw' }], hostnames: ['*.example.com'], rules: [{ backendRefs: [{ name: 'v1', port: 8080 }] }] }),
      route('exact', { parentRefs: [{ name: 'gw' }], hostnames: ['a.example.com'], rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/' } }], backendRefs: [{ name: 'v2', port: 8080 }] }] }, 'infra', '2026-02-01T00:00:00Z'),
    ] }));
    expect(backendOf(m, req('/x', { host: 'a.example.com' }))).toBe('infra/exact#0');
    expect(backendOf(m, req('/x', { host: 'b.example.com' }))).toBe('infra/wild#0');
    expect(backendOf(m, req('/x', { host: 'example.com' }))).toBeUndefined();
  });
});

describe('filters', () => {
  it('modifies headers: set, add (appended with a comma), remove', () => {
    const h: HeaderMap = new Map([['x-a', { name: 'X-A', value: '1' }], ['x-gone', { name: 'X-Gone', value: 'y' }]]);
    applyHeaderModifier(h, { set: [{ name: 'X-Set', value: 's' }], add: [{ name: 'x-a', value: '2' }], remove: ['X-GONE'] });
    expect([...h.values()].map((v) => `${v.name}: ${v.value}`)).toEqual(['X-A: 1,2', 'X-Set: s']);
  });

  it('rewrites prefixes and full paths', () => {
    const prefix = { type: 'PathPrefix' as const, value: '/prefix/one' };
    expect(modifyPath('/prefix/one/two', { type: 'ReplacePrefixMatch', replacePrefixMatch: '/one' }, prefix)).toBe('/one/two');
    expect(modifyPath('/prefix/one', { type: 'ReplacePrefixMatch', replacePrefixMatch: '/' }, prefix)).toBe('/');
    expect(modifyPath('/prefix/one/x', { type: 'ReplacePrefixMatch', replacePrefixMatch: '/' }, prefix)).toBe('/x');
    expect(modifyPath('/anything', { type: 'ReplaceFullPath', replaceFullPath: '/one' }, prefix)).toBe('/one');
  });

  it('redirects with the spec\'s port rules', () => {
    const base = { scheme: 'http' as const, host: 'example.com', port: 80, path: '/a', search: '?q=1' };
    const p = { type: 'PathPrefix' as const, value: '/' };
    expect(redirectTarget({ type: 'RequestRedirect', requestRedirect: { scheme: 'https' } }, base, p)).toEqual({ status: 302, location: 'https://example.com/a?q=1' });
    expect(redirectTarget({ type: 'RequestRedirect', requestRedirect: { hostname: 'x.org', statusCode: 301 } }, base, p)).toEqual({ status: 301, location: 'http://x.org/a?q=1' });
    expect(redirectTarget({ type: 'RequestRedirect', requestRedirect: { port: 8083 } }, base, p).location).toBe('http://example.com:8083/a?q=1');
    expect(redirectTarget({ type: 'RequestRedirect', requestRedirect: { scheme: 'https', port: 443 } }, { ...base, port: 8080 }, p).location).toBe('https://example.com/a?q=1');
    expect(redirectTarget({ type: 'RequestRedirect', requestRedirect: {} }, { ...base, port: 8080 }, p).location).toBe('http://example.com:8080/a?q=1');
  });

  it('splits by weight and refuses all-zero weights', () => {
    const a = { kind: 'invalid' as const, weight: 1, reason: 'a' };
    const b = { kind: 'invalid' as const, weight: 3, reason: 'b' };
    expect(pickBackend([a, b], () => 0.2)).toBe(a);
    expect(pickBackend([a, b], () => 0.3)).toBe(b);
    expect(pickBackend([{ ...a, weight: 0 }], () => 0.5)).toBeUndefined();
  });
});
