// The gateway controller on real loopback sockets, driven through the store: the release's CRDs
// served (src/api/crd), a Gateway programmed on a LoadBalancer-pool address, an HTTPRoute proxied to
// a backend with its filters, a change taking effect without a restart, and a port that cannot be
// bound reported as the listener's PortUnavailable.
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CRD_GR, serveCustomResources } from '../../src/api/crd/custom-resources.js';
import { ObjectStore } from '../../src/api/store.js';
import type { KObject } from '../../src/api/types.js';
import { standardInstall } from '../../src/gateway/addon/gateway-api.js';
import { GATEWAY_GR, KDP_CONTROLLER_NAME, startGatewayController, type GatewayController } from '../../src/gateway/index.js';
import { until } from '../support/eventually.js';

const POOL = '127.245.0.0/29'; // usable .1–.6; Gateways get the highest free: .6, then .5
const obj = (o: object) => o as unknown as KObject;

let store: ObjectStore;
let ctrl: GatewayController;
let backend: http.Server;
let blocker: net.Server;

function get(address: string, port: number, path: string, host = 'example.com'): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: address, port, path, headers: { Host: host }, agent: false }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  store = new ObjectStore();
  serveCustomResources(store);
  store.create('/namespaces', obj({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } }));
  for (const crd of standardInstall().filter((o) => o.kind === 'CustomResourceDefinition')) store.create(CRD_GR, crd);
  await new Promise((r) => setTimeout(r, 0)); // the CRD watch registers the kinds
  backend = http.createServer((req, res) => res.end(JSON.stringify({ path: req.url, host: req.headers.host, set: req.headers['x-set'] })));
  await new Promise<void>((r) => backend.listen(0, '127.0.0.1', r));
  const port = (backend.address() as AddressInfo).port;
  store.create('/services', obj({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'echo', namespace: 'default' }, spec: { ports: [{ name: 'http', port: 80, targetPort: port }] } }));
  store.create('discovery.k8s.io/endpointslices', obj({
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'echo-x', namespace: 'default', labels: { 'kubernetes.io/service-name': 'echo' } },
    addressType: 'IPv4', ports: [{ name: 'http', port }], endpoints: [{ addresses: ['127.0.0.1'], conditions: { ready: true } }],
  }));
  // Someone already holds port 80 on the address the first Gateway will get.
  blocker = net.createServer();
  await new Promise<void>((r) => blocker.listen(80, '127.245.0.6', r));
  ctrl = await startGatewayController({ store, loadBalancerPool: POOL, log: () => {} });
});

afterAll(async () => {
  await ctrl?.stop();
  await new Promise((r) => backend?.close(r));
  await new Promise((r) => blocker?.close(r));
});

describe('gateway controller', () => {
  it('programs a Gateway on a pool address and routes an HTTPRoute with its filters; changes apply live', async () => {
    store.create(GATEWAY_GR.gatewayclasses, obj({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'GatewayClass', metadata: { name: 'kdp' }, spec: { controllerName: KDP_CONTROLLER_NAME } }));
    store.create(GATEWAY_GR.gateways, obj({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'blocked', namespace: 'default' }, spec: { gatewayClassName: 'kdp', listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }] } }));
    await until(() => store.tryGet(GATEWAY_GR.gateways, 'default', 'blocked')?.status?.addresses?.[0], 'the first Gateway has an address');
    store.create(GATEWAY_GR.gateways, obj({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'web', namespace: 'default' }, spec: { gatewayClassName: 'kdp', listeners: [{ name: 'http', port: 8080, protocol: 'HTTP' }] } }));
    store.create(GATEWAY_GR.httproutes, obj({
      apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'r', namespace: 'default' },
      spec: { parentRefs: [{ name: 'web' }], rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/api' } }], filters: [{ type: 'RequestHeaderModifier', requestHeaderModifier: { set: [{ name: 'X-Set', value: '1' }] } }, { type: 'URLRewrite', urlRewrite: { path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/' } } }], backendRefs: [{ name: 'echo', port: 80 }] }] },
    }));
    const web = await until(() => {
      const g = store.tryGet(GATEWAY_GR.gateways, 'default', 'web');
      return g?.status?.conditions?.some((c: any) => c.type === 'Programmed' && c.status === 'True') ? g : undefined;
    }, 'Gateway web programmed');
    expect(web.status.addresses).toEqual([{ type: 'IPAddress', value: '127.245.0.5' }]);
    await until(async () => (await get('127.245.0.5', 8080, '/api/x?q=1')).status === 200, 'the route answers');
    expect(JSON.parse((await get('127.245.0.5', 8080, '/api/x?q=1')).body)).toEqual({ path: '/x?q=1', host: 'example.com', set: '1' });
    expect((await get('127.245.0.5', 8080, '/other')).status).toBe(404);

    const route = store.get(GATEWAY_GR.httproutes, 'default', 'r');
    store.update(GATEWAY_GR.httproutes, obj({ ...route, spec: { ...route.spec, rules: [{ backendRefs: [{ name: 'missing', port: 80 }] }] } }));
    await until(async () => (await get('127.245.0.5', 8080, '/other')).status === 500, 'the changed route: all backends invalid → 500');
    const parents = await until(() => {
      const r = store.get(GATEWAY_GR.httproutes, 'default', 'r');
      return r.status?.parents?.[0]?.conditions?.find((c: any) => c.type === 'ResolvedRefs' && c.observedGeneration === 2);
    }, 'status follows generation 2');
    expect(parents).toMatchObject({ status: 'False', reason: 'BackendNotFound' });
  });

  it('reports a port it cannot bind as the listener\'s PortUnavailable', async () => {
    const listener = await until(() => {
      const l = store.tryGet(GATEWAY_GR.gateways, 'default', 'blocked')?.status?.listeners?.[0];
      return l?.conditions?.some((c: any) => c.type === 'Accepted' && c.reason === 'PortUnavailable') ? l : undefined;
    }, 'PortUnavailable on the blocked listener');
    expect(store.get(GATEWAY_GR.gateways, 'default', 'blocked').status.addresses[0].value).toBe('127.245.0.6');
    expect(listener.conditions.find((c: any) => c.type === 'Programmed')).toMatchObject({ status: 'False', reason: 'Invalid' });
  });
});
