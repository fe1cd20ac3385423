// Issue #3, points 1-4: NodePort, LoadBalancer, ports (multi, named, UDP), headless, ExternalName,
// externalIPs — through the real CLI, real curl and real sockets against a whole `kdp up` (slot 2).
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import { startKdp, type KdpCluster } from '../support/kdp.js';
import { apply, curl, deployment, getJson, NETEXEC, ok, udpAsk } from './services-helpers.js';

let k: KdpCluster;
let tmp: string;
const NODE_IPS = ['127.172.0.2', '127.172.0.3'];
const LB_POOL = /^127\.192\.0\.\d+$/;

const NGINX = `${deployment('nginx', 1, 'nginx:1.25')}---
apiVersion: v1
kind: Service
metadata: {name: nginx-np}
spec:
  ports:
  - {name: http, nodePort: 31045, port: 80, protocol: TCP, targetPort: 80}
  selector: {app: nginx}
  type: NodePort
`;

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'kdp-svc-types-'));
  k = await startKdp({ slot: 2 });
  await apply(k, tmp, 'nginx', NGINX);
  await eventually(async () => expect((await curl(`http://${k.hostAddress}:31045/`)).http).toBe(200), { timeout: 15_000, what: 'nginx-np on hostAddress' });
}, 60_000);

afterAll(async () => {
  await k?.stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('1. NodePort', () => {
  it('answers on the hostAddress (localhost) and on every node IP, and prints 80:31045/TCP', async () => {
    for (const host of [k.hostAddress, ...NODE_IPS]) {
      const r = await curl(`http://${host}:31045/`);
      expect(r.http, host).toBe(200);
      expect(r.body).toContain('<title>Welcome to nginx!</title>');
    }
    const r = await curl('http://localhost:31045/', ['--connect-to', `localhost:31045:${k.hostAddress}:31045`]);
    expect(r.http).toBe(200);
    const out = await ok(k, ['get', 'service', 'nginx-np']);
    expect(out.trim().split('\n')[1]).toMatch(/^nginx-np\s+NodePort\s+127\.122\.\d+\.\d+\s+<none>\s+80:31045\/TCP\s+\S+$/);
  });

  it('expose --type NodePort gets a free port from the dynamic band and serves it', async () => {
    expect(await ok(k, ['expose', 'deployment', 'nginx', '--name', 'nginx-np2', '--type', 'NodePort', '--port', '80'])).toBe('service/nginx-np2 exposed\n');
    const svc = await getJson(k, ['service', 'nginx-np2']);
    const np = svc.spec.ports[0].nodePort;
    expect(np).toBeGreaterThanOrEqual(30086);
    expect(np).toBeLessThanOrEqual(32767);
    await eventually(async () => expect((await curl(`http://${NODE_IPS[1]}:${np}/`)).http).toBe(200), { what: 'nginx-np2 on the worker IP' });
  });

  it('refuses a taken or out-of-range nodePort with the apiserver message, half-creating nothing', async () => {
    const bad = (port: number, name: string) => `apiVersion: v1
kind: Service
metadata: {name: ${name}}
spec:
  type: NodePort
  selector: {app: nginx}
  ports: [{name: a, port: 80, nodePort: 31046}, {name: b, port: 81, nodePort: ${port}}]
`;
    const taken = await k.kdp(['apply', '-f', '-'], { input: bad(31045, 'taken') });
    expect(taken.code).toBe(1);
    expect(taken.stderr).toContain('The Service "taken" is invalid: spec.ports[1].nodePort: Invalid value: 31045: provided port is already allocated');
    const range = await k.kdp(['apply', '-f', '-'], { input: bad(40000, 'range') });
    expect(range.code).toBe(1);
    expect(range.stderr).toContain('spec.ports[1].nodePort: Invalid value: 40000: provided port is not in the valid range. The range of valid ports is 30000-32767');
    expect((await k.kdp(['get', 'service', 'taken'])).stderr).toContain('services "taken" not found');
    // 31046 was not kept by the failed request: another Service can take it at once.
    const again = await k.kdp(['apply', '-f', '-'], { input: bad(31047, 'fine') });
    expect(again.code, again.stderr).toBe(0);
    await eventually(async () => expect((await curl(`http://${k.hostAddress}:31046/`)).http).toBe(200));
  });

  it('deleting the Service frees the port at once, and the listener goes', async () => {
    await ok(k, ['delete', 'service', 'fine']);
    await eventually(async () => expect((await curl(`http://${k.hostAddress}:31046/`)).code).toBe(7), { what: 'listener closed' });
    const reuse = await k.kdp(['create', 'service', 'nodeport', 'reuse', '--tcp', '80:80', '--node-port', '31046']);
    if (reuse.code !== 0) {
      // kdp create service may not support nodeport; apply the same thing instead
      await apply(k, tmp, 'reuse', `apiVersion: v1\nkind: Service\nmetadata: {name: reuse}\nspec: {type: NodePort, selector: {app: nginx}, ports: [{port: 80, nodePort: 31046}]}\n`);
    }
    await eventually(async () => expect((await curl(`http://${k.hostAddress}:31046/`)).http).toBe(200));
  });

  it('follows Nodes: a Node added at runtime serves NodePorts on its InternalIP, and stops when removed', async () => {
    await apply(k, tmp, 'node3', `apiVersion: v1
kind: Node
metadata: {name: e2e2-extra, labels: {kubernetes.io/hostname: e2e2-extra}}
spec: {podCIDR: 127.142.9.0/24, podCIDRs: [127.142.9.0/24]}
`);
    const node = await getJson(k, ['node', 'e2e2-extra']);
    node.status = { addresses: [{ type: 'InternalIP', address: '127.172.0.9' }, { type: 'Hostname', address: 'e2e2-extra' }] };
    // status is a subresource: write it as a kubelet would
    const r = await k.fetch('/api/v1/nodes/e2e2-extra/status', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(node) });
    expect(r.status).toBe(200);
    await eventually(async () => expect((await curl('http://127.172.0.9:31045/')).http).toBe(200), { what: 'NodePort on the new node' });
    await ok(k, ['delete', 'node', 'e2e2-extra']);
    await eventually(async () => expect((await curl('http://127.172.0.9:31045/')).code).toBe(7), { what: 'NodePort gone with the node' });
  });
});

describe('2. LoadBalancer', () => {
  it('expose --type LoadBalancer gets a pool address in status and EXTERNAL-IP, served there, on localhost and on nodePorts', async () => {
    expect(await ok(k, ['expose', 'deployment', 'nginx', '--name', 'nginx-lb', '--type', 'LoadBalancer', '--port', '8080', '--target-port', '80'])).toBe('service/nginx-lb exposed\n');
    const svc = await eventually(async () => {
      const s = await getJson(k, ['service', 'nginx-lb']);
      expect(s.status?.loadBalancer?.ingress?.[0]?.ip).toMatch(LB_POOL);
      return s;
    }, { what: 'LB address assigned' });
    const ip = svc.status.loadBalancer.ingress[0].ip;
    const np = svc.spec.ports[0].nodePort;
    expect(np).toBeGreaterThanOrEqual(30000);
    const row = (await ok(k, ['get', 'svc', 'nginx-lb'])).trim().split('\n')[1];
    expect(row).toMatch(new RegExp(`^nginx-lb\\s+LoadBalancer\\s+127\\.122\\.\\d+\\.\\d+\\s+${ip.replace(/\./g, '\\.')}\\s+8080:${np}/TCP\\s+\\S+$`));
    await eventually(async () => {
      expect((await curl(`http://${ip}:8080/`)).http).toBe(200);
      expect((await curl('http://localhost:8080/', ['--connect-to', `localhost:8080:${k.hostAddress}:8080`])).http).toBe(200);
      expect((await curl(`http://${NODE_IPS[0]}:${np}/`)).http).toBe(200);
    }, { what: 'LB served' });
    const events = await ok(k, ['get', 'events', '--field-selector', 'involvedObject.name=nginx-lb']);
    expect(events).toMatch(/IPAllocated\s+service\/nginx-lb\s+Assigned IP \["127\.192\.0\.\d+"\]/);
  });

  it('a port taken on localhost leaves a Warning Event and a status condition; the pool address still serves; it heals', async () => {
    const blocker = net.createServer((s) => s.destroy());
    await new Promise<void>((r) => blocker.listen(8181, k.hostAddress, r));
    try {
      await ok(k, ['expose', 'deployment', 'nginx', '--name', 'nginx-lb2', '--type', 'LoadBalancer', '--port', '8181', '--target-port', '80']);
      const svc = await eventually(async () => {
        const s = await getJson(k, ['service', 'nginx-lb2']);
        expect(s.status?.conditions?.find((c: { type: string }) => c.type === 'LoadBalancerPortsError')?.message).toContain(`can't listen on ${k.hostAddress}:8181/TCP`);
        return s;
      }, { what: 'LoadBalancerPortsError condition' });
      expect((await curl(`http://${svc.status.loadBalancer.ingress[0].ip}:8181/`)).http).toBe(200);
      const describe = await ok(k, ['describe', 'service', 'nginx-lb2']);
      expect(describe).toMatch(/Warning\s+FailedToBindPort\s+.*kube-proxy\s+can't listen on 127\.192\.1\.1:8181\/TCP .*address already in use/);
    } finally {
      await new Promise((r) => blocker.close(r));
    }
    await eventually(async () => {
      expect((await curl(`http://${k.hostAddress}:8181/`)).http).toBe(200);
      const s = await getJson(k, ['service', 'nginx-lb2']);
      expect(s.status?.conditions ?? []).toEqual([]);
    }, { timeout: 40_000, what: 'bound after the port was freed (retry backoff)' });
  }, 60_000);

  it('an exhausted pool leaves <pending> with an AllocationFailed Event (never silently)', async () => {
    // 127.192.0.0/24 has 254 addresses; ask for one outside the pool instead of filling it.
    await apply(k, tmp, 'lbout', `apiVersion: v1\nkind: Service\nmetadata: {name: lb-out}\nspec: {type: LoadBalancer, loadBalancerIP: 127.9.9.9, selector: {app: nginx}, ports: [{port: 8282, targetPort: 80}]}\n`);
    await eventually(async () => {
      expect((await ok(k, ['get', 'svc', 'lb-out'])).split('\n')[1]).toMatch(/^lb-out\s+LoadBalancer\s+\S+\s+<pending>\s+8282:\d+\/TCP/);
      expect(await ok(k, ['describe', 'svc', 'lb-out'])).toMatch(/Warning\s+AllocationFailed\s+.*Failed to allocate IP for "default\/lb-out": \["127\.9\.9\.9"\] is not allowed in config/);
    });
  });
});

describe('3. ports: several, named targetPorts, UDP through ClusterIP and NodePort', () => {
  it('routes each Service port to its named container port, TCP and UDP', async () => {
    await apply(k, tmp, 'multi', `${deployment('netexec', 2, NETEXEC, {
      args: ['netexec', '--http-port=8080', '--udp-port=8081'],
      ports: '[{name: http-api, containerPort: 8080}, {name: udp-echo, containerPort: 8081, protocol: UDP}]',
    })}---
apiVersion: v1
kind: Service
metadata: {name: multi}
spec:
  type: NodePort
  selector: {app: netexec}
  ports:
  - {name: http, port: 80, targetPort: http-api}
  - {name: udp, port: 90, targetPort: udp-echo, protocol: UDP}
`);
    const svc = await getJson(k, ['service', 'multi']);
    const [httpNp, udpNp] = svc.spec.ports.map((p: { nodePort: number }) => p.nodePort);
    expect((await ok(k, ['get', 'svc', 'multi'])).split('\n')[1]).toMatch(new RegExp(`^multi\\s+NodePort\\s+\\S+\\s+<none>\\s+80:${httpNp}/TCP,90:${udpNp}/UDP\\s`));
    const ip = svc.spec.clusterIP;
    const names = new Set<string>();
    await eventually(async () => {
      const r = await curl(`http://${ip}/hostname`);
      expect(r.http).toBe(200);
      names.add(r.body);
      expect(names.size).toBe(2);
    }, { timeout: 15_000, what: 'both netexec pods over HTTP' });
    for (const [host, port] of [[ip, 90], [NODE_IPS[0], udpNp], [k.hostAddress, udpNp]] as const) {
      const got = new Set<string>();
      await eventually(async () => {
        const reply = await udpAsk(host, port, 'hostname', 1000);
        expect(names.has(reply), `${host}:${port} said ${reply}`).toBe(true);
        got.add(reply);
      }, { what: `UDP on ${host}:${port}` });
      expect(await udpAsk(host, port, 'echo kdp-udp')).toBe('kdp-udp');
    }
  });
});

describe('3b. a named targetPort is resolved per pod', () => {
  it('reaches pods that give the port name different numbers', async () => {
    const pod = (name: string, port: number) => `apiVersion: v1
kind: Pod
metadata: {name: ${name}, labels: {tier: named}}
spec:
  containers:
  - name: netexec
    image: ${NETEXEC}
    args: [netexec, --http-port=${port}]
    ports: [{name: web, containerPort: ${port}}]
`;
    await apply(k, tmp, 'named', `${pod('named-a', 8080)}---\n${pod('named-b', 9090)}---
apiVersion: v1
kind: Service
metadata: {name: named}
spec: {selector: {tier: named}, ports: [{name: http, port: 80, targetPort: web}]}
`);
    const ip = (await getJson(k, ['svc', 'named'])).spec.clusterIP;
    const seen = new Set<string>();
    await eventually(async () => {
      const r = await curl(`http://${ip}/hostname`);
      expect(r.http).toBe(200);
      seen.add(r.body);
      expect([...seen].sort()).toEqual(['named-a', 'named-b']);
    }, { timeout: 15_000, what: 'both pods through the named targetPort' });
  });
});

describe('4. headless, ExternalName, externalIPs', () => {
  it('prints headless and ExternalName as kubectl does and proxies neither', async () => {
    await apply(k, tmp, 'others', `apiVersion: v1
kind: Service
metadata: {name: headless}
spec: {clusterIP: None, selector: {app: nginx}, ports: [{port: 80}]}
---
apiVersion: v1
kind: Service
metadata: {name: extname}
spec: {type: ExternalName, externalName: example.test}
`);
    const lines = (await ok(k, ['get', 'svc', 'headless', 'extname'])).trim().split('\n');
    expect(lines[1]).toMatch(/^headless\s+ClusterIP\s+None\s+<none>\s+80\/TCP\s+\S+$/);
    expect(lines[2]).toMatch(/^extname\s+ExternalName\s+<none>\s+example\.test\s+<none>\s+\S+$/);
    const svc = await getJson(k, ['svc', 'headless']);
    expect(svc.spec.clusterIPs).toEqual(['None']);
  });

  it('binds externalIPs from the range kdp owns and refuses others, naming the allowed ranges', async () => {
    await apply(k, tmp, 'extip', `apiVersion: v1\nkind: Service\nmetadata: {name: extip}\nspec: {selector: {app: nginx}, externalIPs: [127.192.2.7], ports: [{port: 8383, targetPort: 80}]}\n`);
    expect((await ok(k, ['get', 'svc', 'extip'])).split('\n')[1]).toMatch(/^extip\s+ClusterIP\s+\S+\s+127\.192\.2\.7\s+8383\/TCP/);
    await eventually(async () => expect((await curl('http://127.192.2.7:8383/')).http).toBe(200));
    const allowed = 'kdp serves externalIPs only from the ranges it owns: 127.192.2.0/24 (--external-ip-cidr) and the LoadBalancer pool 127.192.0.0/24 (--lb-pool)';
    for (const ip of ['192.0.2.10', '127.0.0.1', k.dnsAddress]) {
      const r = await k.kdp(['apply', '-f', '-'], { input: `apiVersion: v1\nkind: Service\nmetadata: {name: extbad}\nspec: {selector: {app: nginx}, externalIPs: [${ip}], ports: [{port: 80}]}\n` });
      expect(r.code, ip).toBe(1);
      expect(r.stderr).toContain(`The Service "extbad" is invalid: spec.externalIPs[0]: Invalid value: "${ip}": ${allowed}`);
    }
  });

  it('does not let a Service capture the host\'s own traffic: a real server on 127.0.0.1 keeps its connections (CVE-2020-8554)', async () => {
    const server = net.createServer((s) => s.resume().end('HTTP/1.1 200 OK\r\nContent-Length: 4\r\nConnection: close\r\n\r\nhost'));
    await new Promise<void>((resolve) => server.listen(36999, '127.0.0.1', resolve));
    try {
      const r = await k.kdp(['apply', '-f', '-'], { input: 'apiVersion: v1\nkind: Service\nmetadata: {name: hijack}\nspec: {selector: {app: nginx}, externalIPs: [127.0.0.1], ports: [{port: 36999, targetPort: 80}]}\n' });
      expect(r.code).toBe(1);
      expect((await curl('http://127.0.0.1:36999/')).body).toBe('host');
      // nor through the load-balancer status a client writes
      const lb = await k.kdp(['apply', '-f', '-'], { input: 'apiVersion: v1\nkind: Service\nmetadata: {name: lbclass}\nspec: {type: LoadBalancer, loadBalancerClass: example.com/other, selector: {app: nginx}, ports: [{port: 36999, targetPort: 80}]}\n' });
      expect(lb.code).toBe(0);
      const svc = await getJson(k, ['svc', 'lbclass']);
      svc.status = { loadBalancer: { ingress: [{ ip: '127.0.0.1' }] } };
      const res = await k.fetch('/api/v1/namespaces/default/services/lbclass/status', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(svc) });
      expect(res.status).toBe(422);
      expect(((await res.json()) as { message: string }).message).toContain('status.loadBalancer.ingress[0].ip: Invalid value: "127.0.0.1": kdp serves load-balancer addresses only from its LoadBalancer pool 127.192.0.0/24 (--lb-pool)');
      expect((await curl('http://127.0.0.1:36999/')).body).toBe('host');
    } finally {
      await k.kdp(['delete', 'svc', 'lbclass', '--ignore-not-found']);
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
