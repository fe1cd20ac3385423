import { X509Certificate, createPrivateKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createCertificateAuthority, selfSignedCertificate, signedCertificate } from './certificates.js';

describe('certificates', () => {
  it('makes ingress-nginx\'s fake default certificate, self-signed, with its key', async () => {
    const { cert, key } = await selfSignedCertificate({ commonName: 'Kubernetes Ingress Controller Fake Certificate', organization: 'Acme Co', dnsNames: ['ingress.local'] });
    const x = new X509Certificate(cert);
    expect(x.subject).toContain('CN=Kubernetes Ingress Controller Fake Certificate');
    expect(x.subjectAltName).toBe('DNS:ingress.local');
    expect(x.checkPrivateKey(createPrivateKey(key))).toBe(true);
    expect(x.verify(x.publicKey)).toBe(true);
  });
  it('signs a serving certificate with a CA, as kube-webhook-certgen create does', async () => {
    const ca = await createCertificateAuthority('nginx');
    const leaf = await signedCertificate(ca, { commonName: 'nginx', dnsNames: ['svc', 'svc.ns.svc'] });
    const x = new X509Certificate(leaf.cert);
    expect(x.verify(new X509Certificate(ca.cert).publicKey)).toBe(true);
    expect(x.checkIssued(new X509Certificate(ca.cert))).toBe(true);
    expect(new X509Certificate(ca.cert).ca).toBe(true);
    expect(x.subjectAltName).toBe('DNS:svc, DNS:svc.ns.svc');
  });
});
