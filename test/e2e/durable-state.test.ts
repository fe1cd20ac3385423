// Issue 15 end to end (ranges 127.240-243.x): objects the API acknowledged survive a kill -9 of
// kdp up, and `kdp up` on the same state dir resumes the cluster: the same objects, rising
// resourceVersions, a watch from before the crash that resumes without a lost event; one cluster per
// state dir (the second refuses, naming the PID); --fresh and --ephemeral.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import { KDP_BIN, ROOT, rangeArgs, run, startKdp, type KdpCluster } from '../support/kdp.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
const RANGES = rangeArgs(240, 'e2edur');
const started: KdpCluster[] = [];
const dirs: string[] = [];

async function up(stateDir: string, extra: string[] = []): Promise<KdpCluster> {
  const k = await startKdp({ slot: 0, nodes: 1, extraArgs: [...RANGES, ...extra], stateDir });
  started.push(k);
  return k;
}

function newStateDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'kdp-e2edur-'));
  dirs.push(d);
  return d;
}

afterAll(async () => {
  for (const k of started) await k.halt();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const cm = (i: number) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${i}`, namespace: 'default', labels: { batch: 'crash' } }, data: { i: String(i), payload: `value ${i} `.repeat(20) } });

async function readWatch(k: KdpCluster, path: string, until: (events: any[]) => boolean, timeoutMs = 10_000): Promise<any[]> {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), timeoutMs);
  const events: any[] = [];
  try {
    const res = await k.fetch(path, { signal: ac.signal });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    const dec = new TextDecoder();
    let buf = '';
    while (!until(events)) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += dec.decode(value, { stream: true });
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        if (nl > 0) events.push(JSON.parse(buf.slice(0, nl)));
        buf = buf.slice(nl + 1);
      }
    }
    ac.abort();
  } catch (err) {
    if (!ac.signal.aborted) throw err;
  } finally {
    clearTimeout(timer);
  }
  return events;
}

describe('durable state', () => {
  it('keeps every create that got 201 through a kill -9 at a random moment, none duplicated, resourceVersions rising', async () => {
    const stateDir = newStateDir();
    let k = await up(stateDir);
    const before = await (await k.fetch('/api/v1/namespaces/default/configmaps')).json();
    const rv0 = before.metadata.resourceVersion;
    const N = 200;
    const killAt = 1 + Math.floor(Math.random() * (N - 20)); // after this many answers
    const acked = new Map<string, any>();
    let answers = 0;
    let failed = 0;
    const crashed = new Promise<void>((resolveCrash) => {
      const creates = Array.from({ length: N }, (_, i) =>
        k.fetch('/api/v1/namespaces/default/configmaps', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(cm(i)) })
          .then(async (res) => {
            if (res.status === 201) {
              const body = await res.json();
              acked.set(body.metadata.name, body);
            } else {
              await res.arrayBuffer();
            }
          })
          .catch(() => { failed++; })
          .finally(() => {
            if (++answers === killAt) void k.crash().then(resolveCrash);
          }),
      );
      void Promise.all(creates).then(() => k.crash().then(resolveCrash));
    });
    await crashed;
    console.log(`kill -9 after ${killAt} answers: ${acked.size} creates acknowledged, ${failed} cut off`);
    expect(acked.size).toBeGreaterThan(0);
    const maxRv = Math.max(...[...acked.values()].map((o) => Number(o.metadata.resourceVersion)));

    k = await up(stateDir);
    expect(k.output()).toMatch(/kdp is up in \d+ ms: .*; resumed \d+ objects from .*state\.db\n/);
    const list = await (await k.fetch('/api/v1/namespaces/default/configmaps?labelSelector=batch%3Dcrash')).json();
    const names = list.items.map((o: any) => o.metadata.name);
    expect(new Set(names).size).toBe(names.length); // none duplicated
    const byName = new Map<string, any>(list.items.map((o: any) => [o.metadata.name, o]));
    for (const [name, ackedObj] of acked) {
      const got = byName.get(name);
      expect(got, `${name} got 201 before the crash`).toBeDefined();
      expect(got.metadata.uid).toBe(ackedObj.metadata.uid);
      expect(got.metadata.resourceVersion).toBe(ackedObj.metadata.resourceVersion);
      expect(got.data).toEqual(cm(Number(name.slice(3))).data);
    }
    // objects not acknowledged may or may not be there, but whole
    for (const o of list.items) expect(o.data).toEqual(cm(Number(o.metadata.name.slice(3))).data);
    expect(Number(list.metadata.resourceVersion)).toBeGreaterThanOrEqual(maxRv);
    const after = await k.fetch('/api/v1/namespaces/default/configmaps', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...cm(N), metadata: { name: 'after-restart', namespace: 'default' } }) });
    expect(after.status).toBe(201);
    expect(Number((await after.json()).metadata.resourceVersion)).toBeGreaterThan(maxRv);

    // A watch from before the crash resumes: every ConfigMap stored since rv0 arrives as ADDED, once.
    const want = list.items.length + 1;
    const events = await readWatch(k, `/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${rv0}`, (evs) => evs.length >= want);
    const added = events.filter((e) => e.type === 'ADDED').map((e) => e.object.metadata.name);
    expect(added.sort()).toEqual([...names, 'after-restart'].sort());
    await k.halt();
  }, 90_000);

  it('refuses a second kdp up on a state dir in use, naming the PID; --fresh starts empty; --ephemeral writes nothing', async () => {
    const stateDir = newStateDir();
    let k = await up(stateDir);
    const second = await run(process.execPath, [KDP_BIN, 'up', ...RANGES, '--api-port', '0', '--state-dir', stateDir], { timeout: 15_000 });
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`error: the state dir ${stateDir} is in use by another kdp (PID ${k.pid})`);
    const res = await k.fetch('/api/v1/namespaces/default/configmaps', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(cm(1)) });
    expect(res.status).toBe(201);
    await k.halt();

    k = await up(stateDir, ['--fresh']);
    expect(k.output()).not.toMatch(/resumed/);
    expect((await k.fetch('/api/v1/namespaces/default/configmaps/cm-1')).status).toBe(404);
    await k.halt();

    k = await up(stateDir, ['--ephemeral']);
    expect((await k.fetch('/api/v1/namespaces/default/configmaps', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(cm(2)) })).status).toBe(201);
    await k.halt();
    k = await up(stateDir);
    expect((await k.fetch('/api/v1/namespaces/default/configmaps/cm-2')).status).toBe(404);
    await k.halt();
  }, 90_000);

  it('refuses to start over a state.db that is not kdp\'s, naming the path and what to do', async () => {
    const stateDir = newStateDir();
    writeFileSync(join(stateDir, 'state.db'), 'not a database at all, but long enough to look like a file someone cared about\n'.repeat(30));
    const r = await run(process.execPath, [KDP_BIN, 'up', ...RANGES, '--api-port', '0', '--state-dir', stateDir], { timeout: 15_000 });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${join(stateDir, 'state.db')} is not a valid kdp database`);
    expect(r.stderr).toContain('kdp up --fresh');
    expect(r.stdout).not.toMatch(/kdp is up/);
  }, 30_000);
});

const DB = `
apiVersion: v1
kind: Service
metadata: {name: db}
spec:
  clusterIP: None
  selector: {app: db}
  ports: [{port: 80}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  serviceName: db
  replicas: 1
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      containers:
      - name: c
        image: busybox
        command: ["sh", "-c", "echo boot-$(cat /data/boots 2>/dev/null | wc -l) >> /data/boots; exec sleep 4242015"]
        volumeMounts: [{name: data, mountPath: /data}]
  volumeClaimTemplates:
  - metadata: {name: data}
    spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
---
apiVersion: v1
kind: Service
metadata: {name: lb}
spec:
  type: LoadBalancer
  selector: {app: nginx}
  ports: [{port: 8080, targetPort: 80}]
`;

const ready = (p: any) => p.status?.phase === 'Running' && (p.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True');
const markerPids = () => readdirSync('/proc').filter((d) => /^\d+$/.test(d)).filter((d) => {
  try {
    return readFileSync(`/proc/${d}/cmdline`, 'utf8').replace(/\0/g, ' ').trim() === 'sleep 4242015';
  } catch {
    return false;
  }
});
const nftTables = async () => (await run('nft', ['list', 'tables'])).stdout.split('\n').map((l) => l.trim()).filter(Boolean);
/** Listening sockets on this file's ranges (127.240-243.x) or on the API port. */
const listeners = async (apiPort?: string) => (await run('ss', ['-ltnupH'])).stdout.split('\n').filter((l) => /127\.24[0-3]\./.test(l) || (apiPort && l.includes(`127.0.0.1:${apiPort} `)));
const mountsUnder = (dir: string) => readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((l) => l.includes(dir));

/** `kubectl get --raw <watch path>`: its ADDED/MODIFIED/DELETED lines as they come. */
function kubectlWatch(k: KdpCluster, path: string) {
  const child = spawn('kubectl', ['get', '--raw', path], { env: { ...process.env, KUBECONFIG: k.kubeconfig } });
  const events: any[] = [];
  let buf = '';
  child.stdout.on('data', (c) => {
    buf += c;
    let nl;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl).trim();
      buf = buf.slice(nl + 1);
      if (line) events.push(JSON.parse(line));
    }
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return { events, stop: async () => { child.kill('SIGTERM'); await exited; } };
}

describe('kdp up resumes the cluster after a kill -9, and leaves nothing behind', () => {
  it('same ClusterIP, DNS name, LoadBalancer address, pod names and IPs; StatefulSet data kept; restartCount + 1; a watch resumes without a lost event', async () => {
    const stateDir = newStateDir();
    const tablesBefore = await nftTables();
    let k = await up(stateDir, ['-f', join(ROOT, 'examples', 'seed')]);
    await k.ok(['apply', '-f', '-'], { input: DB });
    const pods = await eventually(async () => {
      const items = JSON.parse(await k.ok(['get', 'pods', '-o', 'json'])).items;
      expect(items.filter(ready).map((p: any) => p.metadata.name.replace(/-[a-z0-9]+-[a-z0-9]{5}$/, '')).sort()).toEqual(['curlpod', 'db-0', 'nginx']);
      return items;
    }, { timeout: 30_000, what: 'seed pods and db-0 Ready' });
    const svc = (name: string) => k.ok(['get', 'svc', name, '-o', 'json']).then(JSON.parse);
    const nginx = await svc('nginx');
    const lb = await eventually(async () => {
      const s = await svc('lb');
      expect(s.status?.loadBalancer?.ingress?.[0]?.ip).toBeTruthy();
      return s;
    }, { what: 'lb has an address' });
    const curl = async (url: string) => (await run('curl', ['-s', '-m', '3', url])).stdout;
    await eventually(async () => expect(await curl(`http://${nginx.spec.clusterIP}/`)).toContain('Welcome to nginx'), { what: 'nginx by ClusterIP' });
    const dig = async () => (await run('dig', ['@127.240.0.10', '+short', '+time=2', '+tries=1', 'nginx.default.svc.cluster.local'])).stdout.trim();
    await eventually(async () => expect(await dig()).toBe(nginx.spec.clusterIP), { what: 'DNS answers the ClusterIP' });
    const pv = JSON.parse(await k.ok(['get', 'pv', '-o', 'json'])).items[0];
    const boots = () => readFileSync(join(pv.spec.hostPath.path, 'boots'), 'utf8');
    await eventually(() => expect(boots()).toBe('boot-0\n'), { what: 'db-0 wrote its first boot' });
    expect(markerPids()).toHaveLength(1);

    // a watch before the crash sees w1; w2 is acknowledged just before kill -9
    const before = kubectlWatch(k, '/api/v1/namespaces/default/configmaps?watch=1&labelSelector=w%3D1');
    const post = (body: object) => k.fetch('/api/v1/namespaces/default/configmaps', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect((await post({ metadata: { name: 'w1', labels: { w: '1' } } })).status).toBe(201);
    const seen = await eventually(() => {
      const ev = before.events.find((e) => e.object.metadata.name === 'w1');
      expect(ev).toBeDefined();
      return ev;
    }, { what: 'the watch saw w1' });
    expect((await post({ metadata: { name: 'w2', labels: { w: '1' } }, data: { a: 'b' } })).status).toBe(201);
    const oldPid = k.pid;
    const oldApiPort = new URL(k.apiUrl).port;
    await k.crash();
    await before.stop();

    // kdp doctor lists what the dead kdp left, and how each goes
    const doctor = await run(process.execPath, [KDP_BIN, 'doctor', '--state-dir', stateDir, '--dns-address', '127.240.0.10']);
    expect(doctor.stdout).toContain(`[WARN]    stale lock ${stateDir}/kdp.pid from PID ${oldPid}, which is not running`);
    expect(doctor.stdout).toMatch(/\[OK\] +state\.db holds \d+ objects/);
    expect(doctor.stdout).toMatch(new RegExp(`pod files left by a stopped kdp: ${stateDir}/run/pods-`));
    if (tablesBefore.length || (await nftTables()).length) expect(doctor.stdout).toContain(`nft delete table ip kdp_${oldPid}`);
    expect(readdirSync(join(stateDir, 'run'))).toHaveLength(1);

    k = await up(stateDir);
    expect(readdirSync(join(stateDir, 'run'))).toHaveLength(1); // the dead kdp's pod files went, the new one's are there
    expect(k.output()).toMatch(/; resumed \d+ objects from /);
    // what the dead kdp left is gone once the new one is up: its table, its pods' processes
    expect((await nftTables()).filter((t) => t === `table ip kdp_${oldPid}`)).toEqual([]);
    expect((await listeners(oldApiPort)).filter((l) => l.includes(`pid=${oldPid},`))).toEqual([]);
    expect((await svc('nginx')).spec.clusterIP).toBe(nginx.spec.clusterIP);
    const lb2 = await svc('lb');
    expect(lb2.spec.ports[0].nodePort).toBe(lb.spec.ports[0].nodePort);
    expect(lb2.status.loadBalancer.ingress[0].ip).toBe(lb.status.loadBalancer.ingress[0].ip);
    await eventually(async () => expect(await curl(`http://${nginx.spec.clusterIP}/`)).toContain('Welcome to nginx'), { timeout: 15_000, what: 'nginx by the same ClusterIP after the restart' });
    await eventually(async () => expect(await dig()).toBe(nginx.spec.clusterIP), { timeout: 15_000, what: 'DNS after the restart' });
    await eventually(async () => expect(await curl(`http://${lb.status.loadBalancer.ingress[0].ip}:8080/`)).toContain('Welcome to nginx'), { timeout: 15_000, what: 'the LoadBalancer address after the restart' });
    await eventually(() => expect(boots()).toBe('boot-0\nboot-1\n'), { timeout: 15_000, what: 'db-0 started again on its kept volume' });
    const after = await eventually(async () => {
      const items = JSON.parse(await k.ok(['get', 'pods', '-o', 'json'])).items;
      expect(items.filter(ready).length).toBe(3);
      return items;
    }, { timeout: 20_000, what: 'the same pods Ready again' });
    for (const p of pods) {
      const q = after.find((x: any) => x.metadata.name === p.metadata.name);
      expect(q, `pod ${p.metadata.name} again`).toBeDefined();
      expect(q.status.podIP).toBe(p.status.podIP);
      expect(q.status.containerStatuses[0].restartCount).toBe(p.status.containerStatuses[0].restartCount + 1);
      expect(q.status.containerStatuses[0].lastState.terminated).toMatchObject({ exitCode: 255, reason: 'Unknown' });
    }
    expect(markerPids()).toHaveLength(1);

    // the watch, restarted from what it last saw, gets w2 (stored before the crash) and w3 (after)
    const resumed = kubectlWatch(k, `/api/v1/namespaces/default/configmaps?watch=1&labelSelector=w%3D1&resourceVersion=${seen.object.metadata.resourceVersion}`);
    await k.fetch('/api/v1/namespaces/default/configmaps', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ metadata: { name: 'w3', labels: { w: '1' } } }) });
    await eventually(() => expect(resumed.events.map((e) => `${e.type} ${e.object.metadata.name}`)).toEqual(['ADDED w2', 'ADDED w3']), { what: 'the resumed watch' });
    await resumed.stop();

    // Ctrl-C: nothing of this cluster survives
    const pid = k.pid;
    const apiPort = new URL(k.apiUrl).port;
    await k.halt();
    expect((await nftTables()).filter((t) => t.includes(`kdp_${pid}`) || t.includes(`kdp_${oldPid}`))).toEqual([]);
    expect((await nftTables()).filter((t) => !tablesBefore.includes(t) && /kdp_/.test(t)).filter((t) => t.includes(String(pid)))).toEqual([]);
    expect(await listeners(apiPort)).toEqual([]);
    expect(markerPids()).toEqual([]);
    expect(mountsUnder(stateDir)).toEqual([]);
  }, 150_000);
});
