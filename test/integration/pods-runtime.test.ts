// The pod runtime on real sockets and real processes: Pods created by hand in a bare store on
// node 127.77.60.2 with podCIDR 127.77.61.0/24 (DNS 127.77.60.10, apart from other test files); checked with real curl, exec and logs.
import { execFile } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { text } from 'node:stream/consumers';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/api/config.js';
import { InformerFactory } from '../../src/api/informer.js';
import { ObjectStore } from '../../src/api/store.js';
import { GR, type KObject } from '../../src/api/types.js';
import { startPodRuntime, type PodRuntime } from '../../src/pods/index.js';
import { until } from '../support/eventually.js';

const run = promisify(execFile);
const NODE = 'kdp-pods-test';
const CIDR = '127.77.61.0/24';

/** A tiny authoritative DNS server: A records from `records`, NXDOMAIN for other names. */
async function startDns(address: string, records: Record<string, string>): Promise<{ close(): void; queries: string[] }> {
  const sock = createSocket('udp4');
  const queries: string[] = [];
  sock.on('message', (msg, rinfo) => {
    let off = 12;
    const labels: string[] = [];
    while (msg[off]) {
      labels.push(msg.subarray(off + 1, off + 1 + msg[off]).toString());
      off += msg[off] + 1;
    }
    const qtype = msg.readUInt16BE(off + 1);
    const question = msg.subarray(12, off + 5);
    const name = labels.join('.').toLowerCase();
    queries.push(`${name}/${qtype}`);
    const ip = records[name];
    const header = Buffer.alloc(12);
    msg.copy(header, 0, 0, 2);
    header.writeUInt16BE(0x8580 | (msg.readUInt16BE(2) & 0x0100) | (ip ? 0 : 3), 2);
    header.writeUInt16BE(1, 4);
    const answer = ip && qtype === 1 ? Buffer.concat([Buffer.from([0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 5, 0, 4]), Buffer.from(ip.split('.').map(Number))]) : Buffer.alloc(0);
    header.writeUInt16BE(answer.length ? 1 : 0, 6);
    sock.send(Buffer.concat([header, question, answer]), rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve) => sock.bind(53, address, resolve));
  return { close: () => sock.close(), queries };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Pids whose command line mentions `needle` (the run dir: sandbox holders). */
/** The host pid of a process that printed `$$` inside its pod's own PID namespace (NSpid's last field). */
function hostPid(nsPid: number, cmdline: string): number {
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const ns = /^NSpid:\s+(.*)$/m.exec(readFileSync(`/proc/${d}/status`, 'utf8'))?.[1].trim().split(/\s+/);
      if (ns && Number(ns[ns.length - 1]) === nsPid && readFileSync(`/proc/${d}/cmdline`, 'utf8') === cmdline) return Number(d);
    } catch {
      /* gone */
    }
  }
  return nsPid;
}

function pidsMentioning(needle: string): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (readFileSync(`/proc/${d}/cmdline`, 'utf8').includes(needle)) out.push(Number(d));
    } catch {
      /* gone */
    }
  }
  return out;
}

describe('pod runtime', () => {
  let stateDir: string;
  let store: ObjectStore;
  let informers: InformerFactory;
  let runtime: PodRuntime;
  let runDir: string;
  const hostResolv = readFileSync('/etc/resolv.conf', 'utf8');

  function createPod(name: string, containers: object[], spec: object = {}): KObject {
    return store.create(GR.pods, { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', labels: { app: name } }, spec: { nodeName: NODE, containers, ...spec } });
  }
  const pod = (name: string) => store.tryGet(GR.pods, 'default', name);
  const ready = (name: string) => until(() => {
    const p = pod(name);
    return p?.status?.phase === 'Running' && p.status.conditions?.find((c: { type: string }) => c.type === 'Ready')?.status === 'True' && p;
  }, `pod ${name} Running and Ready`);
  const curl = async (...args: string[]) => (await run('curl', ['-s', '--max-time', '5', ...args])).stdout;
  const exec = async (name: string, command: string[]) => {
    const s = await runtime.connector.exec(pod(name)!, { command, stdin: false, tty: false });
    const [out, err, code] = await Promise.all([text(s.stdout), text(s.stderr!), s.exited]);
    return { out, err, code };
  };

  beforeAll(async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'kdp-pods-'));
    runDir = join(stateDir, 'run-pods');
    store = new ObjectStore();
    store.create(GR.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } });
    store.create(GR.nodes, { apiVersion: 'v1', kind: 'Node', metadata: { name: NODE }, spec: { podCIDR: CIDR }, status: { addresses: [{ type: 'InternalIP', address: '127.77.60.2' }] } });
    store.create(GR.services, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'kubernetes', namespace: 'default' }, spec: { clusterIP: '127.77.60.96', ports: [{ name: 'https', port: 443 }] } });
    informers = new InformerFactory(store);
    const config = defaultConfig({ stateDir, upstreamDns: [], dnsAddress: '127.77.60.10' });
    runtime = await startPodRuntime({ store, informers, config, runDir, restartBackoff: { initialMs: 200, maxMs: 400 } });
  });

  afterAll(async () => {
    await runtime?.stop();
    informers?.stop();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('serves nginx on the pod IP: welcome page on /, nginx 404 elsewhere', async () => {
    createPod('web', [{ name: 'nginx', image: 'docker.io/library/nginx:1.25.3' }]);
    const p = await ready('web');
    expect(p.status.podIP).toMatch(/^127\.77\.61\.\d+$/);
    expect(p.status.hostIP).toBe('127.77.60.2');
    expect(p.status.containerStatuses[0]).toMatchObject({ name: 'nginx', ready: true, started: true, restartCount: 0, state: { running: {} } });
    expect(p.status.containerStatuses[0].containerID).toMatch(/^kdp:\/\/[0-9a-f]{64}$/);
    const page = await curl(`http://${p.status.podIP}/`);
    expect(page).toContain('<title>Welcome to nginx!</title>');
    const headers = await curl('-D', '-', '-o', '/dev/null', `http://${p.status.podIP}/`);
    expect(headers).toMatch(/^Server: nginx\/1\.25\.3\r$/m);
    expect(headers).toMatch(/^Content-Length: 615\r$/m);
    const missing = await curl('-w', '%{http_code}', `http://${p.status.podIP}/nope`);
    expect(missing).toBe('<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n<center><h1>404 Not Found</h1></center>\r\n<hr><center>nginx/1.25.3</center>\r\n</body>\r\n</html>\r\n404');
    const logs = await text(await runtime.connector.logs(pod('web')!, {}, new AbortController().signal));
    expect(logs).toMatch(/"GET \/nope HTTP\/1\.1" 404 \d+ "-" "curl\//);
  });

  it('gives built-in pods a sandbox too: exec sees the pod resolv.conf', async () => {
    await ready('web');
    const r = await exec('web', ['cat', '/etc/resolv.conf']);
    expect(r.out).toBe('nameserver 127.77.60.10\nsearch default.svc.cluster.local svc.cluster.local cluster.local\noptions ndots:5\n');
    expect(readFileSync('/etc/resolv.conf', 'utf8')).toBe(hostResolv);
  });

  it('resolves `curl nginx` inside a pod through the cluster DNS named in its resolv.conf', async () => {
    const web = await ready('web');
    createPod('curlpod', [{ name: 'curl', image: 'docker.io/curlimages/curl:7.86.0', command: ['sleep', 'infinity'] }]);
    await ready('curlpod');
    // The pod must see the test's DNS server, never the host's resolver.
    expect((await exec('curlpod', ['cat', '/etc/resolv.conf'])).out).toMatch(/^nameserver 127\.77\.60\.10\n/);
    const dns = await startDns('127.77.60.10', { 'nginx.default.svc.cluster.local': web.status.podIP });
    try {
      const r = await exec('curlpod', ['curl', '-s', '--max-time', '5', 'http://nginx/']);
      expect(r.out).toContain('<title>Welcome to nginx!</title>');
      expect(dns.queries).toContain('nginx.default.svc.cluster.local/1');
    } finally {
      dns.close();
    }
  });

  it('passes stdin to exec', async () => {
    await ready('curlpod');
    const s = await runtime.connector.exec(pod('curlpod')!, { command: ['tr', 'a-z', 'A-Z'], stdin: true, tty: false });
    s.stdin!.end('hello stdin');
    const [out, code] = await Promise.all([text(s.stdout), s.exited]);
    expect(out).toBe('HELLO STDIN');
    expect(code).toBe(0);
  });

  it('answers whoami with the pod name and IP', async () => {
    createPod('who', [{ name: 'whoami', image: 'traefik/whoami:v1.10', ports: [{ containerPort: 8081 }] }]);
    const p = await ready('who');
    const body = await curl(`http://${p.status.podIP}:8081/hello`);
    expect(body).toContain('Hostname: who\n');
    expect(body).toContain(`IP: ${p.status.podIP}\n`);
    expect(body).toMatch(/RemoteAddr: 127\.0\.0\.1:\d+\nGET \/hello HTTP\/1\.1\r\nHost: /);
  });

  it('gives each container the Service links of its namespace as they are when it starts, host process and built-in alike', async () => {
    const svc = (name: string, namespace: string, clusterIP: string, ports: object[]) =>
      store.create(GR.services, { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace }, spec: { clusterIP, ports } });
    const links = (prefix: string, ip: string, port: number, portName?: string) => [
      `${prefix}_PORT=tcp://${ip}:${port}`, `${prefix}_PORT_${port}_TCP=tcp://${ip}:${port}`, `${prefix}_PORT_${port}_TCP_ADDR=${ip}`,
      `${prefix}_PORT_${port}_TCP_PORT=${port}`, `${prefix}_PORT_${port}_TCP_PROTO=tcp`, `${prefix}_SERVICE_HOST=${ip}`, `${prefix}_SERVICE_PORT=${port}`,
      ...(portName ? [`${prefix}_SERVICE_PORT_${portName}=${port}`] : []),
    ];
    /** The link variables a host process printed with `env` when it started. */
    const linkVars = async (name: string) => {
      const logs = await until(async () => {
        const l = await text(await runtime.connector.logs(pod(name)!, {}, new AbortController().signal));
        return l.includes('END\n') && l;
      }, `${name}'s environment`);
      return logs.split('\n').filter((l) => /_SERVICE_|_PORT/.test(l.split('=')[0])).sort();
    };
    const printenv = [{ name: 'c', image: 'busybox', command: ['sh', '-c', 'env; echo END; exec sleep 100'] }];
    const kubernetes = links('KUBERNETES', '127.77.60.96', 443, 'HTTPS');

    store.create(GR.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'links-other' } });
    svc('links-db', 'default', '127.77.60.97', [{ name: 'pg', port: 5432 }]);
    svc('links-elsewhere', 'links-other', '127.77.60.98', [{ port: 80 }]);
    createPod('links-a', printenv);
    expect(await linkVars('links-a')).toEqual([...kubernetes, ...links('LINKS_DB', '127.77.60.97', 5432, 'PG')].sort());

    // A Service removed and one added: containers started from now on see the change.
    store.delete(GR.services, 'default', 'links-db');
    svc('links-late', 'default', '127.77.60.99', [{ port: 8080 }]);
    createPod('links-b', printenv);
    expect(await linkVars('links-b')).toEqual([...kubernetes, ...links('LINKS_LATE', '127.77.60.99', 8080)].sort());

    // An in-process image reads the same environment (whoami prints it with ?env=true).
    createPod('links-who', [{ name: 'whoami', image: 'traefik/whoami:v1.10', ports: [{ containerPort: 8082 }] }]);
    const who = await ready('links-who');
    const env = (await curl(`http://${who.status.podIP}:8082/?env=true`)).split('\n').filter((l) => /_SERVICE_|_PORT/.test(l.split('=')[0])).sort();
    expect(env).toEqual([...kubernetes, ...links('LINKS_LATE', '127.77.60.99', 8080)].sort());

    // enableServiceLinks: false leaves only the kubernetes Service.
    createPod('links-off', printenv, { enableServiceLinks: false });
    expect(await linkVars('links-off')).toEqual(kubernetes.sort());

    for (const name of ['links-a', 'links-b', 'links-who', 'links-off']) store.delete(GR.pods, 'default', name, { gracePeriodSeconds: 0 });
    store.delete(GR.services, 'default', 'links-late');
    store.delete(GR.services, 'links-other', 'links-elsewhere');
  });

  it('runs a host process in the pod sandbox: logs, exec, resolv.conf, hostname, exit codes', async () => {
    createPod('shell', [{ name: 'sh', image: 'busybox', command: ['sh', '-c', 'echo hello; echo "pid=$$$$ ip=$POD_IP k8s=$KUBERNETES_SERVICE_HOST"; exec sleep 100'] }]);
    const p = await ready('shell');
    const logs = await until(async () => {
      const l = await text(await runtime.connector.logs(pod('shell')!, {}, new AbortController().signal));
      return l.includes('pid=') && l;
    }, 'shell logs');
    expect(logs).toMatch(/^hello\npid=\d+ ip=127\.77\.61\.\d+ k8s=127\.77\.60\.96\n$/);
    const pid = hostPid(Number(/pid=(\d+)/.exec(logs)![1]), 'sleep\u0000100\u0000');
    expect(alive(pid)).toBe(true);

    const resolv = await exec('shell', ['cat', '/etc/resolv.conf']);
    expect(resolv).toEqual({ out: 'nameserver 127.77.60.10\nsearch default.svc.cluster.local svc.cluster.local cluster.local\noptions ndots:5\n', err: '', code: 0 });
    expect(readFileSync('/etc/resolv.conf', 'utf8')).toBe(hostResolv);
    expect((await exec('shell', ['hostname'])).out).toBe('shell\n');
    expect((await exec('shell', ['cat', '/etc/hosts'])).out).toContain(`${p.status.podIP}\tshell\n`);
    expect((await exec('shell', ['sh', '-c', 'echo oops >&2; exit 3']))).toEqual({ out: '', err: 'oops\n', code: 3 });
    // nothing of the sandbox is mounted in the host's mount namespace
    expect(readFileSync('/proc/self/mountinfo', 'utf8')).not.toContain(runDir);

    await expect(runtime.connector.exec(pod('shell')!, { container: 'nope', command: ['true'], stdin: false, tty: false })).rejects.toThrow('container nope is not valid for pod shell');
    await expect(runtime.connector.exec(pod('shell')!, { command: ['no-such-binary-kdp'], stdin: false, tty: false })).rejects.toThrow('executable file not found in $PATH');

    // graceful delete: the process is killed, then the runtime removes the pod
    store.delete(GR.pods, 'default', 'shell', { gracePeriodSeconds: 5 });
    expect(pod('shell')?.metadata.deletionTimestamp).toBeDefined();
    await until(() => !pod('shell'), 'pod shell removed');
    expect(alive(pid)).toBe(false);
  });

  it('runs exec with a tty through script', async () => {
    createPod('tty', [{ name: 'sh', image: 'alpine', command: ['sleep', 'infinity'] }]);
    await ready('tty');
    const s = await runtime.connector.exec(pod('tty')!, { command: ['sh', '-c', 'test -t 1 && echo is-a-tty; exit 4'], stdin: false, tty: true });
    const [out, code] = await Promise.all([text(s.stdout), s.exited]);
    expect(s.stderr).toBeUndefined();
    expect(out).toContain('is-a-tty');
    expect(code).toBe(4);

    const shell = await runtime.connector.exec(pod('tty')!, { command: ['sh'], stdin: true, tty: true });
    let screen = '';
    shell.stdout.on('data', (d: Buffer) => (screen += d.toString()));
    shell.resize?.(120, 40);
    shell.stdin!.write('echo $((6*7))\n');
    await until(() => screen.includes('42'), 'shell output');
    // resizing is asynchronous (stty on the pty): ask until the shell sees the new size
    await until(() => {
      shell.stdin!.write('stty size\n');
      return screen.includes('40 120');
    }, 'terminal resized');
    shell.stdin!.write('exit 7\n');
    const rc = await shell.exited;
    expect(rc).toBe(7);
  });

  it('keeps a host process with a declared port not Ready until it listens on $POD_IP', async () => {
    const server = `setTimeout(() => require('http').createServer((q, s) => s.end('hi from ' + process.env.HOSTNAME)).listen(+process.env.PORT, process.env.HOST), 800)`;
    createPod('app', [{ name: 'app', image: 'node:20', command: [process.execPath, '-e', server], ports: [{ containerPort: 8080 }] }]);
    const notReady = await until(() => {
      const p = pod('app');
      const c = p?.status?.phase === 'Running' && p.status.conditions.find((c: { type: string }) => c.type === 'Ready');
      // The first Running status may be written before the first port check has said why.
      return c && (c.status === 'True' || /must listen/.test(c.message ?? '')) && c;
    }, 'app running');
    expect(notReady.status).toBe('False');
    expect(notReady.message).toMatch(/app must listen on \$POD_IP:8080 \(127\.77\.61\.\d+:8080\)/);
    const p = await ready('app');
    expect(await curl(`http://${p.status.podIP}:8080/`)).toBe('hi from app');
  });

  it('ends pods per restartPolicy and restarts with back-off', async () => {
    createPod('ok', [{ name: 'c', image: 'busybox', command: ['true'] }], { restartPolicy: 'Never' });
    createPod('bad', [{ name: 'c', image: 'busybox', command: ['sh', '-c', 'exit 3'] }], { restartPolicy: 'Never' });
    createPod('crash', [{ name: 'c', image: 'busybox', command: ['sh', '-c', 'echo run; exit 1'] }], { restartPolicy: 'OnFailure' });
    await until(() => pod('ok')?.status?.phase === 'Succeeded', 'ok Succeeded');
    expect(pod('ok')!.status.containerStatuses[0].state.terminated).toMatchObject({ exitCode: 0, reason: 'Completed' });
    await until(() => pod('bad')?.status?.phase === 'Failed', 'bad Failed');
    expect(pod('bad')!.status.containerStatuses[0].state.terminated).toMatchObject({ exitCode: 3, reason: 'Error' });
    const crash = await until(() => pod('crash')?.status?.containerStatuses?.[0]?.restartCount >= 2 && pod('crash'), 'crash restarted twice');
    expect(crash.status.phase).toBe('Running');
    expect(crash.status.containerStatuses[0].lastState.terminated).toMatchObject({ exitCode: 1, reason: 'Error' });
    const prev = await text(await runtime.connector.logs(pod('crash')!, { previous: true }, new AbortController().signal));
    expect(prev).toBe('run\n');
    await expect(runtime.connector.exec(pod('ok')!, { command: ['true'], stdin: false, tty: false })).rejects.toThrow('cannot exec into a container in a completed pod; current phase is Succeeded');
  });

  it('reports unknown images without a command as ErrImagePull', async () => {
    createPod('unknown', [{ name: 'c', image: 'example.test/some/app:1' }]);
    const st = await until(() => pod('unknown')?.status?.containerStatuses?.[0]?.state?.waiting, 'waiting state');
    expect(st.reason).toBe('ErrImagePull');
    expect(st.message).toContain('Give the container a command');
    expect(pod('unknown')!.status.phase).toBe('Pending');
    await expect(runtime.connector.logs(pod('unknown')!, {}, new AbortController().signal)).rejects.toThrow('container "c" in pod "unknown" is waiting to start: trying and failing to pull image');
  });

  it('follows logs until the container ends', async () => {
    createPod('counter', [{ name: 'c', image: 'busybox', command: ['sh', '-c', 'for i in 1 2 3; do echo line $i; sleep 0.2; done'] }], { restartPolicy: 'Never' });
    await until(() => pod('counter')?.status?.containerStatuses?.[0]?.state?.running, 'counter running');
    const out = await text(await runtime.connector.logs(pod('counter')!, { follow: true }, new AbortController().signal));
    expect(out).toBe('line 1\nline 2\nline 3\n');
  });

  it('leaves no process, sandbox or file behind on stop()', async () => {
    createPod('last', [{ name: 'c', image: 'busybox', command: ['sh', '-c', 'echo "pid=$$$$"; exec sleep 1000'] }]);
    await ready('last');
    const logs = await until(async () => {
      const l = await text(await runtime.connector.logs(pod('last')!, {}, new AbortController().signal));
      return l.includes('pid=') && l;
    }, 'last logs');
    const pid = hostPid(Number(/pid=(\d+)/.exec(logs)![1]), 'sleep\u00001000\u0000');
    expect(pid).toBeGreaterThan(1);
    const holders = pidsMentioning(runDir);
    expect(holders.length).toBeGreaterThan(0);
    await runtime.stop();
    await until(() => !alive(pid) && holders.every((h) => !alive(h)), 'all processes gone', 3000);
    expect(readdirSync(runDir)).toEqual([]);
    expect(pidsMentioning(runDir)).toEqual([]);
  });
});
