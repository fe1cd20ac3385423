// The REST API over real HTTP: discovery, CRUD with Status errors, patch flavours, scale, watch.
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootstrap } from '../../src/api/bootstrap.js';
import { defaultConfig } from '../../src/api/config.js';
import { startApiServer, type ApiServer } from '../../src/api/server.js';
import { ObjectStore } from '../../src/api/store.js';
import { startBareApi } from '../support/api.js';

let api: ApiServer;
let store: ObjectStore;

async function req(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: any }> {
  const res = await fetch(api.url + path, {
    method,
    headers: { 'Content-Type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}

beforeAll(async () => {
  ({ api, store } = await startBareApi('127.88.0.0/16'));
});

afterAll(async () => {
  await api?.close();
});

describe('API server', () => {
  it('serves /version and discovery with categories and short names', async () => {
    expect((await req('GET', '/version')).json.major).toBe('1');
    const core = (await req('GET', '/api/v1')).json;
    const pods = core.resources.find((r: any) => r.name === 'pods');
    expect(pods).toMatchObject({ kind: 'Pod', namespaced: true, shortNames: ['po'], categories: ['all'] });
    expect(core.resources.map((r: any) => r.name)).toContain('pods/exec');
    const groups = (await req('GET', '/apis')).json.groups.map((g: any) => g.name);
    expect(groups).toEqual(expect.arrayContaining(['apps', 'discovery.k8s.io', 'networking.k8s.io', 'rbac.authorization.k8s.io']));
    expect((await req('GET', '/apis/apps/v1')).json.resources.find((r: any) => r.name === 'deployments').shortNames).toEqual(['deploy']);
  });

  it('creates, gets, lists and answers NotFound / AlreadyExists as Status objects', async () => {
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c1' }, data: { a: '1' } };
    const created = await req('POST', '/api/v1/namespaces/default/configmaps', cm);
    expect(created.status).toBe(201);
    expect(created.json.metadata.namespace).toBe('default');
    expect((await req('GET', '/api/v1/namespaces/default/configmaps/c1')).json.data).toEqual({ a: '1' });
    const dup = await req('POST', '/api/v1/namespaces/default/configmaps', cm);
    expect(dup.status).toBe(409);
    expect(dup.json).toMatchObject({ kind: 'Status', reason: 'AlreadyExists', message: 'configmaps "c1" already exists', code: 409 });
    const missing = await req('GET', '/api/v1/namespaces/default/services/nope');
    expect(missing.json).toMatchObject({ reason: 'NotFound', message: 'services "nope" not found', code: 404 });
    const list = (await req('GET', '/api/v1/configmaps')).json;
    expect(list.kind).toBe('ConfigMapList');
    expect(Number(list.metadata.resourceVersion)).toBeGreaterThan(0);
  });

  it('refuses a body namespace that contradicts the URL', async () => {
    const r = await req('POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'kube-system' } });
    expect(r.status).toBe(400);
    expect(r.json.message).toBe('the namespace of the provided object does not match the namespace sent on the request');
  });

  it('applies merge, strategic and JSON patches', async () => {
    await req('POST', '/apis/apps/v1/namespaces/default/deployments', {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' },
      spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } } },
    });
    const smp = await req('PATCH', '/apis/apps/v1/namespaces/default/deployments/web', { spec: { template: { spec: { containers: [{ name: 'side', image: 'busybox' }] } } } }, { 'Content-Type': 'application/strategic-merge-patch+json' });
    expect(smp.json.spec.template.spec.containers.map((c: any) => c.name)).toEqual(['web', 'side']);
    const merge = await req('PATCH', '/apis/apps/v1/namespaces/default/deployments/web', { spec: { replicas: 4 } }, { 'Content-Type': 'application/merge-patch+json' });
    expect(merge.json.spec.replicas).toBe(4);
    const json = await req('PATCH', '/apis/apps/v1/namespaces/default/deployments/web', [{ op: 'replace', path: '/spec/replicas', value: 2 }], { 'Content-Type': 'application/json-patch+json' });
    expect(json.json.spec.replicas).toBe(2);
    const scale = await req('GET', '/apis/apps/v1/namespaces/default/deployments/web/scale');
    expect(scale.json).toMatchObject({ kind: 'Scale', spec: { replicas: 2 } });
    const scaled = await req('PATCH', '/apis/apps/v1/namespaces/default/deployments/web/scale', { spec: { replicas: 5 } }, { 'Content-Type': 'application/merge-patch+json' });
    expect(scaled.json.spec.replicas).toBe(5);
    expect(store.get('apps/deployments', 'default', 'web').spec.replicas).toBe(5);
  });

  it('answers 422 Invalid with the field path', async () => {
    const r = await req('POST', '/api/v1/namespaces/default/services', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'bad' }, spec: { ports: [{ port: 70000 }] } });
    expect(r.status).toBe(422);
    expect(r.json.reason).toBe('Invalid');
    expect(r.json.message).toContain('spec.ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive');
  });

  it('returns Tables when asked, as kubectl asks', async () => {
    const r = await req('GET', '/api/v1/namespaces/default/services', undefined, { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json' });
    expect(r.json.kind).toBe('Table');
    expect(r.json.columnDefinitions.map((c: any) => c.name)).toEqual(expect.arrayContaining(['Name', 'Type', 'Cluster-IP']));
  });

  it('streams watch events from a resourceVersion and says 410 Gone for an expired one', async () => {
    const rv = (await req('GET', '/api/v1/namespaces/default/configmaps')).json.metadata.resourceVersion;
    const events: any[] = [];
    const done = new Promise<void>((resolve) => {
      http.get(`${api.url}/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${rv}&timeoutSeconds=2`, (res) => {
        let buf = '';
        res.on('data', (c) => {
          buf += c;
          let i;
          while ((i = buf.indexOf('\n')) >= 0) {
            events.push(JSON.parse(buf.slice(0, i)));
            buf = buf.slice(i + 1);
            if (events.length === 2) resolve();
          }
        });
      });
    });
    await req('POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'w1' } });
    await req('DELETE', '/api/v1/namespaces/default/configmaps/w1');
    await done;
    expect(events.map((e) => `${e.type} ${e.object.metadata.name}`)).toEqual(['ADDED w1', 'DELETED w1']);

    // a store that keeps little history, so an old resourceVersion has expired
    const small = new ObjectStore({ historySize: 2 });
    bootstrap(small, defaultConfig({ serviceCidr: '127.89.0.0/16', upstreamDns: [], stateDir: '/nonexistent' }));
    for (let i = 0; i < 5; i++) small.create('/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `c${i}`, namespace: 'default' } });
    const api2 = await startApiServer({ store: small, host: '127.0.0.1', port: 0 });
    try {
      const text = await (await fetch(`${api2.url}/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=2`)).text();
      const ev = JSON.parse(text.trim());
      expect(ev.type).toBe('ERROR');
      expect(ev.object).toMatchObject({ kind: 'Status', code: 410, reason: 'Expired' });
    } finally {
      await api2.close();
    }
  });

  it('answers 404 Status for paths it does not serve', async () => {
    const r = await req('GET', '/apis/nope.example.com/v1/widgets');
    expect(r.status).toBe(404);
    expect(r.json.message).toBe('the server could not find the requested resource');
  });
});
