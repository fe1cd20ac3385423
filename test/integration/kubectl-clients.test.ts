// Real kubectl against the API server and the controllers (no pod runtime; replicas 0, so no pods),
// on 127.62.0.2. `kubectl delete --cascade=foreground|orphan|background` plays out as the garbage
// collector does it. `kubectl rollout undo` copies an old ReplicaSet's template back into the Deployment
// (with `creationTimestamp: null` and `resources: {}` from its Go types), and the Deployment controller
// must revive that ReplicaSet, as EqualIgnoreHash does, instead of creating a new one.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootstrap } from '../../src/api/bootstrap.js';
import { defaultConfig } from '../../src/api/config.js';
import { InformerFactory } from '../../src/api/informer.js';
import { startApiServer, type ApiServer } from '../../src/api/server.js';
import { ObjectStore } from '../../src/api/store.js';
import { registerStrategies } from '../../src/api/strategies/index.js';
import { GR, type KObject } from '../../src/api/types.js';
import { kubeconfigYaml } from '../../src/cli/kubeconfig.js';
import { startControllers } from '../../src/controllers/index.js';
import { eventually } from '../support/eventually.js';
import { findKubectls, kubectlFor, type KubectlRunner } from '../support/kubectl.js';

const latest = findKubectls().found[0];
if (!latest) console.log('[kubectl rollout] skipped: no real kubectl on this machine');

let api: ApiServer;
let store: ObjectStore;
let informers: InformerFactory;
let stopControllers: (() => Promise<void>) | undefined;
let stateDir: string;
let kc: KubectlRunner;

async function ok(args: string[]): Promise<string> {
  const r = await kc(args);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} exited ${r.code}: ${r.stderr}${r.stdout}`);
  return r.stdout;
}

const replicaSets = (): KObject[] => store.list(GR.replicasets, { namespace: 'default' }).items.filter((rs) => rs.metadata.ownerReferences?.[0]?.name === 'web');
const imageOf = (rs: KObject): string => rs.spec.template.spec.containers[0].image;
const revisionOf = (o: KObject): string | undefined => o.metadata.annotations?.['deployment.kubernetes.io/revision'];

beforeAll(async () => {
  if (!latest) return;
  const config = defaultConfig({ serviceCidr: '127.62.112.0/20', upstreamDns: [], stateDir: '/nonexistent' });
  store = new ObjectStore();
  registerStrategies(store, config);
  bootstrap(store, config);
  informers = new InformerFactory(store);
  stopControllers = (await startControllers({ store, informers, config })).stop;
  api = await startApiServer({ store, host: '127.62.0.2', port: 0 });
  stateDir = mkdtempSync(join(tmpdir(), 'kdp-rollout-'));
  writeFileSync(join(stateDir, 'kubeconfig'), kubeconfigYaml(api.url), { mode: 0o600 });
  kc = kubectlFor(latest, stateDir);
}, 30_000);

afterAll(async () => {
  kc?.dispose();
  await stopControllers?.();
  informers?.stop();
  await api?.close();
  if (stateDir) rmSync(stateDir, { recursive: true, force: true });
});

describe.skipIf(!latest)(`kubectl ${latest?.label} rollout undo`, () => {
  it('revives the old ReplicaSet (revision moves to it) and history reads 1 3 4', async () => {
    await ok(['create', 'deployment', 'web', '--image=nginx:1.0', '--replicas=0']);
    await eventually(() => expect(replicaSets().map(imageOf)).toEqual(['nginx:1.0']));
    await ok(['set', 'image', 'deployment/web', 'nginx=nginx:1.1']);
    await eventually(() => expect(replicaSets().map(imageOf).sort()).toEqual(['nginx:1.0', 'nginx:1.1']));
    await ok(['set', 'image', 'deployment/web', 'nginx=nginx:1.2']);
    await eventually(() => expect(replicaSets().map(imageOf).sort()).toEqual(['nginx:1.0', 'nginx:1.1', 'nginx:1.2']));
    const before = new Map(replicaSets().map((rs) => [imageOf(rs), rs.metadata.name]));
    await eventually(() => expect(revisionOf(store.get(GR.deployments, 'default', 'web'))).toBe('3'));

    expect(await ok(['rollout', 'undo', 'deployment/web', '--to-revision=2'])).toBe('deployment.apps/web rolled back\n');
    await eventually(() => {
      const rss = replicaSets();
      const revived = rss.find((rs) => imageOf(rs) === 'nginx:1.1')!;
      expect(revisionOf(revived)).toBe('4');
      expect(revived.metadata.annotations?.['deployment.kubernetes.io/revision-history']).toBe('2');
      expect(revisionOf(store.get(GR.deployments, 'default', 'web'))).toBe('4');
      // the same three ReplicaSets, under the same names: none was created for the copied-back template
      expect(rss.map((rs) => rs.metadata.name).sort()).toEqual([...before.values()].sort());
    });
    const history = await ok(['rollout', 'history', 'deployment/web']);
    const revisions = history.split('\n').filter((l) => /^\d+\s/.test(l)).map((l) => l.split(/\s+/)[0]);
    expect(revisions).toEqual(['1', '3', '4']);
    const rev4 = await ok(['rollout', 'history', 'deployment/web', '--revision=4']);
    expect(rev4).toContain('nginx:1.1');
  });
});

describe.skipIf(!latest)(`kubectl ${latest?.label} delete --cascade`, () => {
  const deploy = async (name: string) => {
    await ok(['create', 'deployment', name, '--image=nginx:1.0', '--replicas=0']);
    await eventually(() => expect(store.list(GR.replicasets, { namespace: 'default' }).items.filter((rs) => rs.metadata.ownerReferences?.[0]?.name === name)).toHaveLength(1));
    return store.list(GR.replicasets, { namespace: 'default' }).items.find((rs) => rs.metadata.ownerReferences?.[0]?.name === name)!;
  };

  it('foreground: the Deployment waits, marked foregroundDeletion, until its ReplicaSet is gone', async () => {
    const rs = await deploy('fg');
    const seen: string[] = [];
    const stop = store.watch('*', {}, (ev) => {
      const m = ev.object.metadata;
      if (m.name === 'fg' && ev.gr === GR.deployments) seen.push(`${ev.type} deployment ${m.deletionTimestamp ? 'deleting' : ''} ${(m.finalizers ?? []).join(',')}`.trim());
      if (m.name === rs.metadata.name) seen.push(`${ev.type} replicaset`);
    });
    try {
      expect(await ok(['delete', 'deployment', 'fg', '--cascade=foreground'])).toBe('deployment.apps "fg" deleted\n');
      await eventually(() => expect(seen.at(-1)).toBe('DELETED deployment deleting'));
      expect(seen[0]).toBe('MODIFIED deployment deleting foregroundDeletion');
      expect(seen.indexOf('DELETED replicaset')).toBeGreaterThan(0);
      expect(seen.indexOf('DELETED replicaset')).toBeLessThan(seen.length - 1);
    } finally {
      stop();
    }
  });

  it('orphan: the ReplicaSet stays, without the owner reference', async () => {
    const rs = await deploy('or');
    expect(await ok(['delete', 'deployment', 'or', '--cascade=orphan'])).toBe('deployment.apps "or" deleted\n');
    await eventually(() => expect(store.tryGet(GR.deployments, 'default', 'or')).toBeUndefined());
    const kept = store.get(GR.replicasets, 'default', rs.metadata.name);
    expect(kept.metadata.uid).toBe(rs.metadata.uid);
    expect(kept.metadata.ownerReferences).toBeUndefined();
    await ok(['delete', 'replicaset', rs.metadata.name]);
  });

  it('background (the default): the Deployment goes at once, its ReplicaSet after', async () => {
    const rs = await deploy('bg');
    expect(await ok(['delete', 'deployment', 'bg'])).toBe('deployment.apps "bg" deleted\n');
    await eventually(() => expect(store.tryGet(GR.replicasets, 'default', rs.metadata.name)).toBeUndefined());
  });
});

describe.skipIf(!latest)(`kubectl ${latest?.label} events`, () => {
  it('kubectl events, get events and get events.events.k8s.io show the same Events, whichever version wrote them', async () => {
    const regarding = { apiVersion: 'v1', kind: 'ConfigMap', name: 'ev-target', namespace: 'default' };
    store.create(GR.events, { apiVersion: 'v1', kind: 'Event', metadata: { name: 'ev-core', namespace: 'default' }, involvedObject: regarding, reason: 'CoreReason', message: 'written through core', type: 'Normal', source: { component: 'tester' }, firstTimestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z'), lastTimestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z'), count: 1 } as KObject);
    const manifest = join(stateDir, 'event.yaml');
    writeFileSync(manifest, `apiVersion: events.k8s.io/v1
kind: Event
metadata: {name: ev-v1, namespace: default}
eventTime: "${new Date().toISOString().replace('Z', '000Z')}"
reportingController: example.com/tester
reportingInstance: tester-1
action: Testing
reason: V1Reason
note: written through events.k8s.io
type: Warning
regarding: {apiVersion: v1, kind: ConfigMap, name: ev-target, namespace: default}
`);
    expect(await ok(['create', '-f', manifest])).toBe('event.events.k8s.io/ev-v1 created\n');
    const events = await ok(['events', '-n', 'default', '--for', 'configmap/ev-target']);
    expect(events).toContain('written through core');
    expect(events).toContain('written through events.k8s.io');
    const names = (out: string) => out.trim().split('\n').sort();
    const core = await ok(['get', 'events', '-o', 'name', '--field-selector', 'involvedObject.name=ev-target']);
    const v1 = await ok(['get', 'events.events.k8s.io', '-o', 'name']);
    expect(names(core)).toEqual(['event/ev-core', 'event/ev-v1']);
    expect(names(v1).filter((n) => n.includes('/ev-'))).toEqual(['event.events.k8s.io/ev-core', 'event.events.k8s.io/ev-v1']);
    const table = await ok(['get', 'events.events.k8s.io', 'ev-v1']);
    expect(table).toMatch(/LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+MESSAGE/);
    expect(table).toMatch(/Warning\s+V1Reason\s+configmap\/ev-target\s+written through events.k8s.io/);
  });
});

describe.skipIf(!latest)(`kubectl ${latest?.label} explain (OpenAPI v3)`, () => {
  it('explains a kind and a nested field with the descriptions of the Kubernetes API', async () => {
    const pods = await ok(['explain', 'pods']);
    expect(pods).toMatch(/KIND:\s+Pod\nVERSION:\s+v1\n/);
    expect(pods).toContain('Pod is a collection of containers that can run on a host.');
    expect(pods).toMatch(/spec\s+<PodSpec>/);
    const image = await ok(['explain', 'deployments.spec.template.spec.containers.image']);
    expect(image).toMatch(/GROUP:\s+apps\nKIND:\s+Deployment\nVERSION:\s+v1\n/);
    expect(image).toMatch(/FIELD: image <string>/);
    expect(image).toContain('Container image name.');
    const events = await ok(['explain', 'events.note', '--api-version=events.k8s.io/v1']);
    expect(events).toMatch(/FIELD: note <string>/);
  });

  it('apply keeps merging lists by key (the documents carry no paths, so kubectl patches from its own types)', async () => {
    const file = join(stateDir, 'apply.yaml');
    const manifest = (extra: string) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: applied}
spec:
  replicas: 0
  selector: {matchLabels: {app: applied}}
  template:
    metadata: {labels: {app: applied}}
    spec:
      containers:
      - name: main
        image: nginx${extra}
`;
    writeFileSync(file, manifest(''));
    expect(await ok(['apply', '-f', file])).toBe('deployment.apps/applied created\n');
    // someone else adds a sidecar; the next apply changes only the image and must keep it
    await ok(['patch', 'deployment', 'applied', '--type=strategic', '-p', '{"spec":{"template":{"spec":{"containers":[{"name":"side","image":"busybox"}]}}}}']);
    writeFileSync(file, manifest(':1.27'));
    expect(await ok(['apply', '-f', file])).toBe('deployment.apps/applied configured\n');
    const d = store.get(GR.deployments, 'default', 'applied');
    expect(d.spec.template.spec.containers.map((c: any) => `${c.name}=${c.image}`).sort()).toEqual(['main=nginx:1.27', 'side=busybox']);
  });
});
