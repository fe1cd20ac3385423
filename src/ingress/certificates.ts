// The ingress controller's certificates: its default (fake) certificate, and kube-webhook-certgen's
// CA + serving certificate (ECDSA P-256, as kube-webhook-certgen makes them). Built by the shared
// X.509 module (src/lib/x509.ts), which the API server's cluster PKI uses too.
import { createCertificateAuthority as createCa, selfSignedLeaf, signedLeaf, type CertificateAuthority, type KeyPairPem } from '../lib/x509.js';

export type { CertificateAuthority, KeyPairPem };

interface ServingOptions {
  commonName: string;
  organization?: string;
  dnsNames: string[];
  days?: number;
  now?: Date;
}

const leaf = (opts: ServingOptions) => ({
  commonName: opts.commonName,
  organizations: opts.organization ? [opts.organization] : [],
  altNames: opts.dnsNames,
  usages: ['server' as const],
  days: opts.days,
  now: opts.now,
});

/** ingress-nginx's default server certificate: CN "Kubernetes Ingress Controller Fake Certificate". */
export function selfSignedCertificate(opts: ServingOptions): Promise<KeyPairPem> {
  return selfSignedLeaf(leaf(opts));
}

export function createCertificateAuthority(commonName: string, opts: { days?: number; now?: Date } = {}): Promise<CertificateAuthority> {
  return createCa(commonName, opts);
}

/** A serving certificate for `dnsNames`, signed by `ca`. */
export function signedCertificate(ca: CertificateAuthority, opts: ServingOptions): Promise<KeyPairPem> {
  return signedLeaf(ca, { ...leaf(opts), days: opts.days ?? 36500 });
}
