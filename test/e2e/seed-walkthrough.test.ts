// Issue #2 end to end: the seed walkthrough through the real CLI, real curl and real dig, against a
// whole `kdp up` on its own loopback ranges with its own upstream DNS.
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import { ROOT, run, startKdp, type KdpCluster } from '../support/kdp.js';
import { startUpstreamDns, type UpstreamDns } from '../support/upstream-dns.js';

const SEED = join(ROOT, 'examples', 'seed');
let k: KdpCluster;
let upstream: UpstreamDns;
let tmp: string;

const ok = (args: string[], input?: string): Promise<string> => k.ok(args, { input });

async function clusterIP(svc: string): Promise<string> {
  return JSON.parse(await ok(['get', 'service', svc, '-o', 'json'])).spec.clusterIP;
}

async function curl(url: string): Promise<{ code: number; body: string }> {
  const r = await run('curl', ['-s', '-m', '3', '-w', '\n%{http_code}', url]);
  const i = r.stdout.lastIndexOf('\n');
  return { code: Number(r.stdout.slice(i + 1)), body: r.stdout.slice(0, i) };
}

async function runningPods(selector?: string): Promise<any[]> {
  const args = ['get', 'pods', '-o', 'json', ...(selector ? ['-l', selector] : [])];
  const items = JSON.parse(await ok(args)).items as any[];
  return items.filter((p) => p.status?.phase === 'Running' && !p.metadata.deletionTimestamp);
}

function readyCondition(p: any): boolean {
  return (p.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True');
}

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'kdp-seed-'));
  upstream = await startUpstreamDns('127.60.0.53', { 'outside.example.test': '127.1.2.3' });
  k = await startKdp({ slot: 1, files: [SEED], upstreamDns: [`${upstream.address}:${upstream.port}`] });
  await eventually(async () => {
    const pods = await runningPods();
    expect(pods.filter(readyCondition).map((p) => p.metadata.name).sort().join(' ')).toMatch(/^curlpod nginx-[a-z0-9]+-[a-z0-9]{5}$/);
  }, { timeout: 15_000, what: 'seed pods Running and Ready' });
}, 60_000);

afterAll(async () => {
  await k?.stop();
  await upstream?.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('2. kdp get prints kubectl columns', () => {
  it('lists the nginx pod and curlpod as Running', async () => {
    const out = await ok(['get', 'pods']);
    const lines = out.trim().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/);
    expect(lines.slice(1).join('\n')).toMatch(/^curlpod\s+1\/1\s+Running\s+0\s+\S+$/m);
    expect(lines.slice(1).join('\n')).toMatch(/^nginx-[bcdfghjklmnpqrstvwxz2456789]+-[bcdfghjklmnpqrstvwxz2456789]{5}\s+1\/1\s+Running\s+0\s+\S+$/m);
  });

  it('prints the Service with a ClusterIP from the service CIDR and 80/TCP', async () => {
    const out = await ok(['get', 'service', 'nginx']);
    const [head, row] = out.trim().split('\n');
    expect(head).toMatch(/^NAME\s+TYPE\s+CLUSTER-IP\s+EXTERNAL-IP\s+PORT\(S\)\s+AGE$/);
    expect(row).toMatch(/^nginx\s+ClusterIP\s+127\.121\.\d+\.\d+\s+<none>\s+80\/TCP\s+\S+$/);
  });

  it('get all groups resources by type with kind prefixes', async () => {
    const out = await ok(['get', 'all']);
    expect(out).toMatch(/^pod\/curlpod\s/m);
    expect(out).toMatch(/^service\/kubernetes\s+ClusterIP\s+127\.121\.0\.1\s/m);
    expect(out).toMatch(/^deployment\.apps\/nginx\s+1\/1\s+1\s+1\s/m);
    expect(out).toMatch(/^replicaset\.apps\/nginx-\S+\s+1\s+1\s+1\s/m);
  });

  it('get deploy,rs,endpointslices,nodes and -o wide / yaml / json / -A / -n', async () => {
    const out = await ok(['get', 'deploy,rs,endpointslices,nodes']);
    expect(out).toMatch(/^deployment\.apps\/nginx\s/m);
    expect(out).toMatch(/^endpointslice\.discovery\.k8s\.io\/nginx-\S+\s+IPv4\s+80\s+127\.141\.\d+\.\d+/m);
    expect(out).toMatch(/^node\/e2e1-control-plane\s+Ready\s+control-plane\s/m);
    expect(out).toMatch(/^node\/e2e1-worker\s+Ready\s+<none>\s/m);

    const wide = await ok(['get', 'pods', '-o', 'wide']);
    expect(wide.split('\n')[0]).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE\s+NOMINATED NODE\s+READINESS GATES$/);
    expect(wide).toMatch(/^curlpod\s+1\/1\s+Running\s+0\s+\S+\s+127\.141\.\d+\.\d+\s+e2e1-(control-plane|worker)\s+<none>\s+<none>$/m);

    expect(await ok(['get', 'svc', 'nginx', '-o', 'yaml'])).toMatch(/^kind: Service$/m);
    const list = JSON.parse(await ok(['get', 'pods', '-A', '-o', 'json']));
    expect(list.kind).toBe('List');
    const allNs = await ok(['get', 'svc', '-A']);
    expect(allNs.split('\n')[0]).toMatch(/^NAMESPACE\s+NAME\s+TYPE/);
    const r = await k.kdp(['get', 'pods', '-n', 'kube-public']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('No resources found in kube-public namespace.');
  });
});

describe('3. the ClusterIP answers from the host', () => {
  it('serves the nginx welcome page on / and nginx 404 elsewhere', async () => {
    const ip = await clusterIP('nginx');
    const home = await curl(`http://${ip}/`);
    expect(home.code).toBe(200);
    expect(home.body).toContain('<title>Welcome to nginx!</title>');
    const missing = await curl(`http://${ip}/nope`);
    expect(missing.code).toBe(404);
    expect(missing.body).toContain('<center>nginx');
  });
});

describe('4. exec in curlpod resolves through cluster DNS', () => {
  it('curls the Service by FQDN, short name and ClusterIP with the host curl', async () => {
    const ip = await clusterIP('nginx');
    for (const target of ['nginx.default.svc.cluster.local', 'nginx', ip]) {
      const out = await ok(['exec', 'curlpod', '--', 'curl', '-s', '-m', '3', target]);
      expect(out, target).toContain('<title>Welcome to nginx!</title>');
    }
  });

  it('shows the pod resolv.conf', async () => {
    const out = await ok(['exec', 'curlpod', '--', 'cat', '/etc/resolv.conf']);
    expect(out).toMatch(new RegExp(`^nameserver ${k.dnsAddress.replace(/\./g, '\\.')}$`, 'm'));
    expect(out).toMatch(/^search default\.svc\.cluster\.local svc\.cluster\.local cluster\.local$/m);
    expect(out).toMatch(/^options ndots:5$/m);
  });

  it('returns the command exit code', async () => {
    const r = await k.kdp(['exec', 'curlpod', '--', 'sh', '-c', 'echo out; echo err >&2; exit 7']);
    expect(r.code).toBe(7);
    expect(r.stdout).toBe('out\n');
    expect(r.stderr).toContain('err');
  });

  it('-it gives an interactive terminal', async () => {
    // `script` gives kdp a terminal, as a user's shell would.
    const cmd = `${process.execPath} bin/kdp.js exec -it curlpod -- sh -c 'test -t 0 && echo TTY-OK; read line; echo "got $line"; exit 4'`;
    const r = await run('script', ['-qec', cmd, '/dev/null'], { input: 'hello\n', env: k.env, timeout: 15_000 });
    expect(r.stdout).toContain('TTY-OK');
    expect(r.stdout).toContain('got hello');
    expect(r.code).toBe(4);
  });
});

describe('5. cluster DNS', () => {
  it('answers the Service name, NXDOMAIN for a missing one, and forwards outside names', async () => {
    const ip = await clusterIP('nginx');
    const a = await run('dig', [`@${k.dnsAddress}`, 'nginx.default.svc.cluster.local', '+short', '+time=2', '+tries=1']);
    expect(a.stdout.trim()).toBe(ip);
    const nx = await run('dig', [`@${k.dnsAddress}`, 'nope.default.svc.cluster.local', '+time=2', '+tries=1']);
    expect(nx.stdout).toContain('status: NXDOMAIN');
    expect(nx.stdout).toMatch(/cluster\.local\.\s+\d+\s+IN\s+SOA\s+ns\.dns\.cluster\.local\. hostmaster\.cluster\.local\./);
    const fwd = await run('dig', [`@${k.dnsAddress}`, 'outside.example.test', '+short', '+time=2', '+tries=1']);
    expect(fwd.stdout.trim()).toBe('127.1.2.3');
    expect(upstream.queries).toContain('outside.example.test');
  });
});

describe('6. expose, scale, and load balancing over echo pods', () => {
  it('expose creates a working ClusterIP Service', async () => {
    expect((await ok(['expose', 'deployment', 'nginx', '--name', 'nginx2', '--port', '80'])).trim()).toBe('service/nginx2 exposed');
    const ip = await clusterIP('nginx2');
    await eventually(async () => expect((await curl(`http://${ip}/`)).body).toContain('Welcome to nginx!'), { what: 'nginx2 answers' });
  });

  it('scale gives three pods', async () => {
    expect((await ok(['scale', 'deployment', 'nginx', '--replicas', '3'])).trim()).toBe('deployment.apps/nginx scaled');
    await eventually(async () => expect((await runningPods('app=nginx')).filter(readyCondition)).toHaveLength(3), { what: '3 nginx pods ready' });
  });

  it('30 requests through a whoami Service reach every replica, which names itself', async () => {
    const manifest = join(tmp, 'whoami.yaml');
    writeFileSync(manifest, `apiVersion: apps/v1
kind: Deployment
metadata:
  name: whoami
spec:
  replicas: 3
  selector:
    matchLabels: {app: whoami}
  template:
    metadata:
      labels: {app: whoami}
    spec:
      containers:
      - name: whoami
        image: traefik/whoami:v1.10
        ports:
        - containerPort: 80
---
apiVersion: v1
kind: Service
metadata:
  name: whoami
spec:
  selector: {app: whoami}
  ports:
  - port: 80
`);
    await ok(['apply', '-f', manifest]);
    await eventually(async () => expect((await runningPods('app=whoami')).filter(readyCondition)).toHaveLength(3), { what: '3 whoami pods ready' });
    const names = new Set((await runningPods('app=whoami')).map((p) => p.metadata.name));
    const ip = await clusterIP('whoami');
    await eventually(async () => {
      const slice = JSON.parse(await ok(['get', 'endpointslices', '-l', 'kubernetes.io/service-name=whoami', '-o', 'json'])).items[0];
      expect(slice.endpoints.filter((e: any) => e.conditions.ready)).toHaveLength(3);
    });
    const seen = new Map<string, number>();
    for (let i = 0; i < 30; i++) {
      const r = await curl(`http://${ip}/`);
      expect(r.code).toBe(200);
      const host = r.body.match(/^Hostname: (\S+)$/m)?.[1];
      expect(names.has(host!)).toBe(true);
      seen.set(host!, (seen.get(host!) ?? 0) + 1);
    }
    expect([...seen.keys()].sort()).toEqual([...names].sort());
  });
});

describe('7. deletion', () => {
  it('a deleted pod is replaced and leaves the EndpointSlice; no new connection reaches it', async () => {
    const before = await runningPods('app=whoami');
    const victim = before[0];
    const out = await ok(['delete', 'pod', victim.metadata.name]);
    expect(out.trim()).toBe(`pod "${victim.metadata.name}" deleted`);
    await eventually(async () => {
      const slice = JSON.parse(await ok(['get', 'endpointslices', '-l', 'kubernetes.io/service-name=whoami', '-o', 'json'])).items[0];
      const addrs = (slice.endpoints ?? []).flatMap((e: any) => e.addresses);
      expect(addrs).not.toContain(victim.status.podIP);
    }, { what: 'victim out of the EndpointSlice' });
    const ip = await clusterIP('whoami');
    for (let i = 0; i < 15; i++) {
      const r = await curl(`http://${ip}/`);
      expect(r.body).not.toContain(`Hostname: ${victim.metadata.name}\n`);
    }
    await eventually(async () => {
      const pods = (await runningPods('app=whoami')).filter(readyCondition);
      expect(pods).toHaveLength(3);
      expect(pods.map((p) => p.metadata.name)).not.toContain(victim.metadata.name);
    }, { what: 'replacement pod ready' });
  });

  it('logs shows a host-process pod output', async () => {
    const manifest = join(tmp, 'talker.yaml');
    writeFileSync(manifest, `apiVersion: v1
kind: Pod
metadata:
  name: talker
spec:
  containers:
  - name: talk
    image: busybox
    command: ["sh", "-c", "echo hello from $HOSTNAME; sleep 1000"]
`);
    await ok(['apply', '-f', manifest]);
    await eventually(async () => expect(await ok(['logs', 'talker'])).toContain('hello from talker'), { what: 'talker logs' });
    await ok(['delete', '-f', manifest]);
  });

  it('delete deployment removes its ReplicaSets and pods; delete -f removes the files objects', async () => {
    expect((await ok(['delete', 'deployment', 'whoami'])).trim()).toBe('deployment.apps "whoami" deleted');
    await eventually(async () => {
      expect(await runningPods('app=whoami')).toHaveLength(0);
      expect(JSON.parse(await ok(['get', 'rs', '-o', 'json'])).items.map((r: any) => r.metadata.name).join()).not.toContain('whoami');
    }, { what: 'whoami children gone' });
    await ok(['delete', 'service', 'whoami', 'nginx2']);
  });
});

describe('8. bad input', () => {
  async function applyBad(name: string, text: string) {
    const f = join(tmp, name);
    writeFileSync(f, text);
    return { file: f, ...(await k.kdp(['apply', '-f', f])) };
  }

  it('invalid YAML applies nothing', async () => {
    const r = await applyBad('bad-yaml.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ok-cm\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [broken\n');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: error parsing .*bad-yaml\.yaml: error converting YAML to JSON: yaml: line \d+/m);
    expect((await k.kdp(['get', 'configmap', 'ok-cm'])).code).toBe(1);
  });

  it('a missing kind is refused with the validation error', async () => {
    const r = await applyBad('no-kind.yaml', 'apiVersion: v1\nmetadata:\n  name: x\n');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error validating data: kind not set');
  });

  it('a Service port 70000 is Invalid and nothing is stored', async () => {
    const r = await applyBad('bad-port.yaml', 'apiVersion: v1\nkind: Service\nmetadata:\n  name: bad-port\nspec:\n  selector: {app: x}\n  ports:\n  - port: 70000\n');
    expect(r.code).toBe(1);
    // as kubectl prints it: targetPort defaults to port, so both are out of range
    expect(r.stderr).toContain('The Service "bad-port" is invalid: \n* spec.ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive\n* spec.ports[0].targetPort: Invalid value: 70000: must be between 1 and 65535, inclusive\n');
    expect((await k.kdp(['get', 'service', 'bad-port'])).stderr).toContain('Error from server (NotFound): services "bad-port" not found');
  });

  it('a Deployment whose selector does not match its template is Invalid', async () => {
    const r = await applyBad('bad-sel.yaml', 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: bad-sel\nspec:\n  selector:\n    matchLabels: {app: a}\n  template:\n    metadata:\n      labels: {app: b}\n    spec:\n      containers:\n      - name: c\n        image: nginx\n');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('The Deployment "bad-sel" is invalid: spec.template.metadata.labels: Invalid value: map[string]string{"app":"b"}: `selector` does not match template `labels`');
  });

  it('a name that is not DNS-1123 is Invalid', async () => {
    const r = await applyBad('bad-name.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Bad_Name\n');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain must consist of');
  });

  it('creating the same object twice is AlreadyExists', async () => {
    const f = join(tmp, 'dup.yaml');
    writeFileSync(f, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: dup\n');
    await ok(['create', '-f', f]);
    const r = await k.kdp(['create', '-f', f]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Error from server (AlreadyExists): error when creating');
    expect(r.stderr).toContain('configmaps "dup" already exists');
  });

  it('kinds kdp does not act on (RBAC, ConfigMap) are stored and listed', async () => {
    const f = join(tmp, 'rbac.yaml');
    writeFileSync(f, 'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: reader\nrules:\n- apiGroups: [""]\n  resources: [pods]\n  verbs: [get]\n');
    expect((await ok(['apply', '-f', f])).trim()).toBe('clusterrole.rbac.authorization.k8s.io/reader created');
    expect(await ok(['get', 'clusterroles'])).toMatch(/^reader\s/m);
  });

  it('a missing object is NotFound in kubectl words, exit 1', async () => {
    const r = await k.kdp(['get', 'service', 'x']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe('Error from server (NotFound): services "x" not found');
  });
});

describe('1. Ctrl-C stops everything cleanly', () => {
  it('leaves no listener, child process or run file behind', async () => {
    const ip = await clusterIP('nginx');
    const podIPs = (await runningPods()).map((p) => p.status.podIP);
    const stateDir = k.stateDir;
    await k.halt();
    expect(k.output()).toContain('kdp stopped.');
    const refused = (host: string, port: number) => new Promise<boolean>((resolve) => {
      const s = net.connect(port, host);
      s.once('connect', () => { s.destroy(); resolve(false); });
      s.once('error', () => resolve(true));
    });
    expect(await refused(ip, 80)).toBe(true);
    for (const pip of podIPs) expect(await refused(pip, 80)).toBe(true);
    const url = new URL(k.apiUrl);
    expect(await refused(url.hostname, Number(url.port))).toBe(true);
    const ps = await run('ps', ['-eo', 'args']);
    expect(ps.stdout).not.toContain(stateDir);
    // only the kubeconfig, the cluster PKI and the objects (state.db, closed: no -wal/-shm) stay: no sandbox, log, lock or socket files
    expect(existsSync(stateDir) ? readdirSync(stateDir).sort() : []).toEqual(['kubeconfig', 'pki', 'state.db']);
  });
});
