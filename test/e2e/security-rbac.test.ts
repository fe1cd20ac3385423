// Issue 14, points 2 and 3: ServiceAccounts, their bound tokens in every pod, and RBAC. Every
// namespace has a `default` ServiceAccount and the kube-root-ca.crt ConfigMap; a pod gets the
// projected token volume and KUBERNETES_SERVICE_* so an in-pod kubectl with no kubeconfig reaches the
// API through the kubernetes Service over TLS; requests are authorized by RBAC with the default
// roles, with kube-apiserver's 403 words; `kubectl auth can-i --as` answers truthfully; a token dies
// with its pod. Own ranges: 127.236-239.x.
import { readFileSync, rmSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import { rangeArgs, run, startKdp, type KdpCluster } from '../support/kdp.js';
import { findKubectls, kubectlFor, type KubectlRunner } from '../support/kubectl.js';

const RANGES = rangeArgs(236, 'e2erbac');
const SA_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';
const { found } = findKubectls();
const KUBECTL = found.find((k) => k.minor >= 27);

let k: KdpCluster;
let kc: KubectlRunner;
let tmp: string;

const pod = (name: string, ns: string, extra = '') => `apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: ${ns}}
spec:
  ${extra}
  volumes: [{name: home, emptyDir: {}}]
  containers:
  - name: c
    image: busybox
    command: [sh, -c, 'sleep 3600']
    env: [{name: HOME, value: /home/k}]
    volumeMounts: [{name: home, mountPath: /home/k}]
`;

async function apply(yaml: string): Promise<void> {
  await k.ok(['apply', '-f', '-'], { input: yaml });
}

async function running(name: string, ns: string): Promise<void> {
  await eventually(async () => expect((await k.ok(['get', 'pod', name, '-n', ns, '-o', 'jsonpath={.status.phase}']))).toBe('Running'), { what: `pod ${ns}/${name} Running`, timeout: 20_000 });
}

/** A command in the pod, as `kubectl exec` would run it. */
const inPod = (name: string, ns: string, script: string) => k.kdp(['exec', '-n', ns, name, '--', 'sh', '-c', script], { timeout: 60_000 });

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'kdp-rbac-'));
  k = await startKdp({ slot: 0, extraArgs: RANGES });
  if (KUBECTL) kc = kubectlFor(KUBECTL, k.stateDir);
  await k.ok(['apply', '-f', '-'], { input: 'apiVersion: v1\nkind: Namespace\nmetadata: {name: team}\n' });
}, 60_000);

afterAll(async () => {
  kc?.dispose();
  await k?.stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('2. ServiceAccounts and in-cluster clients', () => {
  it('gives every namespace, new ones too, a default ServiceAccount and the kube-root-ca.crt ConfigMap', async () => {
    const ca = readFileSync(join(k.stateDir, 'pki', 'ca.crt'), 'utf8');
    for (const ns of ['default', 'kube-system', 'team']) {
      await eventually(async () => {
        expect(await k.ok(['get', 'serviceaccount', 'default', '-n', ns, '-o', 'name'])).toBe('serviceaccount/default\n');
        expect(JSON.parse(await k.ok(['get', 'configmap', 'kube-root-ca.crt', '-n', ns, '-o', 'json'])).data['ca.crt']).toBe(ca);
      }, { what: `default ServiceAccount and CA in ${ns}` });
    }
  });

  it('mounts the token, the CA and the namespace in every pod, with the kubernetes Service in its env', async () => {
    await apply(pod('reader', 'team'));
    await running('reader', 'team');
    const spec = JSON.parse(await k.ok(['get', 'pod', 'reader', '-n', 'team', '-o', 'json'])).spec;
    expect(spec.serviceAccountName).toBe('default');
    const volume = spec.volumes.find((v: { name: string }) => v.name.startsWith('kube-api-access-'));
    expect(volume.projected.sources.map((s: object) => Object.keys(s)[0])).toEqual(['serviceAccountToken', 'configMap', 'downwardAPI']);
    expect(spec.containers[0].volumeMounts).toContainEqual({ name: volume.name, readOnly: true, mountPath: SA_DIR });
    const r = await inPod('reader', 'team', `cat ${SA_DIR}/namespace; echo; echo $KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT`);
    expect(r.stdout).toBe('team\n127.236.0.1:443\n');
    expect((await inPod('reader', 'team', `cat ${SA_DIR}/ca.crt`)).stdout).toBe(readFileSync(join(k.stateDir, 'pki', 'ca.crt'), 'utf8'));
  });

  it('lets a pod reach the API through the kubernetes Service with its token: 403 until RBAC allows it', async () => {
    const curl = `curl -s --cacert ${SA_DIR}/ca.crt -H "Authorization: Bearer $(cat ${SA_DIR}/token)" https://kubernetes.default.svc/api/v1/namespaces/team/pods`;
    const denied = JSON.parse((await inPod('reader', 'team', curl)).stdout);
    expect(denied).toMatchObject({ kind: 'Status', code: 403, reason: 'Forbidden', message: 'pods is forbidden: User "system:serviceaccount:team:default" cannot list resource "pods" in API group "" in the namespace "team"' });
    await k.ok(['apply', '-f', '-'], { input: 'apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: default-view, namespace: team}\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}\nsubjects: [{kind: ServiceAccount, name: default, namespace: team}]\n' });
    const list = JSON.parse((await inPod('reader', 'team', curl)).stdout);
    expect(list.kind).toBe('PodList');
    expect(list.items.map((p: { metadata: { name: string } }) => p.metadata.name)).toContain('reader');
  });

  it('runs kubectl inside the pod with no kubeconfig (in-cluster config): view lists but cannot delete', async (ctx) => {
    if (!KUBECTL) return ctx.skip('no kubectl 1.27+ on this machine');
    const get = await inPod('reader', 'team', `${KUBECTL.bin} get pods -o name`);
    expect(get.stdout).toContain('pod/reader');
    const del = await inPod('reader', 'team', `${KUBECTL.bin} delete pod reader`);
    expect(del.stdout + del.stderr).toContain('Error from server (Forbidden): pods "reader" is forbidden: User "system:serviceaccount:team:default" cannot delete resource "pods" in API group "" in the namespace "team"');
  });

  it('revokes a pod\'s token when the pod is deleted', async () => {
    await apply(pod('shortlived', 'team'));
    await running('shortlived', 'team');
    const token = (await inPod('shortlived', 'team', `cat ${SA_DIR}/token`)).stdout;
    writeFileSync(join(tmp, 'ca.crt'), readFileSync(join(k.stateDir, 'pki', 'ca.crt')));
    const ask = () => run('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', '--cacert', join(tmp, 'ca.crt'), '-H', `Authorization: Bearer ${token}`, `${k.apiUrl}/api/v1/namespaces/team/pods`]);
    expect((await ask()).stdout).toBe('200');
    await k.ok(['delete', 'pod', 'shortlived', '-n', 'team', '--grace-period', '0', '--force']);
    await eventually(async () => expect((await ask()).stdout).toBe('401'), { what: 'the token refused once its pod is gone' });
  });

  it('honours automountServiceAccountToken: false, and refuses a ServiceAccount that does not exist', async () => {
    await apply(pod('private', 'team', 'automountServiceAccountToken: false'));
    await running('private', 'team');
    const spec = JSON.parse(await k.ok(['get', 'pod', 'private', '-n', 'team', '-o', 'json'])).spec;
    expect((spec.volumes ?? []).filter((v: { name: string }) => v.name.startsWith('kube-api-access-'))).toEqual([]);
    expect((await inPod('private', 'team', `test -e ${SA_DIR}/token; echo rc=$?`)).stdout).toBe('rc=1\n');
    const r = await k.kdp(['apply', '-f', '-'], { input: pod('ghost', 'team', 'serviceAccountName: nobody-here') });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('pods "ghost" is forbidden: error looking up service account team/nobody-here: serviceaccount "nobody-here" not found');
  });

  it('issues tokens on request (kubectl create token), valid for curl', async (ctx) => {
    if (!KUBECTL) return ctx.skip('no kubectl 1.27+ on this machine');
    const token = (await kc(['create', 'token', 'default', '-n', 'team'])).stdout.trim();
    expect(token.split('.')).toHaveLength(3);
    const r = await run('curl', ['-s', '--cacert', join(k.stateDir, 'pki', 'ca.crt'), '-H', `Authorization: Bearer ${token}`, `${k.apiUrl}/apis/authentication.k8s.io/v1/selfsubjectreviews`, '-X', 'POST', '-H', 'Content-Type: application/json', '-d', '{"apiVersion":"authentication.k8s.io/v1","kind":"SelfSubjectReview"}']);
    expect(JSON.parse(r.stdout).status.userInfo).toMatchObject({ username: 'system:serviceaccount:team:default', groups: ['system:serviceaccounts', 'system:serviceaccounts:team', 'system:authenticated'] });
  });
});

describe('3. Authorization with RBAC', () => {
  it('ships the default ClusterRoles and binds system:masters to cluster-admin', async () => {
    const names = (await k.ok(['get', 'clusterroles', '-o', 'name'])).split('\n');
    for (const r of ['cluster-admin', 'admin', 'edit', 'view', 'system:discovery', 'system:basic-user', 'system:public-info-viewer']) expect(names).toContain(`clusterrole.rbac.authorization.k8s.io/${r}`);
    const crb = JSON.parse(await k.ok(['get', 'clusterrolebinding', 'cluster-admin', '-o', 'json']));
    expect(crb.subjects).toEqual([{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'system:masters' }]);
  });

  it('answers kubectl auth can-i --as truthfully for bound, unbound and admin users', async (ctx) => {
    if (!KUBECTL) return ctx.skip('no kubectl 1.27+ on this machine');
    const can = async (...args: string[]) => (await kc(['auth', 'can-i', ...args])).stdout.trim();
    expect(await can('list', 'pods', '-n', 'team', '--as=system:serviceaccount:team:default')).toBe('yes');
    expect(await can('delete', 'pods', '-n', 'team', '--as=system:serviceaccount:team:default')).toBe('no');
    expect(await can('get', 'secrets', '-n', 'team', '--as=system:serviceaccount:team:default')).toBe('no');
    expect(await can('list', 'pods', '-n', 'default', '--as=system:serviceaccount:team:default')).toBe('no');
    expect(await can('create', 'deployments.apps', '-n', 'team')).toBe('yes');
    expect(await can('*', '*')).toBe('yes');
    const get = await kc(['get', 'pods', '-n', 'default', '--as=system:serviceaccount:team:default']);
    expect(get.code).toBe(1);
    expect(get.stderr).toContain('Error from server (Forbidden): pods is forbidden: User "system:serviceaccount:team:default" cannot list resource "pods" in API group "" in the namespace "default"');
    const list = await kc(['auth', 'can-i', '--list', '-n', 'team', '--as=system:serviceaccount:team:default']);
    expect(list.stdout).toMatch(/^pods\s+\[\]\s+\[\]\s+\[get list watch\]$/m);
  });

  it('lets only those allowed to impersonate do so', async (ctx) => {
    if (!KUBECTL) return ctx.skip('no kubectl 1.27+ on this machine');
    const token = (await kc(['create', 'token', 'default', '-n', 'team'])).stdout.trim();
    // a kubeconfig with the ServiceAccount's token only (no client certificate, which would win)
    const doc = { apiVersion: 'v1', kind: 'Config', 'current-context': 'sa', clusters: [{ name: 'c', cluster: { server: k.apiUrl, 'certificate-authority': join(k.stateDir, 'pki', 'ca.crt') } }], users: [{ name: 'sa', user: { token } }], contexts: [{ name: 'sa', context: { cluster: 'c', user: 'sa', namespace: 'team' } }] };
    writeFileSync(join(tmp, 'sa.kubeconfig'), JSON.stringify(doc));
    const asSa = (args: string[]) => run(KUBECTL!.bin, ['--kubeconfig', join(tmp, 'sa.kubeconfig'), '--cache-dir', join(tmp, 'cache'), ...args], { env: { PATH: process.env.PATH, HOME: tmp } });
    expect((await asSa(['get', 'pods', '-o', 'name'])).stdout).toContain('pod/reader');
    const r = await asSa(['get', 'pods', '--as=kubernetes-admin']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('users "kubernetes-admin" is forbidden: User "system:serviceaccount:team:default" cannot impersonate resource "users" in API group "" at the cluster scope');
  });

  it('answers SubjectAccessReview for another user, as an admission webhook or proxy would ask', async () => {
    const review = (user: string, verb: string) => k.fetch('/apis/authorization.k8s.io/v1/subjectaccessreviews', {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec: { user, resourceAttributes: { namespace: 'team', verb, resource: 'pods' } } }),
    }).then(async (res) => ({ code: res.status, body: (await res.json()) as { status: { allowed: boolean; reason?: string } } }));
    const yes = await review('system:serviceaccount:team:default', 'watch');
    expect(yes.code).toBe(201);
    expect(yes.body.status.allowed).toBe(true);
    expect(yes.body.status.reason).toContain('RoleBinding "default-view"');
    expect((await review('system:serviceaccount:team:default', 'create')).body.status).toEqual({ allowed: false });
    expect((await review('someone', 'get')).body.status).toEqual({ allowed: false });
  });
});
