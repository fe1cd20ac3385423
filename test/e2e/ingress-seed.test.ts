// Issue #5, point 1 and 2: the seed's Ingress section end to end. ingress-nginx's own cloud
// deploy.yaml (controller v1.5.1) is applied UNMODIFIED from ../shared/fixtures, then
// 05-nginx-ingress.yaml; `localhost` is this cluster's hostAddress (curl --resolve).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import { ROOT, run, startKdp, type KdpCluster } from '../support/kdp.js';
import { startUpstreamDns, type UpstreamDns } from '../support/upstream-dns.js';

const FIXTURE = join(ROOT, '..', 'shared', 'fixtures', 'ingress-nginx-controller-v1.5.1-cloud-deploy.yaml');
const HAVE_FIXTURE = existsSync(FIXTURE);
if (!HAVE_FIXTURE) console.log(`[skip] ingress-seed e2e: ${FIXTURE} is absent (../shared is not beside the repository)`);

let k: KdpCluster;
let upstream: UpstreamDns;

const ok = (args: string[]): Promise<string> => k.ok(args);

async function curl(url: string, port: number): Promise<{ code: number; body: string }> {
  const r = await run('curl', ['-s', '-k', '-m', '3', '--resolve', `localhost:${port}:${k.hostAddress}`, '-w', '\n%{http_code}', url]);
  const i = r.stdout.lastIndexOf('\n');
  return { code: Number(r.stdout.slice(i + 1)), body: r.stdout.slice(0, i) };
}

function json(text: string): any {
  return JSON.parse(text);
}

describe.skipIf(!HAVE_FIXTURE)('the seed Ingress section with ingress-nginx deploy.yaml applied unmodified', () => {
  beforeAll(async () => {
    upstream = await startUpstreamDns('127.60.0.55', {});
    k = await startKdp({ slot: 5, files: [join(ROOT, 'examples', 'seed')], upstreamDns: [`${upstream.address}:${upstream.port}`] });
    const applied = await k.kdp(['apply', '-f', FIXTURE]);
    expect(applied.code, applied.stderr).toBe(0);
  }, 60_000);

  afterAll(async () => {
    await k?.stop();
    await upstream?.close();
  });

  it('stores every object of deploy.yaml', async () => {
    const out = await ok(['apply', '-f', FIXTURE]);
    for (const line of ['namespace/ingress-nginx', 'serviceaccount/ingress-nginx', 'configmap/ingress-nginx-controller', 'service/ingress-nginx-controller', 'service/ingress-nginx-controller-admission', 'deployment.apps/ingress-nginx-controller', 'job.batch/ingress-nginx-admission-create', 'job.batch/ingress-nginx-admission-patch', 'ingressclass.networking.k8s.io/nginx', 'validatingwebhookconfiguration.admissionregistration.k8s.io/ingress-nginx-admission']) {
      expect(out).toContain(line);
    }
  });

  it('kube-webhook-certgen create makes the admission Secret (ca, cert, key) and patch puts the CA into the webhook', async () => {
    const secret = await eventually(async () => json(await ok(['get', 'secret', 'ingress-nginx-admission', '-n', 'ingress-nginx', '-o', 'json'])), { timeout: 20_000, what: 'Secret ingress-nginx-admission' });
    expect(Object.keys(secret.data).sort()).toEqual(['ca', 'cert', 'key']);
    expect(Buffer.from(secret.data.ca, 'base64').toString()).toContain('BEGIN CERTIFICATE');
    await eventually(async () => {
      const vwc = json(await ok(['get', 'validatingwebhookconfiguration', 'ingress-nginx-admission', '-o', 'json']));
      expect(vwc.webhooks[0].clientConfig.caBundle).toBe(secret.data.ca);
      expect(vwc.webhooks[0].failurePolicy).toBe('Fail');
    }, { timeout: 20_000, what: 'caBundle patched' });
  });

  it('the webhook Jobs complete', async () => {
    await eventually(async () => {
      const jobs = json(await ok(['get', 'jobs', '-n', 'ingress-nginx', '-o', 'json'])).items;
      expect(jobs.map((j: any) => `${j.metadata.name}=${j.status?.succeeded ?? 0}`).sort()).toEqual(['ingress-nginx-admission-create=1', 'ingress-nginx-admission-patch=1']);
    }, { timeout: 30_000, what: 'admission Jobs succeeded' });
  });

  it('the controller pod runs and is Ready; its Service gets an address; get all looks like the real thing', async () => {
    await eventually(async () => {
      const pods = json(await ok(['get', 'pods', '-n', 'ingress-nginx', '-l', 'app.kubernetes.io/component=controller', '-o', 'json'])).items;
      expect(pods.length).toBe(1);
      expect(pods[0].status.conditions.find((c: any) => c.type === 'Ready')?.status).toBe('True');
    }, { timeout: 30_000, what: 'controller pod Ready' });
    const svc = await eventually(async () => {
      const s = json(await ok(['get', 'svc', 'ingress-nginx-controller', '-n', 'ingress-nginx', '-o', 'json']));
      expect(s.status?.loadBalancer?.ingress?.[0]?.ip).toBeTruthy();
      return s;
    }, { timeout: 15_000, what: 'LoadBalancer address' });
    expect(svc.status.loadBalancer.ingress[0].ip).toMatch(/^127\.195\.0\.\d+$/);
    const all = await ok(['get', 'all', '-n', 'ingress-nginx']);
    expect(all).toMatch(/^pod\/ingress-nginx-controller-[a-z0-9]+-[a-z0-9]{5}\s+1\/1\s+Running\s/m);
    expect(all).toMatch(/^service\/ingress-nginx-controller\s+LoadBalancer\s+127\.125\.\d+\.\d+\s+127\.195\.0\.\d+\s+80:3\d{4}\/TCP,443:3\d{4}\/TCP\s/m);
    expect(all).toMatch(/^service\/ingress-nginx-controller-admission\s+ClusterIP\s+127\.125\.\d+\.\d+\s+<none>\s+443\/TCP\s/m);
    expect(all).toMatch(/^deployment\.apps\/ingress-nginx-controller\s+1\/1\s+1\s+1\s/m);
    expect(all).toMatch(/^job\.batch\/ingress-nginx-admission-create\s+(Complete\s+)?1\/1\s/m);
  });

  it("curl -k https://localhost/ and curl http://localhost/ show nginx's 404 page", async () => {
    for (const [url, port] of [['https://localhost/', 443], ['http://localhost/', 80]] as const) {
      const r = await eventually(async () => {
        const x = await curl(url, port);
        expect(x.code).toBe(404);
        return x;
      }, { timeout: 15_000, what: `${url} answers` });
      expect(r.body).toContain('<title>404 Not Found</title>');
      expect(r.body).toContain('<center>nginx</center>');
    }
  });

  it('after 05-nginx-ingress.yaml, https://localhost/testpath shows the nginx welcome page (nginx saw /)', async () => {
    await ok(['apply', '-f', join(ROOT, 'examples', 'ingress', '05-nginx-ingress.yaml')]);
    const r = await eventually(async () => {
      const x = await curl('https://localhost/testpath', 443);
      expect(x.code).toBe(200);
      return x;
    }, { timeout: 10_000, what: 'https://localhost/testpath' });
    expect(r.body).toContain('<title>Welcome to nginx!</title>');
    // The nginx pod logged the request as `/`: the rewrite happened.
    const pod = json(await ok(['get', 'pods', '-l', 'app=nginx', '-o', 'json'])).items[0].metadata.name;
    await eventually(async () => expect(await ok(['logs', pod])).toMatch(/"GET \/ HTTP\/1\.1" 200 .*curl/), { timeout: 5000, what: 'nginx access log line for /' });
    expect((await curl('http://localhost/testpath/sub', 80)).body).toContain('<title>Welcome to nginx!</title>');
  });

  it('the Ingress gets the controller Service address in status.loadBalancer.ingress; ADDRESS is printed', async () => {
    const lb = json(await ok(['get', 'svc', 'ingress-nginx-controller', '-n', 'ingress-nginx', '-o', 'json'])).status.loadBalancer.ingress[0].ip;
    await eventually(async () => {
      const ing = json(await ok(['get', 'ingress', 'nginx-ing', '-o', 'json']));
      expect(ing.status?.loadBalancer?.ingress).toEqual([{ ip: lb }]);
    }, { timeout: 10_000, what: 'Ingress status' });
    expect(await ok(['get', 'ingress'])).toMatch(new RegExp(`^nginx-ing\\s+nginx\\s+localhost\\s+${lb.replace(/\./g, '\\.')}\\s+80\\s`, 'm'));
  });
});
