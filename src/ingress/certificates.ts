// X.509 certificates for the ingress controller's default (fake) certificate and for
// kube-webhook-certgen's CA + serving certificate. Generated with @peculiar/x509 on Node's WebCrypto
// (ECDSA P-256, as kube-webhook-certgen does): a maintained library instead of hand-built ASN.1.
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY = 86_400_000;

export interface KeyPairPem {
  cert: string;
  key: string;
}

export interface CertificateAuthority extends KeyPairPem {
  keys: CryptoKeyPair;
  name: string;
}

function serial(): string {
  return Buffer.from(webcrypto.getRandomValues(new Uint8Array(16))).toString('hex').replace(/^[89a-f]/, '1');
}

async function keyPem(keys: CryptoKeyPair): Promise<string> {
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey as webcrypto.CryptoKey);
  return x509.PemConverter.encode(pkcs8, 'PRIVATE KEY');
}

function generateKeys(): Promise<CryptoKeyPair> {
  return webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']) as Promise<CryptoKeyPair>;
}

function dn(commonName: string, organization?: string): string {
  const esc = (s: string) => s.replace(/([,+"\\<>;=])/g, '\\$1');
  return organization ? `CN=${esc(commonName)}, O=${esc(organization)}` : `CN=${esc(commonName)}`;
}

/** Valid from a minute ago (clock skew) for `days`. */
function validity(now: Date, days: number): { notBefore: Date; notAfter: Date } {
  return { notBefore: new Date(now.getTime() - 60_000), notAfter: new Date(now.getTime() + days * DAY) };
}

/** A TLS server certificate's extensions: not a CA, serverAuth, the DNS names as SANs. */
function servingExtensions(dnsNames: string[]): x509.Extension[] {
  return [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
    new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
    new x509.SubjectAlternativeNameExtension(dnsNames.map((value) => ({ type: 'dns' as const, value }))),
  ];
}

/** ingress-nginx's default server certificate: CN "Kubernetes Ingress Controller Fake Certificate". */
export async function selfSignedCertificate(opts: { commonName: string; organization?: string; dnsNames: string[]; days?: number; now?: Date }): Promise<KeyPairPem> {
  const keys = await generateKeys();
  const now = opts.now ?? new Date();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: dn(opts.commonName, opts.organization),
    ...validity(now, opts.days ?? 365),
    keys,
    signingAlgorithm: ALG,
    extensions: servingExtensions(opts.dnsNames),
  });
  return { cert: cert.toString('pem'), key: await keyPem(keys) };
}

export async function createCertificateAuthority(commonName: string, opts: { days?: number; now?: Date } = {}): Promise<CertificateAuthority> {
  const keys = await generateKeys();
  const now = opts.now ?? new Date();
  const name = dn(commonName);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name,
    ...validity(now, opts.days ?? 36500),
    keys,
    signingAlgorithm: ALG,
    extensions: [new x509.BasicConstraintsExtension(true, undefined, true), new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true)],
  });
  return { cert: cert.toString('pem'), key: await keyPem(keys), keys, name };
}

/** A serving certificate for `hosts`, signed by `ca`. */
export async function signedCertificate(ca: CertificateAuthority, opts: { commonName: string; organization?: string; dnsNames: string[]; days?: number; now?: Date }): Promise<KeyPairPem> {
  const keys = await generateKeys();
  const now = opts.now ?? new Date();
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: dn(opts.commonName, opts.organization),
    issuer: ca.name,
    ...validity(now, opts.days ?? 36500),
    signingKey: ca.keys.privateKey,
    publicKey: keys.publicKey,
    signingAlgorithm: ALG,
    extensions: servingExtensions(opts.dnsNames),
  });
  return { cert: cert.toString('pem'), key: await keyPem(keys) };
}
