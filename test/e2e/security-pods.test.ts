// Issue 14.4 end to end (ranges 127.224-227.x): pods hold only the privilege they ask for. Each
// securityContext field is checked on a real cluster from the host (`ps -o uid,gid`, /proc/<pid>/status)
// and from inside the pod (`kdp exec … id`, writes, binds): the default identity (nobody, not root),
// runAsUser/runAsGroup/supplementalGroups/fsGroup, runAsNonRoot, privileged, capabilities,
// allowPrivilegeEscalation, readOnlyRootFilesystem, the pod's own root layer, the isolation of the
// state dir, a container's environment, and the fields refused at admission.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import { rangeArgs, run, startKdp, type KdpCluster } from '../support/kdp.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
let k: KdpCluster;
let tmp: string;

const ok = (args: string[], input?: string): Promise<string> => k.ok(args, { input, timeout: 60_000 });
const apply = (yaml: string) => ok(['apply', '-f', '-'], yaml);
const getJson = async (args: string[]) => JSON.parse(await ok(['get', ...args, '-o', 'json']));
const exec = (pod: string, cmd: string) => k.kdp(['exec', pod, '--', 'sh', '-c', cmd]);

/** A pod running `sleep <tag>` (its marker on the host), with `extra` YAML under the container and the pod spec. */
function pod(name: string, tag: number, o: { container?: string; spec?: string; command?: string; image?: string } = {}): string {
  return `
apiVersion: v1
kind: Pod
metadata: {name: ${name}}
spec:
  terminationGracePeriodSeconds: 1
${(o.spec ?? '').trim().split('\n').filter(Boolean).map((l) => `  ${l}`).join('\n')}
  containers:
  - name: c
    image: ${o.image ?? 'busybox'}
    command: ${o.command ?? `["sleep", "${tag}"]`}
${(o.container ?? '').trim().split('\n').filter(Boolean).map((l) => `    ${l}`).join('\n')}
`;
}

/** Host pids whose command line is exactly `cmdline`. */
function pids(cmdline: string): number[] {
  return readdirSync('/proc').filter((d) => /^\d+$/.test(d)).filter((p) => {
    try {
      return readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ') === cmdline;
    } catch {
      return false;
    }
  }).map(Number);
}

/** The host pid of the container command `sleep <tag>`, once it runs. */
const hostPid = (tag: number) => eventually(() => {
  const p = pids(`sleep ${tag}`);
  expect(p).toHaveLength(1);
  return p[0];
}, { timeout: 15_000, what: `sleep ${tag} running` });

/** `ps -o uid=,gid=` of a host pid: "1000 3000". */
const psIds = (pid: number) => execFileSync('ps', ['-o', 'uid=,gid=', '-p', String(pid)], { encoding: 'utf8' }).trim().split(/\s+/).join(' ');
const status = (pid: number, key: string) => new RegExp(`^${key}:[ \\t]*(.*)$`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1].trim();
/** Whether capability number `bit` is in a /proc status mask. */
const hasCap = (mask: string, bit: number) => ((BigInt(`0x${mask}`) >> BigInt(bit)) & 1n) === 1n;
const CAP = { NET_BIND_SERVICE: 10, NET_ADMIN: 12, NET_RAW: 13, SYS_ADMIN: 21 };

const ready = (p: any) => p.status?.conditions?.find((c: any) => c.type === 'Ready')?.status === 'True';

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'kdp-e2e-podsec-'));
  k = await startKdp({ slot: 0, nodes: 1, extraArgs: rangeArgs(224, 'e2epod') });
}, 60_000);

afterAll(async () => {
  await k?.stop();
  rmSync(tmp, { recursive: true, force: true });
  for (const f of ['/tmp/kdp-e2e-podsec-cp', '/usr/local/kdp-e2e-podsec-layer', '/usr/kdp-e2e-podsec-ro', '/usr/local/bin/kdp-e2e-podsec-hi']) rmSync(f, { force: true });
});

describe('a pod that asks for nothing', () => {
  it('runs as nobody:nogroup (65534), never host root, with an image\'s environment; exec too', async () => {
    await apply(pod('plain', 7301));
    const pid = await hostPid(7301);
    expect(psIds(pid)).toBe('65534 65534');
    expect(status(pid, 'Groups')).toBe('');
    await eventually(async () => expect((await getJson(['pod', 'plain'])).status.phase).toBe('Running'), { what: 'plain Running' });
    expect((await exec('plain', 'id -u; id -g')).stdout).toBe('65534\n65534\n');
    const env = Object.fromEntries((await ok(['exec', 'plain', '--', 'env'])).trim().split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
    expect(env.PATH).toBe('/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin');
    expect(env.HOME).toBe('/tmp');
    expect(env.KUBERNETES_SERVICE_HOST).toBe('127.224.0.1');
    // Nothing of kdp's own environment (it runs with npm's, the test runner's, KUBECONFIG…).
    for (const leak of Object.keys(process.env).filter((n) => !['PATH', 'HOME', 'HOSTNAME', 'PWD', 'SHLVL', '_', 'TERM'].includes(n))) expect(env[leak], leak).toBeUndefined();
    // The container's own process environment, read from the host.
    const procEnv = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
    expect(procEnv).toContain('HOME=/tmp');
    expect(procEnv.some((e) => e.startsWith('KUBECONFIG=') || e.startsWith('npm_'))).toBe(false);
  }, 30_000);

  it('binds its pod IP\'s ports below 1024 (ambient NET_BIND_SERVICE) and nothing more', async () => {
    await apply(pod('low', 0, {
      image: 'node:24',
      command: `["node", "-e", "require('http').createServer((q, s) => s.end('port 80 as ' + process.getuid())).listen(80, process.env.POD_IP)"]`,
      container: 'ports: [{containerPort: 80}]',
    }));
    const ip = await eventually(async () => {
      const p = await getJson(['pod', 'low']);
      expect(ready(p)).toBe(true);
      return p.status.podIP;
    }, { timeout: 20_000, what: 'low Ready' });
    expect((await run('curl', ['-s', `http://${ip}/`])).stdout).toBe('port 80 as 65534');
    const pid = pids(`node -e ${"require('http').createServer((q, s) => s.end('port 80 as ' + process.getuid())).listen(80, process.env.POD_IP)"}`)[0];
    expect(hasCap(status(pid, 'CapAmb'), CAP.NET_BIND_SERVICE)).toBe(true);
    expect(hasCap(status(pid, 'CapEff'), CAP.NET_RAW)).toBe(false);
    expect(hasCap(status(pid, 'CapBnd'), CAP.SYS_ADMIN)).toBe(false);
    await ok(['delete', 'pod', 'low']);
  }, 40_000);

  it.skipIf(!existsSync('/usr/sbin/nginx'))("runs the host's nginx unprivileged on its pod IP's port 80, its files in its own layer", async () => {
    await apply(`apiVersion: v1
kind: ConfigMap
metadata: {name: nginx-conf}
data:
  nginx.conf: |
    pid /tmp/nginx.pid;
    error_log stderr warn;
    events {}
    http {
      access_log off;
      client_body_temp_path /tmp/cb; proxy_temp_path /tmp/px; fastcgi_temp_path /tmp/fc; uwsgi_temp_path /tmp/uw; scgi_temp_path /tmp/sc;
      server { listen 80; location / { return 200 "nginx as @UID@\\n"; } }
    }
---
` + pod('nginx', 0, {
      image: 'debian-nginx',
      command: `["sh", "-c", "sed \\"s/listen 80/listen $POD_IP:80/; s/@UID@/$(id -u)/\\" /conf/nginx.conf > /tmp/nginx.conf && exec nginx -e stderr -c /tmp/nginx.conf -g 'daemon off; master_process off;'"]`,
      spec: 'volumes: [{name: conf, configMap: {name: nginx-conf}}]',
      container: 'ports: [{containerPort: 80}]\nvolumeMounts: [{name: conf, mountPath: /conf}]',
    }));
    const ip = await eventually(async () => {
      const p = await getJson(['pod', 'nginx']);
      expect(ready(p)).toBe(true);
      return p.status.podIP;
    }, { timeout: 20_000, what: 'nginx Ready' }).catch(async (err) => {
      throw new Error(`${err.message}\n${(await k.kdp(['logs', 'nginx'])).stdout}`);
    });
    expect((await run('curl', ['-s', `http://${ip}/`])).stdout).toBe('nginx as 65534\n');
    expect(existsSync('/tmp/nginx.conf') && readFileSync('/tmp/nginx.conf', 'utf8').includes(ip)).toBe(false);
    await ok(['delete', 'pod', 'nginx']);
    await ok(['delete', 'configmap', 'nginx-conf']);
  }, 40_000);

  it('a Job\'s pod (made by a controller) is not root either', async () => {
    await apply('apiVersion: batch/v1\nkind: Job\nmetadata: {name: whoami}\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers: [{name: c, image: busybox, command: [sh, -c, "id -u"]}]\n');
    await ok(['wait', '--for=condition=complete', 'job/whoami', '--timeout=30s']);
    expect(await ok(['logs', 'job/whoami'])).toBe('65534\n');
    await ok(['delete', 'job', 'whoami']);
  }, 40_000);
});

describe('runAsUser, runAsGroup, supplementalGroups, fsGroup', () => {
  it('runs the command and exec as the given ids; fsGroup owns the volumes', async () => {
    await apply(pod('ids', 7302, {
      spec: 'securityContext: {runAsUser: 1000, runAsGroup: 3000, supplementalGroups: [4000], fsGroup: 2000}\nvolumes: [{name: data, emptyDir: {}}]',
      container: 'volumeMounts: [{name: data, mountPath: /data}]',
    }));
    const pid = await hostPid(7302);
    expect(psIds(pid)).toBe('1000 3000');
    expect(status(pid, 'Groups').split(' ').sort()).toEqual(['2000', '4000']);
    await eventually(async () => expect((await getJson(['pod', 'ids'])).status.phase).toBe('Running'), { what: 'ids Running' });
    expect((await exec('ids', 'id -u; id -g; id -G')).stdout).toBe('1000\n3000\n3000 2000 4000\n');
    expect((await exec('ids', 'stat -c %g /data; touch /data/f && stat -c %g /data/f; echo $HOME')).stdout).toBe('2000\n2000\n/tmp\n');
  }, 30_000);

  it("refuses runAsNonRoot for a container that would run as root, in the kubelet's words", async () => {
    await apply(pod('nonroot', 7309, { spec: 'securityContext: {runAsNonRoot: true}', container: 'securityContext: {privileged: true}' }));
    const st = await eventually(async () => {
      const s = (await getJson(['pod', 'nonroot'])).status.containerStatuses?.[0]?.state?.waiting;
      expect(s?.reason).toBe('CreateContainerConfigError');
      return s;
    }, { what: 'CreateContainerConfigError' });
    expect(st.message).toBe('container has runAsNonRoot and image will run as root (pod: "default/nonroot", container: c)');
    expect(pids('sleep 7309')).toEqual([]);
    await ok(['delete', 'pod', 'nonroot']);
  }, 30_000);

  it('gives root only to privileged: true (every capability) or runAsUser: 0 (the default capabilities)', async () => {
    await apply(pod('priv', 7304, { container: 'securityContext: {privileged: true}' }) + '---' + pod('root', 7305, { spec: 'securityContext: {runAsUser: 0}' }));
    const priv = await hostPid(7304);
    const root = await hostPid(7305);
    expect(psIds(priv)).toBe('0 0');
    expect(psIds(root)).toBe('0 0');
    expect(hasCap(status(priv, 'CapEff'), CAP.SYS_ADMIN)).toBe(true);
    expect(hasCap(status(root, 'CapEff'), CAP.SYS_ADMIN)).toBe(false);
    expect(hasCap(status(root, 'CapEff'), CAP.NET_BIND_SERVICE)).toBe(true);
  }, 30_000);
});

describe('hostPID and hostIPC', () => {
  it("a pod has its own PID and IPC namespaces unless it asks for the host's", async () => {
    await apply(pod('hostns', 7311, { spec: 'hostPID: true\nhostIPC: true' }));
    const own = await hostPid(7301);
    const host = await hostPid(7311);
    const ns = (pid: number | 'self', n: string) => execFileSync('readlink', [`/proc/${pid}/ns/${n}`], { encoding: 'utf8' }).trim();
    expect(ns(own, 'pid')).not.toBe(ns('self', 'pid'));
    expect(ns(own, 'ipc')).not.toBe(ns('self', 'ipc'));
    expect(ns(host, 'pid')).toBe(ns('self', 'pid'));
    expect(ns(host, 'ipc')).toBe(ns('self', 'ipc'));
    await eventually(async () => expect((await getJson(['pod', 'hostns'])).status.phase).toBe('Running'), { what: 'hostns Running' });
    expect((await exec('hostns', 'cat /proc/1/comm')).stdout).not.toBe('sh\n');
    expect((await exec('plain', 'cat /proc/1/comm')).stdout).toBe('sh\n');
    await ok(['delete', 'pod', 'hostns']);
  }, 30_000);
});

describe('capabilities and allowPrivilegeEscalation', () => {
  it('drop: [ALL] takes the low ports away; add: NET_RAW, NET_ADMIN gives raw sockets; no_new_privs', async () => {
    await apply(pod('nocaps', 7306, { container: 'securityContext: {capabilities: {drop: [ALL]}}' }) + '---' +
      pod('netcaps', 7307, { container: 'securityContext: {allowPrivilegeEscalation: false, capabilities: {add: [NET_RAW, NET_ADMIN]}}' }));
    const none = await hostPid(7306);
    const net = await hostPid(7307);
    expect(status(none, 'CapAmb')).toBe('0000000000000000');
    expect(status(none, 'CapBnd')).toBe('0000000000000000');
    expect(status(none, 'NoNewPrivs')).toBe('0');
    for (const c of [CAP.NET_RAW, CAP.NET_ADMIN, CAP.NET_BIND_SERVICE]) expect(hasCap(status(net, 'CapEff'), c)).toBe(true);
    expect(status(net, 'NoNewPrivs')).toBe('1');
    await eventually(async () => expect((await getJson(['pod', 'netcaps'])).status.phase).toBe('Running'), { what: 'netcaps Running' });
    const bind = `python3 -c "import socket,os; s=socket.socket(); s.bind((os.environ['POD_IP'], 81)); print('bound')"`;
    const raw = `python3 -c "import socket; socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP); print('raw')"`;
    const denied = await exec('nocaps', `${bind} 2>&1`);
    expect(denied.stdout).toMatch(/PermissionError: \[Errno 13\] Permission denied/);
    expect((await exec('netcaps', `${raw}; ${bind}; grep NoNewPrivs /proc/self/status`)).stdout).toBe('raw\nbound\nNoNewPrivs:\t1\n');
    expect((await exec('plain', `${raw} 2>&1`)).stdout).toMatch(/PermissionError: \[Errno 1\] Operation not permitted/);
  }, 30_000);
});

describe("the pod's own root layer", () => {
  it('writes outside volumes land in the pod\'s layer, never the host\'s tree or another pod\'s (kubectl cp too)', async () => {
    expect((await exec('root', 'echo mine > /usr/local/kdp-e2e-podsec-layer && cat /usr/local/kdp-e2e-podsec-layer')).stdout).toBe('mine\n');
    expect(existsSync('/usr/local/kdp-e2e-podsec-layer')).toBe(false);
    expect((await exec('plain', 'cat /usr/local/kdp-e2e-podsec-layer 2>&1')).stdout).toMatch(/No such file or directory/);
    // A program that exists only in the pod's layer is found on its PATH by exec.
    await ok(['exec', 'root', '--', 'sh', '-c', 'printf "#!/bin/sh\\necho from the layer\\n" > /usr/local/bin/kdp-e2e-podsec-hi && chmod +x /usr/local/bin/kdp-e2e-podsec-hi']);
    expect(existsSync('/usr/local/bin/kdp-e2e-podsec-hi')).toBe(false);
    expect(await ok(['exec', 'root', '--', 'kdp-e2e-podsec-hi'])).toBe('from the layer\n');
    expect((await k.kdp(['exec', 'plain', '--', 'kdp-e2e-podsec-hi'])).stderr).toMatch(/executable file not found in \$PATH/);
    const src = join(tmp, 'f');
    writeFileSync(src, 'copied\n');
    const cp = await run('kubectl', ['--kubeconfig', k.kubeconfig, 'cp', src, 'default/plain:/tmp/kdp-e2e-podsec-cp'], { timeout: 30_000 });
    if (cp.code === 127 || /ENOENT/.test(cp.stderr)) {
      await ok(['exec', '-i', 'plain', '--', 'sh', '-c', 'cat > /tmp/kdp-e2e-podsec-cp'], 'copied\n');
    } else expect(cp.code, cp.stderr).toBe(0);
    expect((await exec('plain', 'cat /tmp/kdp-e2e-podsec-cp')).stdout).toBe('copied\n');
    expect(existsSync('/tmp/kdp-e2e-podsec-cp')).toBe(false);
    expect((await exec('ids', 'cat /tmp/kdp-e2e-podsec-cp 2>&1')).stdout).toMatch(/No such file or directory/);
  }, 40_000);

  it('readOnlyRootFilesystem: the host\'s tree is read-only in the pod, its volumes stay writable', async () => {
    await apply(pod('ro', 7308, {
      spec: 'securityContext: {runAsUser: 0}\nvolumes: [{name: scratch, emptyDir: {}}]',
      container: 'securityContext: {readOnlyRootFilesystem: true}\nvolumeMounts: [{name: scratch, mountPath: /scratch}]',
    }));
    await hostPid(7308);
    await eventually(async () => expect((await getJson(['pod', 'ro'])).status.phase).toBe('Running'), { what: 'ro Running' });
    const r = await exec('ro', 'touch /usr/kdp-e2e-podsec-ro 2>&1; touch /tmp/x 2>&1; echo ok > /scratch/f && cat /scratch/f');
    expect(r.stdout).toMatch(/touch: cannot touch '\/usr\/kdp-e2e-podsec-ro': Read-only file system\ntouch: cannot touch '\/tmp\/x': Read-only file system\nok\n/);
    expect(existsSync('/usr/kdp-e2e-podsec-ro')).toBe(false);
  }, 30_000);
});

describe("what a pod cannot read", () => {
  it("another pod's volumes and Secrets, its sandbox files, /etc/shadow, root's home, the kubeconfig", async () => {
    await apply(`apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData: {token: t0p-s3cret}\n---\n` + pod('owner', 7310, {
      spec: 'volumes: [{name: data, emptyDir: {}}, {name: sec, secret: {secretName: s}}]',
      container: 'volumeMounts: [{name: data, mountPath: /data}, {name: sec, mountPath: /sec}]',
    }));
    await hostPid(7310);
    await eventually(async () => expect((await getJson(['pod', 'owner'])).status.phase).toBe('Running'), { what: 'owner Running' });
    await ok(['exec', 'owner', '--', 'sh', '-c', 'echo private > /data/p']);
    expect((await exec('owner', 'cat /sec/token /data/p')).stdout).toBe('t0p-s3cretprivate\n');
    // Where those live on the host (the test runs as root): the state dir's run dir.
    const runDir = join(k.stateDir, 'run', readdirSync(join(k.stateDir, 'run'))[0], 'pods');
    const ownerDir = join(runDir, readdirSync(runDir).find((d) => d.startsWith('default_owner_'))!);
    expect(readFileSync(join(ownerDir, 'volumes', 'data', 'p'), 'utf8')).toBe('private\n');
    for (const path of [join(ownerDir, 'volumes', 'data', 'p'), join(ownerDir, 'volumes', 'sec', 'token'), join(ownerDir, 'hosts'), k.kubeconfig, join(k.stateDir, 'pki'), '/etc/shadow', '/root']) {
      const r = await exec('plain', `cat ${path} 2>&1 || ls ${path} 2>&1`);
      expect(r.stdout, path).toMatch(/Permission denied/);
      expect(r.stdout, path).not.toMatch(/private|t0p-s3cret|BEGIN/);
    }
  }, 40_000);
});

describe('admission', () => {
  it('refuses a securityContext field kdp cannot honour with a field error', async () => {
    const r = await k.kdp(['apply', '-f', '-'], { input: pod('selinux', 7399, { spec: 'securityContext: {seLinuxOptions: {level: "s0:c123,c456"}}', container: 'securityContext: {procMount: Unmasked}' }) });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/The Pod "selinux" is invalid: \n\* spec\.securityContext\.seLinuxOptions: Forbidden: kdp cannot honour SELinux options: pods run as host processes without SELinux labels\n\* spec\.containers\[0\]\.securityContext\.procMount: Forbidden: kdp cannot honour procMount Unmasked/);
    expect((await k.kdp(['get', 'pod', 'selinux'])).code).toBe(1);
  }, 20_000);
});
