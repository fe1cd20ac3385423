// What clients other than kubectl send, over real HTTP on 127.62.0.1: query parameters decoded as
// kube-apiserver's parameter codec decodes them, and DELETE answered per kind as its registry answers.
import http from 'node:http';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootstrap } from '../../src/api/bootstrap.js';
import { defaultConfig } from '../../src/api/config.js';
import type { PodConnector } from '../../src/api/pod-connector.js';
import { startApiServer, type ApiServer } from '../../src/api/server.js';
import { ObjectStore } from '../../src/api/store.js';
import { registerStrategies } from '../../src/api/strategies/index.js';
import { eventually } from '../support/eventually.js';

let api: ApiServer;
let store: ObjectStore;
const logCalls: unknown[] = [];

const connector: PodConnector = {
  exec: () => Promise.reject(new Error('not used')),
  logs: (_pod, opts) => {
    logCalls.push(opts);
    return Promise.resolve(Readable.from([Buffer.from('line 1\nline 2\n')]));
  },
};

interface Answer {
  status: number;
  text: string;
  json: any;
}

/** One request over a fresh connection; `ua` sets the User-Agent (Node's fetch would send its own). */
function request(method: string, path: string, opts: { body?: unknown; ua?: string; headers?: Record<string, string> } = {}): Promise<Answer> {
  const data = opts.body === undefined ? undefined : JSON.stringify(opts.body);
  return new Promise((resolve, reject) => {
    const u = new URL(api.url + path);
    const r = http.request({ host: u.hostname, port: u.port, path: u.pathname + u.search, method, agent: false, headers: { 'User-Agent': opts.ua ?? 'kdp-test/1.0', ...(data ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(data) } : {}), ...opts.headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (text += c));
      res.on('end', () => {
        let json: any;
        try {
          json = text ? JSON.parse(text) : undefined;
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, text, json });
      });
    });
    r.on('error', reject);
    r.end(data);
  });
}

/** Opens a watch and collects its newline-delimited events until stop() (or the server ends it). */
function openWatch(path: string): { events: any[]; ended: () => boolean; status: () => number; stop: () => void } {
  const events: any[] = [];
  let ended = false;
  let status = 0;
  const u = new URL(api.url + path);
  const r = http.get({ host: u.hostname, port: u.port, path: u.pathname + u.search, agent: false }, (res) => {
    status = res.statusCode ?? 0;
    let buf = '';
    res.setEncoding('utf8');
    res.on('data', (c) => {
      buf += c;
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        if (line.trim()) events.push(JSON.parse(line));
      }
    });
    res.on('end', () => (ended = true));
    res.on('close', () => (ended = true));
  });
  r.on('error', () => (ended = true));
  return { events, ended: () => ended, status: () => status, stop: () => r.destroy() };
}

const cm = (name: string, extra: Record<string, unknown> = {}) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, ...extra }, data: { k: 'v' } });

beforeAll(async () => {
  const config = defaultConfig({ serviceCidr: '127.62.96.0/20', upstreamDns: [], stateDir: '/nonexistent' });
  store = new ObjectStore();
  registerStrategies(store, config);
  bootstrap(store, config);
  api = await startApiServer({ store, connector, host: '127.62.0.1', port: 0 });
  await request('POST', '/api/v1/namespaces/default/configmaps', { body: cm('seed') });
  const pod = store.create('/pods', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'nginx' }] } });
  store.update('/pods', { ...structuredClone(pod), status: { phase: 'Running' } }, { subresource: 'status' });
});

afterAll(async () => {
  await api?.close();
});

describe('query booleans as the apiserver decodes them', () => {
  // apimachinery's Convert_Slice_string_To_bool: only "0" and "false" in any case are false.
  for (const value of ['true', 'True', 'TRUE', '1', 't', 'yes', '']) {
    it(`watch=${value} opens a watch stream`, async () => {
      const w = openWatch(`/api/v1/namespaces/default/configmaps?watch=${value}`);
      await eventually(() => expect(w.events.map((e) => `${e.type} ${e.object.metadata.name}`)).toContain('ADDED seed'));
      expect(w.ended()).toBe(false);
      w.stop();
    });
  }

  for (const value of ['false', 'False', 'FALSE', '0']) {
    it(`watch=${value} lists`, async () => {
      const r = await request('GET', `/api/v1/namespaces/default/configmaps?watch=${value}`);
      expect(r.status).toBe(200);
      expect(r.json.kind).toBe('ConfigMapList');
    });
  }

  it('pretty uses strconv.ParseBool and the User-Agent decides without it', async () => {
    const compact = await request('GET', '/api/v1/namespaces/default/configmaps/seed');
    expect(compact.text).not.toContain('\n');
    const pretty = await request('GET', '/api/v1/namespaces/default/configmaps/seed?pretty=T');
    expect(pretty.text).toContain('\n  "kind": "ConfigMap"');
    const curl = await request('GET', '/api/v1/namespaces/default/configmaps/seed', { ua: 'curl/8.5.0' });
    expect(curl.text).toContain('\n  "kind": "ConfigMap"');
    const notBool = await request('GET', '/api/v1/namespaces/default/configmaps/seed?pretty=yes', { ua: 'curl/8.5.0' });
    expect(notBool.text).not.toContain('\n');
    expect(notBool.json.metadata.name).toBe('seed');
  });
});

describe('query integers parsed strictly', () => {
  it('a bad limit or timeoutSeconds is a 400 with strconv.ParseInt\'s message', async () => {
    const bad = await request('GET', '/api/v1/namespaces/default/configmaps?limit=abc');
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'BadRequest', code: 400, message: 'strconv.ParseInt: parsing "abc": invalid syntax' });
    const frac = await request('GET', '/api/v1/namespaces/default/configmaps?watch=1&timeoutSeconds=1.5');
    expect(frac.status).toBe(400);
    expect(frac.json.message).toBe('strconv.ParseInt: parsing "1.5": invalid syntax');
    const big = await request('GET', '/api/v1/configmaps?limit=99999999999999999999');
    expect(big.json.message).toBe('strconv.ParseInt: parsing "99999999999999999999": value out of range');
    expect((await request('GET', '/api/v1/configmaps?limit=500')).json.kind).toBe('ConfigMapList');
  });

  it('timeoutSeconds ends a watch', async () => {
    const w = openWatch('/api/v1/namespaces/default/configmaps?watch=true&timeoutSeconds=1');
    await eventually(() => expect(w.events.length).toBeGreaterThan(0));
    await eventually(() => expect(w.ended()).toBe(true), { timeout: 5000 });
  });

  it('pod logs: tailLines/sinceSeconds parsed (400) and validated (422) before the pod is looked up', async () => {
    const bad = await request('GET', '/api/v1/namespaces/default/pods/p/log?tailLines=ten');
    expect(bad.status).toBe(400);
    expect(bad.json.message).toBe('strconv.ParseInt: parsing "ten": invalid syntax');
    const neg = await request('GET', '/api/v1/namespaces/default/pods/nope/log?tailLines=-1');
    expect(neg.status).toBe(422);
    expect(neg.json).toMatchObject({ reason: 'Invalid', message: 'PodLogOptions "nope" is invalid: tailLines: Invalid value: -1: must be greater than or equal to 0' });
    const since = await request('GET', '/api/v1/namespaces/default/pods/p/log?sinceSeconds=0');
    expect(since.json.message).toBe('PodLogOptions "p" is invalid: sinceSeconds: Invalid value: 0: must be greater than 0');
    logCalls.length = 0;
    const ok = await request('GET', '/api/v1/namespaces/default/pods/p/log?follow=True&timestamps=1&tailLines=%2B2');
    expect(ok.status).toBe(200);
    expect(ok.text).toBe('line 1\nline 2\n');
    expect(logCalls[0]).toMatchObject({ container: 'c', follow: true, timestamps: true, previous: false, tailLines: 2 });
  });
});

describe('list options validated as ValidateListOptions does', () => {
  it('sendInitialEvents on a list is refused with 422', async () => {
    const r = await request('GET', '/api/v1/namespaces/default/configmaps?sendInitialEvents=false');
    expect(r.status).toBe(422);
    expect(r.json).toMatchObject({ reason: 'Invalid', message: 'ListOptions.meta.k8s.io "" is invalid: sendInitialEvents: Forbidden: sendInitialEvents is forbidden for list' });
    const w = await request('GET', '/api/v1/namespaces/default/configmaps?watch=1&sendInitialEvents=true');
    expect(w.json.message).toBe('ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan');
  });

  it('a watch-list (sendInitialEvents=true) sends the state, a bookmark marking its end, then changes', async () => {
    const w = openWatch('/api/v1/namespaces/default/configmaps?watch=1&sendInitialEvents=true&allowWatchBookmarks=true&resourceVersionMatch=NotOlderThan');
    await eventually(() => expect(w.events.some((e) => e.type === 'BOOKMARK')).toBe(true));
    const bookmark = w.events.find((e) => e.type === 'BOOKMARK');
    expect(bookmark.object).toMatchObject({ kind: 'ConfigMap', apiVersion: 'v1', metadata: { annotations: { 'k8s.io/initial-events-end': 'true' } } });
    expect(w.events.slice(0, w.events.indexOf(bookmark)).map((e) => `${e.type} ${e.object.metadata.name}`)).toContain('ADDED seed');
    await request('POST', '/api/v1/namespaces/default/configmaps', { body: cm('after-bookmark') });
    await eventually(() => expect(w.events.slice(w.events.indexOf(bookmark) + 1).map((e) => `${e.type} ${e.object.metadata.name}`)).toEqual(['ADDED after-bookmark']));
    w.stop();
  });
});

describe('DeleteOptions as DeleteResource reads them', () => {
  it('reads the query only without a body, strictly, and validates the policy', async () => {
    await request('POST', '/api/v1/namespaces/default/configmaps', { body: cm('del-opts') });
    const bad = await request('DELETE', '/api/v1/namespaces/default/configmaps/del-opts?gracePeriodSeconds=soon');
    expect(bad.status).toBe(400);
    expect(bad.json.message).toBe('strconv.ParseInt: parsing "soon": invalid syntax');
    const sideways = await request('DELETE', '/api/v1/namespaces/default/configmaps/del-opts?propagationPolicy=Sideways');
    expect(sideways.status).toBe(422);
    expect(sideways.json.message).toBe('DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "Sideways": supported values: "Foreground", "Background", "Orphan", "nil"');
    const both = await request('DELETE', '/api/v1/namespaces/default/configmaps/del-opts', { body: { kind: 'DeleteOptions', apiVersion: 'v1', orphanDependents: true, propagationPolicy: 'Orphan' } });
    expect(both.json.message).toBe('DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Invalid value: "Orphan": orphanDependents and deletionPropagation cannot be both set');
    expect(store.tryGet('/configmaps', 'default', 'del-opts')).toBeDefined();
    // With a body, the query is not read at all (so its bad integer does not matter).
    const withBody = await request('DELETE', '/api/v1/namespaces/default/configmaps/del-opts?gracePeriodSeconds=soon', { body: { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background' } });
    expect(withBody.status).toBe(200);
    expect(store.tryGet('/configmaps', 'default', 'del-opts')).toBeUndefined();
  });
});

describe('DELETE answered per kind, as the registry decides', () => {
  it('a kind deleted at once answers a Success Status naming the resource, group and uid', async () => {
    const created = (await request('POST', '/api/v1/namespaces/default/configmaps', { body: cm('gone') })).json;
    const r = await request('DELETE', '/api/v1/namespaces/default/configmaps/gone');
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name: 'gone', kind: 'configmaps', uid: created.metadata.uid } });
    const deploy = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } } };
    await request('POST', '/apis/apps/v1/namespaces/default/deployments', { body: deploy });
    const d = await request('DELETE', '/apis/apps/v1/namespaces/default/deployments/d');
    expect(d.json).toMatchObject({ kind: 'Status', status: 'Success', details: { name: 'd', group: 'apps', kind: 'deployments' } });
    expect(d.json.code).toBeUndefined();
  });

  it('kinds whose registry returns the deleted object (Service, unscheduled Pod) answer the object', async () => {
    await request('POST', '/api/v1/namespaces/default/services', { body: { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ port: 80 }] } } });
    const s = await request('DELETE', '/api/v1/namespaces/default/services/s');
    expect(s.status).toBe(200);
    expect(s.json).toMatchObject({ kind: 'Service', metadata: { name: 's' } });
    expect(store.tryGet('/services', 'default', 's')).toBeUndefined();
    await request('POST', '/api/v1/namespaces/default/pods', { body: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'unscheduled' }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } });
    const p = await request('DELETE', '/api/v1/namespaces/default/pods/unscheduled');
    expect(p.json).toMatchObject({ kind: 'Pod', metadata: { name: 'unscheduled' } });
    expect(store.tryGet('/pods', 'default', 'unscheduled')).toBeUndefined();
  });

  it('an object that stays (finalizers, a pod in its grace period, a namespace) answers itself, marked', async () => {
    await request('POST', '/api/v1/namespaces/default/configmaps', { body: cm('held', { finalizers: ['example.com/hold'] }) });
    const held = await request('DELETE', '/api/v1/namespaces/default/configmaps/held');
    expect(held.status).toBe(200);
    expect(held.json).toMatchObject({ kind: 'ConfigMap', metadata: { name: 'held', deletionGracePeriodSeconds: 0, finalizers: ['example.com/hold'] } });
    expect(held.json.metadata.deletionTimestamp).toEqual(expect.any(String));

    await request('POST', '/api/v1/namespaces/default/configmaps', { body: cm('held2', { finalizers: ['example.com/hold'] }) });
    const accepted = await request('DELETE', '/api/v1/namespaces/default/configmaps/held2', { body: { kind: 'DeleteOptions', apiVersion: 'v1', orphanDependents: false } });
    expect(accepted.status).toBe(202);
    expect(accepted.json.metadata.deletionTimestamp).toEqual(expect.any(String));

    const pod = await request('POST', '/api/v1/namespaces/default/pods', { body: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'running' }, spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'nginx' }] } } });
    expect(pod.status).toBe(201);
    const graceful = await request('DELETE', '/api/v1/namespaces/default/pods/running');
    expect(graceful.status).toBe(200);
    expect(graceful.json).toMatchObject({ kind: 'Pod', metadata: { name: 'running', deletionGracePeriodSeconds: 30 } });

    await request('POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'doomed' } } });
    const ns = await request('DELETE', '/api/v1/namespaces/doomed');
    expect(ns.status).toBe(200);
    expect(ns.json).toMatchObject({ kind: 'Namespace', status: { phase: 'Terminating' } });
  });

  it('dryRun=All answers as the delete would and deletes nothing', async () => {
    await request('POST', '/api/v1/namespaces/default/configmaps', { body: cm('kept') });
    const r = await request('DELETE', '/api/v1/namespaces/default/configmaps/kept?dryRun=All');
    expect(r.json).toMatchObject({ kind: 'Status', status: 'Success', details: { name: 'kept', kind: 'configmaps' } });
    expect(store.tryGet('/configmaps', 'default', 'kept')).toBeDefined();
  });
});

describe('/api', () => {
  it('serverAddressByClientCIDRs names the address and port the API listens on', async () => {
    const r = await request('GET', '/api');
    expect(r.json).toEqual({ kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: `127.62.0.1:${api.address.port}` }] });
  });
});

describe('finalizers and cascading deletion, as the registry and the garbage collector do', () => {
  const ref = (o: any, block = true) => ({ apiVersion: 'v1', kind: 'ConfigMap', name: o.metadata.name, uid: o.metadata.uid, controller: true, blockOwnerDeletion: block });
  const path = (n: string) => `/api/v1/namespaces/default/configmaps/${n}`;
  const mergePatch = (n: string, body: unknown) => request('PATCH', path(n), { body, headers: { 'Content-Type': 'application/merge-patch+json' } });

  it('an object with finalizers is only marked; no finalizer may be added then; emptying them removes it', async () => {
    await request('POST', '/api/v1/namespaces/default/configmaps', { body: cm('fin', { finalizers: ['example.com/a'] }) });
    const marked = await request('DELETE', path('fin'), { body: { kind: 'DeleteOptions', apiVersion: 'v1', gracePeriodSeconds: 30 } });
    // not a graceful kind: deletionGracePeriodSeconds 0 whatever the request asked
    expect(marked.json.metadata).toMatchObject({ deletionGracePeriodSeconds: 0, finalizers: ['example.com/a'] });
    const added = await mergePatch('fin', { metadata: { finalizers: ['example.com/a', 'example.com/b'] } });
    expect(added.status).toBe(422);
    expect(added.json.message).toBe('ConfigMap "fin" is invalid: metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{"example.com/b"}');
    const emptied = await mergePatch('fin', { metadata: { finalizers: null } });
    expect(emptied.status).toBe(200);
    expect((await request('GET', path('fin'))).status).toBe(404);
  });

  it('Foreground keeps the owner (foregroundDeletion) until its blocking dependents are gone', async () => {
    const owner = (await request('POST', '/api/v1/namespaces/default/configmaps', { body: cm('fg-owner') })).json;
    await request('POST', '/api/v1/namespaces/default/configmaps', { body: cm('fg-child', { ownerReferences: [ref(owner)], finalizers: ['example.com/hold'] }) });
    await request('POST', '/api/v1/namespaces/default/configmaps', { body: cm('fg-loose', { ownerReferences: [ref(owner, false)] }) });
    const r = await request('DELETE', path('fg-owner'), { body: { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Foreground' } });
    expect(r.status).toBe(200);
    expect(r.json.metadata).toMatchObject({ finalizers: ['foregroundDeletion'], deletionGracePeriodSeconds: 0 });
    // every dependent is deleted; the one held by its own finalizer still blocks the owner
    await eventually(() => expect((store.tryGet('/configmaps', 'default', 'fg-child')?.metadata.deletionTimestamp)).toBeDefined());
    await eventually(() => expect(store.tryGet('/configmaps', 'default', 'fg-loose')).toBeUndefined());
    expect(store.get('/configmaps', 'default', 'fg-owner').metadata.finalizers).toEqual(['foregroundDeletion']);
    await mergePatch('fg-child', { metadata: { finalizers: null } });
    await eventually(() => expect(store.tryGet('/configmaps', 'default', 'fg-owner')).toBeUndefined());
  });

  it('Orphan (and orphanDependents: true) strips the owner reference from dependents, then removes the owner', async () => {
    for (const [name, opts] of [['or-1', { propagationPolicy: 'Orphan' }], ['or-2', { orphanDependents: true }]] as const) {
      const owner = (await request('POST', '/api/v1/namespaces/default/configmaps', { body: cm(name) })).json;
      const other = (await request('POST', '/api/v1/namespaces/default/configmaps', { body: cm(`${name}-other`) })).json;
      await request('POST', '/api/v1/namespaces/default/configmaps', { body: cm(`${name}-dep`, { ownerReferences: [ref(owner), ref(other, false)] }) });
      const r = await request('DELETE', path(name), { body: { kind: 'DeleteOptions', apiVersion: 'v1', ...opts } });
      expect(r.json.metadata.finalizers).toEqual(['orphan']);
      await eventually(() => expect(store.tryGet('/configmaps', 'default', name)).toBeUndefined());
      expect(store.get('/configmaps', 'default', `${name}-dep`).metadata.ownerReferences?.map((o) => o.name)).toEqual([`${name}-other`]);
    }
  });

  it('Background (the default) removes the owner at once and its dependents after; a batch/v1 Job orphans by default', async () => {
    const owner = (await request('POST', '/api/v1/namespaces/default/configmaps', { body: cm('bg') })).json;
    await request('POST', '/api/v1/namespaces/default/configmaps', { body: cm('bg-dep', { ownerReferences: [ref(owner)] }) });
    const r = await request('DELETE', path('bg'));
    expect(r.json).toMatchObject({ kind: 'Status', status: 'Success' });
    expect(store.tryGet('/configmaps', 'default', 'bg')).toBeUndefined();
    await eventually(() => expect(store.tryGet('/configmaps', 'default', 'bg-dep')).toBeUndefined());

    const job = (await request('POST', '/apis/batch/v1/namespaces/default/jobs', { body: { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j' }, spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox', command: ['true'] }] } } } } })).json;
    await request('POST', '/api/v1/namespaces/default/configmaps', { body: cm('job-dep', { ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: 'j', uid: job.metadata.uid, controller: true, blockOwnerDeletion: true }] }) });
    const del = await request('DELETE', '/apis/batch/v1/namespaces/default/jobs/j');
    expect(del.json.metadata.finalizers).toEqual(['orphan']);
    await eventually(() => expect(store.tryGet('batch/jobs', 'default', 'j')).toBeUndefined());
    expect(store.get('/configmaps', 'default', 'job-dep').metadata.ownerReferences).toBeUndefined();
  });
});

describe('events.k8s.io/v1: the same Events as core/v1, with the apiserver\'s field mapping', () => {
  const involved = { apiVersion: 'v1', kind: 'ConfigMap', name: 'seed', namespace: 'default' };

  it('an Event created through core/v1 reads, lists and watches through events.k8s.io/v1', async () => {
    const w = openWatch('/apis/events.k8s.io/v1/namespaces/default/events?watch=true&resourceVersion=' + store.resourceVersion());
    const core = await request('POST', '/api/v1/namespaces/default/events', { body: {
      apiVersion: 'v1', kind: 'Event', metadata: { name: 'core-ev' }, involvedObject: involved, reason: 'Seeded', message: 'from core', type: 'Normal',
      source: { component: 'tester', host: 'h1' }, firstTimestamp: '2026-01-01T00:00:00Z', lastTimestamp: '2026-01-01T00:01:00Z', count: 3,
    } });
    expect(core.status).toBe(201);
    const v1 = await request('GET', '/apis/events.k8s.io/v1/namespaces/default/events/core-ev');
    expect(v1.json).toMatchObject({
      apiVersion: 'events.k8s.io/v1', kind: 'Event', metadata: { name: 'core-ev', uid: core.json.metadata.uid }, eventTime: null,
      regarding: involved, reason: 'Seeded', note: 'from core', type: 'Normal', deprecatedSource: { component: 'tester', host: 'h1' },
      deprecatedFirstTimestamp: '2026-01-01T00:00:00Z', deprecatedLastTimestamp: '2026-01-01T00:01:00Z', deprecatedCount: 3,
    });
    expect(v1.json.message).toBeUndefined();
    const list = (await request('GET', '/apis/events.k8s.io/v1/namespaces/default/events?fieldSelector=regarding.name%3Dseed')).json;
    expect(list.items.map((e: any) => e.metadata.name)).toContain('core-ev');
    await eventually(() => expect(w.events.map((e) => `${e.type} ${e.object.apiVersion} ${e.object.note}`)).toContain('ADDED events.k8s.io/v1 from core'));
    w.stop();
  });

  it('an Event created through events.k8s.io/v1 is validated strictly and reads through core/v1', async () => {
    const bad = await request('POST', '/apis/events.k8s.io/v1/namespaces/default/events', { body: { apiVersion: 'events.k8s.io/v1', kind: 'Event', metadata: { name: 'bad' }, eventTime: '2026-01-01T00:00:00.000000Z', reportingInstance: 'i', reason: 'R', type: 'Normal', regarding: involved } });
    expect(bad.status).toBe(422);
    expect(bad.json.message).toBe('Event.events.k8s.io "bad" is invalid: [reportingController: Required value, action: Required value]');
    const made = await request('POST', '/apis/events.k8s.io/v1/namespaces/default/events', { body: {
      apiVersion: 'events.k8s.io/v1', kind: 'Event', metadata: { name: 'v1-ev' }, eventTime: '2026-01-01T00:00:00.000000Z',
      reportingController: 'example.com/tester', reportingInstance: 'tester-1', action: 'Testing', reason: 'Tested', note: 'from events.k8s.io', type: 'Warning', regarding: involved,
    } });
    expect(made.status).toBe(201);
    expect(made.json).toMatchObject({ apiVersion: 'events.k8s.io/v1', note: 'from events.k8s.io', reportingController: 'example.com/tester' });
    const core = (await request('GET', '/api/v1/namespaces/default/events/v1-ev')).json;
    expect(core).toMatchObject({ apiVersion: 'v1', kind: 'Event', involvedObject: involved, message: 'from events.k8s.io', reportingComponent: 'example.com/tester', reportingInstance: 'tester-1', action: 'Testing', reason: 'Tested', type: 'Warning', eventTime: '2026-01-01T00:00:00.000000Z' });
    const missing = await request('GET', '/apis/events.k8s.io/v1/namespaces/default/events/nope');
    expect(missing.json).toMatchObject({ code: 404, message: 'events.events.k8s.io "nope" not found' });
    expect((await request('DELETE', '/apis/events.k8s.io/v1/namespaces/default/events/v1-ev')).json).toMatchObject({ kind: 'Status', status: 'Success', details: { name: 'v1-ev', group: 'events.k8s.io', kind: 'events' } });
    expect((await request('GET', '/api/v1/namespaces/default/events/v1-ev')).status).toBe(404);
  });
});
