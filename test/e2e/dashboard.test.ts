// Issue 22 end to end: `kdp up` serves a token-protected dashboard; a real headless chromium opens the
// URL `kdp dashboard` prints and sees the seed's Service, its pods, the per-endpoint spread of 100
// curls, and a pod added by a scale appear without a reload; /metrics has the counts and CoreDNS's.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { eventually } from '../support/eventually.js';
import { ROOT, run, startKdp, rangeArgs, type KdpCluster } from '../support/kdp.js';

const CHROMIUM = '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
const SEED = join(ROOT, 'examples', 'seed');

let k: KdpCluster;
let tmp: string;
/** Kept after the run: the screenshot, the test's artifact. */
let artifacts: string;
let browser: BrowserContext | undefined;
let page: Page;
let url: string;

async function curlService(ip: string, times: number): Promise<void> {
  for (let i = 0; i < times; i += 10) {
    const batch = Array.from({ length: Math.min(10, times - i) }, () => run('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', '-m', '3', `http://${ip}/`]));
    for (const r of await Promise.all(batch)) expect(r.stdout).toBe('200');
  }
}

/** The rows of the nginx Service's endpoint table as the page shows them. */
async function endpointRows(): Promise<{ pod: string; ready: string; count: number }[]> {
  return page.$$eval('section.ns .svc[data-name="nginx"] tr.ep', (rows) => rows.map((r) => ({
    pod: (r as HTMLElement).dataset.pod ?? '',
    ready: r.querySelector('.rd')?.textContent ?? '',
    count: Number(r.querySelector('.count')?.textContent),
  })));
}

async function nginxPods(): Promise<string[]> {
  const items = JSON.parse(await k.ok(['get', 'pods', '-l', 'app=nginx', '-o', 'json'])).items as any[];
  return items.filter((p) => !p.metadata.deletionTimestamp).map((p) => p.metadata.name).sort();
}

describe.skipIf(!haveChromium)('dashboard in headless chromium', () => {
  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'kdp-dash-'));
    artifacts = mkdtempSync(join(tmpdir(), 'kdp-dash-artifacts-'));
    k = await startKdp({ slot: 0, files: [SEED], extraArgs: [...rangeArgs(156, 'e2edash'), '--proxy-mode', 'userspace'] });
    const { chromium } = await import('playwright-core');
    // A fresh profile in the test's temp dir (launchPersistentContext is how playwright takes one).
    browser = await chromium.launchPersistentContext(join(tmp, 'chromium'), {
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: { width: 1100, height: 700 },
    });
    page = await browser.newPage();
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await k?.stop();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('kdp up prints the dashboard line, kdp dashboard prints the same URL from a 0600 file', async () => {
    url = (await k.ok(['dashboard', '--state-dir', k.stateDir])).trim();
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{20,}$/);
    expect(k.output()).toContain(`dashboard: ${url}`);
    const { stdout } = await run('stat', ['-c', '%a', join(k.stateDir, 'dashboard-url')]);
    expect(stdout.trim()).toBe('600');
  });

  it('answers 401 without the token or with a wrong one, on every path', async () => {
    const base = url.slice(0, url.indexOf('/?'));
    for (const path of ['/', '/events', '/metrics', '/app.js', '/?token=wrong']) {
      const r = await fetch(`${base}${path}`, { redirect: 'manual' });
      expect(r.status, path).toBe(401);
      await r.body?.cancel();
    }
    const login = await fetch(url, { redirect: 'manual' });
    expect(login.status).toBe(302);
    expect(login.headers.get('set-cookie')).toMatch(/HttpOnly; SameSite=Strict/);
  });

  it('shows the Service, its pod and a spread of 100 curls that adds up to 100', async () => {
    await page.goto(url);
    await eventually(async () => expect(await page.textContent('#status')).toMatch(/^live/), { timeout: 10_000, what: 'the event stream is live' });
    const [pod] = await nginxPods();
    await eventually(async () => expect(await endpointRows()).toEqual([{ pod, ready: 'ready', count: 0 }]), { timeout: 15_000, what: 'nginx endpoint on the page' });
    expect(await page.textContent(`li.pod[data-name="${pod}"] .rd`)).toBe('ready');
    const ip = JSON.parse(await k.ok(['get', 'service', 'nginx', '-o', 'json'])).spec.clusterIP;
    await curlService(ip, 100);
    await eventually(async () => {
      const rows = await endpointRows();
      expect(rows.reduce((s, r) => s + r.count, 0)).toBe(100);
    }, { timeout: 10_000, what: 'spread adds up to 100' });
    expect(await page.textContent('.svc[data-name="nginx"] .pct')).toBe('100%');
  });

  it('a scale adds the new pod to the page without a reload, and new connections spread to it', async () => {
    // A marker on the live document: a reload would lose it.
    await page.evaluate(() => ((window as any).__kdpNoReload = true));
    expect((await k.ok(['scale', 'deployment', 'nginx', '--replicas', '2'])).trim()).toBe('deployment.apps/nginx scaled');
    const pods = await eventually(async () => {
      const p = await nginxPods();
      expect(p).toHaveLength(2);
      return p;
    }, { timeout: 15_000, what: 'two nginx pods' });
    await eventually(async () => {
      const rows = await endpointRows();
      expect(rows.map((r) => `${r.pod} ${r.ready}`).sort()).toEqual(pods.map((p) => `${p} ready`));
      for (const p of pods) expect(await page.textContent(`li.pod[data-name="${p}"] .rd`)).toBe('ready');
    }, { timeout: 20_000, what: 'the new pod on the page, ready' });
    const ip = JSON.parse(await k.ok(['get', 'service', 'nginx', '-o', 'json'])).spec.clusterIP;
    await curlService(ip, 100);
    const rows = await eventually(async () => {
      const r = await endpointRows();
      expect(r.reduce((s, x) => s + x.count, 0)).toBe(200);
      return r;
    }, { timeout: 10_000, what: 'spread adds up to 200' });
    // Round-robin: the new endpoint got about half of the second hundred.
    const fresh = rows.find((r) => r.count < 100)!;
    expect(fresh.count).toBeGreaterThanOrEqual(40);
    expect(await page.evaluate(() => (window as any).__kdpNoReload)).toBe(true);
    const shot = join(artifacts, 'dashboard.png');
    await page.screenshot({ path: process.env.KDP_DASHBOARD_SCREENSHOT ?? shot, fullPage: true });
    console.log(`dashboard screenshot: ${process.env.KDP_DASHBOARD_SCREENSHOT ?? shot}`);
  });

  it('/metrics is Prometheus text: the per-endpoint counts and CoreDNS\'s families from its pods', async () => {
    const ip = JSON.parse(await k.ok(['get', 'service', 'nginx', '-o', 'json'])).spec.clusterIP;
    const dig = await run('dig', ['@127.156.0.10', 'nginx.default.svc.cluster.local', '+short', '+tries=1', '+time=2']);
    expect(dig.stdout.trim()).toBe(ip);
    const text = await page.evaluate(async () => (await fetch('/metrics')).text());
    const lines = text.split('\n').filter(Boolean);
    const samples = lines.filter((l) => !l.startsWith('#'));
    for (const l of samples) expect(l).toMatch(/^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="(\\.|[^"\\])*",?)*\})? ([-+]?\d+(\.\d+)?([eE][-+]?\d+)?|NaN|[-+]Inf)$/);
    // One HELP and one TYPE per family, even with two CoreDNS pods.
    const types = lines.filter((l) => l.startsWith('# TYPE ')).map((l) => l.split(' ')[2]);
    expect(new Set(types).size).toBe(types.length);
    const nginx = samples.filter((l) => l.startsWith('kdp_kubeproxy_endpoint_connections_total{service_port="default/nginx'));
    expect(nginx.reduce((s, l) => s + Number(l.split(' ').pop()), 0)).toBe(200);
    const dns = samples.filter((l) => /^coredns_dns_requests_total\{instance="kube-system\/coredns-/.test(l));
    expect(dns.reduce((s, l) => s + Number(l.split(' ').pop()), 0)).toBeGreaterThanOrEqual(1);
    expect(types).toEqual(expect.arrayContaining(['coredns_dns_responses_total', 'coredns_dns_request_duration_seconds']));
  });
});

describe.skipIf(haveChromium)('dashboard in headless chromium', () => {
  it.skip(`needs ${CHROMIUM} (apt-get install -y chromium)`, () => {});
});
