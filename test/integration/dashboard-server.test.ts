// The dashboard server on a real loopback socket over a bare store: the token → cookie login, 401
// for everything else, the SSE stream's first model and its update on a store change.
import http from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InformerFactory } from '../../src/api/informer.js';
import { ObjectStore } from '../../src/api/store.js';
import { GR } from '../../src/api/types.js';
import { startDashboard, type Dashboard } from '../../src/dashboard/index.js';
import { TrafficCounters } from '../../src/lib/traffic-counters.js';

/** Reads SSE `data:` messages from `path` with `cookie` until `want` returns true; resolves with them. */
function events(base: string, cookie: string, want: (msgs: any[]) => boolean): Promise<any[]> {
  return new Promise((resolve, reject) => {
    const msgs: any[] = [];
    const req = http.get(`${base}/events`, { headers: { cookie } }, (res) => {
      let buf = '';
      res.on('data', (c) => {
        buf += c;
        let i;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          msgs.push(JSON.parse(buf.slice(0, i).replace(/^data: /, '')));
          buf = buf.slice(i + 2);
          if (want(msgs)) {
            req.destroy();
            resolve(msgs);
          }
        }
      });
    });
    req.on('error', (e) => (msgs.length ? undefined : reject(e)));
  });
}

describe('dashboard server', () => {
  let store: ObjectStore;
  let informers: InformerFactory;
  let d: Dashboard;
  let base: string;

  beforeEach(async () => {
    store = new ObjectStore();
    store.create(GR.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } });
    informers = new InformerFactory(store);
    const traffic = new TrafficCounters();
    traffic.record('default/web', '127.78.1.1:80');
    d = await startDashboard({ informers, traffic, randomToken: () => 'tok-123456789012345678901234' });
    base = `http://127.0.0.1:${d.port}`;
  });
  afterEach(async () => {
    await d.stop();
    informers.stop();
  });

  it('prints a loopback URL with the token; a wrong or missing token or cookie answers 401', async () => {
    expect(d.url).toBe(`${base}/?token=tok-123456789012345678901234`);
    for (const path of ['/', '/?token=tok-12345678901234567890123X', '/?token=', '/events', '/metrics', '/app.js', '/nope']) {
      const r = await fetch(base + path, { redirect: 'manual' });
      expect(r.status, path).toBe(401);
    }
    const r = await fetch(base + '/metrics', { headers: { cookie: 'kdp_dashboard=forged' } });
    expect(r.status).toBe(401);
  });

  it('exchanges the token for an HttpOnly SameSite=Strict cookie that opens the page, /metrics and the stream', async () => {
    const login = await fetch(d.url, { redirect: 'manual' });
    expect(login.status).toBe(302);
    expect(login.headers.get('location')).toBe('/');
    const setCookie = login.headers.get('set-cookie')!;
    expect(setCookie).toMatch(/^kdp_dashboard=[A-Za-z0-9_-]+; HttpOnly; SameSite=Strict; Path=\/$/);
    const cookie = setCookie.split(';')[0];
    const page = await fetch(base + '/', { headers: { cookie } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<script src="/app.js"></script>');
    const metrics = await (await fetch(base + '/metrics', { headers: { cookie } })).text();
    expect(metrics).toContain('kdp_kubeproxy_endpoint_connections_total{service_port="default/web",endpoint="127.78.1.1:80"} 1');

    // The first message is the model as it is; the Service created once it arrived comes as an update.
    const hasWeb = (t: any) => t.namespaces.some((n: any) => n.services.some((s: any) => s.name === 'web'));
    const got = events(base, cookie, (m) => {
      if (m.length === 1) store.create(GR.services, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' }, spec: { clusterIP: '127.78.0.5', ports: [{ port: 80 }] } });
      return m.some(hasWeb);
    });
    const msgs = await got;
    expect(msgs[0].namespaces).toEqual([]);
    expect(msgs.length).toBeGreaterThan(1);
    expect(msgs.at(-1).namespaces[0].services[0]).toMatchObject({ name: 'web', clusterIP: '127.78.0.5', ports: '80/TCP' });
  });
});
