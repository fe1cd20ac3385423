// Issue #4 end to end: the cluster DNS of a whole `kdp up` (slot 4), served by the coredns pods of
// the kube-system Deployment behind the kube-dns Service, asked by the real dig over UDP and TCP —
// rule by rule: the query, the expected rcode, answer and authority sections — then from inside
// pods (nslookup, getent, dig +search), through Corefile edits, metrics, `kdp shell` and `kdp dns setup`.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import { run, startKdp, type KdpCluster } from '../support/kdp.js';
import { dig as digAt } from '../support/dig.js';
import { startUpstreamDns, type UpstreamDns } from '../support/upstream-dns.js';

let k: KdpCluster;
let upstream: UpstreamDns;
let tmp: string;

const MANIFESTS = `apiVersion: apps/v1
kind: Deployment
metadata: {name: nginx}
spec:
  replicas: 1
  selector: {matchLabels: {app: nginx}}
  template:
    metadata: {labels: {app: nginx}}
    spec:
      containers: [{name: nginx, image: nginx, ports: [{containerPort: 80, name: http}]}]
---
apiVersion: v1
kind: Service
metadata: {name: nginx}
spec:
  selector: {app: nginx}
  ports: [{name: http, port: 80, protocol: TCP}]
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  clusterIP: None
  selector: {app: web}
  ports: [{name: http, port: 80}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: web}
spec:
  serviceName: web
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: nginx, image: nginx, ports: [{containerPort: 80, name: http}]}]
---
apiVersion: v1
kind: Service
metadata: {name: sub}
spec:
  clusterIP: None
  selector: {app: sub}
  ports: [{name: http, port: 80}]
---
apiVersion: v1
kind: Pod
metadata: {name: host-a, labels: {app: sub}}
spec:
  hostname: alpha
  subdomain: sub
  containers: [{name: nginx, image: nginx}]
---
apiVersion: v1
kind: Service
metadata: {name: ext}
spec:
  type: ExternalName
  externalName: outside.example.test
---
apiVersion: v1
kind: Pod
metadata: {name: curlpod}
spec:
  containers: [{name: curl, image: curlimages/curl, command: [sleep, infinity]}]
`;

const dig = (name: string, type = 'A', extra: string[] = []) => digAt({ address: k.dnsAddress }, name, type, extra);

const ok = (args: string[], input?: string): Promise<string> => k.ok(args, { input });

async function getJson(args: string[]): Promise<any> {
  return JSON.parse(await ok([...args, '-o', 'json']));
}

const SOA = /^cluster\.local\. 5 IN SOA ns\.dns\.cluster\.local\. hostmaster\.cluster\.local\. \d+ 7200 1800 86400 5$/;
const rev = (ip: string) => `${ip.split('.').reverse().join('.')}.in-addr.arpa`;
let ip: Record<string, string> = {};

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'kdp-dns-'));
  writeFileSync(join(tmp, 'dns.yaml'), MANIFESTS);
  upstream = await startUpstreamDns('127.64.0.53', { 'outside.example.test': '127.1.2.3' });
  k = await startKdp({ slot: 4, files: [join(tmp, 'dns.yaml')], upstreamDns: [`${upstream.address}:${upstream.port}`] });
  await eventually(async () => {
    const pods = (await getJson(['get', 'pods'])).items as any[];
    const ready = pods.filter((p) => p.status?.podIP && (p.status.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True'));
    expect(ready.map((p) => p.metadata.name).sort().join(' ')).toMatch(/^curlpod host-a nginx-\S+ web-0 web-1$/);
    for (const p of ready) ip[p.metadata.name] = p.status.podIP;
  }, { timeout: 30_000, what: 'pods Ready' });
  ip.nginxSvc = (await getJson(['get', 'svc', 'nginx'])).spec.clusterIP;
  ip.kubernetes = (await getJson(['get', 'svc', 'kubernetes'])).spec.clusterIP;
}, 90_000);

afterAll(async () => {
  await k?.stop();
  await upstream?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('1. CoreDNS runs as kube-system pods behind kube-dns, as in kubeadm', () => {
  it('kdp get shows the coredns Deployment\'s pods, the kube-dns Service and the Corefile ConfigMap', async () => {
    const pods = await ok(['get', 'pods', '-n', 'kube-system', '-l', 'k8s-app=kube-dns']);
    expect(pods.trim().split('\n').slice(1)).toHaveLength(2);
    expect(pods).toMatch(/^coredns-[a-z0-9]+-[a-z0-9]{5}\s+1\/1\s+Running\s+0\s/m);
    const svc = await ok(['get', 'svc', '-n', 'kube-system', 'kube-dns']);
    expect(svc).toMatch(new RegExp(`^kube-dns\\s+ClusterIP\\s+${k.dnsAddress.replace(/\./g, '\\.')}\\s+<none>\\s+53/UDP,53/TCP,9153/TCP\\s`, 'm'));
    const cm = await getJson(['get', 'configmap', '-n', 'kube-system', 'coredns']);
    expect(cm.data.Corefile).toMatch(/^\s+kubernetes cluster\.local in-addr\.arpa ip6\.arpa \{$/m);
    expect(cm.data.Corefile).toContain(`forward . ${upstream.address}:${upstream.port}`);
    const dep = await getJson(['get', 'deployment', '-n', 'kube-system', 'coredns']);
    expect(dep.spec.template.spec.containers[0].image).toMatch(/^registry\.k8s\.io\/coredns\/coredns:/);
  });
});

describe('2. every record kind, over UDP and TCP', () => {
  type Rule = [what: string, name: () => string, type: string, status: string, answer: (() => (string | RegExp)[]) | null];
  const rules: Rule[] = [
    ['ClusterIP A', () => 'nginx.default.svc.cluster.local', 'A', 'NOERROR', () => [`nginx.default.svc.cluster.local. 30 IN A ${ip.nginxSvc}`]],
    ['case-insensitive, case echoed', () => 'NGINX.Default.SVC.cluster.LOCAL', 'A', 'NOERROR', () => [`NGINX.Default.SVC.cluster.LOCAL. 30 IN A ${ip.nginxSvc}`]],
    ['named-port SRV', () => '_http._tcp.nginx.default.svc.cluster.local', 'SRV', 'NOERROR', () => ['_http._tcp.nginx.default.svc.cluster.local. 30 IN SRV 0 100 80 nginx.default.svc.cluster.local.']],
    ['ClusterIP PTR', () => rev(ip.nginxSvc), 'PTR', 'NOERROR', () => [`${rev(ip.nginxSvc)}. 30 IN PTR nginx.default.svc.cluster.local.`]],
    ['headless A per ready endpoint', () => 'web.default.svc.cluster.local', 'A', 'NOERROR', () => [ip['web-0'], ip['web-1']].sort().map((a) => `web.default.svc.cluster.local. 30 IN A ${a}`)],
    ['StatefulSet pod hostname', () => 'web-0.web.default.svc.cluster.local', 'A', 'NOERROR', () => [`web-0.web.default.svc.cluster.local. 30 IN A ${ip['web-0']}`]],
    ['headless SRV per endpoint, weight 100/N', () => '_http._tcp.web.default.svc.cluster.local', 'SRV', 'NOERROR', () => ['web-0', 'web-1'].map((h) => `_http._tcp.web.default.svc.cluster.local. 30 IN SRV 0 50 80 ${h}.web.default.svc.cluster.local.`)],
    ['headless endpoint PTR', () => rev(ip['web-1']), 'PTR', 'NOERROR', () => [`${rev(ip['web-1'])}. 30 IN PTR web-1.web.default.svc.cluster.local.`]],
    ['pod hostname + subdomain', () => 'alpha.sub.default.svc.cluster.local', 'A', 'NOERROR', () => [`alpha.sub.default.svc.cluster.local. 30 IN A ${ip['host-a']}`]],
    ['ExternalName CNAME (+ target resolved upstream)', () => 'ext.default.svc.cluster.local', 'A', 'NOERROR', () => ['ext.default.svc.cluster.local. 30 IN CNAME outside.example.test.', /^outside\.example\.test\. \d+ IN A 127\.1\.2\.3$/]],
    ['dns-version TXT', () => 'dns-version.cluster.local', 'TXT', 'NOERROR', () => ['dns-version.cluster.local. 28800 IN TXT "1.1.0"']],
    ['pod A record (pods insecure)', () => '127-0-0-9.default.pod.cluster.local', 'A', 'NOERROR', () => ['127-0-0-9.default.pod.cluster.local. 30 IN A 127.0.0.9']],
    ['kubernetes.default.svc', () => 'kubernetes.default.svc.cluster.local', 'A', 'NOERROR', () => [`kubernetes.default.svc.cluster.local. 30 IN A ${ip.kubernetes}`]],
    ['missing service: NXDOMAIN', () => 'nope.default.svc.cluster.local', 'A', 'NXDOMAIN', null],
    ['missing namespace: NXDOMAIN', () => 'nginx.nons.svc.cluster.local', 'A', 'NXDOMAIN', null],
    ['unknown second label: NXDOMAIN', () => 'nginx.default.foo.cluster.local', 'A', 'NXDOMAIN', null],
    ['too many labels: NXDOMAIN', () => 'x.y.nginx.default.svc.cluster.local', 'A', 'NXDOMAIN', null],
    ['ndots:5 search walk: NXDOMAIN', () => 'nginx.default.svc.cluster.local.default.svc.cluster.local', 'A', 'NXDOMAIN', null],
    ['unnamed-port SRV: NXDOMAIN', () => '_x._tcp.nginx.default.svc.cluster.local', 'SRV', 'NXDOMAIN', null],
    ['existing name, other type: NODATA', () => 'nginx.default.svc.cluster.local', 'AAAA', 'NOERROR', () => []],
    ['zone apex: NODATA', () => 'cluster.local', 'A', 'NOERROR', () => []],
    ['svc.cluster.local: NODATA', () => 'svc.cluster.local', 'A', 'NOERROR', () => []],
    ['existing namespace: NODATA', () => 'default.svc.cluster.local', 'A', 'NOERROR', () => []],
  ];
  for (const tcp of [false, true]) {
    for (const [what, name, type, status, answer] of rules) {
      it(`${what}: ${type} → ${status} (${tcp ? 'TCP' : 'UDP'})`, async () => {
        const r = await dig(name(), type, tcp ? ['+tcp'] : []);
        expect(r.status, r.raw).toBe(status);
        expect(r.flags).toContain('aa');
        const want = answer ? answer() : [];
        expect(r.answer.length, r.raw).toBe(want.length);
        const got = [...r.answer].sort();
        const wantSorted = [...want].sort((a, b) => String(a).localeCompare(String(b)));
        for (let i = 0; i < want.length; i++) {
          const w = wantSorted[i];
          if (typeof w === 'string') expect(got).toContain(w);
          else expect(got.some((g) => w.test(g)), `${w} in ${got.join(' | ')}`).toBe(true);
        }
        if (status === 'NXDOMAIN' || want.length === 0) {
          expect(r.authority).toHaveLength(1);
          expect(r.authority[0]).toMatch(SOA);
        } else {
          expect(r.authority).toEqual([]);
        }
      });
    }
  }

  it('forwards names outside the zone to the configured upstream (not authoritative)', async () => {
    const r = await dig('outside.example.test');
    expect(r.status).toBe('NOERROR');
    expect(r.flags).not.toContain('aa');
    expect(r.answer).toEqual(['outside.example.test. 60 IN A 127.1.2.3']);
    expect(upstream.queries).toContain('outside.example.test');
  });

  it('answers change as soon as the objects do: a new Service, a deleted Service', async () => {
    const f = join(tmp, 'late.yaml');
    writeFileSync(f, 'apiVersion: v1\nkind: Service\nmetadata: {name: late}\nspec:\n  selector: {app: none}\n  ports: [{port: 80}]\n');
    await ok(['apply', '-f', f]);
    const late = (await getJson(['get', 'svc', 'late'])).spec.clusterIP;
    await eventually(async () => expect((await dig('late.default.svc.cluster.local')).answer).toEqual([`late.default.svc.cluster.local. 30 IN A ${late}`]), { timeout: 2000, what: 'new service answered' });
    await ok(['delete', 'svc', 'late']);
    await eventually(async () => expect((await dig('late.default.svc.cluster.local')).status).toBe('NXDOMAIN'), { timeout: 2000, what: 'deleted service NXDOMAIN' });
  });
});

describe('3. resolution from inside pods, with the search path', () => {
  it('nslookup, getent and dig +search resolve short and conformance names', async () => {
    expect(await ok(['exec', 'curlpod', '--', 'nslookup', 'nginx'])).toMatch(new RegExp(`Name:\\s+nginx\\.default\\.svc\\.cluster\\.local\\nAddress: ${ip.nginxSvc.replace(/\./g, '\\.')}`));
    expect((await ok(['exec', 'curlpod', '--', 'getent', 'hosts', 'nginx.default'])).trim()).toMatch(new RegExp(`^${ip.nginxSvc.replace(/\./g, '\\.')}\\s+nginx\\.default\\.svc\\.cluster\\.local$`));
    for (const name of ['kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local']) {
      expect((await ok(['exec', 'curlpod', '--', 'dig', '+search', '+short', name])).trim(), name).toBe(ip.kubernetes);
    }
    expect(await ok(['exec', 'curlpod', '--', 'curl', '-s', '-m', '3', 'nginx'])).toContain('Welcome to nginx!');
  });
});

describe('4. the coredns ConfigMap drives the servers', () => {
  const original = async () => (await getJson(['get', 'configmap', '-n', 'kube-system', 'coredns'])).data.Corefile as string;
  const applyCorefile = async (text: string) => {
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'coredns', namespace: 'kube-system' }, data: { Corefile: text } };
    const f = join(tmp, 'coredns-cm.json');
    writeFileSync(f, JSON.stringify(cm));
    await ok(['apply', '-f', f]);
  };

  it('an edited Corefile (hosts plugin) is loaded by every replica; a broken one is kept out and logged', async () => {
    const base = await original();
    const withHosts = base.replace('    ready\n', '    ready\n    hosts {\n       127.9.9.9 printer.lan\n       fallthrough\n    }\n');
    expect(withHosts).not.toBe(base);
    await applyCorefile(withHosts);
    await eventually(async () => {
      for (let i = 0; i < 6; i++) expect((await dig('printer.lan', 'A', ['+short'])).raw.trim()).toBe('127.9.9.9');
    }, { timeout: 5000, what: 'hosts entry served by both replicas' });

    await applyCorefile(withHosts.replace('    ready\n', '    ready\n    frobnicate\n'));
    await eventually(async () => {
      const pods = (await getJson(['get', 'pods', '-n', 'kube-system', '-l', 'k8s-app=kube-dns'])).items as any[];
      expect(pods).toHaveLength(2);
      let logs = '';
      for (const p of pods) logs += await ok(['logs', '-n', 'kube-system', p.metadata.name]);
      expect(logs).toMatch(/\[ERROR\] Restart failed: \/etc\/coredns\/Corefile:\d+ - Error during parsing: Unknown directive 'frobnicate'/);
    }, { timeout: 5000, what: 'reload error logged' });
    for (let i = 0; i < 4; i++) expect((await dig('printer.lan', 'A', ['+short'])).raw.trim()).toBe('127.9.9.9');
    await applyCorefile(base);
    await eventually(async () => expect((await dig('printer.lan')).status).toBe('NXDOMAIN'), { timeout: 5000, what: 'hosts entry gone again (forwarded: the upstream says NXDOMAIN)' });
  });

  it('serves prometheus metrics under CoreDNS names on kube-dns:9153', async () => {
    const r = await run('curl', ['-s', '-m', '3', `http://${k.dnsAddress}:9153/metrics`]);
    expect(r.stdout).toMatch(/^coredns_dns_requests_total\{server="dns:\/\/:53",zone="\.",view="",proto="udp",family="1",type="A"\} \d+$/m);
    expect(r.stdout).toMatch(/^coredns_dns_responses_total\{.*rcode="NXDOMAIN",plugin="kubernetes"\} \d+$/m);
    expect(r.stdout).toMatch(/^coredns_dns_request_duration_seconds_bucket\{.*le="\+Inf"\} \d+$/m);
  });
});

describe('7. cluster names from the host terminal', () => {
  it('kdp shell runs a command with the pod DNS view: curl and dig by short name', async () => {
    expect(await ok(['shell', '--', 'curl', '-s', '-m', '3', 'nginx.default.svc.cluster.local'])).toContain('Welcome to nginx!');
    expect((await ok(['shell', '--', 'dig', '+search', '+short', 'nginx'])).trim()).toBe(ip.nginxSvc);
    expect(await ok(['shell', '-n', 'kube-system', '--', 'cat', '/etc/resolv.conf'])).toBe(`nameserver ${k.dnsAddress}\nsearch kube-system.svc.cluster.local svc.cluster.local cluster.local\noptions ndots:5\n`);
    const r = await k.kdp(['shell', '--', 'sh', '-c', 'exit 3']);
    expect(r.code).toBe(3);
  });

  it('kdp dns setup prints the split-DNS route for cluster.local', async () => {
    const r = await k.kdp(['dns', 'setup']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`resolvectl dns kdp7f7c000a ${k.dnsAddress}`);
    expect(r.stdout).toContain("resolvectl domain kdp7f7c000a '~cluster.local'");
  });
});
