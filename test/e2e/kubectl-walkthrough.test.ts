// Issue #7 end to end: the seed walkthrough, command by command, with REAL kubectl against a whole
// `kdp up` (slot 9), comparing kubectl's output with what a real cluster prints; then a shorter pass
// with every other kubectl installed (1.20 over SPDY exec, 1.27..1.32, the gcloud dispatcher).
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import { KDP_BIN, ROOT, run, startKdp, type KdpCluster } from '../support/kdp.js';
import { findKubectls, forwardedPort, kubectlFor, withoutAge, type KubectlRunner } from '../support/kubectl.js';

const SEED = join(ROOT, 'examples', 'seed');
const INGRESS_NGINX = resolve(ROOT, '..', 'shared', 'fixtures', 'ingress-nginx-controller-v1.5.1-cloud-deploy.yaml');
const { found, skipped } = findKubectls();
for (const s of skipped) console.log(`[kubectl e2e] skipped ${s}`);
const latest = found[0];
const others = found.slice(1);
if (!latest) console.log('[kubectl e2e] skipped: no real kubectl on this machine');

let k: KdpCluster;
let kc: KubectlRunner;
let tmp: string;

const ok = (args: string[], input?: string): Promise<string> => kc.ok(args, input);

beforeAll(async () => {
  if (!latest) return;
  tmp = mkdtempSync(join(tmpdir(), 'kdp-kubectl-'));
  k = await startKdp({ slot: 9 });
  kc = kubectlFor(latest, k.stateDir);
}, 60_000);

afterAll(async () => {
  kc?.dispose();
  await k?.stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe.skipIf(!latest)(`the seed walkthrough with kubectl ${latest?.label}`, () => {
  it('kdp up wrote a kubeconfig (context kdp) and `kdp kubeconfig` prints it', async () => {
    expect(k.output()).toContain(`export KUBECONFIG=${join(k.stateDir, 'kubeconfig')}`);
    const r = await k.kdp(['kubeconfig', '--state-dir', k.stateDir]);
    expect(r.stdout).toBe(readFileSync(join(k.stateDir, 'kubeconfig'), 'utf8'));
    expect((await ok(['config', 'current-context'])).trim()).toBe('kdp');
  });

  it('apply: created, unchanged, configured (strategic merge: lists merged by key)', async () => {
    const file = join(SEED, '01-nginx-deployment.yaml');
    expect(await ok(['apply', '-f', file])).toBe('deployment.apps/nginx created\n');
    expect(await ok(['apply', '-f', file])).toBe('deployment.apps/nginx unchanged\n');
    // the kdp CLI writes the same last-applied-configuration, so either tool sees the other's apply as unchanged
    expect((await k.kdp(['apply', '-f', file])).stdout).toBe('deployment.apps/nginx unchanged\n');
    const changed = join(tmp, 'nginx-changed.yaml');
    writeFileSync(changed, readFileSync(file, 'utf8').replace('image: nginx:stable', 'image: nginx:stable\n        ports:\n        - containerPort: 80\n        env:\n        - name: MODE\n          value: walkthrough'));
    expect(await ok(['apply', '-f', changed])).toBe('deployment.apps/nginx configured\n');
    const d = JSON.parse(await ok(['get', 'deployment', 'nginx', '-o', 'json']));
    expect(d.spec.template.spec.containers).toHaveLength(1);
    expect(d.spec.template.spec.containers[0].ports).toEqual([{ containerPort: 80, protocol: 'TCP' }]);
    expect(d.spec.template.spec.containers[0].env).toEqual([{ name: 'MODE', value: 'walkthrough' }]);
  });

  it('rollout status and wait --for=condition=Available', async () => {
    expect(await ok(['rollout', 'status', 'deployment', 'nginx', '--timeout', '30s'])).toMatch(/deployment "nginx" successfully rolled out\n$/);
    expect(await ok(['wait', '--for=condition=Available', 'deployment/nginx', '--timeout', '30s'])).toBe('deployment.apps/nginx condition met\n');
  });

  it('expose deployment nginx --name nginx --port 80; get service nginx', async () => {
    expect(await ok(['expose', 'deployment', 'nginx', '--name', 'nginx', '--port', '80'])).toBe('service/nginx exposed\n');
    const out = await ok(['get', 'service', 'nginx']);
    expect(out).toMatch(/^NAME\s+TYPE\s+CLUSTER-IP\s+EXTERNAL-IP\s+PORT\(S\)\s+AGE\nnginx\s+ClusterIP\s+127\.129\.\d+\.\d+\s+<none>\s+80\/TCP\s+\d+s\n$/);
  });

  it('curlpod: exec curl through the ClusterIP and the cluster DNS name; resolv.conf; exit codes; stdin', async () => {
    expect(await ok(['apply', '-f', join(SEED, '03-curlpod.yaml')])).toBe('pod/curlpod created\n');
    expect(await ok(['wait', '--for=condition=Ready', 'pod/curlpod', '--timeout', '30s'])).toBe('pod/curlpod condition met\n');
    const ip = (await ok(['get', 'service', 'nginx', '-o', 'jsonpath={.spec.clusterIP}'])).trim();
    expect(await ok(['exec', '-it', 'curlpod', '--', 'curl', '-s', ip])).toContain('<title>Welcome to nginx!</title>');
    await eventually(async () => expect(await ok(['exec', '-it', 'curlpod', '--', 'curl', '-s', 'nginx.default.svc.cluster.local'])).toContain('<title>Welcome to nginx!</title>'), { timeout: 10_000, what: 'curl via DNS' });
    expect(await ok(['exec', 'curlpod', '--', 'cat', '/etc/resolv.conf'])).toBe('nameserver 127.129.0.10\nsearch default.svc.cluster.local svc.cluster.local cluster.local\noptions ndots:5\n');
    const failed = await kc(['exec', 'curlpod', '--', 'sh', '-c', 'echo out; echo err >&2; exit 3']);
    expect(failed).toMatchObject({ code: 3, stdout: 'out\n' });
    expect(failed.stderr).toBe('err\ncommand terminated with exit code 3\n');
    expect(await ok(['exec', '-i', 'curlpod', '--', 'cat'], 'hello from stdin\n')).toBe('hello from stdin\n');
  });

  it('expose --type NodePort; the node port answers on the host address', async () => {
    expect(await ok(['expose', 'deployment', 'nginx', '--name', 'nginx-np', '--type', 'NodePort', '--port', '80'])).toBe('service/nginx-np exposed\n');
    const out = await ok(['get', 'service', 'nginx-np']);
    const m = out.match(/^nginx-np\s+NodePort\s+127\.129\.\d+\.\d+\s+<none>\s+80:(3\d{4})\/TCP\s+\d+s$/m);
    expect(m, out).toBeTruthy();
    await eventually(async () => {
      const r = await run('curl', ['-s', '-m', '3', `http://${k.hostAddress}:${m![1]}/`]);
      expect(r.stdout).toContain('Welcome to nginx!');
    }, { what: 'NodePort answers' });
  });

  it('port-forward deploy/nginx :80 (kubectl 1.31+: SPDY tunnelled in a WebSocket; older: SPDY)', async () => {
    const pf = kc.spawn(['port-forward', 'deployment/nginx', ':80']);
    try {
      const port = await forwardedPort(pf, 80);
      for (let i = 0; i < 2; i++) {
        const r = await run('curl', ['-s', '-m', '3', `http://127.0.0.1:${port}/`]);
        expect(r.stdout).toContain('<title>Welcome to nginx!</title>');
      }
    } finally {
      await pf.stop();
    }
  });

  it('get all, -o wide|yaml|json', async () => {
    const all = await ok(['get', 'all']);
    expect(all).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\npod\/curlpod\s+1\/1\s+Running\s+0\s+/);
    expect(all).toMatch(/^service\/kubernetes\s+ClusterIP\s+127\.129\.0\.1\s+<none>\s+443\/TCP/m);
    expect(all).toMatch(/^deployment\.apps\/nginx\s+1\/1\s+1\s+1\s+/m);
    expect(all).toMatch(/^replicaset\.apps\/nginx-[a-z0-9]+\s+1\s+1\s+1\s+/m);
    expect(await ok(['get', 'pods', '-o', 'wide'])).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE\s+NOMINATED NODE\s+READINESS GATES\n/);
    expect(await ok(['get', 'service', 'nginx', '-o', 'wide'])).toMatch(/\s+SELECTOR\n.*\s+app=nginx\n$/);
    expect(await ok(['get', 'deployment', 'nginx', '-o', 'yaml'])).toMatch(/^apiVersion: apps\/v1\nkind: Deployment\n/);
    expect(JSON.parse(await ok(['get', 'service', 'nginx', '-o', 'json'])).spec.ports[0]).toMatchObject({ port: 80, protocol: 'TCP', targetPort: 80 });
  });

  it('describe pods, services, deployments (with events)', async () => {
    const pod = await ok(['describe', 'pod', 'curlpod']);
    expect(pod).toMatch(/^Name:\s+curlpod\nNamespace:\s+default\n/);
    expect(pod).toMatch(/Normal\s+Scheduled\s+\S+\s+default-scheduler\s+Successfully assigned default\/curlpod to /);
    expect(await ok(['describe', 'service', 'nginx'])).toMatch(/Endpoints:\s+127\.149\.\d+\.\d+:80\n/);
    expect(await ok(['describe', 'deployment', 'nginx'])).toMatch(/Replicas:\s+1 desired \| 1 updated \| 1 total \| 1 available \| 0 unavailable/);
  });

  it('logs, scale, get -w (Table watch)', async () => {
    expect((await kc(['logs', 'deployment/nginx'])).code).toBe(0);
    const watch = kc.spawn(['get', 'deployment', 'nginx', '-w']);
    try {
      await eventually(() => expect(watch.output()).toMatch(/^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\nnginx\s+1\/1\s+1\s+1\s+/), { what: 'the watch lists the deployment' });
      expect(await ok(['scale', 'deployment', 'nginx', '--replicas', '3'])).toBe('deployment.apps/nginx scaled\n');
      expect(await ok(['rollout', 'status', 'deployment', 'nginx', '--timeout', '30s'])).toMatch(/successfully rolled out/);
      await eventually(() => expect(watch.output()).toMatch(/^nginx\s+3\/3\s+3\s+3\s+/m), { what: 'the watch streams the scale-up' });
    } finally {
      await watch.stop();
    }
  });

  it('apply --server-side: create, re-apply, conflict with another manager, --force-conflicts', async () => {
    expect(await ok(['apply', '--server-side', '-f', join(SEED, '02-nginx-clusterip.yaml')])).toBe('service/nginx serverside-applied\n');
    const np = 'apiVersion: v1\nkind: Service\nmetadata:\n  name: nginx-ssa\nspec:\n  type: NodePort\n  selector:\n    app: nginx\n  ports:\n  - port: 80\n    targetPort: 80\n';
    expect(await ok(['apply', '--server-side', '-f', '-'], np)).toBe('service/nginx-ssa serverside-applied\n');
    expect(await ok(['apply', '--server-side', '-f', '-'], np)).toBe('service/nginx-ssa serverside-applied\n');
    const svc = JSON.parse(await ok(['get', 'service', 'nginx-ssa', '-o', 'json', '--show-managed-fields']));
    expect(svc.metadata.managedFields).toEqual([expect.objectContaining({ manager: 'kubectl', operation: 'Apply' })]);
    const conflict = await kc(['apply', '--server-side', '-f', '-'], { input: readFileSync(join(SEED, '01-nginx-deployment.yaml'), 'utf8').replace('spec:\n', 'spec:\n  replicas: 2\n') });
    expect(conflict.code).toBe(1);
    expect(conflict.stderr).toMatch(/^error: Apply failed with 1 conflict: conflict with "[^"]+" using apps\/v1: \.spec\.replicas\n/);
    expect(await ok(['apply', '--server-side', '--force-conflicts', '-f', '-'], readFileSync(join(SEED, '01-nginx-deployment.yaml'), 'utf8').replace('spec:\n', 'spec:\n  replicas: 2\n'))).toBe('deployment.apps/nginx serverside-applied\n');
    expect((await ok(['get', 'deployment', 'nginx', '-o', 'jsonpath={.spec.replicas}'])).trim()).toBe('2');
    expect(await ok(['delete', 'service', 'nginx-ssa'])).toBe('service "nginx-ssa" deleted\n');
  });

  it('errors read as from a real apiserver: NotFound, AlreadyExists, Invalid, Conflict', async () => {
    expect(await kc(['get', 'service', 'nosuch'])).toMatchObject({ code: 1, stderr: 'Error from server (NotFound): services "nosuch" not found\n' });
    const file = join(SEED, '03-curlpod.yaml');
    expect(await kc(['create', '-f', file])).toMatchObject({ code: 1, stderr: `Error from server (AlreadyExists): error when creating "${file}": pods "curlpod" already exists\n` });
    const bad = await kc(['apply', '-f', '-'], { input: 'apiVersion: v1\nkind: Service\nmetadata:\n  name: bad\nspec:\n  type: NodePort\n  ports:\n  - port: 80\n    nodePort: 80\n' });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('The Service "bad" is invalid: spec.ports[0].nodePort: Invalid value: 80: provided port is not in the valid range. The range of valid ports is 30000-32767');
    const stale = JSON.parse(await ok(['get', 'service', 'nginx', '-o', 'json']));
    await ok(['label', 'service', 'nginx', 'touched=yes']);
    stale.metadata.labels = { stale: 'yes' };
    const r = await kc(['replace', '-f', '-'], { input: JSON.stringify(stale) });
    expect(r).toMatchObject({ code: 1, stderr: 'Error from server (Conflict): error when replacing "STDIN": Operation cannot be fulfilled on services "nginx": the object has been modified; please apply your changes to the latest version and try again\n' });
  });

  it('kubectl create generators (protobuf request bodies since client-go 1.32) store what --dry-run=client shows', async () => {
    const subset = (want: any, got: any, path = ''): string[] => {
      if (Array.isArray(want)) {
        if (!Array.isArray(got) || got.length !== want.length) return [`${path}: want ${JSON.stringify(want)}, got ${JSON.stringify(got)}`];
        return want.flatMap((w, i) => subset(w, got[i], `${path}[${i}]`));
      }
      if (want && typeof want === 'object') {
        return Object.entries(want).flatMap(([key, v]) => (key === 'creationTimestamp' || key === 'status' || (v && typeof v === 'object' && !Object.keys(v).length) ? [] : subset(v, got?.[key], `${path}.${key}`)));
      }
      return JSON.stringify(want) === JSON.stringify(got) ? [] : [`${path}: want ${JSON.stringify(want)}, got ${JSON.stringify(got)}`];
    };
    for (const args of [
      ['namespace', 'gen-ns'], ['deployment', 'gen-deploy', '--image', 'nginx:stable', '--replicas', '2', '--port', '80'],
      ['configmap', 'gen-cm', '--from-literal', 'a=b'], ['secret', 'generic', 'gen-secret', '--from-literal', 'p=q'],
      ['service', 'nodeport', 'gen-np', '--tcp=80:8080'], ['job', 'gen-job', '--image', 'busybox', '--', 'sh', '-c', 'true'],
      ['role', 'gen-role', '--verb', 'get', '--resource', 'pods'], ['ingress', 'gen-ing', '--rule', 'foo.example/bar=svc1:80'],
    ]) {
      const dash = args.indexOf('--');
      const withFlags = (flags: string[]) => (dash < 0 ? [...args, ...flags] : [...args.slice(0, dash), ...flags, ...args.slice(dash)]);
      const want = JSON.parse(await ok(['create', ...withFlags(['--dry-run=client', '-o', 'json'])]));
      const got = JSON.parse(await ok(['create', ...withFlags(['-o', 'json'])]));
      expect(subset(want, got), args.join(' ')).toEqual([]);
    }
    await ok(['delete', 'deployment/gen-deploy', 'configmap/gen-cm', 'secret/gen-secret', 'service/gen-np', 'job/gen-job', 'role/gen-role', 'ingress/gen-ing', '--wait=false']);
    await ok(['delete', 'namespace', 'gen-ns', '--wait=false']);
  });

  it('the kdp CLI and kubectl are interchangeable', async () => {
    expect((await k.kdp(['expose', 'deployment', 'nginx', '--name', 'nginx2', '--port', '80'])).stdout).toBe('service/nginx2 exposed\n');
    for (const args of [['get', 'service', 'nginx2'], ['get', 'deployment', 'nginx'], ['get', 'service']]) {
      const [a, b] = [await ok(args), (await k.kdp(args)).stdout];
      expect(withoutAge(b), args.join(' ')).toBe(withoutAge(a));
    }
    // ages differ by the second between the two calls, and with them the Events table's column widths
    const ages = (t: string) => {
      const [head, events] = t.replace(/ +\d+(m\d+)?s( |$)/gm, ' N$2').split('\nEvents:');
      return events === undefined ? head : `${head}\nEvents:${events.replace(/ {2,}/g, '  ').replace(/-{2,}/g, '--')}`;
    };
    for (const args of [['describe', 'service', 'nginx'], ['describe', 'deployment', 'nginx'], ['describe', 'pod', 'curlpod']]) {
      const [a, b] = [await ok(args), (await k.kdp(args)).stdout];
      expect(ages(b), args.join(' ')).toBe(ages(a));
    }
    const viaKubeconfig = await run(process.execPath, [KDP_BIN, 'get', 'service', 'nginx2', '--kubeconfig', join(k.stateDir, 'kubeconfig')], { env: { PATH: process.env.PATH } });
    expect(withoutAge(viaKubeconfig.stdout)).toBe(withoutAge(await ok(['get', 'service', 'nginx2'])));
    expect(await ok(['delete', 'service', 'nginx2'])).toBe('service "nginx2" deleted\n');
    expect(await k.kdp(['get', 'service', 'nginx2'])).toMatchObject({ code: 1, stderr: 'Error from server (NotFound): services "nginx2" not found\n' });
  });

  it.skipIf(!existsSync(INGRESS_NGINX))('apply -f the ingress-nginx deploy.yaml stores everything; -n ingress-nginx get all; delete -f', async () => {
    const out = await ok(['apply', '-f', INGRESS_NGINX]);
    expect(out.split('\n')).toEqual(expect.arrayContaining([
      'namespace/ingress-nginx created', 'serviceaccount/ingress-nginx created', 'configmap/ingress-nginx-controller created',
      'service/ingress-nginx-controller created', 'deployment.apps/ingress-nginx-controller created',
      'job.batch/ingress-nginx-admission-create created', 'ingressclass.networking.k8s.io/nginx created',
      'validatingwebhookconfiguration.admissionregistration.k8s.io/ingress-nginx-admission created',
    ]));
    expect(out.trim().split('\n')).toHaveLength(19);
    expect((await ok(['apply', '-f', INGRESS_NGINX])).trim().split('\n').every((l) => l.endsWith(' unchanged'))).toBe(true);
    expect((await k.kdp(['apply', '-f', INGRESS_NGINX])).stdout.trim().split('\n').every((l) => l.endsWith(' unchanged'))).toBe(true);
    const svcArgs = ['-n', 'ingress-nginx', 'get', 'service'];
    expect(withoutAge((await k.kdp(svcArgs)).stdout)).toBe(withoutAge(await ok(svcArgs)));
    const all = await ok(['-n', 'ingress-nginx', 'get', 'all']);
    expect(all).toMatch(/^service\/ingress-nginx-controller\s+LoadBalancer\s+/m);
    expect(all).toMatch(/^deployment\.apps\/ingress-nginx-controller\s+/m);
    expect(all).toMatch(/^job\.batch\/ingress-nginx-admission-create\s+/m);
    const del = await kc(['delete', '-f', INGRESS_NGINX, '--wait=false']);
    expect(del.stdout).toContain('namespace "ingress-nginx" deleted\n');
  });

  it('clean-up: delete deployment, services, pod (kubectl waits until the pod is gone)', async () => {
    expect(await ok(['delete', 'deployment', 'nginx'])).toBe('deployment.apps "nginx" deleted\n');
    expect(await ok(['delete', 'service', 'nginx'])).toBe('service "nginx" deleted\n');
    expect(await ok(['delete', 'service', 'nginx-np'])).toBe('service "nginx-np" deleted\n');
    expect(await ok(['delete', 'pod', 'curlpod', '--timeout', '30s'])).toBe('pod "curlpod" deleted\n');
    expect(await kc(['get', 'pod', 'curlpod'])).toMatchObject({ code: 1, stderr: 'Error from server (NotFound): pods "curlpod" not found\n' });
  });
});

describe.skipIf(!latest || !others.length)('other kubectl versions', () => {
  for (const v of others) {
    it(`kubectl ${v.label}: apply, rollout status, get, exec (exit code, stdin), logs, port-forward, scale, errors`, async () => {
      const x = kubectlFor(v, k.stateDir);
      const ns = `v${v.label.replace(/\W/g, '')}`;
      const must = async (args: string[], input?: string) => {
        const r = await x(args, { input });
        if (r.code !== 0) throw new Error(`kubectl ${v.label} ${args.join(' ')} exited ${r.code}: ${r.stderr}${r.stdout}`);
        return r.stdout;
      };
      expect(await must(['create', '-f', '-'], `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${ns}\n`)).toBe(`namespace/${ns} created\n`);
      expect(await must(['-n', ns, 'apply', '-f', join(SEED, '01-nginx-deployment.yaml'), '-f', join(SEED, '03-curlpod.yaml')])).toBe('deployment.apps/nginx created\npod/curlpod created\n');
      expect(await must(['-n', ns, 'apply', '-f', join(SEED, '01-nginx-deployment.yaml')])).toBe('deployment.apps/nginx unchanged\n');
      expect(await must(['-n', ns, 'rollout', 'status', 'deployment/nginx', '--timeout', '30s'])).toMatch(/deployment "nginx" successfully rolled out\n$/);
      expect(await must(['-n', ns, 'get', 'deployment'])).toMatch(/^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\nnginx\s+1\/1\s+1\s+1\s+\d+s\n$/);
      await must(['-n', ns, 'wait', '--for=condition=Ready', 'pod/curlpod', '--timeout', '30s']);
      const r = await x(['-n', ns, 'exec', 'curlpod', '--', 'sh', '-c', 'cat /etc/resolv.conf; exit 2']);
      expect(r.code).toBe(2);
      expect(r.stdout).toContain(`search ${ns}.svc.cluster.local svc.cluster.local cluster.local`);
      expect(await must(['-n', ns, 'exec', '-i', 'curlpod', '--', 'cat'], 'piped\n')).toBe('piped\n');
      expect((await x(['-n', ns, 'logs', 'deployment/nginx'])).code).toBe(0);
      const pf = x.spawn(['-n', ns, 'port-forward', 'deployment/nginx', ':80']);
      try {
        const port = await eventually(() => pf.output().match(/Forwarding from 127\.0\.0\.1:(\d+) -> 80/)![1], { what: `kubectl ${v.label} port-forward` });
        expect((await run('curl', ['-s', '-m', '3', `http://127.0.0.1:${port}/`])).stdout).toContain('Welcome to nginx!');
      } finally {
        await pf.stop();
      }
      expect(await must(['-n', ns, 'scale', 'deployment', 'nginx', '--replicas', '2'])).toBe('deployment.apps/nginx scaled\n');
      expect(await x(['-n', ns, 'get', 'service', 'nosuch'])).toMatchObject({ code: 1, stderr: 'Error from server (NotFound): services "nosuch" not found\n' });
      expect(await must(['delete', 'namespace', ns, '--wait=false'])).toBe(`namespace "${ns}" deleted\n`);
      x.dispose();
    }, 90_000);
  }
});
