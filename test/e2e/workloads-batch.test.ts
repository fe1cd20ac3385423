// Issue #6 end to end (slot 8): Jobs (completions/parallelism, Indexed, backoffLimit, deadline, TTL,
// OnFailure), `kdp logs job/…`, `kdp wait`, CronJobs (`kdp create job --from`, one real */1 run),
// DaemonSets with `kdp node add|remove` and `kdp cordon|uncordon`.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import { ROOT, run, startKdp, type KdpCluster } from '../support/kdp.js';
import { startUpstreamDns, type UpstreamDns } from '../support/upstream-dns.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
let k: KdpCluster;
let upstream: UpstreamDns;

const ok = (args: string[], input?: string): Promise<string> => k.ok(args, { input, timeout: 90_000 });
const apply = (yaml: string) => ok(['apply', '-f', '-'], yaml);
const getJson = async (args: string[]) => JSON.parse(await ok(['get', ...args, '-o', 'json']));

function job(name: string, spec: string, command: string, restartPolicy = 'Never'): string {
  return `
apiVersion: batch/v1
kind: Job
metadata: {name: ${name}}
spec:
${spec.trim().split('\n').map((l) => `  ${l.trim()}`).join('\n')}
  template:
    spec:
      restartPolicy: ${restartPolicy}
      containers:
      - name: c
        image: busybox
        command: ["sh", "-c", ${JSON.stringify(command)}]
`;
}

beforeAll(async () => {
  upstream = await startUpstreamDns('127.60.0.58', {});
  k = await startKdp({ slot: 8, upstreamDns: [`${upstream.address}:${upstream.port}`] });
}, 60_000);

afterAll(async () => {
  await k?.stop();
  await upstream?.close();
});

describe('Job', () => {
  it('runs completions with parallelism to Complete; COMPLETIONS/DURATION columns; logs job/; wait', async () => {
    await apply(job('pi', 'completions: 3\nparallelism: 2', 'echo done by $HOSTNAME; sleep 0.5'));
    expect(await ok(['wait', '--for=condition=complete', 'job/pi', '--timeout=30s'])).toBe('job.batch/pi condition met\n');
    const out = await ok(['get', 'jobs', 'pi']);
    expect(out).toMatch(/^NAME\s+STATUS\s+COMPLETIONS\s+DURATION\s+AGE$/m);
    expect(out).toMatch(/^pi\s+Complete\s+3\/3\s+\d+s\s+\S+$/m);
    const j = await getJson(['job', 'pi']);
    expect(j.spec.selector.matchLabels['batch.kubernetes.io/controller-uid']).toBe(j.metadata.uid);
    expect(j.spec.template.metadata.labels['batch.kubernetes.io/job-name']).toBe('pi');
    expect(j.status).toMatchObject({ succeeded: 3, ready: 0 });
    expect(j.status.completionTime).toBeTruthy();
    const pods = (await getJson(['pods', '-l', 'job-name=pi'])).items;
    expect(pods).toHaveLength(3);
    expect(pods.every((p: any) => p.status.phase === 'Succeeded')).toBe(true);
    expect(await ok(['logs', 'job/pi'])).toMatch(/^done by pi-[a-z0-9]{5}\n$/);
  }, 40_000);

  it('Indexed mode gives each pod its JOB_COMPLETION_INDEX and name <job>-<index>-<rand>', async () => {
    await apply(job('idx', 'completions: 3\nparallelism: 3\ncompletionMode: Indexed', 'echo index=$JOB_COMPLETION_INDEX'));
    await ok(['wait', '--for=condition=complete', 'job/idx', '--timeout=30s']);
    const pods = (await getJson(['pods', '-l', 'job-name=idx'])).items;
    const seen: string[] = [];
    for (const p of pods) {
      const i = p.metadata.annotations['batch.kubernetes.io/job-completion-index'];
      expect(p.metadata.name).toMatch(new RegExp(`^idx-${i}-[a-z0-9]{5}$`));
      seen.push((await ok(['logs', p.metadata.name])).trim());
    }
    expect(seen.sort()).toEqual(['index=0', 'index=1', 'index=2']);
    expect((await getJson(['job', 'idx'])).status.completedIndexes).toBe('0-2');
  }, 40_000);

  it('fails with BackoffLimitExceeded after backoffLimit retries (10 s back-off between them)', async () => {
    await apply(job('fails', 'backoffLimit: 1', 'echo failing; exit 3'));
    expect(await ok(['wait', '--for=condition=failed', 'job/fails', '--timeout=40s'])).toBe('job.batch/fails condition met\n');
    const j = await getJson(['job', 'fails']);
    const failed = j.status.conditions.find((c: any) => c.type === 'Failed');
    expect(failed).toMatchObject({ status: 'True', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' });
    expect(j.status.failed).toBe(2);
    const pods = (await getJson(['pods', '-l', 'job-name=fails'])).items.sort((a: any, b: any) => a.metadata.creationTimestamp.localeCompare(b.metadata.creationTimestamp));
    expect(pods).toHaveLength(2);
    // The replacement came only after the back-off (10 s) from the first failure.
    const firstFinished = Date.parse(pods[0].status.containerStatuses[0].state.terminated.finishedAt);
    expect(Date.parse(pods[1].metadata.creationTimestamp) - firstFinished).toBeGreaterThanOrEqual(9_000);
    expect(await ok(['get', 'job', 'fails'])).toMatch(/^fails\s+Failed\s+0\/1\s/m);
  }, 60_000);

  it('activeDeadlineSeconds stops a running Job with DeadlineExceeded and deletes its pods', async () => {
    await apply(job('slow', 'activeDeadlineSeconds: 2', 'sleep 600'));
    await ok(['wait', '--for=condition=failed', 'job/slow', '--timeout=20s']);
    const j = await getJson(['job', 'slow']);
    expect(j.status.conditions.find((c: any) => c.type === 'Failed')).toMatchObject({ reason: 'DeadlineExceeded', message: 'Job was active longer than specified deadline' });
    await eventually(async () => expect((await getJson(['pods', '-l', 'job-name=slow'])).items).toEqual([]), { timeout: 40_000, what: 'deadline pods deleted' });
  }, 60_000);

  it('OnFailure restarts the container in place until it succeeds', async () => {
    await apply(job('flaky', '', 'if [ -f /tmp/kdp-e2e-flaky-8 ]; then rm /tmp/kdp-e2e-flaky-8; echo ok; else touch /tmp/kdp-e2e-flaky-8; exit 1; fi', 'OnFailure'));
    await ok(['wait', '--for=condition=complete', 'job/flaky', '--timeout=30s']);
    const pods = (await getJson(['pods', '-l', 'job-name=flaky'])).items;
    expect(pods).toHaveLength(1);
    expect(pods[0].status.containerStatuses[0].restartCount).toBe(1);
  }, 40_000);

  it('ttlSecondsAfterFinished deletes the finished Job and its pods; wait --for=delete sees it go', async () => {
    // long enough that the completion is seen before the Job goes, even on a busy machine
    await apply(job('short', 'ttlSecondsAfterFinished: 10', 'true'));
    await ok(['wait', '--for=condition=complete', 'job/short', '--timeout=20s']);
    expect(await ok(['wait', '--for=delete', 'job/short', '--timeout=30s'])).toBe('job.batch/short condition met\n');
    await eventually(async () => expect((await getJson(['pods', '-l', 'job-name=short'])).items).toEqual([]), { what: 'pods collected' });
  }, 60_000);

  it('wait times out with kubectl\'s message', async () => {
    await apply(job('forever', '', 'sleep 600'));
    const r = await k.kdp(['wait', '--for=condition=complete', 'job/forever', '--timeout=1s']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('error: timed out waiting for the condition on jobs/forever\n');
    await ok(['delete', 'job', 'forever']);
  }, 20_000);
});

describe('CronJob', () => {
  it('`kdp create job --from=cronjob/…` runs the template now; a real */1 schedule starts <name>-<minutes>', async () => {
    await apply(`
apiVersion: batch/v1
kind: CronJob
metadata: {name: tick}
spec:
  schedule: "*/1 * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers:
          - name: c
            image: busybox
            command: ["sh", "-c", "echo tick"]
`);
    expect(await ok(['create', 'job', 'tick-now', '--from=cronjob/tick'])).toBe('job.batch/tick-now created\n');
    await ok(['wait', '--for=condition=complete', 'job/tick-now', '--timeout=20s']);
    expect(await ok(['logs', 'job/tick-now'])).toBe('tick\n');
    const manual = await getJson(['job', 'tick-now']);
    expect(manual.metadata.annotations['cronjob.kubernetes.io/instantiate']).toBe('manual');
    expect(manual.metadata.ownerReferences[0]).toMatchObject({ kind: 'CronJob', name: 'tick' });
    // REAL TIME: the next minute boundary (up to 60 s away) starts tick-<unix minutes>.
    const scheduled = await eventually(async () => {
      const jobs = (await getJson(['jobs'])).items.filter((j: any) => /^tick-\d+$/.test(j.metadata.name));
      expect(jobs.length).toBeGreaterThan(0);
      return jobs[0];
    }, { timeout: 75_000, interval: 500, what: 'the */1 schedule fired' });
    const minutes = Number(scheduled.metadata.name.slice('tick-'.length));
    expect(new Date(scheduled.metadata.annotations['batch.kubernetes.io/cronjob-scheduled-timestamp']).getTime()).toBe(minutes * 60_000);
    await ok(['wait', '--for=condition=complete', `job/${scheduled.metadata.name}`, '--timeout=20s']);
    await eventually(async () => {
      expect(await ok(['get', 'cronjob', 'tick'])).toMatch(/^tick\s+\*\/1 \* \* \* \*\s+<none>\s+False\s+0\s+\d+s\s+\S+$/m);
    }, { what: 'LAST SCHEDULE shown' });
    await ok(['delete', 'cronjob', 'tick']);
  }, 100_000);

  it('the seed\'s log compression example compresses last month\'s logs (run now with --from)', async () => {
    await ok(['apply', '-f', join(ROOT, 'examples/cronjob/compress-logs.yaml')]);
    expect(await ok(['get', 'cronjob', 'compress-logs'])).toMatch(/^compress-logs\s+0 3 1 \* \*\s+Etc\/UTC\s+False\s+0\s+<none>\s/m);
    const pvc = await eventually(async () => {
      const c = await getJson(['pvc', 'app-logs']);
      expect(c.status.phase).toBe('Bound');
      return c;
    }, { what: 'app-logs bound' });
    const dir = (await getJson(['pv', pvc.spec.volumeName])).spec.hostPath.path;
    const now = new Date();
    const last = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1)).toISOString().slice(0, 7);
    const thisMonth = now.toISOString().slice(0, 7);
    for (const day of ['01', '15']) writeFileSync(join(dir, `app-${last}-${day}.log`), `log of ${last}-${day}\n`);
    writeFileSync(join(dir, `app-${thisMonth}-01.log`), 'current\n');
    await ok(['create', 'job', 'compress-now', '--from=cronjob/compress-logs']);
    await ok(['wait', '--for=condition=complete', 'job/compress-now', '--timeout=30s']);
    expect(await ok(['logs', 'job/compress-now'])).toBe(`compressed 2 files of ${last} into archive/logs-${last}.tar.gz\n`);
    expect(readdirSync(dir).sort()).toEqual([`app-${thisMonth}-01.log`, 'archive']);
    expect(execFileSync('tar', ['-tzf', join(dir, 'archive', `logs-${last}.tar.gz`)], { encoding: 'utf8' }).trim().split('\n').sort()).toEqual([`app-${last}-01.log`, `app-${last}-15.log`]);
    await ok(['delete', '-f', join(ROOT, 'examples/cronjob/compress-logs.yaml')]);
    await eventually(() => expect(existsSync(dir)).toBe(false), { what: 'the volume goes with its claim (reclaimPolicy Delete)' });
  }, 60_000);

  it('refuses a bad schedule and an unknown time zone, as the apiserver does', async () => {
    const r = await k.kdp(['apply', '-f', '-'], { input: 'apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: bad}\nspec:\n  schedule: "61 * * * *"\n  timeZone: Mars/Olympus\n  jobTemplate: {spec: {template: {spec: {restartPolicy: Never, containers: [{name: c, image: busybox, command: ["true"]}]}}}}\n' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/The CronJob "bad" is invalid: [\s\S]*spec\.schedule: Invalid value: "61 \* \* \* \*"/);
    expect(r.stderr).toMatch(/spec\.timeZone: Invalid value: "Mars\/Olympus": unknown time zone Mars\/Olympus/);
  });
});

describe('DaemonSet and nodes', () => {
  const dsPods = async () => (await getJson(['pods', '-l', 'app=agent'])).items.filter((p: any) => !p.metadata.deletionTimestamp);
  const nodesOf = (pods: any[]) => pods.map((p: any) => p.spec.nodeName).sort();

  it('runs one pod per node, follows `kdp node add|remove`, keeps its pod on a cordoned node', async () => {
    await apply(`
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      containers:
      - name: a
        image: busybox
        command: ["sleep", "infinity"]
`);
    await eventually(async () => expect(nodesOf(await dsPods())).toEqual(['e2e8-control-plane', 'e2e8-worker']), { timeout: 15_000, what: 'a pod per node' });
    expect(await ok(['node', 'add'])).toBe('node/e2e8-worker2 added: InternalIP 127.178.0.4, pod CIDR 127.148.2.0/24\n');
    expect(await ok(['get', 'nodes'])).toMatch(/^e2e8-worker2\s+Ready\s+<none>\s/m);
    await eventually(async () => {
      const pods = await dsPods();
      expect(nodesOf(pods)).toEqual(['e2e8-control-plane', 'e2e8-worker', 'e2e8-worker2']);
      expect(pods.find((p: any) => p.spec.nodeName === 'e2e8-worker2').status.podIP).toMatch(/^127\.148\.2\.\d+$/);
    }, { timeout: 15_000, what: 'the new node got its daemon pod' });
    expect(await ok(['get', 'ds', 'agent'])).toMatch(/^agent\s+3\s+3\s+3\s+3\s+3\s+<none>\s/m);
    // kube-proxy serves NodePorts on the new node's IP too.
    await apply(`
apiVersion: v1
kind: Pod
metadata: {name: web, labels: {app: web}}
spec:
  containers: [{name: nginx, image: nginx}]
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  type: NodePort
  selector: {app: web}
  ports: [{port: 80, nodePort: 30808}]
`);
    await eventually(async () => {
      const r = await run('curl', ['-s', '-m', '2', 'http://127.178.0.4:30808/']);
      expect(r.stdout).toMatch(/Welcome to nginx!/);
    }, { timeout: 15_000, what: 'NodePort on the new node' });

    expect(await ok(['cordon', 'e2e8-worker'])).toBe('node/e2e8-worker cordoned\n');
    expect(await ok(['cordon', 'e2e8-worker'])).toBe('node/e2e8-worker already cordoned\n');
    expect(await ok(['get', 'nodes'])).toMatch(/^e2e8-worker\s+Ready,SchedulingDisabled\s/m);
    // The daemon pod stays on the cordoned node (DaemonSet pods tolerate node.kubernetes.io/unschedulable).
    expect(nodesOf(await dsPods())).toContain('e2e8-worker');
    expect(await ok(['uncordon', 'e2e8-worker'])).toBe('node/e2e8-worker uncordoned\n');

    expect(await ok(['node', 'remove', 'e2e8-worker2'])).toBe('node "e2e8-worker2" deleted\n');
    await eventually(async () => expect(nodesOf(await dsPods())).toEqual(['e2e8-control-plane', 'e2e8-worker']), { timeout: 15_000, what: 'removed node\'s pod gone' });
    await eventually(async () => expect((await run('curl', ['-s', '-m', '1', '-o', '/dev/null', '-w', '%{http_code}', 'http://127.178.0.4:30808/'])).stdout).toBe('000'), { what: 'NodePort closed on the removed node' });
    await ok(['delete', 'service', 'web']);
    await ok(['delete', 'pod', 'web', '--grace-period=1', '--ignore-not-found']);
  }, 60_000);

  it('nodeSelector limits the DaemonSet to matching nodes; labelling a node adds it', async () => {
    await apply(`
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: gpu}
spec:
  selector: {matchLabels: {app: gpu}}
  template:
    metadata: {labels: {app: gpu}}
    spec:
      nodeSelector: {hardware: gpu}
      containers:
      - name: a
        image: busybox
        command: ["sleep", "infinity"]
`);
    await ok(['node', 'add', 'gpu-node', '--label', 'hardware=gpu']);
    await eventually(async () => {
      const pods = (await getJson(['pods', '-l', 'app=gpu'])).items;
      expect(pods.map((p: any) => p.spec.nodeName)).toEqual(['gpu-node']);
    }, { timeout: 15_000, what: 'gpu pod on gpu-node only' });
    await ok(['node', 'remove', 'gpu-node']);
    await ok(['delete', 'ds', 'gpu', 'agent']);
  }, 40_000);
});
