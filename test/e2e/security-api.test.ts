// Issue 14, point 1: the API is HTTPS with client-certificate authentication by default. `kdp up`
// makes a cluster CA (kept across restarts), a serving certificate for every name a client uses and
// the admin's client certificate; the kubeconfig (0600) embeds them; anonymous requests get
// kube-apiserver's 401 Status except on the health and version paths; kdp, curl and the Python
// client work with the kubeconfig; another local user can neither read the credentials nor use the API.
// Own ranges: 127.220-223.x.
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { createCertificateAuthority, signedLeaf } from '../../src/lib/x509.js';
import { KDP_BIN, rangeArgs, run, startKdp, type KdpCluster } from '../support/kdp.js';

const RANGES = rangeArgs(220, 'e2esec');
const KUBERNETES_SVC = '127.220.0.1';
const UNAUTHORIZED = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 };
const NOBODY = ['--reuid=65534', '--regid=65534', '--clear-groups'];
const DEBIAN_PYTHON = '/usr/bin/python3';

let k: KdpCluster;
let tmp: string;
let port: string;
/** The kubeconfig's CA, client certificate and key, as files for curl. */
let files: { ca: string; cert: string; key: string };

function pythonClient(): string {
  try {
    execFileSync(DEBIAN_PYTHON, ['-c', 'import kubernetes'], { stdio: 'ignore' });
    return '';
  } catch {
    return "Debian's python3-kubernetes is not installed (apt-get install python3-kubernetes; .ci/run does)";
  }
}

function kubeconfigFiles(path: string, dir: string): typeof files {
  const doc = parseYaml(readFileSync(path, 'utf8'));
  const out = { ca: join(dir, 'ca.crt'), cert: join(dir, 'client.crt'), key: join(dir, 'client.key') };
  writeFileSync(out.ca, Buffer.from(doc.clusters[0].cluster['certificate-authority-data'], 'base64'));
  writeFileSync(out.cert, Buffer.from(doc.users[0].user['client-certificate-data'], 'base64'));
  writeFileSync(out.key, Buffer.from(doc.users[0].user['client-key-data'], 'base64'), { mode: 0o600 });
  return out;
}

/** curl's status code and body; `args` go before the URL. */
async function curl(url: string, args: string[] = [], as?: string[]): Promise<{ status: number; body: string; code: number }> {
  const argv = ['-s', '-o', '-', '-w', '\n%{http_code}', ...args, url];
  const r = as ? await run('setpriv', [...as, 'curl', ...argv]) : await run('curl', argv);
  const nl = r.stdout.lastIndexOf('\n');
  return { status: Number(r.stdout.slice(nl + 1)), body: r.stdout.slice(0, nl), code: r.code };
}

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'kdp-security-'));
  k = await startKdp({ slot: 0, extraArgs: RANGES });
  port = new URL(k.apiUrl).port;
  files = kubeconfigFiles(k.kubeconfig, tmp);
}, 60_000);

afterAll(async () => {
  await k?.stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('1. TLS and authentication on the API, on by default', () => {
  it('listens on HTTPS and prints that address in its ready line', () => {
    expect(k.apiUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
  });

  it('keeps the credentials for the owner only: kubeconfig and keys 0600, the state dir and pki 0700', () => {
    const mode = (p: string) => statSync(p).mode & 0o777;
    expect(mode(k.stateDir)).toBe(0o700);
    expect(mode(join(k.stateDir, 'pki'))).toBe(0o700);
    expect(mode(k.kubeconfig)).toBe(0o600);
    for (const key of ['ca.key', 'apiserver.key', 'admin.key']) expect(mode(join(k.stateDir, 'pki', key))).toBe(0o600);
    expect(statSync(k.kubeconfig).uid).toBe(process.getuid!());
  });

  it('issues the admin certificate as kubeadm does and a serving certificate for every name a client uses', () => {
    const admin = new X509Certificate(readFileSync(files.cert));
    expect(admin.subject.split('\n').sort()).toEqual(['CN=kubernetes-admin', 'O=system:masters']);
    const ca = new X509Certificate(readFileSync(files.ca));
    expect(admin.checkIssued(ca)).toBe(true);
    const serving = new X509Certificate(readFileSync(join(k.stateDir, 'pki', 'apiserver.crt')));
    expect(serving.checkIssued(ca)).toBe(true);
    const sans = serving.subjectAltName!.split(', ');
    for (const san of ['DNS:localhost', 'IP Address:127.0.0.1', `IP Address:${KUBERNETES_SVC}`, 'DNS:kubernetes', 'DNS:kubernetes.default', 'DNS:kubernetes.default.svc', 'DNS:kubernetes.default.svc.cluster.local']) {
      expect(sans).toContain(san);
    }
  });

  it('answers a request without credentials with 401 and the Status kube-apiserver sends', async () => {
    for (const path of ['/api', '/api/v1/namespaces/default/pods', '/apis/apps/v1/deployments', '/openapi/v2']) {
      const r = await curl(`https://127.0.0.1:${port}${path}`, ['--cacert', files.ca]);
      expect(r.status, path).toBe(401);
      expect(JSON.parse(r.body), path).toEqual(UNAUTHORIZED);
    }
    const create = await curl(`https://127.0.0.1:${port}/api/v1/namespaces/default/configmaps`, ['--cacert', files.ca, '-X', 'POST', '-H', 'Content-Type: application/json', '-d', '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x"}}']);
    expect(create.status).toBe(401);
    expect((await k.kdp(['get', 'configmap', 'x'])).stderr).toContain('NotFound');
  });

  it('keeps /healthz, /livez, /readyz and /version readable anonymously', async () => {
    for (const path of ['/healthz', '/livez', '/readyz']) {
      const r = await curl(`https://127.0.0.1:${port}${path}`, ['--cacert', files.ca]);
      expect(r.status, path).toBe(200);
      expect(r.body).toBe('ok');
    }
    const v = await curl(`https://127.0.0.1:${port}/version`, ['--cacert', files.ca]);
    expect(v.status).toBe(200);
    expect(JSON.parse(v.body).gitVersion).toMatch(/^v1\./);
  });

  it('rejects a bearer token it did not issue, and a client certificate from another CA, with 401', async () => {
    const bad = await curl(`https://127.0.0.1:${port}/api/v1/pods`, ['--cacert', files.ca, '-H', 'Authorization: Bearer not-a-token']);
    expect(bad.status).toBe(401);
    expect(JSON.parse(bad.body)).toEqual(UNAUTHORIZED);
    const forge = async (caName: string) => {
      const other = await createCertificateAuthority(caName);
      const forged = await signedLeaf(other, { commonName: 'kubernetes-admin', organizations: ['system:masters'], usages: ['client'] });
      writeFileSync(join(tmp, `${caName}.crt`), forged.cert);
      writeFileSync(join(tmp, `${caName}.key`), forged.key, { mode: 0o600 });
      return ['--cacert', files.ca, '--cert', join(tmp, `${caName}.crt`), '--key', join(tmp, `${caName}.key`)];
    };
    const r = await curl(`https://127.0.0.1:${port}/api/v1/pods`, await forge('another-cluster'));
    expect(r.status).toBe(401);
    expect(JSON.parse(r.body)).toEqual(UNAUTHORIZED);
    // A forgery under the cluster CA's own name, sent with that CA in its chain: Node's TLS layer ends
    // the connection before any request (not kube-apiserver's 401, but no access either).
    const sameName = await curl(`https://127.0.0.1:${port}/api/v1/pods`, await forge('kubernetes'));
    expect([0, 401]).toContain(sameName.status);
  });

  it('serves curl with --cacert/--cert/--key from the kubeconfig, by 127.0.0.1, localhost and the kubernetes Service', async () => {
    const auth = ['--cacert', files.ca, '--cert', files.cert, '--key', files.key];
    for (const url of [`https://127.0.0.1:${port}/api/v1/namespaces`, `https://localhost:${port}/api/v1/namespaces`, `https://${KUBERNETES_SVC}/api/v1/namespaces`]) {
      const r = await curl(url, auth);
      expect(r.code, url).toBe(0); // certificate verified against the cluster CA, name checked
      expect(r.status, url).toBe(200);
      expect(JSON.parse(r.body).items.map((n: { metadata: { name: string } }) => n.metadata.name)).toContain('kube-system');
    }
  });

  it('works for the official Python client with the kubeconfig as written', async (ctx) => {
    const skip = pythonClient();
    if (skip) return ctx.skip(skip);
    const script = 'import sys\nfrom kubernetes import client, config\nconfig.load_kube_config(config_file=sys.argv[1])\nprint(" ".join(sorted(n.metadata.name for n in client.CoreV1Api().list_namespace().items)))\n';
    const r = await run(DEBIAN_PYTHON, ['-c', script, k.kubeconfig], { timeout: 30_000 });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim().split(' ')).toEqual(expect.arrayContaining(['default', 'kube-system']));
  });

  it('finds the credentials as kubectl does: --kubeconfig, then $KUBECONFIG, then ~/.kdp/kubeconfig', async () => {
    const home = join(tmp, 'home');
    mkdirSync(join(home, '.kdp'), { recursive: true });
    copyFileSync(k.kubeconfig, join(home, '.kdp', 'kubeconfig'));
    const env = (extra: Record<string, string>) => {
      const e: NodeJS.ProcessEnv = { ...process.env, ...extra };
      delete e.KDP_SERVER;
      if (!extra.KUBECONFIG) delete e.KUBECONFIG;
      return e;
    };
    const get = (args: string[], e: NodeJS.ProcessEnv) => run(process.execPath, [KDP_BIN, ...args, 'get', 'ns', 'kube-system', '-o', 'name'], { env: e });
    expect((await get(['--kubeconfig', k.kubeconfig], env({ HOME: join(tmp, 'nowhere') }))).stdout).toBe('namespace/kube-system\n');
    expect((await get([], env({ HOME: join(tmp, 'nowhere'), KUBECONFIG: k.kubeconfig }))).stdout).toBe('namespace/kube-system\n');
    expect((await get([], env({ HOME: home }))).stdout).toBe('namespace/kube-system\n');
    // --server overrides only the address: the credentials still come from the kubeconfig
    expect((await get(['--server', `https://localhost:${port}`], env({ HOME: home }))).stdout).toBe('namespace/kube-system\n');
    // a server certificate it cannot verify, and a kubeconfig that trusts the CA but has no user: kubectl's words
    const untrusted = await get(['--server', k.apiUrl], env({ HOME: join(tmp, 'nowhere') }));
    expect(untrusted.code).toBe(1);
    expect(untrusted.stderr).toBe('Unable to connect to the server: tls: failed to verify certificate: x509: certificate signed by unknown authority\n');
    const doc = parseYaml(readFileSync(k.kubeconfig, 'utf8'));
    doc.users[0].user = {};
    writeFileSync(join(tmp, 'no-user.kubeconfig'), JSON.stringify(doc));
    const anon = await get(['--kubeconfig', join(tmp, 'no-user.kubeconfig')], env({ HOME: join(tmp, 'nowhere') }));
    expect(anon.code).toBe(1);
    expect(anon.stderr).toBe('error: You must be logged in to the server (Unauthorized)\n');
  });

  it('gives another local user nothing: the kubeconfig and CA key are unreadable, and every API request but health is 401', async (ctx) => {
    if (process.getuid?.() !== 0) return ctx.skip('needs root to run commands as another user (setpriv)');
    for (const f of [k.kubeconfig, join(k.stateDir, 'pki', 'ca.key'), join(k.stateDir, 'pki', 'admin.key')]) {
      const r = await run('setpriv', [...NOBODY, 'cat', f]);
      expect(r.code, f).not.toBe(0);
      expect(r.stderr).toContain('Permission denied');
    }
    const pods = await curl(`https://127.0.0.1:${port}/api/v1/pods`, ['-k'], NOBODY);
    expect(pods.status).toBe(401);
    const create = await curl(`https://127.0.0.1:${port}/api/v1/namespaces/default/pods`, ['-k', '-X', 'POST', '-H', 'Content-Type: application/json', '-d', '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"evil"},"spec":{"containers":[{"name":"c","image":"busybox","command":["id"]}]}}'], NOBODY);
    expect(create.status).toBe(401);
    expect((await curl(`https://127.0.0.1:${port}/healthz`, ['-k'], NOBODY)).status).toBe(200);
    // plain HTTP is not served at all
    const plain = await curl(`http://127.0.0.1:${port}/api/v1/pods`, [], NOBODY);
    expect(plain.status).not.toBe(200);
  });

  it('keeps the same CA and admin certificate across a restart on the state dir, and `kdp kubeconfig` prints them', async () => {
    const before = { ca: readFileSync(join(k.stateDir, 'pki', 'ca.crt'), 'utf8'), admin: readFileSync(join(k.stateDir, 'pki', 'admin.crt'), 'utf8') };
    const stateDir = k.stateDir;
    await k.halt();
    k = await startKdp({ slot: 0, extraArgs: RANGES, stateDir });
    expect(readFileSync(join(stateDir, 'pki', 'ca.crt'), 'utf8')).toBe(before.ca);
    expect(readFileSync(join(stateDir, 'pki', 'admin.crt'), 'utf8')).toBe(before.admin);
    // a client that kept the old files still gets in
    const r = await curl(`${k.apiUrl}/api/v1/namespaces/default`, ['--cacert', files.ca, '--cert', files.cert, '--key', files.key]);
    expect(r.status).toBe(200);
    const printed = await k.ok(['kubeconfig', '--state-dir', stateDir]);
    expect(printed).toBe(readFileSync(k.kubeconfig, 'utf8'));
    expect(existsSync(join(stateDir, 'pki', 'ca.key'))).toBe(true);
  }, 60_000);
});
