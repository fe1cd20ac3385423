// The official JavaScript client (@kubernetes/client-node, newest major, a devDependency) against a
// whole `kdp up` on 127.208-211.x, loading the kubeconfig kdp wrote as it is: CRUD and its errors,
// Watch, an informer, Exec (stdin, exit status), Attach, Log follow, PortForward (WebSocket channels).
import net from 'node:net';
import { PassThrough, Readable } from 'node:stream';
import {
  ApiException, Attach, CoreV1Api, Exec, KubeConfig, Log, PatchStrategy, PortForward, Watch, makeInformer, setHeaderOptions,
  type V1ConfigMap, type V1Pod, type V1Status,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, until } from '../support/eventually.js';
import { rangeArgs, run, startKdp, type KdpCluster } from '../support/kdp.js';

const NS = 'default';
let k: KdpCluster;
let kc: KubeConfig;
let api: CoreV1Api;

function collect(): { stream: PassThrough; text: () => string; ended: Promise<void> } {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (c) => (text += c));
  const ended = new Promise<void>((r) => stream.once('end', () => r()));
  return { stream, text: () => text, ended };
}

function hostPod(name: string, script: string, extra: Record<string, unknown> = {}): V1Pod {
  return { metadata: { name }, spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox', command: ['sh', '-c', script], ...extra }] } };
}

async function ready(name: string): Promise<void> {
  await until(async () => {
    const p = await api.readNamespacedPod({ name, namespace: NS });
    return p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
  }, `pod ${name} Ready`, 30_000);
}

async function apiError(p: Promise<unknown>): Promise<{ code: number; reason?: string; message?: string }> {
  try {
    await p;
  } catch (err) {
    if (!(err instanceof ApiException)) throw err;
    const body = typeof err.body === 'string' ? JSON.parse(err.body) : err.body;
    return { code: err.code, reason: body?.reason, message: body?.message };
  }
  throw new Error('no error');
}

beforeAll(async () => {
  k = await startKdp({ slot: 0, extraArgs: rangeArgs(208, 'javascript') });
  kc = new KubeConfig();
  kc.loadFromFile(k.kubeconfig);
  api = kc.makeApiClient(CoreV1Api);
}, 60_000);

afterAll(async () => {
  await k?.stop();
});

describe('the JavaScript client, unmodified, on the kubeconfig kdp wrote', () => {
  it('CRUD: create, AlreadyExists, merge patch, Conflict on a stale replace, list by label, delete, NotFound', async () => {
    const cm: V1ConfigMap = { metadata: { name: 'js-cm', labels: { from: 'js' } }, data: { a: '1' } };
    const created = await api.createNamespacedConfigMap({ namespace: NS, body: cm });
    expect(created.metadata?.uid).toBeTruthy();
    expect(await apiError(api.createNamespacedConfigMap({ namespace: NS, body: cm }))).toEqual({ code: 409, reason: 'AlreadyExists', message: 'configmaps "js-cm" already exists' });
    const stale = await api.readNamespacedConfigMap({ name: 'js-cm', namespace: NS });
    const patched = await api.patchNamespacedConfigMap({ name: 'js-cm', namespace: NS, body: { data: { b: '2' } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    expect(patched.data).toEqual({ a: '1', b: '2' });
    const conflict = await apiError(api.replaceNamespacedConfigMap({ name: 'js-cm', namespace: NS, body: { ...stale, data: { a: 'stale' } } }));
    expect(conflict).toMatchObject({ code: 409, reason: 'Conflict' });
    const fresh = await api.readNamespacedConfigMap({ name: 'js-cm', namespace: NS });
    expect((await api.replaceNamespacedConfigMap({ name: 'js-cm', namespace: NS, body: { ...fresh, data: { a: '10' } } })).data).toEqual({ a: '10' });
    const list = await api.listNamespacedConfigMap({ namespace: NS, labelSelector: 'from=js' });
    expect(list.items.map((i) => i.metadata?.name)).toEqual(['js-cm']);
    expect(list.metadata?.resourceVersion).toBeTruthy();
    await api.deleteNamespacedConfigMap({ name: 'js-cm', namespace: NS });
    expect(await apiError(api.readNamespacedConfigMap({ name: 'js-cm', namespace: NS }))).toEqual({ code: 404, reason: 'NotFound', message: 'configmaps "js-cm" not found' });
  });

  it('Watch: ADDED, MODIFIED, DELETED as they happen, and done() when aborted', async () => {
    const seen: string[] = [];
    let done: unknown = 'not yet';
    const ctl = await new Watch(kc).watch(`/api/v1/namespaces/${NS}/configmaps`, { labelSelector: 'w=js' }, (type, obj) => seen.push(`${type} ${obj.metadata.name} ${obj.data?.k ?? ''}`.trim()), (err) => (done = err));
    try {
      await api.createNamespacedConfigMap({ namespace: NS, body: { metadata: { name: 'js-w', labels: { w: 'js' } } } });
      await until(() => seen.includes('ADDED js-w'), 'ADDED seen');
      await api.patchNamespacedConfigMap({ name: 'js-w', namespace: NS, body: { data: { k: 'v' } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
      await until(() => seen.includes('MODIFIED js-w v'), 'MODIFIED seen');
      await api.deleteNamespacedConfigMap({ name: 'js-w', namespace: NS });
      await until(() => seen.some((s) => s.startsWith('DELETED js-w')), 'DELETED seen');
      expect(seen).toEqual(['ADDED js-w', 'MODIFIED js-w v', 'DELETED js-w v']);
    } finally {
      ctl.abort();
    }
    await until(() => done !== 'not yet', 'watch done');
  });

  it('informer: list then watch; add, update, delete handlers and its cache', async () => {
    await api.createNamespacedConfigMap({ namespace: NS, body: { metadata: { name: 'js-i1', labels: { i: 'js' } } } });
    const informer = makeInformer(kc, `/api/v1/namespaces/${NS}/configmaps`, () => api.listNamespacedConfigMap({ namespace: NS, labelSelector: 'i=js' }), 'i=js');
    const seen: string[] = [];
    informer.on('add', (o) => seen.push(`add ${o.metadata?.name}`));
    informer.on('update', (o) => seen.push(`update ${o.metadata?.name}`));
    informer.on('delete', (o) => seen.push(`delete ${o.metadata?.name}`));
    await informer.start();
    try {
      await until(() => seen.includes('add js-i1'), 'initial add');
      await api.createNamespacedConfigMap({ namespace: NS, body: { metadata: { name: 'js-i2', labels: { i: 'js' } } } });
      await until(() => seen.includes('add js-i2'), 'add js-i2');
      await api.patchNamespacedConfigMap({ name: 'js-i2', namespace: NS, body: { data: { x: '1' } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
      await until(() => seen.includes('update js-i2'), 'update js-i2');
      expect(informer.get('js-i2', NS)?.data).toEqual({ x: '1' });
      await api.deleteNamespacedConfigMap({ name: 'js-i1', namespace: NS });
      await until(() => seen.includes('delete js-i1'), 'delete js-i1');
      expect(informer.list(NS).map((o) => o.metadata?.name)).toEqual(['js-i2']);
    } finally {
      await informer.stop();
    }
  });

  it('Exec: stdout and stderr apart, stdin, and the exit status (NonZeroExitCode)', async () => {
    await api.createNamespacedPod({ namespace: NS, body: hostPod('js-shell', 'sleep infinity') });
    await ready('js-shell');
    const out = collect();
    const err = collect();
    const status = await new Promise<V1Status>((resolve, reject) => {
      new Exec(kc).exec(NS, 'js-shell', 'main', ['sh', '-c', 'read a; echo "got $a"; echo oops >&2; exit 2'], out.stream, err.stream, Readable.from(['typed\n']), false, resolve).catch(reject);
    });
    expect(status).toMatchObject({ status: 'Failure', reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: '2' }] } });
    expect(out.text()).toBe('got typed\n');
    expect(err.text()).toBe('oops\n');
    const ok = collect();
    const success = await new Promise<V1Status>((resolve, reject) => {
      new Exec(kc).exec(NS, 'js-shell', 'main', ['echo', 'hi'], ok.stream, null, null, false, resolve).catch(reject);
    });
    expect(success.status).toBe('Success');
    expect(ok.text()).toBe('hi\n');
  });

  it("Attach: the main process's stdin and output (stdin: true, stdinOnce)", async () => {
    await api.createNamespacedPod({ namespace: NS, body: hostPod('js-attach', 'echo started; while read l; do echo "got $l"; done; echo bye', { stdin: true, stdinOnce: true }) });
    await ready('js-attach');
    const out = collect();
    const ws = await new Attach(kc).attach(NS, 'js-attach', 'main', out.stream, null, Readable.from(['one\n', 'two\n']), false);
    await eventually(() => expect(out.text()).toBe('started\ngot one\ngot two\nbye\n'), { timeout: 15_000, what: 'attach output' });
    ws.close();
    await until(async () => (await api.readNamespacedPod({ name: 'js-attach', namespace: NS })).status?.phase === 'Succeeded', 'js-attach Succeeded', 15_000);
  });

  it('Log: follow streams lines while the container runs and ends with it', async () => {
    await api.createNamespacedPod({ namespace: NS, body: hostPod('js-logger', 'echo line 1; sleep 1; echo line 2') });
    await until(async () => ['Running', 'Succeeded'].includes((await api.readNamespacedPod({ name: 'js-logger', namespace: NS })).status?.phase ?? ''), 'js-logger started');
    const out = collect();
    await new Log(kc).log(NS, 'js-logger', 'main', out.stream, { follow: true });
    await until(() => out.text().includes('line 1'), 'first line');
    const phase = (await api.readNamespacedPod({ name: 'js-logger', namespace: NS })).status?.phase;
    await out.ended;
    expect(out.text()).toBe('line 1\nline 2\n');
    expect(phase).toBe('Running');
  });

  it('PortForward: a local listener forwarding each connection to the pod over WebSocket', async () => {
    await api.createNamespacedPod({ namespace: NS, body: { metadata: { name: 'js-web' }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.25', ports: [{ containerPort: 80 }] }] } } });
    await ready('js-web');
    const forward = new PortForward(kc);
    const errors: string[] = [];
    const server = net.createServer((socket) => {
      const err = new PassThrough();
      err.on('data', (c) => errors.push(String(c)));
      forward.portForward(NS, 'js-web', [80], socket, err, socket).catch((e) => errors.push(String(e)));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    try {
      const port = (server.address() as net.AddressInfo).port;
      for (let i = 0; i < 2; i++) {
        const r = await run('curl', ['-s', '-m', '5', '-H', 'Connection: close', `http://127.0.0.1:${port}/`]);
        expect(r.stdout).toContain('<title>Welcome to nginx!</title>');
      }
      expect(errors).toEqual([]);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
