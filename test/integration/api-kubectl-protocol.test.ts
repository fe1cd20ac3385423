// The parts of the REST protocol real kubectl relies on, over real HTTP on loopback: aggregated
// discovery negotiation, watch resume and 410 Expired, 409 on a stale resourceVersion, server-side
// apply (create, conflict), and protobuf request bodies.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootstrap } from '../../src/api/bootstrap.js';
import { defaultConfig } from '../../src/api/config.js';
import { startApiServer, type ApiServer } from '../../src/api/server.js';
import { ObjectStore } from '../../src/api/store.js';
import { registerStrategies } from '../../src/api/strategies/index.js';

let api: ApiServer;

async function req(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(api.url + path, {
    method,
    headers: { 'Content-Type': 'application/json', ...headers },
    body: body === undefined ? undefined : Buffer.isBuffer(body) ? new Uint8Array(body) : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json: any;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = text;
  }
  return { status: res.status, json, text, type: res.headers.get('content-type') };
}

beforeAll(async () => {
  const config = defaultConfig({ serviceCidr: '127.87.0.0/16', upstreamDns: [], stateDir: '/nonexistent' });
  const store = new ObjectStore({ historySize: 5 });
  registerStrategies(store, config);
  bootstrap(store, config);
  api = await startApiServer({ store, host: '127.0.0.1', port: 0 });
});

afterAll(async () => {
  await api?.close();
});

const cm = (name: string, data: Record<string, string> = {}) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data });

describe('what kubectl needs from the API', () => {
  it('answers /apis with an APIGroupDiscoveryList when asked first, else the legacy APIGroupList', async () => {
    const agg = await req('GET', '/apis', undefined, { Accept: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json' });
    expect(agg.type).toBe('application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList');
    expect(agg.json.kind).toBe('APIGroupDiscoveryList');
    const legacy = await req('GET', '/apis', undefined, { Accept: 'application/json' });
    expect(legacy.json.kind).toBe('APIGroupList');
  });

  it('resumes a watch after a resourceVersion and answers 410 Expired for one older than the history', async () => {
    const first = await req('POST', '/api/v1/namespaces/default/configmaps', cm('w1'));
    const rv = first.json.metadata.resourceVersion;
    await req('POST', '/api/v1/namespaces/default/configmaps', cm('w2'));
    const resumed = await req('GET', `/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${rv}&timeoutSeconds=1`);
    expect(resumed.text.trim().split('\n').map((l) => JSON.parse(l)).map((e) => [e.type, e.object.metadata.name])).toEqual([['ADDED', 'w2']]);
    for (let i = 0; i < 8; i++) await req('POST', '/api/v1/namespaces/default/configmaps', cm(`filler${i}`));
    const gone = await req('GET', `/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${rv}&timeoutSeconds=1`);
    expect(gone.status).toBe(200);
    expect(gone.json).toMatchObject({ type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired' } });
  });

  it('rejects an update with a stale resourceVersion with 409 Conflict', async () => {
    const cur = (await req('GET', '/api/v1/namespaces/default/configmaps/w1')).json;
    await req('PUT', '/api/v1/namespaces/default/configmaps/w1', { ...cur, data: { a: '1' } });
    const stale = await req('PUT', '/api/v1/namespaces/default/configmaps/w1', { ...cur, data: { a: '2' } });
    expect(stale.status).toBe(409);
    expect(stale.json.message).toBe('Operation cannot be fulfilled on configmaps "w1": the object has been modified; please apply your changes to the latest version and try again');
  });

  it('server-side apply creates (201), records the manager, and reports conflicts (409)', async () => {
    const yaml = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa\ndata:\n  a: "1"\n';
    const created = await req('PATCH', '/api/v1/namespaces/default/configmaps/ssa?fieldManager=kubectl&force=false', yaml, { 'Content-Type': 'application/apply-patch+yaml' });
    expect(created.status).toBe(201);
    expect(created.json.metadata.managedFields).toEqual([expect.objectContaining({ manager: 'kubectl', operation: 'Apply', fieldsV1: { 'f:data': { 'f:a': {} } } })]);
    await req('PATCH', '/api/v1/namespaces/default/configmaps/ssa?fieldManager=kubectl-edit', { data: { a: '2' } }, { 'Content-Type': 'application/merge-patch+json' });
    const conflict = await req('PATCH', '/api/v1/namespaces/default/configmaps/ssa?fieldManager=kubectl', yaml, { 'Content-Type': 'application/apply-patch+yaml' });
    expect(conflict.status).toBe(409);
    expect(conflict.json.message).toBe('Apply failed with 1 conflict: conflict with "kubectl-edit" using v1: .data.a');
    const forced = await req('PATCH', '/api/v1/namespaces/default/configmaps/ssa?fieldManager=kubectl&force=true', yaml, { 'Content-Type': 'application/apply-patch+yaml' });
    expect(forced).toMatchObject({ status: 200, json: { data: { a: '1' } } });
  });

  it('decodes a protobuf body (client-go >= 1.32) and answers in JSON', async () => {
    // k8s\0 + Unknown{typeMeta{v1, Namespace}, raw: Namespace{metadata{name: pb}}}
    const s = (no: number, b: Buffer) => Buffer.concat([Buffer.from([(no << 3) | 2, b.length]), b]);
    const body = Buffer.concat([Buffer.from('k8s\0'), s(1, Buffer.concat([s(1, Buffer.from('v1')), s(2, Buffer.from('Namespace'))])), s(2, s(1, s(1, Buffer.from('pb'))))]);
    const r = await req('POST', '/api/v1/namespaces', body, { 'Content-Type': 'application/vnd.kubernetes.protobuf' });
    expect(r.status).toBe(201);
    expect(r.json).toMatchObject({ kind: 'Namespace', metadata: { name: 'pb' } });
  });
});
