// Issue #3, points 5-7: load balancing and affinity, traffic policies, probes, graceful termination,
// and zero failed requests under `wrk` while a Deployment rolls — real sockets, whole `kdp up` (slot 3).
import { chmodSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import { run, startKdp, type KdpCluster } from '../support/kdp.js';
import { apply, curl, deployment, getJson, getOnce, NETEXEC, ok } from './services-helpers.js';

let k: KdpCluster;
let tmp: string;
const CP_IP = '127.173.0.2';
const WORKER_IP = '127.173.0.3';
const WORKER = 'e2e3-worker';

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'kdp-svc-lb-'));
  k = await startKdp({ slot: 3 });
}, 60_000);

afterAll(async () => {
  await k?.stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

async function readyEndpoints(svc: string): Promise<string[]> {
  const slices = await getJson(k, ['endpointslices', '-l', `kubernetes.io/service-name=${svc}`]);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return slices.items.flatMap((s: any) => (s.endpoints ?? []).filter((e: any) => e.conditions?.ready).map((e: any) => e.addresses[0]));
}

function service(name: string, spec: string): string {
  return `apiVersion: v1\nkind: Service\nmetadata: {name: ${name}}\nspec: {selector: {app: ${name}}, ${spec}}\n`;
}

describe('5. load balancing', () => {
  it('spreads 1,000 requests on new connections over all 10 replicas', async () => {
    await apply(k, tmp, 'spread', `${deployment('spread', 10, NETEXEC, { args: ['netexec'], ports: '[{containerPort: 8080}]' })}---\n${service('spread', 'ports: [{port: 80, targetPort: 8080}]')}`);
    await eventually(async () => expect(await readyEndpoints('spread')).toHaveLength(10), { timeout: 20_000, what: '10 ready endpoints' });
    const ip = (await getJson(k, ['svc', 'spread'])).spec.clusterIP;
    const counts = new Map<string, number>();
    for (let i = 0; i < 1000; i++) {
      const r = await getOnce(`http://${ip}/hostname`);
      expect(r.status).toBe(200);
      counts.set(r.body, (counts.get(r.body) ?? 0) + 1);
    }
    console.log(`[spread] 1000 requests over ${counts.size} pods: ${[...counts.values()].sort((a, b) => a - b).join(' ')}`);
    expect(counts.size).toBe(10);
    for (const n of counts.values()) expect(n).toBeGreaterThanOrEqual(50);
  }, 60_000);

  it('sessionAffinity ClientIP pins a client to one pod until timeoutSeconds', async () => {
    await apply(k, tmp, 'sticky', `apiVersion: v1\nkind: Service\nmetadata: {name: sticky}\nspec: {selector: {app: spread}, sessionAffinity: ClientIP, sessionAffinityConfig: {clientIP: {timeoutSeconds: 1}}, ports: [{port: 80, targetPort: 8080}]}\n`);
    const ip = (await getJson(k, ['svc', 'sticky'])).spec.clusterIP;
    await eventually(async () => expect((await getOnce(`http://${ip}/hostname`)).status).toBe(200));
    for (const client of ['127.0.0.11', '127.0.0.12']) {
      const seen = new Set<string>();
      for (let i = 0; i < 30; i++) seen.add((await getOnce(`http://${ip}/hostname`, client)).body);
      expect(seen.size, client).toBe(1);
    }
    // Past the timeout the client is balanced again: the next rotation slot, another pod each time.
    const after = new Set<string>();
    for (let i = 0; i < 3; i++) {
      await new Promise((r) => setTimeout(r, 1200)); // the affinity timeout itself is what is tested
      after.add((await getOnce(`http://${ip}/hostname`, '127.0.0.11')).body);
    }
    expect(after.size).toBe(3);
  }, 30_000);

  it('externalTrafficPolicy Local: node IPs use their own endpoints and drop without one; LB front doors reach the pod', async () => {
    await apply(k, tmp, 'etp', `${deployment('etp', 1, NETEXEC, { args: ['netexec'], ports: '[{containerPort: 8080}]', nodeName: WORKER })}---
apiVersion: v1
kind: Service
metadata: {name: etp}
spec: {type: LoadBalancer, externalTrafficPolicy: Local, selector: {app: etp}, ports: [{port: 8484, targetPort: 8080}]}
`);
    const svc = await eventually(async () => {
      const s = await getJson(k, ['svc', 'etp']);
      expect(s.status?.loadBalancer?.ingress?.[0]?.ip).toBeTruthy();
      return s;
    });
    const np = svc.spec.ports[0].nodePort;
    await eventually(async () => expect((await curl(`http://${WORKER_IP}:${np}/hostname`)).http).toBe(200), { timeout: 15_000, what: 'worker NodePort' });
    expect((await curl(`http://${svc.status.loadBalancer.ingress[0].ip}:8484/hostname`)).http).toBe(200);
    expect((await curl(`http://${k.hostAddress}:8484/hostname`)).http).toBe(200);
    expect((await curl(`http://${k.hostAddress}:${np}/hostname`)).http).toBe(200);
    const dropped = await curl(`http://${CP_IP}:${np}/hostname`, [], 1);
    expect(dropped.code, 'curl exit: 28 = timed out (dropped), 7 would be refused').toBe(28);
  });

  it('internalTrafficPolicy Local: the client node decides; other clients count as the first node', async () => {
    await apply(k, tmp, 'itp', `apiVersion: v1\nkind: Service\nmetadata: {name: itp}\nspec: {internalTrafficPolicy: Local, selector: {app: etp}, ports: [{port: 80, targetPort: 8080}]}\n`);
    const ip = (await getJson(k, ['svc', 'itp'])).spec.clusterIP;
    await eventually(async () => expect((await curl(`http://${ip}/hostname`, ['--interface', WORKER_IP])).http).toBe(200));
    expect((await curl(`http://${ip}/hostname`, [], 1)).code).toBe(28);
  });

  it('a Service without endpoints refuses connections', async () => {
    await apply(k, tmp, 'empty', service('nobody', 'type: NodePort, ports: [{port: 80}]'));
    const svc = await getJson(k, ['svc', 'nobody']);
    expect((await curl(`http://${svc.spec.clusterIP}/`)).code).toBe(7);
    expect((await curl(`http://${WORKER_IP}:${svc.spec.ports[0].nodePort}/`)).code).toBe(7);
  });
});

describe('6. probes and graceful termination', () => {
  it('a readiness probe takes the pod out of the EndpointSlice and puts it back; liveness restarts it', async () => {
    // the probe files live on the host and reach the pod's own root layer through a hostPath volume;
    // the probes run as the pod's user (nobody, as it asks for nothing), so they must be readable by it
    chmodSync(tmp, 0o755);
    const ready = join(tmp, 'ready');
    const dead = join(tmp, 'dead');
    await apply(k, tmp, 'probed', `${deployment('probed', 1, NETEXEC, {
      args: ['netexec'],
      ports: '[{containerPort: 8080}]',
      probes: `        readinessProbe: {exec: {command: [test, -f, ${ready}]}, periodSeconds: 1, failureThreshold: 1}
        livenessProbe: {exec: {command: [sh, -c, "! test -f ${dead}"]}, periodSeconds: 1, failureThreshold: 2}
        startupProbe: {tcpSocket: {port: 8080}, periodSeconds: 1}
        volumeMounts: [{name: probe-files, mountPath: ${tmp}}]
      volumes: [{name: probe-files, hostPath: {path: ${tmp}}}]
`,
    })}---\n${service('probed', 'ports: [{port: 80, targetPort: 8080}]')}`);
    await eventually(async () => {
      const pods = await getJson(k, ['pods', '-l', 'app=probed']);
      expect(pods.items[0]?.status?.containerStatuses?.[0]?.started).toBe(true);
    }, { what: 'started after the startup probe' });
    expect(await readyEndpoints('probed')).toEqual([]);
    writeFileSync(ready, '');
    await eventually(async () => expect(await readyEndpoints('probed')).toHaveLength(1), { timeout: 5000, what: 'ready endpoint' });
    unlinkSync(ready);
    const t0 = Date.now();
    await eventually(async () => expect(await readyEndpoints('probed')).toEqual([]), { timeout: 5000, what: 'endpoint not ready' });
    console.log(`[probes] readiness failure → out of the EndpointSlice in ${Date.now() - t0} ms (periodSeconds 1)`);
    writeFileSync(ready, '');
    await eventually(async () => expect(await readyEndpoints('probed')).toHaveLength(1), { timeout: 5000 });
    const events = await ok(k, ['get', 'events', '--field-selector', 'reason=Unhealthy']);
    expect(events).toContain(`Readiness probe failed: command "test -f ${ready}" exited with 1`);

    writeFileSync(dead, '');
    await eventually(async () => expect((await ok(k, ['get', 'pods', '-l', 'app=probed'])).split('\n')[1]).toMatch(/^probed-\S+\s+\d\/1\s+\S+\s+[1-9]/), { timeout: 10_000, what: 'RESTARTS ≥ 1' });
    unlinkSync(dead);
    expect(await ok(k, ['get', 'events', '--field-selector', 'reason=Killing'])).toContain('failed liveness probe, will be restarted');
    await eventually(async () => expect(await readyEndpoints('probed')).toHaveLength(1), { timeout: 20_000, what: 'ready again after the restart' });
  }, 60_000);

  it('httpGet and tcpSocket probes: a 404 keeps the pod unready with the kubelet event', async () => {
    await apply(k, tmp, 'httpprobe', `${deployment('httpprobe', 1, 'nginx:1.25', {
      probes: `        readinessProbe: {httpGet: {path: /missing, port: 80}, periodSeconds: 1}
        livenessProbe: {tcpSocket: {port: 80}, periodSeconds: 1}
`,
    })}`);
    await eventually(async () => expect(await ok(k, ['get', 'events', '--field-selector', 'reason=Unhealthy'])).toContain('Readiness probe failed: HTTP probe failed with statuscode: 404'), { timeout: 10_000 });
    const pod = (await getJson(k, ['pods', '-l', 'app=httpprobe'])).items[0];
    expect(pod.status.containerStatuses[0].ready).toBe(false);
    expect(pod.status.containerStatuses[0].restartCount).toBe(0);
  });

  it('a deleted pod stops getting new connections and finishes its in-flight request', async () => {
    const script = "const h=require('http');const s=h.createServer((q,r)=>{console.log('got '+q.url);setTimeout(()=>r.end('done'),Number(new URL(q.url,'http://x').searchParams.get('ms')||0))});s.listen(8080,process.env.POD_IP);process.on('SIGTERM',()=>s.close())";
    await apply(k, tmp, 'slow', `apiVersion: v1
kind: Pod
metadata: {name: slow, labels: {app: slow}}
spec:
  terminationGracePeriodSeconds: 10
  containers:
  - name: slow
    image: node:20
    command: [${JSON.stringify(process.execPath)}, -e, ${JSON.stringify(script)}]
    ports: [{containerPort: 8080}]
---
${service('slow', 'ports: [{port: 80, targetPort: 8080}]')}`);
    await eventually(async () => expect(await readyEndpoints('slow')).toHaveLength(1), { timeout: 15_000 });
    const ip = (await getJson(k, ['svc', 'slow'])).spec.clusterIP;
    const inflight = getOnce(`http://${ip}/?ms=3000`, undefined, 10_000);
    await eventually(async () => expect(await ok(k, ['logs', 'slow'])).toContain('got /?ms=3000'), { what: 'request in flight at the pod' });
    const t0 = Date.now();
    await ok(k, ['delete', 'pod', 'slow', '--wait=false']);
    await eventually(async () => {
      const slices = await getJson(k, ['endpointslices', '-l', 'kubernetes.io/service-name=slow']);
      expect(slices.items[0].endpoints[0].conditions).toMatchObject({ ready: false, terminating: true });
    }, { what: 'endpoint terminating' });
    expect((await curl(`http://${ip}/`, [], 2)).http).toBe(0); // new connection: no endpoint takes it
    const r = await inflight;
    expect(r).toEqual({ status: 200, body: 'done' });
    await eventually(async () => expect((await k.kdp(['get', 'pod', 'slow'])).code).toBe(1), { timeout: 12_000, what: 'pod gone' });
    console.log(`[termination] in-flight request finished; pod gone ${Date.now() - t0} ms after delete`);
  }, 40_000);
});

describe('6b. terminating endpoints', () => {
  it('with no ready endpoint left, a serving terminating pod still takes new connections until it goes', async () => {
    const script = "const h=require('http');h.createServer((q,r)=>r.end('still-serving')).listen(8080,process.env.POD_IP);process.on('SIGTERM',()=>{})";
    await apply(k, tmp, 'linger', `apiVersion: v1
kind: Pod
metadata: {name: linger, labels: {app: linger}}
spec:
  terminationGracePeriodSeconds: 3
  containers:
  - name: linger
    image: node:20
    command: [${JSON.stringify(process.execPath)}, -e, ${JSON.stringify(script)}]
    ports: [{containerPort: 8080}]
---
${service('linger', 'ports: [{port: 80, targetPort: 8080}]')}`);
    await eventually(async () => expect(await readyEndpoints('linger')).toHaveLength(1), { timeout: 15_000 });
    const ip = (await getJson(k, ['svc', 'linger'])).spec.clusterIP;
    await ok(k, ['delete', 'pod', 'linger', '--wait=false']);
    await eventually(async () => {
      const slices = await getJson(k, ['endpointslices', '-l', 'kubernetes.io/service-name=linger']);
      expect(slices.items[0].endpoints[0].conditions).toEqual({ ready: false, serving: true, terminating: true });
    }, { what: 'serving + terminating' });
    const r = await curl(`http://${ip}/`);
    expect(r.body).toBe('still-serving');
    // after the grace period SIGKILL ends it and the Service refuses
    await eventually(async () => expect((await curl(`http://${ip}/`, [], 1)).code).toBe(7), { timeout: 10_000, what: 'refused once gone' });
  }, 30_000);
});

describe('7. under load', () => {
  async function wrk(url: string, seconds: number, extra: string[] = []): Promise<{ requests: number; errors: string | undefined; non2xx: number; text: string }> {
    const r = await run('wrk', ['-t1', '-c20', `-d${seconds}s`, ...extra, url], { timeout: (seconds + 20) * 1000 });
    if (r.code !== 0) throw new Error(`wrk failed (apt-get install -y wrk): ${r.stderr}${r.stdout}`);
    const requests = Number(r.stdout.match(/(\d+) requests in/)?.[1] ?? 0);
    return { requests, errors: r.stdout.match(/Socket errors:.*/)?.[0], non2xx: Number(r.stdout.match(/Non-2xx or 3xx responses: (\d+)/)?.[1] ?? 0), text: r.stdout };
  }

  it('wrk sees zero failed requests while the Deployment rolls and pods are deleted gracefully', async () => {
    await apply(k, tmp, 'roll', `${deployment('roll', 4, 'nginx:1.25')}---\n${service('roll', 'ports: [{port: 80}]')}`);
    await eventually(async () => expect(await readyEndpoints('roll')).toHaveLength(4), { timeout: 20_000 });
    const url = `http://${(await getJson(k, ['svc', 'roll'])).spec.clusterIP}/`;

    // keep-alive, while `kdp set image` rolls all four pods
    const keepAlive = wrk(url, 6);
    await new Promise((r) => setTimeout(r, 1000));
    expect(await ok(k, ['set', 'image', 'deployment/roll', 'roll=nginx:1.26'])).toBe('deployment.apps/roll image updated\n');
    const ka = await keepAlive;
    const pods = await getJson(k, ['pods', '-l', 'app=roll']);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    expect(pods.items.filter((p: any) => !p.metadata.deletionTimestamp).map((p: any) => p.spec.containers[0].image)).toEqual(Array(4).fill('nginx:1.26'));

    // new connection per request, while every pod is deleted gracefully one after the other
    const closeMode = wrk(url, 6, ['-H', 'Connection: close']);
    await new Promise((r) => setTimeout(r, 1000));
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    for (const p of pods.items.map((x: any) => x.metadata.name)) {
      await ok(k, ['delete', 'pod', p, '--wait=false']);
      await new Promise((r) => setTimeout(r, 500));
    }
    const cm = await closeMode;
    console.log(`[wrk] keep-alive during rollout: ${ka.requests} requests, ${ka.errors ?? 'no socket errors'}, ${ka.non2xx} non-2xx`);
    console.log(`[wrk] Connection: close during 4 graceful deletes: ${cm.requests} requests, ${cm.errors ?? 'no socket errors'}, ${cm.non2xx} non-2xx`);
    for (const w of [ka, cm]) {
      // the load ran across the rollout (how fast is bench/'s business, not a test's)
      expect(w.requests).toBeGreaterThan(0);
      expect(w.errors, w.text).toBeUndefined();
      expect(w.non2xx, w.text).toBe(0);
    }
  }, 60_000);

  it('killing one pod process abruptly fails only the requests that pod held', async () => {
    const script = "const h=require('http');h.createServer((q,r)=>r.end(process.env.HOSTNAME)).listen(8080,process.env.POD_IP)";
    await apply(k, tmp, 'abrupt', `apiVersion: apps/v1
kind: Deployment
metadata: {name: abrupt}
spec:
  replicas: 2
  selector: {matchLabels: {app: abrupt}}
  template:
    metadata: {labels: {app: abrupt}}
    spec:
      containers:
      - name: abrupt
        image: node:20
        command: [${JSON.stringify(process.execPath)}, -e, ${JSON.stringify(script)}]
        ports: [{containerPort: 8080}]
---
${service('abrupt', 'ports: [{port: 80, targetPort: 8080}]')}`);
    await eventually(async () => expect(await readyEndpoints('abrupt')).toHaveLength(2), { timeout: 15_000 });
    const [victimIP] = await readyEndpoints('abrupt');
    const ss = await run('ss', ['-Htlnp', `src ${victimIP}:8080`]);
    const pid = Number(ss.stdout.match(/pid=(\d+)/)?.[1]);
    expect(pid, ss.stdout).toBeGreaterThan(0);
    const url = `http://${(await getJson(k, ['svc', 'abrupt'])).spec.clusterIP}/`;
    const load = wrk(url, 5);
    await new Promise((r) => setTimeout(r, 1500));
    process.kill(pid, 'SIGKILL');
    const w = await load;
    const errors = (w.errors?.match(/\d+/g) ?? []).map(Number).reduce((a, b) => a + b, 0);
    console.log(`[wrk] keep-alive, one of 2 pods SIGKILLed: ${w.requests} requests, ${w.errors ?? 'no socket errors'}, ${w.non2xx} non-2xx`);
    expect(w.requests).toBeGreaterThan(0);
    expect(w.non2xx).toBe(0);
    // at most the requests in flight on the 20 connections, about half of them spliced to the victim
    expect(errors).toBeLessThanOrEqual(20);
  }, 40_000);
});
