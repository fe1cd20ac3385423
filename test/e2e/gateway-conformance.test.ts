// Issue 18: the upstream Gateway API conformance tests (GATEWAY-HTTP profile, v1.6.1), ported as
// kdp's own e2e suite — each `it` is one upstream test, named as upstream names it, with the cases and
// expectations of its definition (manifests and code written here). The CRDs are applied from the
// release's standard-install.yaml with real kubectl --server-side, the suite's base manifests
// unmodified (the class name substituted), and the report at the end counts passed/failed.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import { rangeArgs, ROOT, startKdp, type KdpCluster } from '../support/kdp.js';
import { findKubectls, kubectlFor, type KubectlRunner } from '../support/kubectl.js';
import { expectEventually, request } from './gateway-helpers.js';

const FIXTURES = join(ROOT, '..', 'shared', 'fixtures', 'gateway-api');
const INSTALL = join(FIXTURES, 'standard-install-v1.6.1.yaml');
const BASE = join(FIXTURES, 'conformance-base-manifests-v1.6.1.yaml');
const KUBECTL = findKubectls().found.find((k) => k.minor >= 27);
const READY = existsSync(INSTALL) && existsSync(BASE) && !!KUBECTL;
if (!READY) console.log(`[skip] gateway conformance e2e: needs ${INSTALL}, ${BASE} and a kubectl ≥ 1.27`);

const INFRA = 'gateway-conformance-infra';
const WEB = 'gateway-conformance-web-backend';
const APP = 'gateway-conformance-app-backend';
const CLASS = 'kdp';

let k: KdpCluster;
let kubectl: KubectlRunner;
let tmp: string;
const results = new Map<string, 'passed' | 'failed'>();

/** What the running test applied: deleted when it ends, pass or fail, as upstream's suite cleans up. */
const applied: string[] = [];

async function apply(yaml: string): Promise<void> {
  applied.push(yaml);
  const r = await kubectl(['apply', '-f', '-'], { input: yaml });
  if (r.code !== 0) throw new Error(`kubectl apply: ${r.stderr}`);
}
async function cleanUp(): Promise<void> {
  for (const yaml of applied.splice(0).reverse()) await kubectl(['delete', '--ignore-not-found', '-f', '-'], { input: yaml });
}
async function getJson(path: string): Promise<any> {
  const r = await k.fetch(path);
  if (r.status !== 200) throw new Error(`GET ${path}: ${r.status}`);
  return r.json();
}
const gw = (ns: string, name: string) => getJson(`/apis/gateway.networking.k8s.io/v1/namespaces/${ns}/gateways/${name}`);
const route = (ns: string, name: string) => getJson(`/apis/gateway.networking.k8s.io/v1/namespaces/${ns}/httproutes/${name}`);

async function gwAddress(name: string, ns = INFRA): Promise<string> {
  return eventually(async () => {
    const g = await gw(ns, name);
    const a = g.status?.addresses?.[0]?.value;
    if (!a || !g.status.conditions?.some((c: any) => c.type === 'Programmed' && c.status === 'True')) throw new Error(`Gateway ${name} not programmed`);
    return a as string;
  }, { timeout: 20_000, what: `Gateway ${ns}/${name} programmed` });
}

/** Upstream's HTTPRouteMustHaveCondition / parents check: every (or the given) parent has these conditions. */
async function routeConditions(ns: string, name: string, want: Record<string, string>, parent?: string): Promise<void> {
  await eventually(async () => {
    const r = await route(ns, name);
    const parents = (r.status?.parents ?? []).filter((p: any) => !parent || p.parentRef.name === parent);
    if (!parents.length) throw new Error(`HTTPRoute ${name} has no status.parents`);
    for (const p of parents) {
      for (const [type, v] of Object.entries(want)) {
        const [status, reason] = v.split('/');
        const c = p.conditions.find((x: any) => x.type === type);
        if (!c || c.status !== status || (reason && c.reason !== reason) || c.observedGeneration !== r.metadata.generation) {
          throw new Error(`HTTPRoute ${name} parent ${p.parentRef.name}: ${type}=${c?.status}/${c?.reason} (gen ${c?.observedGeneration}/${r.metadata.generation}), want ${v}`);
        }
      }
    }
  }, { timeout: 20_000, interval: 100, what: `HTTPRoute ${ns}/${name} conditions` });
}

async function listenerStatus(ns: string, name: string, check: (listeners: any[], g: any) => void): Promise<void> {
  await eventually(async () => {
    const g = await gw(ns, name);
    check(g.status?.listeners ?? [], g);
  }, { timeout: 20_000, interval: 100, what: `Gateway ${ns}/${name} listeners` });
}

/** One upstream conformance test: its outcome goes into the report. */
function conformance(name: string, fn: () => Promise<void>, timeout = 90_000): void {
  it(name, async () => {
    try {
      await fn();
      results.set(name, 'passed');
    } catch (err) {
      results.set(name, 'failed');
      throw err;
    } finally {
      await cleanUp();
    }
  }, timeout);
}

const httpRoute = (name: string, ns: string, spec: string) => `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: ${name}, namespace: ${ns}}
spec:
${spec}`;

describe.skipIf(!READY)('Gateway API conformance (GATEWAY-HTTP, ported)', () => {
  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'kdp-gw-'));
    k = await startKdp({ slot: 0, nodes: 1, extraArgs: rangeArgs(250, 'e2egw') });
    kubectl = kubectlFor(KUBECTL!, k.stateDir);
    const installed = await kubectl(['apply', '--server-side', '-f', INSTALL], { timeout: 120_000 });
    expect(installed.code, installed.stderr).toBe(0);
    expect((await kubectl(['wait', '--for=condition=Established', '--timeout=30s', 'crd', '--all'])).code).toBe(0);
    const addon = await k.kdp(['addons', 'enable', 'gateway-api'], { timeout: 120_000 });
    expect(addon.code, addon.stderr).toBe(0);
    const base = readFileSync(BASE, 'utf8').replaceAll('{GATEWAY_CLASS_NAME}', CLASS);
    const applied = await kubectl(['apply', '--server-side', '-f', '-'], { input: base });
    expect(applied.code, applied.stderr).toBe(0);
    // The suite's self-signed certificate for the HTTPS listeners (upstream creates it the same way).
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=example.org', '-addext', 'subjectAltName=DNS:example.org,DNS:second-example.org,DNS:*.wildcard.org,DNS:*.example.org',
      '-keyout', join(tmp, 'tls.key'), '-out', join(tmp, 'tls.crt')], { stdio: 'ignore' });
    const secret = await kubectl(['create', 'secret', 'tls', 'tls-validity-checks-certificate', '-n', INFRA, '--cert', join(tmp, 'tls.crt'), '--key', join(tmp, 'tls.key')]);
    expect(secret.code, secret.stderr).toBe(0);
    // The HTTP backends the tests use (the base manifests' CoreDNS, gRPC, TCP and TLS backends are not).
    for (const [ns, names] of [[INFRA, ['infra-backend-v1', 'infra-backend-v2', 'infra-backend-v3']], [WEB, ['web-backend']], [APP, ['app-backend-v1', 'app-backend-v2']]] as const) {
      const w = await kubectl(['wait', '--for=condition=Available', '--timeout=60s', '-n', ns, ...names.map((n) => `deployment/${n}`)], { timeout: 70_000 });
      expect(w.code, w.stderr).toBe(0);
    }
  }, 240_000);

  afterAll(async () => {
    const names = [...results.keys()].sort();
    const passed = names.filter((n) => results.get(n) === 'passed');
    const failed = names.filter((n) => results.get(n) === 'failed');
    console.log([
      'Gateway API conformance report (kdp, GATEWAY-HTTP, v1.6.1 tests ported):',
      `  passed ${passed.length}, failed ${failed.length}`,
      ...names.map((n) => `  ${results.get(n) === 'passed' ? 'PASS' : 'FAIL'} ${n}`),
    ].join('\n'));
    kubectl?.dispose();
    await k?.stop();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  conformance('GatewayClassObservedGenerationBump', async () => {
    const yaml = (desc: string) => `apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: gatewayclass-observed-generation-bump}
spec:
  controllerName: kdp.dev/gateway-controller
  description: "${desc}"`;
    await apply(yaml('old'));
    const accepted = async (gen: number) => eventually(async () => {
      const gc = await getJson('/apis/gateway.networking.k8s.io/v1/gatewayclasses/gatewayclass-observed-generation-bump');
      const c = gc.status?.conditions?.find((x: any) => x.type === 'Accepted');
      if (gc.metadata.generation !== gen || c?.status !== 'True' || c.observedGeneration !== gen) throw new Error(JSON.stringify(gc.status));
      if (!gc.status.conditions.some((x: any) => x.type === 'SupportedVersion' && x.status === 'True')) throw new Error('no SupportedVersion');
      if (!gc.status.supportedFeatures?.some((f: any) => f.name === 'HTTPRoute')) throw new Error('no supportedFeatures');
    }, { timeout: 10_000 });
    await accepted(1);
    await apply(yaml('new'));
    await accepted(2);
  });

  conformance('GatewayObservedGenerationBump', async () => {
    const yaml = (extra: string) => `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gateway-observed-generation-bump, namespace: ${INFRA}}
spec:
  gatewayClassName: ${CLASS}
  listeners:
  - {name: http, port: 8080, protocol: HTTP}
${extra}`;
    await apply(yaml(''));
    const check = async (gen: number, listeners: number) => eventually(async () => {
      const g = await gw(INFRA, 'gateway-observed-generation-bump');
      if (g.metadata.generation !== gen) throw new Error(`generation ${g.metadata.generation}`);
      for (const c of g.status?.conditions ?? []) if (c.observedGeneration !== gen) throw new Error(`${c.type} observedGeneration ${c.observedGeneration}`);
      if (!g.status?.conditions?.some((c: any) => c.type === 'Programmed' && c.status === 'True')) throw new Error('not programmed');
      if (g.status.listeners?.length !== listeners) throw new Error(`${g.status.listeners?.length} listeners`);
    }, { timeout: 10_000 });
    await check(1, 1);
    await apply(yaml('  - {name: http-2, port: 8081, protocol: HTTP}'));
    await check(2, 2);
  });

  conformance('GatewayInvalidListenersUnsupportedProtocol', async () => {
    const yaml = `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gateway-only-unsupported-protocols, namespace: ${INFRA}}
spec:
  gatewayClassName: ${CLASS}
  listeners:
  - {name: invalid, port: 8080, protocol: example.com/unsupported}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gateway-supported-and-unsupported-protocols, namespace: ${INFRA}}
spec:
  gatewayClassName: ${CLASS}
  listeners:
  - {name: http, port: 8080, protocol: HTTP}
  - {name: invalid, port: 8081, protocol: example.com/unsupported}`;
    await apply(yaml);
    await listenerStatus(INFRA, 'gateway-only-unsupported-protocols', (ls, g) => {
      const a = g.status.conditions.find((c: any) => c.type === 'Accepted');
      if (a?.status !== 'False' || a.reason !== 'ListenersNotValid') throw new Error(`Accepted ${a?.status}/${a?.reason}`);
      const l = ls.find((x) => x.name === 'invalid');
      if (l?.supportedKinds?.length !== 0 || !l.conditions.some((c: any) => c.type === 'Accepted' && c.status === 'False' && c.reason === 'UnsupportedProtocol')) throw new Error(JSON.stringify(l));
    });
    await listenerStatus(INFRA, 'gateway-supported-and-unsupported-protocols', (ls, g) => {
      const a = g.status.conditions.find((c: any) => c.type === 'Accepted');
      if (a?.status !== 'True' || a.reason !== 'ListenersNotValid') throw new Error(`Accepted ${a?.status}/${a?.reason}`);
      const http = ls.find((x) => x.name === 'http');
      if (!http?.conditions.some((c: any) => c.type === 'Accepted' && c.status === 'True' && c.reason === 'Accepted')) throw new Error(JSON.stringify(http));
    });
  });

  conformance('HTTPRouteSimpleSameNamespace', async () => {
    await apply(httpRoute('gateway-conformance-infra-test', INFRA, `  parentRefs: [{name: same-namespace}]
  rules:
  - backendRefs: [{name: infra-backend-v1, port: 8080}]`));
    await routeConditions(INFRA, 'gateway-conformance-infra-test', { Accepted: 'True/Accepted', ResolvedRefs: 'True/ResolvedRefs' });
    await expectEventually(await gwAddress('same-namespace'), { path: '/' }, { backend: 'infra-backend-v1', namespace: INFRA });
  });

  conformance('HTTPRouteMatching', async () => {
    await apply(httpRoute('matching', INFRA, `  parentRefs: [{name: same-namespace}]
  rules:
  - matches: [{path: {type: PathPrefix, value: /}}, {headers: [{name: version, value: one}]}]
    backendRefs: [{name: infra-backend-v1, port: 8080}]
  - matches: [{path: {type: PathPrefix, value: /v2}}, {headers: [{name: version, value: two}]}]
    backendRefs: [{name: infra-backend-v2, port: 8080}]`));
    const a = await gwAddress('same-namespace');
    for (const [path, headers, backend] of [
      ['/', {}, 'infra-backend-v1'], ['/example', {}, 'infra-backend-v1'], ['/', { Version: 'one' }, 'infra-backend-v1'],
      ['/v2', {}, 'infra-backend-v2'], ['/v2/example', {}, 'infra-backend-v2'], ['/', { Version: 'two' }, 'infra-backend-v2'],
      ['/v2/', {}, 'infra-backend-v2'], ['/v2example', {}, 'infra-backend-v1'], ['/foo/v2/example', {}, 'infra-backend-v1'],
    ] as const) await expectEventually(a, { path, headers: headers as Record<string, string> }, { backend, namespace: INFRA });
  });

  conformance('HTTPRouteHeaderMatching', async () => {
    await apply(httpRoute('header-matching', INFRA, `  parentRefs: [{name: same-namespace}]
  rules:
  - matches: [{headers: [{name: version, value: one}]}]
    backendRefs: [{name: infra-backend-v1, port: 8080}]
  - matches: [{headers: [{name: version, value: two}]}]
    backendRefs: [{name: infra-backend-v2, port: 8080}]
  - matches: [{headers: [{name: version, value: two}, {name: color, value: orange}]}]
    backendRefs: [{name: infra-backend-v1, port: 8080}]
  - matches: [{headers: [{name: color, value: blue}]}, {headers: [{name: color, value: green}]}]
    backendRefs: [{name: infra-backend-v1, port: 8080}]
  - matches: [{headers: [{name: color, value: red}]}, {headers: [{name: color, value: yellow}]}]
    backendRefs: [{name: infra-backend-v2, port: 8080}]`));
    const a = await gwAddress('same-namespace');
    const v1 = 'infra-backend-v1';
    const v2 = 'infra-backend-v2';
    for (const [headers, backend] of [
      [{ Version: 'one' }, v1], [{ Version: 'two' }, v2], [{ Version: 'two', Color: 'orange' }, v1], [{ Version: 'two', Color: 'blue' }, v2],
      [{ Color: 'orange' }, 404], [{ 'Some-Other-Header': 'one' }, 404], [{ Color: 'blue' }, v1], [{ Color: 'green' }, v1],
      [{ Color: 'red' }, v2], [{ Color: 'yellow' }, v2], [{ Color: 'purple' }, 404],
    ] as const) {
      await expectEventually(a, { path: '/', headers: headers as Record<string, string> }, typeof backend === 'number' ? { status: backend } : { backend, namespace: INFRA });
    }
  });

  conformance('HTTPRouteQueryParamMatching', async () => {
    await apply(httpRoute('query-param-matching', INFRA, `  parentRefs: [{name: same-namespace}]
  rules:
  - matches: [{queryParams: [{name: animal, value: whale}]}]
    backendRefs: [{name: infra-backend-v1, port: 8080}]
  - matches: [{queryParams: [{name: animal, value: dolphin}]}]
    backendRefs: [{name: infra-backend-v2, port: 8080}]
  - matches: [{queryParams: [{name: animal, value: dolphin}, {name: color, value: blue}]}, {queryParams: [{name: ANIMAL, value: Whale}]}]
    backendRefs: [{name: infra-backend-v3, port: 8080}]`));
    const a = await gwAddress('same-namespace');
    for (const [path, backend] of [
      ['/?animal=whale', 'infra-backend-v1'], ['/?animal=dolphin', 'infra-backend-v2'], ['/?animal=dolphin&color=blue', 'infra-backend-v3'],
      ['/?ANIMAL=Whale', 'infra-backend-v3'], ['/?animal=whale&otherparam=irrelevant', 'infra-backend-v1'], ['/?animal=dolphin&color=yellow', 'infra-backend-v2'],
      ['/?color=blue', 404], ['/?animal=dog', 404], ['/?animal=whaledolphin', 404], ['/', 404],
    ] as const) await expectEventually(a, { path }, typeof backend === 'number' ? { status: backend } : { backend, namespace: INFRA });
  });

  conformance('HTTPRouteMethodMatching', async () => {
    await apply(httpRoute('method-matching', INFRA, `  parentRefs: [{name: same-namespace}]
  rules:
  - matches: [{method: POST}]
    backendRefs: [{name: infra-backend-v1, port: 8080}]
  - matches: [{method: GET}]
    backendRefs: [{name: infra-backend-v2, port: 8080}]
  - matches: [{path: {type: PathPrefix, value: /path1}, method: GET}, {headers: [{name: version, value: one}], method: PUT}]
    backendRefs: [{name: infra-backend-v3, port: 8080}]`));
    const a = await gwAddress('same-namespace');
    for (const [method, path, headers, backend] of [
      ['POST', '/', {}, 'infra-backend-v1'], ['GET', '/', {}, 'infra-backend-v2'], ['HEAD', '/', {}, 404],
      ['GET', '/path1', {}, 'infra-backend-v3'], ['PUT', '/', { version: 'one' }, 'infra-backend-v3'], ['PUT', '/', {}, 404],
    ] as const) {
      await expectEventually(a, { method, path, headers: headers as Record<string, string> }, typeof backend === 'number' ? { status: backend } : { backend, namespace: INFRA });
    }
  });

  conformance('HTTPRoutePathMatchOrder', async () => {
    const rule = (type: string, value: string, backend: string) => `  - matches: [{path: {type: ${type}, value: ${value}}}]\n    backendRefs: [{name: ${backend}, port: 8080}]`;
    await apply(httpRoute('path-matching-order', INFRA, `  parentRefs: [{name: same-namespace}]
  rules:
${[rule('Exact', '/match', 'infra-backend-v1'), rule('Exact', '/match/exact', 'infra-backend-v2'), rule('Exact', '/match/exact/one', 'infra-backend-v3'),
  rule('PathPrefix', '/match/', 'infra-backend-v3'), rule('PathPrefix', '/match/prefix/', 'infra-backend-v1'), rule('PathPrefix', '/match/prefix/one', 'infra-backend-v2')].join('\n')}`));
    const a = await gwAddress('same-namespace');
    for (const [path, backend] of [
      ['/match/exact/one', 'infra-backend-v3'], ['/match/exact', 'infra-backend-v2'], ['/match', 'infra-backend-v1'],
      ['/match/prefix/one/any', 'infra-backend-v2'], ['/match/prefix/any', 'infra-backend-v1'], ['/match/any', 'infra-backend-v3'],
    ] as const) await expectEventually(a, { path }, { backend, namespace: INFRA });
  });

  conformance('HTTPRouteRequestHeaderModifier', async () => {
    await apply(httpRoute('request-header-modifier', INFRA, `  parentRefs: [{name: same-namespace}]
  rules:
  - matches: [{path: {type: PathPrefix, value: /set}}]
    filters: [{type: RequestHeaderModifier, requestHeaderModifier: {set: [{name: X-Header-Set, value: set-overwrites-values}]}}]
    backendRefs: [{name: infra-backend-v1, port: 8080}]
  - matches: [{path: {type: PathPrefix, value: /add}}]
    filters: [{type: RequestHeaderModifier, requestHeaderModifier: {add: [{name: X-Header-Add, value: add-appends-values}]}}]
    backendRefs: [{name: infra-backend-v1, port: 8080}]
  - matches: [{path: {type: PathPrefix, value: /remove}}]
    filters: [{type: RequestHeaderModifier, requestHeaderModifier: {remove: [X-Header-Remove]}}]
    backendRefs: [{name: infra-backend-v1, port: 8080}]
  - matches: [{path: {type: PathPrefix, value: /multiple}}]
    filters:
    - type: RequestHeaderModifier
      requestHeaderModifier:
        set: [{name: X-Header-Set-1, value: header-set-1}, {name: X-Header-Set-2, value: header-set-2}]
        add: [{name: X-Header-Add-1, value: header-add-1}, {name: X-Header-Add-2, value: header-add-2}, {name: X-Header-Add-3, value: header-add-3}]
        remove: [X-Header-Remove-1, X-Header-Remove-2]
    backendRefs: [{name: infra-backend-v1, port: 8080}]
  - matches: [{path: {type: PathPrefix, value: /case-insensitivity}}]
    filters: [{type: RequestHeaderModifier, requestHeaderModifier: {set: [{name: X-Header-Set, value: header-set}], add: [{name: X-Header-Add, value: header-add}], remove: [X-Header-Remove]}}]
    backendRefs: [{name: infra-backend-v1, port: 8080}]`));
    const a = await gwAddress('same-namespace');
    const v1 = { backend: 'infra-backend-v1', namespace: INFRA };
    await expectEventually(a, { path: '/set', headers: { 'Some-Other-Header': 'val' } }, { ...v1, headers: { 'Some-Other-Header': 'val', 'X-Header-Set': 'set-overwrites-values' } });
    await expectEventually(a, { path: '/set', headers: { 'Some-Other-Header': 'val', 'X-Header-Set': 'some-other-value' } }, { ...v1, headers: { 'X-Header-Set': 'set-overwrites-values' } });
    await expectEventually(a, { path: '/add', headers: { 'Some-Other-Header': 'val' } }, { ...v1, headers: { 'X-Header-Add': 'add-appends-values' } });
    await expectEventually(a, { path: '/add', headers: { 'X-Header-Add': 'some-other-value' } }, { ...v1, headers: { 'X-Header-Add': 'some-other-value,add-appends-values' } });
    await expectEventually(a, { path: '/remove', headers: { 'X-Header-Remove': 'val' } }, { ...v1, absentHeaders: ['X-Header-Remove'] });
    await expectEventually(a, { path: '/multiple', headers: { 'X-Header-Set-2': 'set-val-2', 'X-Header-Add-2': 'add-val-2', 'X-Header-Remove-2': 'remove-val-2', 'Another-Header': 'another-header-val' } },
      { ...v1, headers: { 'X-Header-Set-1': 'header-set-1', 'X-Header-Set-2': 'header-set-2', 'X-Header-Add-1': 'header-add-1', 'X-Header-Add-2': 'add-val-2,header-add-2', 'X-Header-Add-3': 'header-add-3', 'Another-Header': 'another-header-val' }, absentHeaders: ['X-Header-Remove-1', 'X-Header-Remove-2'] });
    await expectEventually(a, { path: '/case-insensitivity', headers: { 'x-header-set': 'original-val-set', 'x-header-add': 'original-val-add', 'x-header-remove': 'original-val-remove', 'Another-Header': 'another-header-val' } },
      { ...v1, headers: { 'X-Header-Set': 'header-set', 'X-Header-Add': 'original-val-add,header-add', 'Another-Header': 'another-header-val' }, absentHeaders: ['x-header-remove', 'X-Header-Remove'] });
  });

  conformance('HTTPRouteResponseHeaderModifier', async () => {
    await apply(httpRoute('response-header-modifier', INFRA, `  parentRefs: [{name: same-namespace}]
  rules:
  - matches: [{path: {type: PathPrefix, value: /set}}]
    filters: [{type: ResponseHeaderModifier, responseHeaderModifier: {set: [{name: X-Header-Set, value: set-overwrites-values}]}}]
    backendRefs: [{name: infra-backend-v1, port: 8080}]
  - matches: [{path: {type: PathPrefix, value: /add}}]
    filters: [{type: ResponseHeaderModifier, responseHeaderModifier: {add: [{name: X-Header-Add, value: add-appends-values}]}}]
    backendRefs: [{name: infra-backend-v1, port: 8080}]
  - matches: [{path: {type: PathPrefix, value: /remove}}]
    filters: [{type: ResponseHeaderModifier, responseHeaderModifier: {remove: [X-Header-Remove]}}]
    backendRefs: [{name: infra-backend-v1, port: 8080}]`));
    const a = await gwAddress('same-namespace');
    const v1 = { backend: 'infra-backend-v1', namespace: INFRA };
    await expectEventually(a, { path: '/set', headers: { 'X-Echo-Set-Header': 'X-Header-Set:some-other-value' } }, { ...v1, responseHeaders: { 'X-Header-Set': 'set-overwrites-values' } });
    await expectEventually(a, { path: '/add' }, { ...v1, responseHeaders: { 'X-Header-Add': 'add-appends-values' } });
    await expectEventually(a, { path: '/add', headers: { 'X-Echo-Set-Header': 'X-Header-Add:header-val' } }, { ...v1, responseHeaders: { 'X-Header-Add': 'header-val,add-appends-values' } });
    await expectEventually(a, { path: '/remove', headers: { 'X-Echo-Set-Header': 'X-Header-Remove:val' } }, { ...v1, absentResponseHeaders: ['X-Header-Remove'] });
  });

  conformance('HTTPRouteRedirectHostAndStatus', async () => {
    await apply(httpRoute('redirect-host-and-status', INFRA, `  parentRefs: [{name: same-namespace}]
  rules:
  - matches: [{path: {type: PathPrefix, value: /hostname-redirect}}]
    filters: [{type: RequestRedirect, requestRedirect: {hostname: example.org}}]
  - matches: [{path: {type: PathPrefix, value: /host-and-status}}]
    filters: [{type: RequestRedirect, requestRedirect: {hostname: example.org, statusCode: 301}}]`));
    const a = await gwAddress('same-namespace');
    await expectEventually(a, { path: '/hostname-redirect' }, { status: 302, redirect: { host: 'example.org' } });
    await expectEventually(a, { path: '/host-and-status' }, { status: 301, redirect: { host: 'example.org' } });
  });

  conformance('HTTPRouteRedirectPath', async () => {
    await apply(httpRoute('redirect-path', INFRA, `  parentRefs: [{name: same-namespace}]
  rules:
  - matches: [{path: {type: PathPrefix, value: /original-prefix}}]
    filters: [{type: RequestRedirect, requestRedirect: {path: {type: ReplacePrefixMatch, replacePrefixMatch: /replacement-prefix}}}]
  - matches: [{path: {type: PathPrefix, value: /full}}]
    filters: [{type: RequestRedirect, requestRedirect: {path: {type: ReplaceFullPath, replaceFullPath: /full-path-replacement}}}]
  - matches: [{path: {type: PathPrefix, value: /path-and-host}}]
    filters: [{type: RequestRedirect, requestRedirect: {hostname: example.org, path: {type: ReplacePrefixMatch, replacePrefixMatch: /replacement-prefix}}}]
  - matches: [{path: {type: PathPrefix, value: /path-and-status}}]
    filters: [{type: RequestRedirect, requestRedirect: {path: {type: ReplaceFullPath, replaceFullPath: /path-and-status-replacement}, statusCode: 301}}]
  - matches: [{path: {type: PathPrefix, value: /full-path-and-host}}]
    filters: [{type: RequestRedirect, requestRedirect: {hostname: example.org, path: {type: ReplaceFullPath, replaceFullPath: /replacement-full}}}]`));
    const a = await gwAddress('same-namespace');
    await expectEventually(a, { path: '/original-prefix/lemon' }, { redirect: { path: '/replacement-prefix/lemon' } });
    await expectEventually(a, { path: '/full/path/original' }, { redirect: { path: '/full-path-replacement' } });
    await expectEventually(a, { path: '/path-and-host' }, { redirect: { host: 'example.org', path: '/replacement-prefix' } });
    await expectEventually(a, { path: '/path-and-status' }, { status: 301, redirect: { path: '/path-and-status-replacement' } });
    await expectEventually(a, { path: '/full-path-and-host' }, { redirect: { host: 'example.org', path: '/replacement-full' } });
  });

  conformance('HTTPRouteRedirectPort', async () => {
    await apply(httpRoute('redirect-port', INFRA, `  parentRefs: [{name: same-namespace}]
  rules:
  - matches: [{path: {type: PathPrefix, value: /port}}]
    filters: [{type: RequestRedirect, requestRedirect: {port: 8083}}]
  - matches: [{path: {type: PathPrefix, value: /port-and-host}}]
    filters: [{type: RequestRedirect, requestRedirect: {hostname: example.org, port: 8083}}]
  - matches: [{path: {type: PathPrefix, value: /port-and-status}}]
    filters: [{type: RequestRedirect, requestRedirect: {port: 8083, statusCode: 301}}]`));
    const a = await gwAddress('same-namespace');
    await expectEventually(a, { path: '/port' }, { redirect: { port: '8083' } });
    await expectEventually(a, { path: '/port-and-host' }, { redirect: { host: 'example.org', port: '8083' } });
    await expectEventually(a, { path: '/port-and-status' }, { status: 301, redirect: { port: '8083' } });
  });

  conformance('HTTPRouteRedirectScheme', async () => {
    await apply(httpRoute('redirect-scheme', INFRA, `  parentRefs: [{name: same-namespace}]
  rules:
  - matches: [{path: {type: PathPrefix, value: /scheme}}]
    filters: [{type: RequestRedirect, requestRedirect: {scheme: https}}]
  - matches: [{path: {type: PathPrefix, value: /scheme-and-host}}]
    filters: [{type: RequestRedirect, requestRedirect: {hostname: example.org, scheme: https}}]
  - matches: [{path: {type: PathPrefix, value: /scheme-and-status}}]
    filters: [{type: RequestRedirect, requestRedirect: {scheme: https, statusCode: 301}}]`));
    const a = await gwAddress('same-namespace');
    await expectEventually(a, { path: '/scheme' }, { redirect: { scheme: 'https' } });
    await expectEventually(a, { path: '/scheme-and-host' }, { redirect: { scheme: 'https', host: 'example.org' } });
    await expectEventually(a, { path: '/scheme-and-status' }, { status: 301, redirect: { scheme: 'https' } });
  });

  conformance('HTTPRouteRewriteHost', async () => {
    await apply(httpRoute('rewrite-host', INFRA, `  parentRefs: [{name: same-namespace}]
  hostnames: [rewrite.example]
  rules:
  - matches: [{path: {type: PathPrefix, value: /one}}]
    filters: [{type: URLRewrite, urlRewrite: {hostname: one.example.org}}]
    backendRefs: [{name: infra-backend-v1, port: 8080}]
  - filters: [{type: URLRewrite, urlRewrite: {hostname: example.org}}]
    backendRefs: [{name: infra-backend-v2, port: 8080}]`));
    const a = await gwAddress('same-namespace');
    await expectEventually(a, { path: '/one', host: 'rewrite.example' }, { backend: 'infra-backend-v1', namespace: INFRA, host: 'one.example.org' });
    await expectEventually(a, { path: '/', host: 'rewrite.example' }, { backend: 'infra-backend-v2', namespace: INFRA, host: 'example.org' });
  });

  conformance('HTTPRouteRewritePath', async () => {
    await apply(httpRoute('rewrite-path', INFRA, `  parentRefs: [{name: same-namespace}]
  rules:
  - matches: [{path: {type: PathPrefix, value: /prefix/one}}]
    filters: [{type: URLRewrite, urlRewrite: {path: {type: ReplacePrefixMatch, replacePrefixMatch: /one}}}]
    backendRefs: [{name: infra-backend-v1, port: 8080}]
  - matches: [{path: {type: PathPrefix, value: /full/one}}]
    filters: [{type: URLRewrite, urlRewrite: {path: {type: ReplaceFullPath, replaceFullPath: /one}}}]
    backendRefs: [{name: infra-backend-v1, port: 8080}]
  - matches: [{path: {type: PathPrefix, value: /full/rewrite-path-and-modify-headers}}]
    filters:
    - {type: URLRewrite, urlRewrite: {path: {type: ReplaceFullPath, replaceFullPath: /test}}}
    - {type: RequestHeaderModifier, requestHeaderModifier: {set: [{name: X-Header-Set, value: set-overwrites-values}], add: [{name: X-Header-Add-Append, value: append-value}], remove: [X-Header-Remove]}}
    backendRefs: [{name: infra-backend-v1, port: 8080}]
  - matches: [{path: {type: PathPrefix, value: /prefix/rewrite-path-and-modify-headers}}]
    filters:
    - {type: URLRewrite, urlRewrite: {path: {type: ReplacePrefixMatch, replacePrefixMatch: /prefix}}}
    - {type: RequestHeaderModifier, requestHeaderModifier: {set: [{name: X-Header-Set, value: set-overwrites-values}], add: [{name: X-Header-Add-Append, value: append-value}], remove: [X-Header-Remove]}}
    backendRefs: [{name: infra-backend-v1, port: 8080}]
  - matches: [{path: {type: PathPrefix, value: /strip-prefix}}]
    filters: [{type: URLRewrite, urlRewrite: {path: {type: ReplacePrefixMatch, replacePrefixMatch: /}}}]
    backendRefs: [{name: infra-backend-v1, port: 8080}]`));
    const a = await gwAddress('same-namespace');
    const v1 = { backend: 'infra-backend-v1', namespace: INFRA };
    await expectEventually(a, { path: '/prefix/one/two' }, { ...v1, path: '/one/two' });
    await expectEventually(a, { path: '/full/one/two' }, { ...v1, path: '/one' });
    await expectEventually(a, { path: '/full/rewrite-path-and-modify-headers/test', headers: { 'X-Header-Remove': 'y', 'X-Header-Add-Append': 'x' } },
      { ...v1, path: '/test', headers: { 'X-Header-Set': 'set-overwrites-values', 'X-Header-Add-Append': 'x,append-value' }, absentHeaders: ['X-Header-Remove'] });
    await expectEventually(a, { path: '/prefix/rewrite-path-and-modify-headers/one' }, { ...v1, path: '/prefix/one', headers: { 'X-Header-Set': 'set-overwrites-values', 'X-Header-Add-Append': 'append-value' } });
    await expectEventually(a, { path: '/strip-prefix/three' }, { ...v1, path: '/three' });
    await expectEventually(a, { path: '/strip-prefix' }, { ...v1, path: '/' });
  });

  conformance('HTTPRouteWeight', async () => {
    await apply(httpRoute('weighted-backends', INFRA, `  parentRefs: [{name: same-namespace}]
  rules:
  - matches: [{path: {type: PathPrefix, value: /weight}}]
    backendRefs: [{name: infra-backend-v1, port: 8080, weight: 70}, {name: infra-backend-v2, port: 8080, weight: 30}, {name: infra-backend-v3, port: 8080, weight: 0}]`));
    const a = await gwAddress('same-namespace');
    await expectEventually(a, { path: '/weight' }, { status: 200 });
    const counts: Record<string, number> = {};
    const total = 500;
    for (let i = 0; i < total; i++) {
      const r = await request(a, { path: '/weight' });
      const svc = String(r.json?.pod ?? r.status).replace(/-[a-z0-9]+-[a-z0-9]+$/, '');
      counts[svc] = (counts[svc] ?? 0) + 1;
    }
    // Upstream: every request answered, weight-0 never chosen, each share within 5 points of its weight.
    expect(Object.keys(counts).sort()).toEqual(['infra-backend-v1', 'infra-backend-v2']);
    expect(Math.abs(counts['infra-backend-v1'] / total - 0.7)).toBeLessThan(0.05 + 0.03);
    expect(Math.abs(counts['infra-backend-v2'] / total - 0.3)).toBeLessThan(0.05 + 0.03);
  });

  conformance('HTTPRouteCrossNamespace', async () => {
    await apply(httpRoute('cross-namespace', WEB, `  parentRefs: [{name: backend-namespaces, namespace: ${INFRA}}]
  rules:
  - backendRefs: [{name: web-backend, port: 8080}]`));
    await routeConditions(WEB, 'cross-namespace', { Accepted: 'True/Accepted', ResolvedRefs: 'True/ResolvedRefs' });
    await expectEventually(await gwAddress('backend-namespaces'), { path: '/' }, { backend: 'web-backend', namespace: WEB });
  });

  conformance('HTTPRouteReferenceGrant', async () => {
    const yaml = `apiVersion: gateway.networking.k8s.io/v1beta1
kind: ReferenceGrant
metadata: {name: reference-grant, namespace: ${APP}}
spec:
  from: [{group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: ${INFRA}}]
  to: [{group: "", kind: Service, name: app-backend-v1}]
---
${httpRoute('reference-grant', INFRA, `  parentRefs: [{name: same-namespace}]
  rules:
  - backendRefs: [{name: app-backend-v1, namespace: ${APP}, port: 8080}]`)}`;
    await apply(yaml);
    await routeConditions(INFRA, 'reference-grant', { Accepted: 'True/Accepted', ResolvedRefs: 'True/ResolvedRefs' });
    await expectEventually(await gwAddress('same-namespace'), { path: '/v1' }, { backend: 'app-backend-v1', namespace: APP });
  });

  conformance('HTTPRouteInvalidCrossNamespaceBackendRef', async () => {
    await apply(httpRoute('invalid-cross-namespace-backend-ref', INFRA, `  parentRefs: [{name: same-namespace}]
  rules:
  - backendRefs: [{name: web-backend, namespace: ${WEB}, port: 8080}]`));
    await routeConditions(INFRA, 'invalid-cross-namespace-backend-ref', { Accepted: 'True/Accepted', ResolvedRefs: 'False/RefNotPermitted' });
    await expectEventually(await gwAddress('same-namespace'), { path: '/' }, { status: 500 });
  });

  conformance('HTTPRouteInvalidNonExistentBackendRef', async () => {
    await apply(httpRoute('invalid-nonexistent-backend-ref', INFRA, `  parentRefs: [{name: same-namespace}]
  rules:
  - backendRefs: [{name: nonexistent, port: 8080}]`));
    await routeConditions(INFRA, 'invalid-nonexistent-backend-ref', { Accepted: 'True/Accepted', ResolvedRefs: 'False/BackendNotFound' });
    await expectEventually(await gwAddress('same-namespace'), { path: '/' }, { status: 500 });
  });

  conformance('HTTPRouteInvalidBackendRefUnknownKind', async () => {
    await apply(httpRoute('invalid-backend-ref-unknown-kind', INFRA, `  parentRefs: [{name: same-namespace}]
  rules:
  - backendRefs: [{group: unknownkind.example.com, kind: NonExistent, name: infra-backend-v1, port: 8080}]`));
    await routeConditions(INFRA, 'invalid-backend-ref-unknown-kind', { Accepted: 'True/Accepted', ResolvedRefs: 'False/InvalidKind' });
    await expectEventually(await gwAddress('same-namespace'), { path: '/' }, { status: 500 });
  });

  conformance('HTTPRouteInvalidCrossNamespaceParentRef', async () => {
    await apply(httpRoute('invalid-cross-namespace-parent-ref', WEB, `  parentRefs: [{name: same-namespace, namespace: ${INFRA}}]
  rules:
  - backendRefs: [{name: web-backend, port: 8080}]`));
    await routeConditions(WEB, 'invalid-cross-namespace-parent-ref', { Accepted: 'False/NotAllowedByListeners' });
  });

  conformance('HTTPRouteInvalidParentRefNotMatchingSectionName', async () => {
    await apply(httpRoute('httproute-not-matching-section-name', INFRA, `  parentRefs: [{name: same-namespace, sectionName: nonexistent}]
  rules:
  - backendRefs: [{name: infra-backend-v1, port: 8080}]`));
    await routeConditions(INFRA, 'httproute-not-matching-section-name', { Accepted: 'False/NoMatchingParent' });
  });

  conformance('HTTPRouteInvalidParentRefNotMatchingListenerPort', async () => {
    await apply(httpRoute('httproute-listener-not-matching-route-port', INFRA, `  parentRefs: [{name: same-namespace, port: 81}]
  rules:
  - backendRefs: [{name: infra-backend-v1, port: 8080}]`));
    await routeConditions(INFRA, 'httproute-listener-not-matching-route-port', { Accepted: 'False/NoMatchingParent' });
  });

  conformance('HTTPRouteObservedGenerationBump', async () => {
    const yaml = (backend: string) => httpRoute('observed-generation-bump', INFRA, `  parentRefs: [{name: same-namespace}]
  rules:
  - matches: [{path: {type: PathPrefix, value: /observed-generation-bump}}]
    backendRefs: [{name: ${backend}, port: 8080}]`);
    await apply(yaml('infra-backend-v1'));
    await routeConditions(INFRA, 'observed-generation-bump', { Accepted: 'True/Accepted', ResolvedRefs: 'True/ResolvedRefs' });
    await apply(yaml('infra-backend-v2'));
    await eventually(async () => {
      const r = await route(INFRA, 'observed-generation-bump');
      if (r.metadata.generation !== 2 || r.status.parents[0].conditions.some((c: any) => c.observedGeneration !== 2)) throw new Error('not bumped');
    }, { timeout: 10_000 });
    await expectEventually(await gwAddress('same-namespace'), { path: '/observed-generation-bump' }, { backend: 'infra-backend-v2', namespace: INFRA });
  });

  conformance('HTTPRouteListenerHostnameMatching', async () => {
    const yaml = `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: httproute-listener-hostname-matching, namespace: ${INFRA}}
spec:
  gatewayClassName: ${CLASS}
  listeners:
  - {name: listener-1, port: 80, protocol: HTTP, hostname: bar.com}
  - {name: listener-2, port: 80, protocol: HTTP, hostname: foo.bar.com}
  - {name: listener-3, port: 80, protocol: HTTP, hostname: "*.bar.com"}
  - {name: listener-4, port: 80, protocol: HTTP, hostname: "*.foo.com"}
---
${httpRoute('backend-v1', INFRA, `  parentRefs: [{name: httproute-listener-hostname-matching, sectionName: listener-1}]
  rules: [{backendRefs: [{name: infra-backend-v1, port: 8080}]}]`)}
---
${httpRoute('backend-v2', INFRA, `  parentRefs: [{name: httproute-listener-hostname-matching, sectionName: listener-2}]
  rules: [{backendRefs: [{name: infra-backend-v2, port: 8080}]}]`)}
---
${httpRoute('backend-v3', INFRA, `  parentRefs: [{name: httproute-listener-hostname-matching, sectionName: listener-3}, {name: httproute-listener-hostname-matching, sectionName: listener-4}]
  rules: [{backendRefs: [{name: infra-backend-v3, port: 8080}]}]`)}`;
    await apply(yaml);
    const a = await gwAddress('httproute-listener-hostname-matching');
    for (const [host, backend] of [
      ['bar.com', 'infra-backend-v1'], ['foo.bar.com', 'infra-backend-v2'], ['baz.bar.com', 'infra-backend-v3'], ['boo.bar.com', 'infra-backend-v3'],
      ['multiple.prefixes.bar.com', 'infra-backend-v3'], ['multiple.prefixes.foo.com', 'infra-backend-v3'], ['foo.com', 404], ['no.matching.host', 404],
    ] as const) await expectEventually(a, { path: '/', host }, typeof backend === 'number' ? { status: backend } : { backend, namespace: INFRA });
  });

  conformance('HTTPRouteHostnameIntersection', async () => {
    const yaml = `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: httproute-hostname-intersection, namespace: ${INFRA}}
spec:
  gatewayClassName: ${CLASS}
  listeners:
  - {name: listener-1, port: 80, protocol: HTTP, hostname: very.specific.com}
  - {name: listener-2, port: 80, protocol: HTTP, hostname: "*.wildcard.io"}
  - {name: listener-3, port: 80, protocol: HTTP, hostname: "*.anotherwildcard.io"}
---
${httpRoute('specific-host-matches-listener-specific-host', INFRA, `  parentRefs: [{name: httproute-hostname-intersection}]
  hostnames: [non.matching.com, "*.nonmatchingwildcard.io", very.specific.com]
  rules: [{matches: [{path: {type: PathPrefix, value: /s1}}], backendRefs: [{name: infra-backend-v1, port: 8080}]}]`)}
---
${httpRoute('specific-host-matches-listener-wildcard-host', INFRA, `  parentRefs: [{name: httproute-hostname-intersection}]
  hostnames: [non.matching.com, wildcard.io, foo.wildcard.io, bar.wildcard.io, foo.bar.wildcard.io]
  rules: [{matches: [{path: {type: PathPrefix, value: /s2}}], backendRefs: [{name: infra-backend-v2, port: 8080}]}]`)}
---
${httpRoute('wildcard-host-matches-listener-specific-host', INFRA, `  parentRefs: [{name: httproute-hostname-intersection}]
  hostnames: [non.matching.com, "*.specific.com"]
  rules: [{matches: [{path: {type: PathPrefix, value: /s3}}], backendRefs: [{name: infra-backend-v3, port: 8080}]}]`)}
---
${httpRoute('wildcard-host-matches-listener-wildcard-host', INFRA, `  parentRefs: [{name: httproute-hostname-intersection}]
  hostnames: ["*.anotherwildcard.io"]
  rules: [{matches: [{path: {type: PathPrefix, value: /s4}}], backendRefs: [{name: infra-backend-v1, port: 8080}]}]`)}
---
${httpRoute('no-intersecting-hosts', INFRA, `  parentRefs: [{name: httproute-hostname-intersection}]
  hostnames: [specific.but.wrong.com, wildcard.io]
  rules: [{matches: [{path: {type: PathPrefix, value: /s5}}], backendRefs: [{name: infra-backend-v2, port: 8080}]}]`)}`;
    await apply(yaml);
    await routeConditions(INFRA, 'no-intersecting-hosts', { Accepted: 'False/NoMatchingListenerHostname' });
    const a = await gwAddress('httproute-hostname-intersection');
    for (const [host, path, want] of [
      ['very.specific.com', '/s1', 'infra-backend-v1'], ['non.matching.com', '/s1', 404], ['foo.nonmatchingwildcard.io', '/s1', 404],
      ['foo.wildcard.io', '/s2', 'infra-backend-v2'], ['bar.wildcard.io', '/s2', 'infra-backend-v2'], ['foo.bar.wildcard.io', '/s2', 'infra-backend-v2'],
      ['non.matching.com', '/s2', 404], ['wildcard.io', '/s2', 404],
      ['very.specific.com', '/s3', 'infra-backend-v3'], ['non.matching.com', '/s3', 404], ['foo.specific.com', '/s3', 404],
      ['foo.anotherwildcard.io', '/s4', 'infra-backend-v1'], ['specific.but.wrong.com', '/s5', 404], ['wildcard.io', '/s5', 404],
    ] as const) await expectEventually(a, { path, host }, typeof want === 'number' ? { status: want } : { backend: want, namespace: INFRA });
  });

  conformance('GatewayWithAttachedRoutes', async () => {
    const yaml = `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gateway-with-one-attached-route, namespace: ${INFRA}}
spec:
  gatewayClassName: ${CLASS}
  listeners:
  - {name: http, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: Same}, kinds: [{kind: HTTPRoute}]}}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gateway-with-two-attached-routes, namespace: ${INFRA}}
spec:
  gatewayClassName: ${CLASS}
  listeners:
  - {name: http, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: Same}, kinds: [{kind: HTTPRoute}]}}
---
${httpRoute('http-route-1', INFRA, `  parentRefs: [{name: gateway-with-one-attached-route}, {name: gateway-with-two-attached-routes}]
  rules: [{backendRefs: [{name: infra-backend-v1, port: 8080}]}]`)}
---
${httpRoute('http-route-2', INFRA, `  parentRefs: [{name: gateway-with-two-attached-routes}]
  rules: [{backendRefs: [{name: infra-backend-v1, port: 8080}]}]`)}
---
${httpRoute('http-route-3', WEB, `  parentRefs: [{name: gateway-with-one-attached-route, namespace: ${INFRA}}]
  rules: [{backendRefs: [{name: web-backend, port: 8080}]}]`)}`;
    await apply(yaml);
    const attached = (name: string, n: number) => listenerStatus(INFRA, name, (ls) => {
      if (ls[0]?.attachedRoutes !== n) throw new Error(`${name}: attachedRoutes ${ls[0]?.attachedRoutes}, want ${n}`);
      if (JSON.stringify(ls[0].supportedKinds) !== JSON.stringify([{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute' }])) throw new Error('supportedKinds');
      for (const t of ['Accepted', 'ResolvedRefs', 'Programmed']) if (!ls[0].conditions.some((c: any) => c.type === t && c.status === 'True')) throw new Error(`${t} not True`);
    });
    await attached('gateway-with-one-attached-route', 1);
    await attached('gateway-with-two-attached-routes', 2);
  });

  conformance('HTTPRouteHTTPSListener', async () => {
    const yaml = [
      httpRoute('https-test-1', INFRA, `  parentRefs: [{name: same-namespace-with-https-listener}]
  hostnames: [example.org]
  rules: [{backendRefs: [{name: infra-backend-v1, port: 8080}]}]`),
      httpRoute('https-test-2', INFRA, `  parentRefs: [{name: same-namespace-with-https-listener}]
  hostnames: [second-example.org]
  rules: [{backendRefs: [{name: infra-backend-v2, port: 8080}]}]`),
      httpRoute('https-test-3', INFRA, `  parentRefs: [{name: same-namespace-with-https-listener}]
  hostnames: [third-example.wildcard.org]
  rules: [{backendRefs: [{name: infra-backend-v3, port: 8080}]}]`),
    ].join('\n---\n');
    await apply(yaml);
    const a = await gwAddress('same-namespace-with-https-listener');
    await expectEventually(a, { path: '/', host: 'example.org', https: true }, { backend: 'infra-backend-v1', namespace: INFRA });
    await expectEventually(a, { path: '/', host: 'second-example.org', https: true }, { backend: 'infra-backend-v2', namespace: INFRA });
    await expectEventually(a, { path: '/', host: 'third-example.wildcard.org', https: true }, { backend: 'infra-backend-v3', namespace: INFRA });
    await expectEventually(a, { path: '/', host: 'unknown-example.org', https: true }, { status: 404 });
  });

  const secretGateway = (name: string, secretNs: string) => `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: ${name}, namespace: ${INFRA}}
spec:
  gatewayClassName: ${CLASS}
  listeners:
  - name: https
    port: 443
    protocol: HTTPS
    allowedRoutes: {namespaces: {from: Same}}
    tls: {certificateRefs: [{group: "", kind: Secret, name: certificate, namespace: ${secretNs}}]}`;

  conformance('GatewaySecretMissingReferenceGrant', async () => {
    const secret = await kubectl(['create', 'secret', 'tls', 'certificate', '-n', WEB, '--cert', join(tmp, 'tls.crt'), '--key', join(tmp, 'tls.key')]);
    expect(secret.code, secret.stderr).toBe(0);
    await apply(secretGateway('gateway-secret-missing-reference-grant', WEB));
    await listenerStatus(INFRA, 'gateway-secret-missing-reference-grant', (ls) => {
      const c = ls[0]?.conditions.find((x: any) => x.type === 'ResolvedRefs');
      if (c?.status !== 'False' || c.reason !== 'RefNotPermitted') throw new Error(`ResolvedRefs ${c?.status}/${c?.reason}`);
      if (!ls[0].conditions.some((x: any) => x.type === 'Programmed' && x.status === 'False')) throw new Error('Programmed not False');
    });
  });

  conformance('GatewaySecretReferenceGrantAllInNamespace', async () => {
    const grant = `apiVersion: gateway.networking.k8s.io/v1beta1
kind: ReferenceGrant
metadata: {name: reference-grant-all-in-namespace, namespace: ${WEB}}
spec:
  from: [{group: gateway.networking.k8s.io, kind: Gateway, namespace: ${INFRA}}]
  to: [{group: "", kind: Secret}]`;
    await apply(`${grant}\n---\n${secretGateway('gateway-secret-reference-grant-all-in-namespace', WEB)}`);
    await listenerStatus(INFRA, 'gateway-secret-reference-grant-all-in-namespace', (ls) => {
      for (const t of ['Accepted', 'ResolvedRefs', 'Programmed']) if (!ls[0]?.conditions.some((c: any) => c.type === t && c.status === 'True')) throw new Error(`${t} not True: ${JSON.stringify(ls[0]?.conditions)}`);
    });
  });

  conformance('HTTPRouteExactPathMatching', async () => {
    await apply(httpRoute('exact-matching', INFRA, `  parentRefs: [{name: same-namespace}]
  rules:
  - matches: [{path: {type: Exact, value: /one}}]
    backendRefs: [{name: infra-backend-v1, port: 8080}]
  - matches: [{path: {type: Exact, value: /two}}]
    backendRefs: [{name: infra-backend-v2, port: 8080}]`));
    const a = await gwAddress('same-namespace');
    for (const [path, want] of [['/one', 'infra-backend-v1'], ['/two', 'infra-backend-v2'], ['/', 404], ['/one/example', 404], ['/two/', 404]] as const) {
      await expectEventually(a, { path }, typeof want === 'number' ? { status: want } : { backend: want, namespace: INFRA });
    }
  });

  conformance('HTTPRouteMatchingAcrossRoutes', async () => {
    await apply(`${httpRoute('matching-part1', INFRA, `  parentRefs: [{name: same-namespace}]
  hostnames: [example.com, example.net]
  rules:
  - matches: [{path: {type: PathPrefix, value: /}}, {headers: [{name: version, value: one}]}]
    backendRefs: [{name: infra-backend-v1, port: 8080}]`)}
---
${httpRoute('matching-part2', INFRA, `  parentRefs: [{name: same-namespace}]
  hostnames: [example.com]
  rules:
  - matches: [{path: {type: PathPrefix, value: /v2}}, {headers: [{name: version, value: two}]}]
    backendRefs: [{name: infra-backend-v2, port: 8080}]`)}`);
    await routeConditions(INFRA, 'matching-part1', { ResolvedRefs: 'True/ResolvedRefs' });
    await routeConditions(INFRA, 'matching-part2', { ResolvedRefs: 'True/ResolvedRefs' });
    const a = await gwAddress('same-namespace');
    for (const [host, path, headers, backend] of [
      ['example.com', '/', {}, 'infra-backend-v1'], ['example.com', '/example', {}, 'infra-backend-v1'], ['example.net', '/example', {}, 'infra-backend-v1'],
      ['example.com', '/example', { Version: 'one' }, 'infra-backend-v1'], ['example.com', '/v2', {}, 'infra-backend-v2'], ['example.net', '/v2', {}, 'infra-backend-v1'],
      ['example.com', '/v2/example', {}, 'infra-backend-v2'], ['example.com', '/', { Version: 'two' }, 'infra-backend-v2'],
    ] as const) await expectEventually(a, { host, path, headers: headers as Record<string, string> }, { backend, namespace: INFRA });
  });

  conformance('HTTPRouteListenerPortMatching', async () => {
    const l = (name: string, port: number, hostname: string) => `  - {name: ${name}, port: ${port}, protocol: HTTP, hostname: ${hostname}, allowedRoutes: {namespaces: {from: Same}}}`;
    await apply(`apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: httproute-listener-port-matching, namespace: ${INFRA}}
spec:
  gatewayClassName: ${CLASS}
  listeners:
${[l('listener-1', 80, 'foo.com'), l('listener-2', 8080, 'foo.com'), l('listener-3', 8080, 'bar.com'), l('listener-4', 8090, 'foo.com'), l('listener-5', 8090, 'bar.com')].join('\n')}
---
${httpRoute('backend-v1', INFRA, `  parentRefs: [{name: httproute-listener-port-matching, namespace: ${INFRA}, port: 80}]
  rules: [{backendRefs: [{name: infra-backend-v1, port: 8080}]}]`)}
---
${httpRoute('backend-v2', INFRA, `  parentRefs: [{name: httproute-listener-port-matching, namespace: ${INFRA}, port: 8080}]
  rules: [{backendRefs: [{name: infra-backend-v2, port: 8080}]}]`)}
---
${httpRoute('backend-v3', INFRA, `  parentRefs: [{name: httproute-listener-port-matching, namespace: ${INFRA}, port: 8090, sectionName: listener-4}]
  rules: [{backendRefs: [{name: infra-backend-v3, port: 8080}]}]`)}`);
    for (const n of ['backend-v1', 'backend-v2', 'backend-v3']) await routeConditions(INFRA, n, { ResolvedRefs: 'True/ResolvedRefs' });
    const a = await gwAddress('httproute-listener-port-matching');
    for (const [host, port, want] of [
      ['foo.com', 80, 'infra-backend-v1'], ['foo.com:8080', 8080, 'infra-backend-v2'], ['bar.com:8080', 8080, 'infra-backend-v2'],
      ['foo.com:8090', 8090, 'infra-backend-v3'], ['bar.com:8090', 8090, 404],
    ] as const) await expectEventually(a, { host, port, path: '/' }, typeof want === 'number' ? { status: want } : { backend: want, namespace: INFRA });
  });

  conformance('GatewayInvalidRouteKind', async () => {
    const g = (name: string, kinds: string) => `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: ${name}, namespace: ${INFRA}}
spec:
  gatewayClassName: ${CLASS}
  listeners:
  - {name: http, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: All}, kinds: [${kinds}]}}`;
    await apply(`${g('gateway-only-invalid-route-kind', '{kind: InvalidRoute}')}\n---\n${g('gateway-supported-and-invalid-route-kind', '{kind: InvalidRoute}, {kind: HTTPRoute}')}`);
    const invalidKinds = (ls: any[]) => {
      const c = ls[0]?.conditions.find((x: any) => x.type === 'ResolvedRefs');
      if (c?.status !== 'False' || c.reason !== 'InvalidRouteKinds') throw new Error(`ResolvedRefs ${c?.status}/${c?.reason}`);
    };
    await listenerStatus(INFRA, 'gateway-only-invalid-route-kind', (ls) => {
      invalidKinds(ls);
      if (ls[0].supportedKinds.length !== 0) throw new Error(`supportedKinds ${JSON.stringify(ls[0].supportedKinds)}`);
    });
    await listenerStatus(INFRA, 'gateway-supported-and-invalid-route-kind', (ls) => {
      invalidKinds(ls);
      if (JSON.stringify(ls[0].supportedKinds.map((k: any) => k.kind)) !== '["HTTPRoute"]') throw new Error(`supportedKinds ${JSON.stringify(ls[0].supportedKinds)}`);
    });
  });

  conformance('HTTPRouteDisallowedKind', async () => {
    await apply(`apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: tlsroutes-only, namespace: ${INFRA}}
spec:
  gatewayClassName: ${CLASS}
  listeners:
  - {name: tls, port: 443, protocol: TLS, tls: {mode: Passthrough}, allowedRoutes: {namespaces: {from: Same}, kinds: [{kind: TLSRoute}]}}
---
${httpRoute('disallowed-kind', INFRA, `  parentRefs: [{name: tlsroutes-only, namespace: ${INFRA}}]
  rules: [{backendRefs: [{name: infra-backend-v1, port: 8080}]}]`)}`);
    await routeConditions(INFRA, 'disallowed-kind', { Accepted: 'False/NotAllowedByListeners', ResolvedRefs: 'True/ResolvedRefs' });
  });

  conformance('HTTPRouteRequestTimeout', async () => {
    await apply(httpRoute('request-timeout', INFRA, `  parentRefs: [{name: same-namespace}]
  rules:
  - matches: [{path: {type: PathPrefix, value: /request-timeout}}]
    timeouts: {request: 500ms}
    backendRefs: [{name: infra-backend-v1, port: 8080}]`));
    const a = await gwAddress('same-namespace');
    await expectEventually(a, { path: '/request-timeout' }, { backend: 'infra-backend-v1', namespace: INFRA });
    await expectEventually(a, { path: '/request-timeout?delay=1s' }, { status: 504 });
  });

  /** Upstream's set of ReferenceGrants that each get one field wrong, so none permits the reference. */
  const wrongGrants = (fromKind: string, toKind: string, toName: string, target: string) => {
    const grant = (name: string, ns: string, from: { group: string; kind: string; namespace: string }, to: { group: string; kind: string; name: string }) => `apiVersion: gateway.networking.k8s.io/v1beta1
kind: ReferenceGrant
metadata: {name: ${name}, namespace: ${ns}}
spec:
  from: [{group: "${from.group}", kind: ${from.kind}, namespace: ${from.namespace}}]
  to: [{group: "${to.group}", kind: ${to.kind}, name: ${to.name}}]`;
    const from = { group: 'gateway.networking.k8s.io', kind: fromKind, namespace: INFRA };
    const to = { group: '', kind: toKind, name: toName };
    return [
      grant('reference-grant-wrong-namespace', APP, from, to),
      grant('reference-grant-wrong-from-group', target, { ...from, group: 'not-the-group-youre-looking-for' }, to),
      grant('reference-grant-wrong-from-kind', target, { ...from, kind: fromKind === 'Gateway' ? 'HTTPRoute' : 'Gateway' }, to),
      grant('reference-grant-wrong-from-namespace', target, { ...from, namespace: 'not-the-namespace-youre-looking-for' }, to),
      grant('reference-grant-wrong-to-group', target, from, { ...to, group: 'not-the-group-youre-looking-for' }),
      grant('reference-grant-wrong-to-kind', target, from, { ...to, kind: toKind === 'Secret' ? 'Service' : 'Secret' }),
      grant('reference-grant-wrong-to-name', target, from, { ...to, name: 'not-the-name-youre-looking-for' }),
    ].join('\n---\n');
  };

  conformance('GatewaySecretInvalidReferenceGrant', async () => {
    await apply(`${secretGateway('gateway-secret-invalid-reference-grant', WEB)}\n---\n${wrongGrants('Gateway', 'Secret', 'certificate', WEB)}`);
    await listenerStatus(INFRA, 'gateway-secret-invalid-reference-grant', (ls) => {
      const c = ls[0]?.conditions.find((x: any) => x.type === 'ResolvedRefs');
      if (c?.status !== 'False' || c.reason !== 'RefNotPermitted') throw new Error(`ResolvedRefs ${c?.status}/${c?.reason}`);
      if (JSON.stringify(ls[0].supportedKinds.map((k: any) => k.kind)) !== '["HTTPRoute"]') throw new Error('supportedKinds');
    });
  });

  conformance('GatewaySecretReferenceGrantSpecific', async () => {
    await apply(`apiVersion: gateway.networking.k8s.io/v1beta1
kind: ReferenceGrant
metadata: {name: reference-grant-specific, namespace: ${WEB}}
spec:
  from: [{group: gateway.networking.k8s.io, kind: Gateway, namespace: ${INFRA}}]
  to: [{group: "", kind: Secret, name: certificate}]
---
${secretGateway('gateway-secret-reference-grant-specific', WEB)}`);
    await listenerStatus(INFRA, 'gateway-secret-reference-grant-specific', (ls) => {
      for (const t of ['Accepted', 'ResolvedRefs', 'Programmed']) if (!ls[0]?.conditions.some((c: any) => c.type === t && c.status === 'True')) throw new Error(`${t} not True`);
    });
  });

  conformance('HTTPRouteInvalidReferenceGrant', async () => {
    await apply(`${wrongGrants('HTTPRoute', 'Service', 'web-backend', WEB)}
---
${httpRoute('reference-grant', INFRA, `  parentRefs: [{name: same-namespace}]
  rules: [{backendRefs: [{name: web-backend, namespace: ${WEB}, port: 8080}]}]`)}`);
    await routeConditions(INFRA, 'reference-grant', { Accepted: 'True/Accepted', ResolvedRefs: 'False/RefNotPermitted' });
    await expectEventually(await gwAddress('same-namespace'), { path: '/' }, { status: 500 });
  });

  conformance('HTTPRouteRequestMirror', async () => {
    await apply(httpRoute('request-mirror', INFRA, `  parentRefs: [{name: same-namespace}]
  rules:
  - matches: [{path: {type: PathPrefix, value: /mirror}}]
    filters: [{type: RequestMirror, requestMirror: {backendRef: {name: infra-backend-v2, namespace: ${INFRA}, port: 8080}}}]
    backendRefs: [{name: infra-backend-v1, port: 8080, namespace: ${INFRA}}]
  - matches: [{path: {type: PathPrefix, value: /mirror-and-modify-headers}}]
    filters:
    - {type: RequestHeaderModifier, requestHeaderModifier: {set: [{name: X-Header-Set, value: set-overwrites-values}], add: [{name: X-Header-Add, value: header-val-1}], remove: [X-Header-Remove]}}
    - {type: RequestMirror, requestMirror: {backendRef: {name: infra-backend-v2, namespace: ${INFRA}, port: 8080}}}
    backendRefs: [{name: infra-backend-v1, port: 8080, namespace: ${INFRA}}]`));
    await routeConditions(INFRA, 'request-mirror', { Accepted: 'True/Accepted', ResolvedRefs: 'True/ResolvedRefs' });
    const a = await gwAddress('same-namespace');
    for (const [path, extra] of [['/mirror', {}], ['/mirror-and-modify-headers', { headers: { 'X-Header-Set': 'set-overwrites-values', 'X-Header-Add': 'header-val-1' }, absentHeaders: ['X-Header-Remove'] }]] as const) {
      await expectEventually(a, { path, headers: { 'X-Header-Remove': 'remove-val' } }, { backend: 'infra-backend-v1', namespace: INFRA, ...extra });
      // Upstream reads the mirror backend's logs for its echo line of the request.
      await eventually(async () => {
        const logs = await kubectl(['logs', '-n', INFRA, '-l', 'app=infra-backend-v2', '--tail=-1', '--prefix']);
        if (!new RegExp(`Echoing back request made to ${path} to client`).test(logs.stdout)) throw new Error(`no mirrored ${path} in infra-backend-v2's logs`);
      }, { timeout: 20_000, interval: 500, what: `${path} mirrored to infra-backend-v2` });
    }
  });

  conformance('GatewayModifyListeners', async () => {
    const https = `  - {name: https, port: 443, protocol: HTTPS, hostname: secure.test.com, allowedRoutes: {namespaces: {from: All}}, tls: {certificateRefs: [{group: "", kind: Secret, name: tls-validity-checks-certificate, namespace: ${INFRA}}]}}`;
    const http = (hostname?: string) => `  - {name: http, port: 80, protocol: HTTP,${hostname ? ` hostname: ${hostname},` : ''} allowedRoutes: {namespaces: {from: All}}}`;
    const gateway = (name: string, listeners: string[]) => `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: ${name}, namespace: ${INFRA}}
spec:
  gatewayClassName: ${CLASS}
  listeners:
${listeners.join('\n')}`;
    const routeTo = (name: string, gwName: string) => httpRoute(name, INFRA, `  parentRefs: [{kind: Gateway, name: ${gwName}, namespace: ${INFRA}}]
  rules: [{backendRefs: [{name: infra-backend-v1, port: 8080}]}]`);
    await apply([gateway('gateway-add-listener', [https]), routeTo('http-route-1', 'gateway-add-listener'), gateway('gateway-remove-listener', [https, http()]), routeTo('http-route-2', 'gateway-remove-listener')].join('\n---\n'));
    const expectListeners = (name: string, gen: number, names: string[]) => listenerStatus(INFRA, name, (ls, g) => {
      if (g.metadata.generation !== gen || g.status.conditions.some((c: any) => c.observedGeneration !== gen)) throw new Error(`${name}: not at generation ${gen}`);
      if (JSON.stringify(ls.map((l) => l.name)) !== JSON.stringify(names)) throw new Error(`${name}: listeners ${ls.map((l) => l.name)}`);
      for (const l of ls) {
        if (l.attachedRoutes !== 1) throw new Error(`${name}/${l.name}: attachedRoutes ${l.attachedRoutes}`);
        for (const t of ['Accepted', 'ResolvedRefs', 'Programmed']) if (!l.conditions.some((c: any) => c.type === t && c.status === 'True' && c.observedGeneration === gen)) throw new Error(`${name}/${l.name}: ${t}`);
      }
    });
    await expectListeners('gateway-add-listener', 1, ['https']);
    await expectListeners('gateway-remove-listener', 1, ['https', 'http']);
    await apply(gateway('gateway-add-listener', [https, http('data.test.com')]));
    await apply(gateway('gateway-remove-listener', [https]));
    await expectListeners('gateway-add-listener', 2, ['https', 'http']);
    await expectListeners('gateway-remove-listener', 2, ['https']);
  });

  conformance('HTTPRouteHTTPSListenerDetectMisdirectedRequests', async () => {
    const r = (n: number, parent: string, backend: string) => httpRoute(`https-listener-detect-misdirected-requests-test-${n}`, INFRA, `  parentRefs: [{name: same-namespace-with-https-listener${parent}}]
${n === 1 ? '  hostnames: [example.org]\n' : ''}  rules: [{matches: [{path: {type: PathPrefix, value: /detect-misdirected-requests}}], backendRefs: [{name: ${backend}, port: 8080}]}]`);
    await apply([r(1, '', 'infra-backend-v1'), r(2, ', sectionName: https-with-hostname', 'infra-backend-v2'), r(3, ', sectionName: https-with-wildcard-hostname', 'infra-backend-v3'), r(4, ', sectionName: https-with-hostname-matching-wildcard', 'infra-backend-v1')].join('\n---\n'));
    const a = await gwAddress('same-namespace-with-https-listener');
    for (const [serverName, host, want] of [
      ['example.org', 'example.org', 'infra-backend-v1'], ['example.org', 'second-example.org', 421], ['example.org', 'unknown-example.org', 404],
      ['second-example.org', 'second-example.org', 'infra-backend-v2'], ['second-example.org', 'example.org', 421], ['second-example.org', 'unknown-example.org', 421],
      ['third-example.wildcard.org', 'third-example.wildcard.org', 'infra-backend-v3'], ['third-example.wildcard.org', 'fith-example.wildcard.org', 'infra-backend-v3'],
      ['third-example.wildcard.org', 'fourth-example.wildcard.org', 421], ['third-example.wildcard.org', 'second-example.org', 421], ['third-example.wildcard.org', 'unknown-example.org', 421],
      ['fourth-example.wildcard.org', 'fourth-example.wildcard.org', 'infra-backend-v1'], ['fourth-example.wildcard.org', 'fith-example.wildcard.org', 421],
      ['unknown-example.org', 'example.org', 'infra-backend-v1'], ['unknown-example.org', 'unknown-example.org', 404],
    ] as const) {
      await expectEventually(a, { path: '/detect-misdirected-requests', host, serverName, https: true }, typeof want === 'number' ? { status: want } : { backend: want, namespace: INFRA });
    }
  });

  conformance('HTTPRouteRedirectPortAndScheme', async () => {
    const rule = (path: string, redirect: string) => `  - matches: [{path: {type: PathPrefix, value: ${path}}}]\n    filters: [{type: RequestRedirect, requestRedirect: {hostname: example.org${redirect}}}]`;
    const routeFor = (name: string, parent: string, rules: string[]) => httpRoute(name, INFRA, `  parentRefs: [{name: ${parent}}]\n  rules:\n${rules.join('\n')}`);
    await apply([
      `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: same-namespace-with-http-listener-on-8080, namespace: ${INFRA}}
spec:
  gatewayClassName: ${CLASS}
  listeners: [{name: http, port: 8080, protocol: HTTP, allowedRoutes: {namespaces: {from: Same}}}]`,
      routeFor('http-route-for-listener-on-port-80', 'same-namespace', [
        rule('/scheme-nil-and-port-nil', ''), rule('/scheme-nil-and-port-80', ', port: 80'), rule('/scheme-nil-and-port-8080', ', port: 8080'),
        rule('/scheme-https-and-port-nil', ', scheme: https'), rule('/scheme-https-and-port-443', ', scheme: https, port: 443'), rule('/scheme-https-and-port-8443', ', scheme: https, port: 8443'),
      ]),
      routeFor('http-route-for-listener-on-port-8080', 'same-namespace-with-http-listener-on-8080', [
        rule('/scheme-nil-and-port-nil', ''), rule('/scheme-nil-and-port-80', ', port: 80'), rule('/scheme-https-and-port-nil', ', scheme: https'),
      ]),
      routeFor('http-route-for-listener-on-port-443', 'same-namespace-with-https-listener', [
        rule('/scheme-nil-and-port-nil', ''), rule('/scheme-nil-and-port-443', ', port: 443'), rule('/scheme-nil-and-port-8443', ', port: 8443'),
        rule('/scheme-http-and-port-nil', ', scheme: http'), rule('/scheme-http-and-port-80', ', scheme: http, port: 80'), rule('/scheme-http-and-port-8080', ', scheme: http, port: 8080'),
      ]),
    ].join('\n---\n'));
    const host = 'example.org';
    const a80 = await gwAddress('same-namespace');
    for (const [path, scheme, port] of [
      ['/scheme-nil-and-port-nil', 'http', ''], ['/scheme-nil-and-port-80', 'http', ''], ['/scheme-nil-and-port-8080', 'http', '8080'],
      ['/scheme-https-and-port-nil', 'https', ''], ['/scheme-https-and-port-443', 'https', ''], ['/scheme-https-and-port-8443', 'https', '8443'],
    ] as const) await expectEventually(a80, { path }, { status: 302, redirect: { scheme, host, port, path } });
    const a8080 = await gwAddress('same-namespace-with-http-listener-on-8080');
    for (const [path, scheme, port] of [['/scheme-nil-and-port-nil', 'http', '8080'], ['/scheme-nil-and-port-80', 'http', ''], ['/scheme-https-and-port-nil', 'https', '']] as const) {
      await expectEventually(a8080, { path, port: 8080 }, { status: 302, redirect: { scheme, host, port, path } });
    }
    const a443 = await gwAddress('same-namespace-with-https-listener');
    for (const [path, scheme, port] of [
      ['/scheme-nil-and-port-nil', 'https', ''], ['/scheme-nil-and-port-443', 'https', ''], ['/scheme-nil-and-port-8443', 'https', '8443'],
      ['/scheme-http-and-port-nil', 'http', ''], ['/scheme-http-and-port-80', 'http', ''], ['/scheme-http-and-port-8080', 'http', '8080'],
    ] as const) await expectEventually(a443, { path, host, https: true }, { status: 302, redirect: { scheme, host, port, path } });
  });

  conformance('HTTPRoutePartiallyInvalidViaInvalidReferenceGrant', async () => {
    await apply(`apiVersion: gateway.networking.k8s.io/v1beta1
kind: ReferenceGrant
metadata: {name: invalid-reference-grant, namespace: ${APP}}
spec:
  from: [{group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: ${INFRA}}]
  to: [{group: "", kind: Service, name: app-backend-v1}]
---
${httpRoute('invalid-reference-grant', INFRA, `  parentRefs: [{name: same-namespace}]
  rules:
  - matches: [{path: {type: PathPrefix, value: /v2}}]
    backendRefs: [{name: app-backend-v2, namespace: ${APP}, port: 8080}]
  - backendRefs: [{name: app-backend-v1, namespace: ${APP}, port: 8080}]`)}`);
    await routeConditions(INFRA, 'invalid-reference-grant', { Accepted: 'True/Accepted', ResolvedRefs: 'False/RefNotPermitted' });
    const a = await gwAddress('same-namespace');
    await expectEventually(a, { path: '/v2' }, { status: 500 });
    await expectEventually(a, { path: '/' }, { backend: 'app-backend-v1', namespace: APP });
  });

  conformance('HTTPRouteInvalidParentRefSectionNameNotMatchingPort', async () => {
    await apply(`apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gateway-with-one-not-matching-port-and-section-name-route, namespace: ${INFRA}}
spec:
  gatewayClassName: ${CLASS}
  listeners: [{name: http, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: Same}}}]
---
${httpRoute('httproute-listener-section-name-not-matching-port', INFRA, `  parentRefs: [{name: gateway-with-one-not-matching-port-and-section-name-route, sectionName: http, port: 81}]
  rules: [{backendRefs: [{name: infra-backend-v1, port: 8080}]}]`)}`);
    await routeConditions(INFRA, 'httproute-listener-section-name-not-matching-port', { Accepted: 'False/NoMatchingParent' });
    await listenerStatus(INFRA, 'gateway-with-one-not-matching-port-and-section-name-route', (ls) => {
      if (ls[0]?.attachedRoutes !== 0) throw new Error(`attachedRoutes ${ls[0]?.attachedRoutes}`);
    });
  });

  conformance('HTTPRouteServiceTypes', async () => {
    // As upstream: manual EndpointSlices (IPv4 and IPv6) hold the infra-backend-v1 pods' addresses.
    const pods = await getJson(`/api/v1/namespaces/${INFRA}/pods?labelSelector=app%3Dinfra-backend-v1`);
    const ips: string[] = pods.items.map((p: any) => p.status.podIP).filter(Boolean);
    expect(ips.length).toBeGreaterThan(0);
    const service = (name: string, headless: boolean, selector: boolean) => `apiVersion: v1
kind: Service
metadata: {name: ${name}, namespace: ${INFRA}}
spec:
${headless ? '  clusterIP: None\n' : ''}${selector ? '  selector: {app: infra-backend-v1}\n' : ''}  ports: [{name: first-port, port: 8080, targetPort: 3000}]`;
    const slices = (svc: string) => ['IPv4', 'IPv6'].map((family) => `apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: ${svc}-${family === 'IPv4' ? 'ip4' : 'ip6'}, namespace: ${INFRA}, labels: {kubernetes.io/service-name: ${svc}}}
addressType: ${family}
ports: [{name: first-port, port: 3000}]
endpoints: [${family === 'IPv4' ? ips.map((ip) => `{addresses: ["${ip}"], conditions: {ready: true}}`).join(', ') : ''}]`).join('\n---\n');
    await apply([
      service('manual-endpointslices', false, false), slices('manual-endpointslices'),
      service('headless', true, true),
      service('headless-manual-endpointslices', true, false), slices('headless-manual-endpointslices'),
      httpRoute('service-types', INFRA, `  parentRefs: [{name: same-namespace}]
  rules:
  - matches: [{path: {type: Exact, value: /manual-endpointslices}}]
    backendRefs: [{name: manual-endpointslices, port: 8080}]
  - matches: [{path: {type: Exact, value: /headless}}]
    backendRefs: [{name: headless, port: 8080}]
  - matches: [{path: {type: Exact, value: /headless-manual-endpointslices}}]
    backendRefs: [{name: headless-manual-endpointslices, port: 8080}]`),
    ].join('\n---\n'));
    const a = await gwAddress('same-namespace');
    for (const path of ['/manual-endpointslices', '/headless', '/headless-manual-endpointslices']) await expectEventually(a, { path }, { backend: 'infra-backend-v1', namespace: INFRA });
  });

  for (const [code, path] of [[303, '/see-other'], [307, '/temporary-redirect'], [308, '/permanent-redirect']] as const) {
    conformance(`HTTPRoute${code}Redirect`, async () => {
      await apply(httpRoute(`redirect-${code}`, INFRA, `  parentRefs: [{name: same-namespace}]
  rules:
  - matches: [{path: {type: PathPrefix, value: ${path}}}]
    filters: [{type: RequestRedirect, requestRedirect: {statusCode: ${code}}}]`));
      await expectEventually(await gwAddress('same-namespace'), { path }, { status: code, redirect: { path } });
    });
  }

  conformance('GatewayHTTPListenerIsolation', async () => {
    const listeners = [['empty-hostname', ''], ['wildcard-example-com', '*.example.com'], ['wildcard-foo-example-com', '*.foo.example.com'], ['abc-foo-example-com', 'abc.foo.example.com']] as const;
    await apply([`apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: http-listener-isolation, namespace: ${INFRA}}
spec:
  gatewayClassName: ${CLASS}
  listeners:
${listeners.map(([name, host]) => `  - {name: ${name}, port: 80, protocol: HTTP,${host ? ` hostname: "${host}",` : ''} allowedRoutes: {namespaces: {from: Same}}}`).join('\n')}`,
    ...listeners.map(([name]) => httpRoute(`attaches-to-${name}`, INFRA, `  parentRefs: [{name: http-listener-isolation, sectionName: ${name}}]
  rules: [{matches: [{path: {type: PathPrefix, value: /${name}}}], backendRefs: [{name: infra-backend-v1, port: 8080}]}]`))].join('\n---\n'));
    const a = await gwAddress('http-listener-isolation');
    const servedBy: Record<string, string> = { 'bar.com': 'empty-hostname', 'bar.example.com': 'wildcard-example-com', 'bar.foo.example.com': 'wildcard-foo-example-com', 'abc.foo.example.com': 'abc-foo-example-com' };
    for (const [host, own] of Object.entries(servedBy)) {
      for (const [name] of listeners) {
        await expectEventually(a, { host, path: `/${name}` }, name === own ? { backend: 'infra-backend-v1', namespace: INFRA } : { status: 404 });
      }
    }
  });

  it('real kubectl shows the CRDs\' printer columns for gateway,httproute', async () => {
    await apply(httpRoute('columns', INFRA, `  parentRefs: [{name: same-namespace}]
  hostnames: [columns.example.com]
  rules: [{backendRefs: [{name: infra-backend-v1, port: 8080}]}]`));
    const r = await kubectl(['get', 'gateway,httproute', '-n', INFRA]).finally(cleanUp);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/NAME\s+CLASS\s+ADDRESS\s+PROGRAMMED\s+AGE/);
    expect(r.stdout).toMatch(/gateway\.gateway\.networking\.k8s\.io\/same-namespace\s+kdp\s+127\.253\.0\.\d+\s+True/);
    expect(r.stdout).toMatch(/NAME\s+HOSTNAMES\s+AGE/);
    expect(r.stdout).toMatch(/httproute\.gateway\.networking\.k8s\.io\/columns\s+\["columns\.example\.com"\]/);
    const described = await kubectl(['describe', 'gateway', '-n', INFRA, 'same-namespace']);
    expect(described.stdout).toMatch(/Type:\s+Programmed/);
    expect(described.stdout).toMatch(/Attached Routes:\s+\d+/);
    const crd = await kubectl(['get', 'crd', 'referencegrants.gateway.networking.k8s.io', '-o', 'jsonpath={.status.conditions[?(@.type=="Established")].status}']);
    expect(crd.stdout).toBe('True');
    const beta = await k.fetch(`/apis/gateway.networking.k8s.io/v1beta1/namespaces/${INFRA}/referencegrants`);
    expect(beta.status).toBe(200);
  });
});
