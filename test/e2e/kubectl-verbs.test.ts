// The kubectl verbs the walkthrough and cascade files do not cover, with the newest real kubectl
// against a whole `kdp up` on 127.212-215.x: attach (WebSocket, stdin), run --rm -i, port-forward
// through the WebSocket tunnel (no SPDY fallback), diff, cp, wait, label/annotate, top's error on a
// cluster without metrics-server, api-resources/api-versions/version/cluster-info, taint/cordon,
// apply -k, proxy; and run --rm -i with every older kubectl installed (attach over SPDY).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import { rangeArgs, run, startKdp, type KdpCluster } from '../support/kdp.js';
import { findKubectls, forwardedPort, kubectlFor, type KubectlRunner } from '../support/kubectl.js';

const { found } = findKubectls();
const latest = found[0];
/** kubectl ≤ 1.29 attaches over SPDY (1.30+ over WebSocket); Debian's 1.20 and 1.27-1.29 where installed. */
const spdyAttach = found.filter((x) => x.minor > 0 && x.minor <= 29);
if (!latest) console.log('[kubectl verbs e2e] skipped: no real kubectl on this machine');

let k: KdpCluster;
let kc: KubectlRunner;
let tmp: string;

const ok = (args: string[], input?: string): Promise<string> => kc.ok(args, input);

function apply(name: string, yaml: string): Promise<string> {
  const file = join(tmp, `${name}.yaml`);
  writeFileSync(file, yaml);
  return ok(['apply', '-f', file]);
}

function hostPod(name: string, script: string, extra = ''): string {
  return `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
spec:
  restartPolicy: Never
  containers:
  - name: main
    image: busybox
    command: ["sh", "-c", ${JSON.stringify(script)}]
${extra}`;
}

beforeAll(async () => {
  if (!latest) return;
  tmp = mkdtempSync(join(tmpdir(), 'kdp-verbs-'));
  k = await startKdp({ slot: 0, extraArgs: rangeArgs(212, 'verbs') });
  kc = kubectlFor(latest, k.stateDir);
  await apply('web', `apiVersion: v1
kind: Pod
metadata:
  name: web
  labels: {app: web}
spec:
  containers:
  - name: nginx
    image: nginx:1.25
    ports: [{containerPort: 80}]
`);
  await ok(['wait', '--for=condition=Ready', 'pod/web', '--timeout=40s']);
}, 90_000);

afterAll(async () => {
  kc?.dispose();
  await k?.stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe.skipIf(!latest)(`kubectl ${latest?.label} verbs`, () => {
  it('attach -i: the main process gets stdin, its output comes back; stdinOnce closes stdin at EOF', async () => {
    await apply('echoer', hostPod('echoer', 'echo started; while read line; do echo "got $line"; done; echo bye', '    stdin: true\n    stdinOnce: true\n'));
    await ok(['wait', '--for=condition=Ready', 'pod/echoer', '--timeout=30s']);
    const r = await kc(['attach', '-i', 'echoer', '-c', 'main'], { input: 'hello\nworld\n' });
    expect(r.stderr).not.toMatch(/Error from server|falling back/);
    expect(r.stdout).toContain('started\ngot hello\ngot world\nbye\n');
    expect(r.code).toBe(0);
    await eventually(async () => expect((await ok(['get', 'pod', 'echoer', '-o', 'jsonpath={.status.phase}']))).toBe('Succeeded'), { timeout: 15_000, what: 'echoer Succeeded' });
  });

  it('attach without stdin: output from now on, not the lines printed before', async () => {
    await apply('ticker', hostPod('ticker', 'i=0; while true; do i=$((i+1)); echo "tick $i"; sleep 0.2; done'));
    await ok(['wait', '--for=condition=Ready', 'pod/ticker', '--timeout=30s']);
    await eventually(async () => expect(await ok(['logs', 'ticker'])).toContain('tick 3'), { what: 'ticker ticking' });
    const att = kc.spawn(['attach', 'ticker']);
    try {
      const ticks = await eventually(() => {
        const seen = [...att.output().matchAll(/^tick (\d+)$/gm)].map((m) => Number(m[1]));
        if (seen.length < 3) throw new Error(`attach printed: ${att.output()}`);
        return seen;
      }, { timeout: 15_000, what: 'attach streams ticks' });
      expect(ticks[0]).toBeGreaterThan(3);
      expect(ticks).toEqual(ticks.map((_, i) => ticks[0] + i));
    } finally {
      await att.stop();
    }
    await ok(['delete', 'pod', 'ticker', '--grace-period=1']);
  });

  it("run --rm -i --restart=Never: prints the container's output (and reads stdin), then deletes the pod", async () => {
    const r = await kc(['run', 'hi', '--rm', '-i', '--restart=Never', '--image=busybox', '--', 'sh', '-c', 'cat >/dev/null; echo hi'], { timeout: 60_000 }); // waits for the attached stdin's end: no race with a quick exit
    expect(r.stderr).not.toMatch(/Error from server|falling back/);
    expect(r.stdout).toMatch(/^hi\n/);
    expect(r.stdout).toMatch(/pod "hi" deleted/);
    expect(r.code).toBe(0);
    const gone = await kc(['get', 'pod', 'hi']);
    expect(gone.stderr).toContain('Error from server (NotFound): pods "hi" not found');

    const withInput = await kc(['run', 'reader', '--rm', '-i', '--restart=Never', '--image=busybox', '--', 'sh', '-c', 'read a; echo "got $a"; exit 3'], { input: 'hello\n', timeout: 60_000 });
    expect(withInput.stdout).toMatch(/^got hello\n/);
    expect(withInput.code).toBe(3); // the pod's exit code, read off its status
  });

  it('port-forward goes through the WebSocket tunnel (SPDY/3.1+portforward.k8s.io), no SPDY fallback', async () => {
    const pf = kc.spawn(['port-forward', 'pod/web', ':80', '-v=4']);
    try {
      const port = await forwardedPort(pf, 80);
      for (let i = 0; i < 3; i++) {
        const r = await run('curl', ['-s', '-m', '5', `http://127.0.0.1:${port}/`]);
        expect(r.stdout).toContain('<title>Welcome to nginx!</title>');
      }
      expect(pf.output()).toMatch(/negotiated protocol: portforward\.k8s\.io|Negotiation complete/);
      expect(pf.output()).not.toMatch(/fallback/i);
    } finally {
      await pf.stop();
    }
  });

  it('diff: exit 1 with a unified diff of what apply would change, 0 when nothing would', async () => {
    const cm = (v: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  mode: ${v}\n`;
    await apply('settings', cm('blue'));
    const file = join(tmp, 'settings-next.yaml');
    writeFileSync(file, cm('green'));
    const changed = await kc(['diff', '-f', file]);
    expect(changed.code).toBe(1);
    expect(changed.stdout).toMatch(/^-\s+mode: blue$/m);
    expect(changed.stdout).toMatch(/^\+\s+mode: green$/m);
    // dry run only: nothing was written
    expect(await ok(['get', 'configmap', 'settings', '-o', 'jsonpath={.data.mode}'])).toBe('blue');
    writeFileSync(file, cm('blue'));
    const same = await kc(['diff', '-f', file]);
    expect(same).toMatchObject({ code: 0, stdout: '' });
  });

  it('cp: a file into a pod and back out (tar over exec)', async () => {
    await apply('files', `${hostPod('files', 'sleep infinity')}    volumeMounts: [{name: data, mountPath: /data}]
  volumes: [{name: data, emptyDir: {}}]
`);
    await ok(['wait', '--for=condition=Ready', 'pod/files', '--timeout=30s']);
    const src = join(tmp, 'in.txt');
    writeFileSync(src, 'copied by kubectl cp\nline 2\n');
    await ok(['cp', src, 'files:/data/in.txt']);
    expect(await ok(['exec', 'files', '--', 'cat', '/data/in.txt'])).toBe('copied by kubectl cp\nline 2\n');
    const back = join(tmp, 'back.txt');
    await ok(['cp', 'files:/data/in.txt', back]);
    expect(readFileSync(back, 'utf8')).toBe('copied by kubectl cp\nline 2\n');
    await ok(['delete', 'pod', 'files', '--grace-period=1']);
  });

  it('wait: conditions, jsonpath, delete', async () => {
    expect(await ok(['wait', '--for=condition=Ready', 'pod/web', '--timeout=10s'])).toBe('pod/web condition met\n');
    expect(await ok(['wait', '--for=jsonpath={.status.phase}=Running', 'pod/web', '--timeout=10s'])).toBe('pod/web condition met\n');
    const timedOut = await kc(['wait', '--for=condition=Ready', 'pod/web', '--for=jsonpath={.status.phase}=Failed', '--timeout=1s']);
    expect(timedOut.code).not.toBe(0);
    // --for=delete: a finalizer holds the object until kubectl is watching it, then lets it go.
    await apply('doomed', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: doomed\n  finalizers: [kdp.test/hold]\n');
    await ok(['delete', 'configmap', 'doomed', '--wait=false']);
    const waiter = kc.spawn(['wait', '--for=delete', 'configmap/doomed', '--timeout=30s', '-v=6']);
    try {
      await eventually(() => expect(waiter.output()).toMatch(/url="https:[^"]+\/configmaps\?[^"]*watch=true"/), { what: 'kubectl wait watching' });
      expect(waiter.output()).not.toContain('condition met');
      await ok(['patch', 'configmap', 'doomed', '--type=merge', '-p', '{"metadata":{"finalizers":null}}']);
      await eventually(() => expect(waiter.output()).toContain('configmap/doomed condition met'), { what: 'wait --for=delete returns' });
    } finally {
      await waiter.stop();
    }
  });

  it('label and annotate: add, select by, refuse to overwrite, remove', async () => {
    expect(await ok(['label', 'pod', 'web', 'tier=front'])).toBe('pod/web labeled\n');
    expect(await ok(['get', 'pods', '-l', 'tier=front', '-o', 'name'])).toBe('pod/web\n');
    const clash = await kc(['label', 'pod', 'web', 'tier=back']);
    expect(clash.code).toBe(1);
    expect(clash.stderr).toContain("'tier' already has a value (front), and --overwrite is false");
    expect(await ok(['label', 'pod', 'web', 'tier=back', '--overwrite'])).toBe('pod/web labeled\n');
    expect(await ok(['label', 'pod', 'web', 'tier-'])).toBe('pod/web unlabeled\n');
    expect(await ok(['get', 'pods', '-l', 'tier', '-o', 'name'])).toBe('');
    expect(await ok(['annotate', 'pod', 'web', 'note=hello world'])).toBe('pod/web annotated\n');
    expect(await ok(['get', 'pod', 'web', '-o', 'jsonpath={.metadata.annotations.note}'])).toBe('hello world');
    expect(await ok(['annotate', 'pod', 'web', 'note-'])).toBe('pod/web annotated\n');
    expect(await ok(['get', 'pod', 'web', '-o', 'jsonpath={.metadata.annotations.note}'])).toBe('');
  });

  it('top: "Metrics API not available", as a cluster without metrics-server', async () => {
    for (const what of [['pods'], ['nodes']]) {
      const r = await kc(['top', ...what]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('error: Metrics API not available');
    }
  });

  it('api-resources, api-versions, version, cluster-info', async () => {
    const resources = await ok(['api-resources']);
    expect(resources).toMatch(/^NAME\s+SHORTNAMES\s+APIVERSION\s+NAMESPACED\s+KIND$/m);
    expect(resources).toMatch(/^pods\s+po\s+v1\s+true\s+Pod$/m);
    expect(resources).toMatch(/^deployments\s+deploy\s+apps\/v1\s+true\s+Deployment$/m);
    expect(await ok(['api-resources', '--namespaced=false', '-o', 'name'])).toMatch(/^nodes$/m);
    const versions = (await ok(['api-versions'])).trim().split('\n');
    expect(versions).toEqual(expect.arrayContaining(['v1', 'apps/v1', 'batch/v1', 'rbac.authorization.k8s.io/v1']));
    const v = JSON.parse(await ok(['version', '-o', 'json']));
    expect(v.serverVersion.major).toBe('1');
    expect(v.serverVersion.gitVersion).toMatch(/^v1\.\d+\.\d+/);
    expect(await ok(['cluster-info'])).toContain(`Kubernetes control plane is running at ${k.apiUrl}`);
  });

  it('taint and cordon/uncordon a node', async () => {
    const node = (await ok(['get', 'nodes', '-o', 'jsonpath={.items[0].metadata.name}'])).trim();
    expect(await ok(['taint', 'node', node, 'dedicated=test:NoSchedule'])).toBe(`node/${node} tainted\n`);
    expect(await ok(['get', 'node', node, '-o', 'jsonpath={.spec.taints[*].key}'])).toContain('dedicated');
    expect(await ok(['taint', 'node', node, 'dedicated=test:NoSchedule-'])).toBe(`node/${node} untainted\n`);
    expect(await ok(['cordon', node])).toBe(`node/${node} cordoned\n`);
    expect(await ok(['get', 'node', node, '-o', 'jsonpath={.spec.unschedulable}'])).toBe('true');
    expect(await ok(['uncordon', node])).toBe(`node/${node} uncordoned\n`);
  });

  it('apply -k: a kustomization (kubectl\'s built-in kustomize)', async () => {
    const dir = join(tmp, 'kustomize');
    mkdirSync(dir);
    writeFileSync(join(dir, 'kustomization.yaml'), 'namePrefix: k-\ncommonLabels:\n  via: kustomize\nconfigMapGenerator:\n- name: generated\n  literals: [color=red]\nresources: [cm.yaml]\n');
    writeFileSync(join(dir, 'cm.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: plain\ndata:\n  x: "1"\n');
    const out = await ok(['apply', '-k', dir]);
    expect(out).toMatch(/^configmap\/k-generated-[a-z0-9]+ created$/m);
    expect(out).toMatch(/^configmap\/k-plain created$/m);
    expect(await ok(['get', 'configmaps', '-l', 'via=kustomize', '-o', 'name'])).toMatch(/configmap\/k-generated-[a-z0-9]+\nconfigmap\/k-plain\n/);
  });

  it('proxy: the API through kubectl proxy on a local port', async () => {
    const proxy = kc.spawn(['proxy', '--port=0', '--address=127.0.0.1']);
    try {
      const port = await eventually(() => proxy.output().match(/Starting to serve on 127\.0\.0\.1:(\d+)/)![1], { what: 'kubectl proxy serving' });
      const r = await run('curl', ['-s', '-m', '5', `http://127.0.0.1:${port}/api/v1/namespaces/default/pods/web`]);
      expect(JSON.parse(r.stdout)).toMatchObject({ kind: 'Pod', metadata: { name: 'web' } });
    } finally {
      await proxy.stop();
    }
  });

  it('drain: evicts the selected pods (pods/eviction), cordons the node; a PodDisruptionBudget with nothing to spare answers 429', async () => {
    await apply('drainme', `apiVersion: apps/v1
kind: Deployment
metadata:
  name: drainme
spec:
  replicas: 2
  selector: {matchLabels: {app: drainme}}
  template:
    metadata: {labels: {app: drainme}}
    spec:
      containers:
      - name: main
        image: busybox
        command: ["sleep", "infinity"]
`);
    await ok(['rollout', 'status', 'deployment/drainme', '--timeout=40s']);
    const pods = JSON.parse(await ok(['get', 'pods', '-l', 'app=drainme', '-o', 'json'])).items;
    const victim = pods[0];
    const node = victim.spec.nodeName;

    await apply('drainme-pdb', 'apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata:\n  name: drainme\nspec:\n  minAvailable: 2\n  selector: {matchLabels: {app: drainme}}\n');
    const refused = await k.fetch(`/api/v1/namespaces/default/pods/${victim.metadata.name}/eviction`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: victim.metadata.name, namespace: 'default' } }),
    });
    expect(refused.status).toBe(429);
    expect(await refused.json()).toMatchObject({ reason: 'TooManyRequests', message: "Cannot evict pod as it would violate the pod's disruption budget.", details: { causes: [{ reason: 'DisruptionBudget', message: 'The disruption budget drainme needs 2 healthy pods and has 2 currently' }] } });
    await ok(['delete', 'pdb', 'drainme']);

    const onNode = pods.filter((p: any) => p.spec.nodeName === node).map((p: any) => p.metadata.name);
    const out = await ok(['drain', node, '--ignore-daemonsets', '--pod-selector=app=drainme', '--grace-period=1', '--timeout=60s']);
    for (const name of onNode) expect(out).toContain(`evicting pod default/${name}`);
    expect(out).toContain(`node/${node} drained`);
    expect(await ok(['get', 'node', node, '-o', 'jsonpath={.spec.unschedulable}'])).toBe('true');
    const left = (await ok(['get', 'pods', '-l', 'app=drainme', '-o', 'jsonpath={.items[*].metadata.name}'])).split(' ');
    for (const name of onNode) expect(left).not.toContain(name);
    await ok(['uncordon', node]);
    await ok(['delete', 'deployment', 'drainme']);
  });

  it('autoscale: an autoscaling/v2 HorizontalPodAutoscaler for the Deployment', async () => {
    await apply('scaled', `apiVersion: apps/v1
kind: Deployment
metadata:
  name: scaled
spec:
  replicas: 1
  selector: {matchLabels: {app: scaled}}
  template:
    metadata: {labels: {app: scaled}}
    spec:
      containers:
      - {name: nginx, image: nginx:1.25}
`);
    expect(await ok(['autoscale', 'deployment', 'scaled', '--min=1', '--max=3', '--cpu-percent=50'])).toBe('horizontalpodautoscaler.autoscaling/scaled autoscaled\n');
    const hpa = JSON.parse(await ok(['get', 'hpa', 'scaled', '-o', 'json']));
    expect(hpa).toMatchObject({
      apiVersion: 'autoscaling/v2',
      spec: { minReplicas: 1, maxReplicas: 3, scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'scaled' }, metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }] },
    });
    expect(await ok(['get', 'hpa', 'scaled'])).toMatch(/^NAME\s+REFERENCE\s+TARGETS\s+MINPODS\s+MAXPODS\s+REPLICAS\s+AGE\nscaled\s+Deployment\/scaled\s+cpu: <unknown>\/50%\s+1\s+3\s+0\s+\d+s\n$/);
    await ok(['delete', 'hpa', 'scaled']);
    await ok(['delete', 'deployment', 'scaled']);
  });

  it('debug --copy-to: a copy of the pod with a debugging container beside its own', async () => {
    const out = await ok(['debug', 'web', '--copy-to=web-debug', '--image=busybox', '--container=debugger', '--', 'sleep', 'infinity']);
    expect(out).toBe('');
    await ok(['wait', '--for=condition=Ready', 'pod/web-debug', '--timeout=30s']);
    const copy = JSON.parse(await ok(['get', 'pod', 'web-debug', '-o', 'json']));
    expect(copy.spec.containers.map((c: any) => `${c.name}=${c.image}`)).toEqual(['nginx=nginx:1.25', 'debugger=busybox']);
    expect(await ok(['exec', 'web-debug', '-c', 'debugger', '--', 'echo', 'in the copy'])).toBe('in the copy\n');
    await ok(['delete', 'pod', 'web-debug', '--grace-period=1']);
  });
});

describe.skipIf(!spdyAttach.length)('attach over SPDY (kubectl ≤ 1.29)', () => {
  for (const x of spdyAttach) {
    it(`kubectl ${x.label}: run --rm -i prints the output and reads stdin`, async () => {
      const old = kubectlFor(x, k.stateDir);
      try {
        const name = `spdy-${x.label.replace('.', '-')}`;
        const r = await old(['run', name, '--rm', '-i', '--restart=Never', '--image=busybox', '--', 'sh', '-c', 'read a; echo "got $a"'], { input: 'over spdy\n', timeout: 60_000 });
        expect(r.stderr).not.toMatch(/Error from server|falling back/);
        expect(r.stdout).toMatch(/^got over spdy\n/);
        expect(r.stdout).toMatch(new RegExp(`pod "${name}" deleted`));
        expect(r.code).toBe(0);
      } finally {
        old.dispose();
      }
    });
  }
});
