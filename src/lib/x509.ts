// X.509 certificates and keys for every part of kdp that needs them (the cluster PKI of the API
// server, the ingress controller's fake certificate, kube-webhook-certgen): ECDSA P-256 keys on
// Node's WebCrypto, certificates built by @peculiar/x509 (a maintained library instead of hand-built
// ASN.1). A leaf module: it imports no component.
import { webcrypto, X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY = 86_400_000;

export interface KeyPairPem {
  cert: string;
  key: string;
}

/** A CA that can sign: its PEMs, its WebCrypto keys, and its subject name. */
export interface CertificateAuthority extends KeyPairPem {
  keys: CryptoKeyPair;
  name: string;
}

export type Usage = 'server' | 'client';

export interface LeafOptions {
  commonName: string;
  /** One O= per entry: Kubernetes reads a client certificate's organizations as its groups. */
  organizations?: string[];
  /** Subject alternative names: DNS names and IP addresses (told apart by their form). */
  altNames?: string[];
  usages?: Usage[];
  days?: number;
  now?: Date;
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

function dn(commonName: string, organizations: string[] = []): string {
  const esc = (s: string) => s.replace(/([,+"\\<>;=])/g, '\\$1');
  return [`CN=${esc(commonName)}`, ...organizations.map((o) => `O=${esc(o)}`)].join(', ');
}

/** Valid from a minute ago (clock skew) for `days`. */
function validity(now: Date, days: number): { notBefore: Date; notAfter: Date } {
  return { notBefore: new Date(now.getTime() - 60_000), notAfter: new Date(now.getTime() + days * DAY) };
}

/** A leaf certificate's extensions: not a CA, the asked usages, the names as SANs. */
function leafExtensions(altNames: string[], usages: Usage[]): x509.Extension[] {
  const ext: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
    new x509.ExtendedKeyUsageExtension(usages.map((u) => (u === 'server' ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth))),
  ];
  if (altNames.length) {
    ext.push(new x509.SubjectAlternativeNameExtension(altNames.map((value) => (isIP(value) ? { type: 'ip' as const, value } : { type: 'dns' as const, value }))));
  }
  return ext;
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
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
    ],
  });
  return { cert: cert.toString('pem'), key: await keyPem(keys), keys, name };
}

/** A CA read back from its PEMs (as written by createCertificateAuthority). */
export async function loadCertificateAuthority(pem: KeyPairPem): Promise<CertificateAuthority> {
  const cert = new x509.X509Certificate(pem.cert);
  const der = x509.PemConverter.decodeFirst(pem.key);
  const privateKey = await webcrypto.subtle.importKey('pkcs8', der, ALG, true, ['sign']);
  const publicKey = await cert.publicKey.export(ALG, ['verify']);
  return { ...pem, keys: { privateKey, publicKey } as CryptoKeyPair, name: cert.subject };
}

/** A self-signed leaf (ingress-nginx's fake default certificate). */
export async function selfSignedLeaf(opts: LeafOptions): Promise<KeyPairPem> {
  const keys = await generateKeys();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: dn(opts.commonName, opts.organizations),
    ...validity(opts.now ?? new Date(), opts.days ?? 365),
    keys,
    signingAlgorithm: ALG,
    extensions: leafExtensions(opts.altNames ?? [], opts.usages ?? ['server']),
  });
  return { cert: cert.toString('pem'), key: await keyPem(keys) };
}

/** A leaf signed by `ca`. */
export async function signedLeaf(ca: CertificateAuthority, opts: LeafOptions): Promise<KeyPairPem> {
  const keys = await generateKeys();
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: dn(opts.commonName, opts.organizations),
    issuer: ca.name,
    ...validity(opts.now ?? new Date(), opts.days ?? 36500),
    signingKey: ca.keys.privateKey,
    publicKey: keys.publicKey,
    signingAlgorithm: ALG,
    extensions: leafExtensions(opts.altNames ?? [], opts.usages ?? ['server']),
  });
  return { cert: cert.toString('pem'), key: await keyPem(keys) };
}

/** An IPv6 address as OpenSSL prints it in a SAN: eight groups, no leading zeros, no `::`. */
function opensslIPv6(addr: string): string {
  const [head, tail] = addr.includes('::') ? addr.split('::') : [addr, undefined];
  const a = head ? head.split(':') : [];
  const b = tail ? tail.split(':') : [];
  const groups = tail === undefined ? a : [...a, ...Array(8 - a.length - b.length).fill('0'), ...b];
  return groups.map((g) => parseInt(g, 16).toString(16).toUpperCase()).join(':');
}

/** True when `cert` was issued by `caCert`, is valid `now` and (if given) covers every name in `altNames`. */
export function certificateCovers(cert: string, caCert: string, altNames: string[] = [], now = new Date()): boolean {
  try {
    const x = new X509Certificate(cert);
    if (!x.checkIssued(new X509Certificate(caCert)) || !x.verify(new X509Certificate(caCert).publicKey)) return false;
    if (new Date(x.validFrom) > now || new Date(x.validTo) <= now) return false;
    const sans = new Set((x.subjectAltName ?? '').split(', ').map((s) => s.replace(/^(DNS|IP Address):/, '')));
    return altNames.every((n) => sans.has(isIP(n) === 6 ? opensslIPv6(n) : n));
  } catch {
    return false;
  }
}
