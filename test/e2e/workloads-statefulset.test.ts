// Issue #6 end to end (slot 7): StatefulSets with stable names, DNS and volumes, the primary/replica
// database example, ConfigMap/Secret/emptyDir/hostPath volumes (and a pod waiting for its ConfigMap
// with FailedMount), nginx serving a volume, and host-process pods whose whole process tree goes on
// deletion and when kdp itself is SIGKILLed.
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { eventually } from '../support/eventually.js';
import { ROOT, run, startKdp, type KdpCluster } from '../support/kdp.js';
import { startUpstreamDns, type UpstreamDns } from '../support/upstream-dns.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
let k: KdpCluster;
let upstream: UpstreamDns;
let tmp: string;

const ok = (args: string[], input?: string): Promise<string> => k.ok(args, { input });
const apply = (yaml: string) => ok(['apply', '-f', '-'], yaml);
const getJson = async (args: string[]) => JSON.parse(await ok(['get', ...args, '-o', 'json']));
const ready = (p: any) => p.status?.phase === 'Running' && (p.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True');
const curl = async (url: string) => (await run('curl', ['-s', '-m', '3', url])).stdout;

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'kdp-wl7-'));
  upstream = await startUpstreamDns('127.60.0.57', {});
  k = await startKdp({ slot: 7, upstreamDns: [`${upstream.address}:${upstream.port}`] });
}, 60_000);

afterAll(async () => {
  await k?.stop();
  await upstream?.close();
  rmSync(tmp, { recursive: true, force: true });
});

const WEB = `
apiVersion: v1
kind: Service
metadata: {name: nginx}
spec:
  clusterIP: None
  selector: {app: web}
  ports: [{port: 80, name: web}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: web}
spec:
  serviceName: nginx
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: nginx
        image: nginx
        ports: [{containerPort: 80, name: web}]
        volumeMounts: [{name: www, mountPath: /usr/share/nginx/html}]
  volumeClaimTemplates:
  - metadata: {name: www}
    spec:
      accessModes: [ReadWriteOnce]
      resources: {requests: {storage: 1Gi}}
`;

describe('StatefulSet', () => {
  it('creates web-0, web-1, web-2 in order, each after the previous is Ready, with bound PVCs', async () => {
    await apply(WEB);
    const pods = await eventually(async () => {
      const items = (await getJson(['pods', '-l', 'app=web'])).items;
      expect(items.filter(ready).map((p: any) => p.metadata.name).sort()).toEqual(['web-0', 'web-1', 'web-2']);
      return items;
    }, { timeout: 20_000, what: 'web-0..2 Ready' });
    // OrderedReady: each pod was created after the previous one became Ready.
    const readyAt = (p: any) => Date.parse(p.status.conditions.find((c: any) => c.type === 'Ready').lastTransitionTime);
    const byName = Object.fromEntries(pods.map((p: any) => [p.metadata.name, p]));
    for (const [prev, next] of [['web-0', 'web-1'], ['web-1', 'web-2']]) {
      expect(Date.parse(byName[next].metadata.creationTimestamp)).toBeGreaterThanOrEqual(readyAt(byName[prev]));
    }
    expect(byName['web-1'].spec.hostname).toBe('web-1');
    expect(byName['web-1'].spec.subdomain).toBe('nginx');
    const pvcs = await ok(['get', 'pvc']);
    for (const n of [0, 1, 2]) expect(pvcs).toMatch(new RegExp(`^www-web-${n}\\s+Bound\\s+pvc-\\S+\\s+1Gi\\s+RWO\\s+standard\\s`, 'm'));
    expect(await ok(['get', 'storageclass'])).toMatch(/^standard \(default\)\s+rancher\.io\/local-path\s+Delete\s+Immediate\s/m);
  }, 30_000);

  it('gives each pod a stable DNS name, and nginx serves the pod\'s own volume', async () => {
    const pod = (await getJson(['pod', 'web-0']));
    const dig = await run('dig', [`@${k.dnsAddress}`, 'web-0.nginx.default.svc.cluster.local', '+short']);
    expect(dig.stdout.trim()).toBe(pod.status.podIP);
    const pv = (await getJson(['pv', (await getJson(['pvc', 'www-web-0'])).spec.volumeName]));
    expect(pv.spec.hostPath.path.startsWith(join(k.stateDir, 'volumes'))).toBe(true);
    writeFileSync(join(pv.spec.hostPath.path, 'index.html'), 'I am web-0\n');
    expect(await curl(`http://${pod.status.podIP}/`)).toBe('I am web-0\n');
  });

  it('re-creates a deleted pod with the same name, DNS name and data', async () => {
    const before = await getJson(['pod', 'web-0']);
    await ok(['delete', 'pod', 'web-0']);
    const after = await eventually(async () => {
      const p = await getJson(['pod', 'web-0']);
      expect(p.metadata.uid).not.toBe(before.metadata.uid);
      expect(ready(p)).toBe(true);
      return p;
    }, { timeout: 20_000, what: 'web-0 back' });
    expect(await curl(`http://${after.status.podIP}/`)).toBe('I am web-0\n');
    await eventually(async () => {
      const dig = await run('dig', [`@${k.dnsAddress}`, 'web-0.nginx.default.svc.cluster.local', '+short']);
      expect(dig.stdout.trim()).toBe(after.status.podIP);
    }, { what: 'web-0 DNS follows the new pod' });
  }, 30_000);

  /** Polls the web pods through the API until `done`, recording the order in which pods were replaced or went. */
  const webPods = async () => {
    const res = await k.fetch('/api/v1/namespaces/default/pods?labelSelector=app%3Dweb');
    return ((await res.json()) as any).items.filter((p: any) => !p.metadata.deletionTimestamp);
  };
  /** Runs `action`, then polls the web pods through the API until `done`, recording the order in which pods were replaced or went. */
  async function observe(action: () => Promise<unknown>, done: (pods: any[]) => boolean, timeoutMs: number): Promise<string[]> {
    const order: string[] = [];
    let last = new Map<string, string>((await webPods()).map((p: any) => [p.metadata.name, p.metadata.uid]));
    await action();
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const pods = await webPods();
      const now = new Map<string, string>(pods.map((p: any) => [p.metadata.name, p.metadata.uid]));
      for (const [name, uid] of last) if (now.get(name) !== uid && !order.includes(name)) order.push(name);
      last = new Map([...last, ...now]);
      if (done(pods)) return order;
      if (Date.now() > deadline) throw new Error(`not done within ${timeoutMs} ms; seen ${order.join(', ')}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  it('RollingUpdate replaces the pods in reverse ordinal order', async () => {
    const before = await getJson(['sts', 'web']);
    const order = await observe(() => apply(WEB.replace('metadata: {labels: {app: web}}', "metadata: {labels: {app: web}, annotations: {rollout: '2'}}")), (pods) => pods.length === 3 && pods.every((p: any) => ready(p) && p.metadata.annotations?.rollout === '2'), 40_000);
    expect(order).toEqual(['web-2', 'web-1', 'web-0']);
    const after = await getJson(['sts', 'web']);
    expect(after.status.updateRevision).not.toBe(before.status.updateRevision);
    expect(after.status).toMatchObject({ readyReplicas: 3, updatedReplicas: 3, currentRevision: after.status.updateRevision });
  }, 50_000);

  it('scales down in reverse order and keeps the PVCs', async () => {
    const order = await observe(() => ok(['scale', 'statefulset', 'web', '--replicas', '1']), (pods) => pods.length === 1, 20_000);
    expect(order).toEqual(['web-2', 'web-1']);
    expect((await webPods()).map((p: any) => p.metadata.name)).toEqual(['web-0']);
    expect((await getJson(['pvc'])).items.map((c: any) => c.metadata.name).sort()).toEqual(['www-web-0', 'www-web-1', 'www-web-2']);
  }, 30_000);
});

describe('StatefulSet options', () => {
  it('Parallel with ordinals.start creates all pods at once; whenDeleted: Delete removes the PVCs and volumes with the set', async () => {
    await apply(`
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: par}
spec:
  serviceName: par
  replicas: 2
  podManagementPolicy: Parallel
  ordinals: {start: 5}
  persistentVolumeClaimRetentionPolicy: {whenDeleted: Delete}
  selector: {matchLabels: {app: par}}
  template:
    metadata: {labels: {app: par}}
    spec:
      containers: [{name: c, image: busybox, command: [sleep, infinity]}]
  volumeClaimTemplates:
  - metadata: {name: d}
    spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 10Mi}}}
`);
    await eventually(async () => {
      expect((await getJson(['pods', '-l', 'app=par'])).items.filter(ready).map((p: any) => p.metadata.name).sort()).toEqual(['par-5', 'par-6']);
    }, { timeout: 15_000, what: 'par-5 and par-6 Ready' });
    const dirs = await Promise.all(['d-par-5', 'd-par-6'].map(async (c) => (await getJson(['pv', (await getJson(['pvc', c])).spec.volumeName])).spec.hostPath.path));
    expect(dirs.every((d) => existsSync(d))).toBe(true);
    await ok(['delete', 'statefulset', 'par']);
    await eventually(async () => {
      expect((await getJson(['pvc', '-l', 'app=par'])).items).toEqual([]);
      expect(dirs.some((d) => existsSync(d))).toBe(false);
    }, { timeout: 15_000, what: 'claims and their volumes deleted with the set' });
  }, 40_000);
});

describe('the primary/replica database example', () => {
  it('db-0 is the primary, replicas follow it by its DNS name, and data survives a restart', async () => {
    expect(readFileSync(join(ROOT, 'examples/db/db.yaml'), 'utf8').includes('kv-script')).toBe(true);
    // The manifest's ConfigMap carries examples/db/kv.js verbatim.
    const docs = readFileSync(join(ROOT, 'examples/db/db.yaml'), 'utf8').split(/^---$/m).map((d) => parse(d));
    expect(docs[0].data['kv.js']).toBe(readFileSync(join(ROOT, 'examples/db/kv.js'), 'utf8'));
    await ok(['apply', '-f', join(ROOT, 'examples/db/db.yaml')]);
    await eventually(async () => {
      expect((await getJson(['pods', '-l', 'app=db'])).items.filter(ready).length).toBe(3);
    }, { timeout: 30_000, what: 'db-0..2 Ready' });
    const exec = async (pod: string, cmd: string[]) => (await k.kdp(['exec', pod, '--', ...cmd])).stdout;
    expect(await exec('db-1', ['curl', '-s', 'db-0.db:7000/role'])).toBe('primary\n');
    expect(await exec('db-0', ['curl', '-s', '-X', 'PUT', '--data-binary', 'hello', 'db-0.db:7000/kv/greeting'])).toBe('OK\n');
    await eventually(async () => expect(await exec('db-0', ['curl', '-s', 'db-2.db:7000/kv/greeting'])).toBe('hello\n'), { what: 'replicated to db-2' });
    expect(await exec('db-0', ['curl', '-s', '-X', 'PUT', '--data-binary', 'x', 'db-1.db:7000/kv/a'])).toBe('read-only replica: write to db-0.db\n');
    // The primary goes and comes back with its data; the replicas reconnect and follow again.
    await ok(['delete', 'pod', 'db-0']);
    await ok(['wait', '--for=condition=ready', 'pod/db-0', '--timeout=30s']);
    expect(await exec('db-1', ['curl', '-s', 'db-0.db:7000/kv/greeting'])).toBe('hello\n');
    await eventually(async () => {
      expect(await exec('db-0', ['curl', '-s', '-X', 'PUT', '--data-binary', 'world', 'db-0.db:7000/kv/greeting'])).toBe('OK\n');
      expect(await exec('db-1', ['curl', '-s', 'db-1.db:7000/kv/greeting'])).toBe('world\n');
    }, { timeout: 10_000, what: 'db-1 follows the new db-0' });
    // Clean up: the mount points (/data, /opt/kv) it made on the host go with the pods.
    await ok(['delete', '-f', join(ROOT, 'examples/db/db.yaml')]);
    await eventually(async () => expect((await getJson(['pods', '-l', 'app=db'])).items).toEqual([]), { timeout: 15_000, what: 'db pods gone' });
  }, 60_000);
});

describe('ConfigMap, Secret, emptyDir and hostPath volumes', () => {
  it('the nginx image serves a ConfigMap mounted at /usr/share/nginx/html', async () => {
    await apply(`
apiVersion: v1
kind: ConfigMap
metadata: {name: site}
data:
  index.html: "<h1>from a ConfigMap</h1>\\n"
  about.txt: "about\\n"
---
apiVersion: v1
kind: Pod
metadata: {name: site}
spec:
  containers:
  - name: nginx
    image: nginx:1.27
    volumeMounts: [{name: html, mountPath: /usr/share/nginx/html}]
  volumes:
  - {name: html, configMap: {name: site}}
`);
    const ip = await eventually(async () => {
      const p = await getJson(['pod', 'site']);
      expect(ready(p)).toBe(true);
      return p.status.podIP;
    }, { timeout: 15_000, what: 'site pod Ready' });
    expect(await curl(`http://${ip}/`)).toBe('<h1>from a ConfigMap</h1>\n');
    const about = await run('curl', ['-s', '-i', `http://${ip}/about.txt`]);
    expect(about.stdout).toMatch(/^Content-Type: text\/plain/m);
    expect((await run('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', `http://${ip}/nope`])).stdout).toBe('404');
    await ok(['delete', 'pod', 'site', '--grace-period=1']);
  }, 30_000);

  it('waits in ContainerCreating with FailedMount until the ConfigMap exists, then mounts them all', async () => {
    const hp = join(tmp, 'hostpath');
    // A hostPath is the node's: the pod (nobody, asking for no user) may write it because it is 0777.
    mkdirSync(hp);
    chmodSync(hp, 0o777);
    await apply(`
apiVersion: v1
kind: Pod
metadata: {name: vols}
spec:
  containers:
  - name: c
    image: busybox
    command: ["sh", "-c", "cat /etc/kdp-e2e-cfg-7/greeting /etc/kdp-e2e-sec-7/pw; echo scratch > /kdp-e2e-scratch-7/f; cat /kdp-e2e-scratch-7/f; echo from-pod > /kdp-e2e-hp-7/out; sleep infinity"]
    volumeMounts:
    - {name: cfg, mountPath: /etc/kdp-e2e-cfg-7}
    - {name: sec, mountPath: /etc/kdp-e2e-sec-7, readOnly: true}
    - {name: scratch, mountPath: /kdp-e2e-scratch-7}
    - {name: hp, mountPath: /kdp-e2e-hp-7}
  volumes:
  - {name: cfg, configMap: {name: greet}}
  - {name: sec, secret: {secretName: pw}}
  - {name: scratch, emptyDir: {}}
  - {name: hp, hostPath: {path: ${hp}, type: DirectoryOrCreate}}
`);
    await eventually(async () => {
      const events = (await getJson(['events', '--field-selector', 'involvedObject.name=vols'])).items;
      expect(events.map((e: any) => `${e.type} ${e.reason} ${e.message}`)).toContain('Warning FailedMount MountVolume.SetUp failed for volume "cfg" : configmap "greet" not found');
    }, { timeout: 20_000, what: 'FailedMount event' }).catch(async (err) => {
      console.error('DEBUG', JSON.stringify((await getJson(['events', '--field-selector', 'involvedObject.name=vols'])).items.map((e: any) => [e.reason, e.message])), JSON.stringify((await getJson(['pod', 'vols'])).status), k.output().split('\n').filter((l) => /WARN|ERROR/.test(l)).slice(-10).join('\n'));
      throw err;
    });
    expect(await ok(['describe', 'pod', 'vols'])).toMatch(/Warning\s+FailedMount\s+.*MountVolume\.SetUp failed for volume "cfg" : configmap "greet" not found/);
    expect((await getJson(['pod', 'vols'])).status.containerStatuses[0].state.waiting.reason).toBe('ContainerCreating');
    await apply('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: greet}\ndata: {greeting: "hello from a configmap\\n"}\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: pw}\nstringData: {pw: "s3cret\\n"}\n');
    await eventually(async () => {
      expect(await ok(['logs', 'vols'])).toBe('hello from a configmap\ns3cret\nscratch\n');
    }, { timeout: 10_000, what: 'pod started with its volumes' });
    expect(readFileSync(join(hp, 'out'), 'utf8')).toBe('from-pod\n');
    // Mount points are made in the pod's own root layer: the host's /etc is never touched.
    expect(existsSync('/etc/kdp-e2e-cfg-7') || existsSync('/kdp-e2e-scratch-7')).toBe(false);
    await ok(['delete', 'pod', 'vols', '--grace-period=1']);
    await eventually(() => expect(existsSync('/etc/kdp-e2e-cfg-7') || existsSync('/kdp-e2e-scratch-7')).toBe(false), { what: 'mount points removed' });
  }, 30_000);
});

describe('host-process pods and their process trees', () => {
  // The pod writes it into a hostPath volume (its other writes stay in its own root layer).
  const TERM_DIR = '/tmp/kdp-e2e-7-term';
  const TERM_FILE = join(TERM_DIR, 'sigterm');
  const TREE = `
apiVersion: v1
kind: Pod
metadata: {name: tree}
spec:
  terminationGracePeriodSeconds: 5
  volumes: [{name: out, hostPath: {path: ${TERM_DIR}, type: DirectoryOrCreate}}]
  containers:
  - name: c
    image: busybox
    command: ["sh", "-c", "trap 'echo got SIGTERM > ${TERM_FILE}; exit 0' TERM; setsid sleep 7871 & sleep 7872 & while true; do sleep 0.1; done"]
    volumeMounts: [{name: out, mountPath: ${TERM_DIR}}]
`;
  beforeAll(() => {
    mkdirSync(TERM_DIR, { recursive: true });
    chmodSync(TERM_DIR, 0o777);
  });
  afterAll(() => rmSync(TERM_DIR, { recursive: true, force: true }));
  /** Processes whose command line matches (read from /proc, so no procps is needed). */
  const procs = (re: RegExp): string[] => readdirSync('/proc').filter((d) => /^\d+$/.test(d)).filter((pid) => {
    try {
      return re.test(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' '));
    } catch {
      return false;
    }
  });
  const pgrep = () => procs(/^sleep 787[12]$/);

  it('SIGTERM reaches the container command, and the whole tree (even setsid children) goes', async () => {
    await apply(TREE);
    await eventually(() => expect(pgrep().length).toBe(2), { what: 'both sleeps running' });
    rmSync(TERM_FILE, { force: true });
    await ok(['delete', 'pod', 'tree']);
    expect(pgrep()).toEqual([]);
    expect(readFileSync(TERM_FILE, 'utf8')).toBe('got SIGTERM\n');
    rmSync(TERM_FILE, { force: true });
  }, 20_000);

  it('a process that ignores SIGTERM is SIGKILLed after the grace period', async () => {
    await apply(`
apiVersion: v1
kind: Pod
metadata: {name: stubborn}
spec:
  terminationGracePeriodSeconds: 2
  containers:
  - name: c
    image: busybox
    command: ["sh", "-c", "trap '' TERM; sleep 7873 & while true; do sleep 0.1; done"]
`);
    await eventually(() => expect(procs(/^sleep 7873$/).length).toBe(1), { what: 'stubborn running' });
    const t0 = Date.now();
    await ok(['delete', 'pod', 'stubborn']);
    const took = Date.now() - t0;
    expect(took).toBeGreaterThanOrEqual(1900);
    expect(took).toBeLessThan(10_000);
    expect(procs(/^sleep 7873$/)).toEqual([]);
  }, 20_000);

  it('nothing outlives kdp up when kdp is killed with SIGKILL', async () => {
    await apply(TREE);
    await eventually(() => expect(pgrep().length).toBe(2), { what: 'both sleeps running' });
    const pid = procs(new RegExp(`kdp\\.js up .*--state-dir ${k.stateDir}`))[0];
    process.kill(Number(pid), 'SIGKILL');
    await eventually(() => expect(pgrep()).toEqual([]), { timeout: 5000, what: 'pod processes gone with kdp' });
    const db = procs(/\/opt\/kv\/kv\.js/).join(' ');
    expect(db).toBe('');
  }, 20_000);
});
