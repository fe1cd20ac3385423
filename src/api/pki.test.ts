import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { apiServingNames, ensureClusterPki } from './pki.js';

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'kdp-pki-'));
  dirs.push(d);
  return join(d, 'pki');
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('cluster PKI', () => {
  const names = apiServingNames({ apiAddress: '127.0.0.1', kubernetesServiceIp: '127.96.0.1', clusterDomain: 'cluster.local' });

  it('names every address and DNS name a client uses, as kubeadm does', () => {
    expect(names).toEqual(['localhost', '127.0.0.1', '::1', '127.96.0.1', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local']);
  });

  it('makes a CA, a serving certificate for those names and the admin certificate, keys 0600 in a 0700 dir', async () => {
    const dir = tmp();
    const pki = await ensureClusterPki(dir, names);
    const ca = new X509Certificate(pki.ca.cert);
    expect(ca.ca).toBe(true);
    const serving = new X509Certificate(pki.apiserver.cert);
    expect(serving.checkIssued(ca) && serving.verify(ca.publicKey)).toBe(true);
    expect(serving.subjectAltName).toBe('DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1, IP Address:127.96.0.1, DNS:kubernetes, DNS:kubernetes.default, DNS:kubernetes.default.svc, DNS:kubernetes.default.svc.cluster.local');
    const admin = new X509Certificate(pki.admin.cert);
    expect(admin.subject).toBe('CN=kubernetes-admin\nO=system:masters');
    expect(admin.keyUsage).toEqual(['1.3.6.1.5.5.7.3.2']); // clientAuth only
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    for (const f of ['ca.key', 'apiserver.key', 'admin.key']) expect(statSync(join(dir, f)).mode & 0o777).toBe(0o600);
  });

  it('keeps the CA and admin certificate on the next start, and reissues the serving certificate only for new names', async () => {
    const dir = tmp();
    const first = await ensureClusterPki(dir, names);
    const again = await ensureClusterPki(dir, names);
    expect(again.ca.cert).toBe(first.ca.cert);
    expect(again.admin.cert).toBe(first.admin.cert);
    expect(again.apiserver.cert).toBe(first.apiserver.cert);
    const moved = await ensureClusterPki(dir, [...names, '127.0.0.5']);
    expect(moved.ca.cert).toBe(first.ca.cert);
    expect(moved.apiserver.cert).not.toBe(first.apiserver.cert);
    expect(new X509Certificate(moved.apiserver.cert).subjectAltName).toContain('IP Address:127.0.0.5');
    expect(readFileSync(join(dir, 'apiserver.crt'), 'utf8')).toBe(moved.apiserver.cert);
  });

  it('refuses a CA it cannot read, naming the file, instead of silently making a new one', async () => {
    const dir = tmp();
    await ensureClusterPki(dir, names);
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(dir, 'ca.key'), 'not a key');
    await expect(ensureClusterPki(dir, names)).rejects.toThrow(/pki\/ca\.crt \/ ca\.key cannot be read as the cluster CA/);
  });
});
