// Issue 18, points 1, 2 and 6: `kdp addons enable gateway-api`, the seed's Ingress example as a
// Gateway + HTTPRoute (examples/gateway/) served on the Gateway's LoadBalancer address and on the
// host address, and an Ingress (the ingress-nginx addon) beside it answering on its own address.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import { rangeArgs, ROOT, run, startKdp, type KdpCluster } from '../support/kdp.js';

let k: KdpCluster;

async function curl(host: string, address: string, path: string): Promise<{ code: number; body: string }> {
  const r = await run('curl', ['-s', '-m', '3', '--resolve', `${host}:80:${address}`, '-w', '\n%{http_code}', `http://${host}${path}`]);
  const i = r.stdout.lastIndexOf('\n');
  return { code: Number(r.stdout.slice(i + 1)), body: r.stdout.slice(0, i) };
}

describe('the seed Ingress example as a Gateway + HTTPRoute', () => {
  beforeAll(async () => {
    // Its own ranges (127.246–249.x), clear of the conformance file's.
    k = await startKdp({ slot: 0, nodes: 1, files: [join(ROOT, 'examples', 'seed')], extraArgs: rangeArgs(246, 'e2egwseed') });
  }, 60_000);
  afterAll(async () => {
    await k?.stop();
  });

  it('kdp addons enable gateway-api installs the CRDs and the GatewayClass kdp, Accepted', async () => {
    const out = await k.ok(['addons', 'enable', 'gateway-api'], { timeout: 120_000 });
    expect(out).toMatch(/customresourcedefinition.apiextensions.k8s.io\/httproutes.gateway.networking.k8s.io created/);
    expect(out).toMatch(/The 'gateway-api' addon is enabled/);
    await eventually(async () => {
      const gc = await (await k.fetch('/apis/gateway.networking.k8s.io/v1/gatewayclasses/kdp')).json();
      expect(gc.spec.controllerName).toBe('kdp.dev/gateway-controller');
      expect(gc.status.conditions.find((c: any) => c.type === 'Accepted')?.status).toBe('True');
    });
    expect(await k.ok(['addons', 'list'])).toMatch(/gateway-api\s+enabled/);
  }, 130_000);

  it('serves the rewritten route on the Gateway address and on the host address (localhost)', async () => {
    await k.ok(['apply', '-f', join(ROOT, 'examples', 'gateway', '06-nginx-gateway.yaml')]);
    const address = await eventually(async () => {
      const g = await (await k.fetch('/apis/gateway.networking.k8s.io/v1/namespaces/default/gateways/web')).json();
      expect(g.status.conditions.find((c: any) => c.type === 'Programmed')?.status).toBe('True');
      return g.status.addresses[0].value as string;
    }, { timeout: 15_000 });
    expect(address).toMatch(/^127\.249\.0\.\d+$/);
    for (const at of [address, '127.249.1.1']) { // the Gateway's own address, then this cluster's --host-address
      await eventually(async () => {
        const r = await curl('localhost', at, '/testpath/anything');
        expect(r.code).toBe(200);
        expect(r.body).toMatch(/Welcome to nginx!/);
      }, { timeout: 30_000, what: `localhost/testpath via ${at}` });
    }
    expect((await curl('localhost', address, '/other')).code).toBe(404);
    expect((await curl('elsewhere', address, '/testpath')).code).toBe(404);
  }, 60_000);

  it('an Ingress beside it (the ingress-nginx addon) answers on its own LoadBalancer address', async () => {
    await k.ok(['addons', 'enable', 'ingress-nginx'], { timeout: 60_000 });
    await k.ok(['apply', '-f', join(ROOT, 'examples', 'ingress', '05-nginx-ingress.yaml')]);
    const lb = await eventually(async () => {
      const svc = await (await k.fetch('/api/v1/namespaces/ingress-nginx/services/ingress-nginx-controller')).json();
      return svc.status.loadBalancer.ingress[0].ip as string;
    }, { timeout: 30_000 });
    await eventually(async () => {
      const r = await curl('localhost', lb, '/testpath');
      expect(r.code).toBe(200);
      expect(r.body).toMatch(/Welcome to nginx!/);
    }, { timeout: 60_000, what: 'the Ingress answering' });
    const g = await (await k.fetch('/apis/gateway.networking.k8s.io/v1/namespaces/default/gateways/web')).json();
    expect(g.status.addresses[0].value).not.toBe(lb);
    expect((await curl('localhost', g.status.addresses[0].value, '/testpath')).code).toBe(200);
  }, 120_000);
});
