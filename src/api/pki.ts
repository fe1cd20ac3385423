// The cluster's PKI, kept in <state-dir>/pki as kubeadm keeps /etc/kubernetes/pki: a CA (made once,
// kept across `kdp up` runs), the API server's serving certificate (valid for every name a client
// uses; reissued when the names change), and the admin's client certificate
// (CN=kubernetes-admin, O=system:masters, as kubeadm and kind issue it), and the key that signs
// ServiceAccount tokens (sa.key / sa.pub). Keys are mode 0600, the directory 0700.
import { generateKeyPairSync } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { certificateCovers, createCertificateAuthority, loadCertificateAuthority, signedLeaf, type CertificateAuthority, type KeyPairPem } from '../lib/x509.js';
import { writeFileAtomic } from '../lib/atomic-write.js';

export const ADMIN_USER = 'kubernetes-admin';
export const MASTERS_GROUP = 'system:masters';

export interface ClusterPki {
  dir: string;
  ca: KeyPairPem;
  apiserver: KeyPairPem;
  admin: KeyPairPem;
  /** PEM (PKCS#8) of the key that signs ServiceAccount tokens (kubeadm's sa.key; sa.pub beside it). */
  serviceAccountKey: string;
  /** The signing CA, for certificates issued later (none yet). */
  authority: CertificateAuthority;
}

function readPair(dir: string, base: string): KeyPairPem | undefined {
  const crt = join(dir, `${base}.crt`);
  const key = join(dir, `${base}.key`);
  if (!existsSync(crt) || !existsSync(key)) return undefined;
  return { cert: readFileSync(crt, 'utf8'), key: readFileSync(key, 'utf8') };
}

function writePair(dir: string, base: string, pair: KeyPairPem): void {
  writeFileAtomic(join(dir, `${base}.crt`), pair.cert, 0o644);
  writeFileAtomic(join(dir, `${base}.key`), pair.key, 0o600);
}

/**
 * Loads the PKI from `dir`, making what is missing: the CA on first use, a serving certificate when
 * the old one does not cover `servingNames` (or is not the CA's), the admin certificate when absent.
 */
export async function ensureClusterPki(dir: string, servingNames: string[], now = new Date()): Promise<ClusterPki> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  let caPair = readPair(dir, 'ca');
  let authority: CertificateAuthority;
  if (caPair) {
    try {
      authority = await loadCertificateAuthority(caPair);
    } catch (err) {
      throw new Error(`${join(dir, 'ca.crt')} / ca.key cannot be read as the cluster CA (${(err as Error).message}); move the pki directory away to make a new CA (every client then needs the new kubeconfig)`);
    }
  } else {
    authority = await createCertificateAuthority('kubernetes', { now });
    caPair = { cert: authority.cert, key: authority.key };
    writePair(dir, 'ca', caPair);
  }
  let apiserver = readPair(dir, 'apiserver');
  if (!apiserver || !certificateCovers(apiserver.cert, caPair.cert, servingNames, now)) {
    apiserver = await signedLeaf(authority, { commonName: 'kube-apiserver', altNames: servingNames, usages: ['server'], days: 365, now });
    writePair(dir, 'apiserver', apiserver);
  }
  let admin = readPair(dir, 'admin');
  if (!admin || !certificateCovers(admin.cert, caPair.cert, [], now)) {
    admin = await signedLeaf(authority, { commonName: ADMIN_USER, organizations: [MASTERS_GROUP], usages: ['client'], days: 365, now });
    writePair(dir, 'admin', admin);
  }
  const saKey = join(dir, 'sa.key');
  if (!existsSync(saKey)) {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    writeFileAtomic(saKey, privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, 0o600);
    writeFileAtomic(join(dir, 'sa.pub'), publicKey.export({ type: 'spki', format: 'pem' }) as string, 0o644);
  }
  return { dir, ca: caPair, apiserver, admin, authority, serviceAccountKey: readFileSync(saKey, 'utf8') };
}

/** Every name a client may use for the API: as kubeadm's apiserver certificate SANs. */
export function apiServingNames(opts: { apiAddress: string; kubernetesServiceIp: string; clusterDomain: string; extra?: string[] }): string[] {
  const names = [
    'localhost', '127.0.0.1', '::1', opts.apiAddress, opts.kubernetesServiceIp,
    'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', `kubernetes.default.svc.${opts.clusterDomain}`,
    ...(opts.extra ?? []),
  ];
  return [...new Set(names.filter((n) => n && n !== '0.0.0.0' && n !== '::'))];
}
