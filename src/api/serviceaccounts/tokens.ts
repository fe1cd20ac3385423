// ServiceAccount tokens, as kube-apiserver issues and checks bound tokens: ES256 JWTs signed with
// the cluster's service-account key (<state-dir>/pki/sa.key, kubeadm's name), with the issuer and
// audience `https://kubernetes.default.svc.<domain>`, `sub: system:serviceaccount:<ns>:<name>` and
// the `kubernetes.io` claim naming the ServiceAccount and, for a pod's token, the pod (uids
// included). A token is valid while its signature, times and audience hold and the objects it is
// bound to still exist with the same uid: deleting the pod (or the ServiceAccount) revokes it.
// The kubelet's projected tokens (3607 s asked) are extended to a year, as the apiserver's
// --service-account-extend-token-expiration does, so a running pod's token never needs refreshing.
import { createHash, createPrivateKey, createPublicKey, randomUUID, sign, verify, type KeyObject } from 'node:crypto';
import type { TokenAuthenticator, UserInfo } from '../authn.js';
import { errors } from '../errors.js';
import type { ObjectStore } from '../store.js';
import { GR, type KObject } from '../types.js';

const b64url = (b: Buffer | string) => Buffer.from(b).toString('base64url');
const KUBELET_EXPIRATION = 3607;
const EXTENDED_EXPIRATION = 365 * 86400;
/** The kubelet's request and the apiserver's minimum (10 minutes). */
const MIN_EXPIRATION = 600;

export interface TokenRequestSpec {
  audiences?: string[];
  expirationSeconds?: number;
  boundObjectRef?: { kind?: string; apiVersion?: string; name?: string; uid?: string };
}

interface Claims {
  aud: string[];
  exp: number;
  iat: number;
  nbf: number;
  iss: string;
  jti: string;
  sub: string;
  'kubernetes.io': {
    namespace: string;
    serviceaccount: { name: string; uid: string };
    pod?: { name: string; uid: string };
    node?: { name: string; uid?: string };
    warnafter?: number;
  };
}

export class ServiceAccountTokens implements TokenAuthenticator {
  readonly issuer: string;
  private readonly privateKey: KeyObject;
  private readonly publicKey: KeyObject;
  private readonly kid: string;

  constructor(private readonly store: ObjectStore, keyPem: string, clusterDomain: string, private readonly now: () => Date = () => new Date()) {
    this.issuer = `https://kubernetes.default.svc.${clusterDomain}`;
    this.privateKey = createPrivateKey(keyPem);
    this.publicKey = createPublicKey(this.privateKey);
    this.kid = b64url(createHash('sha256').update(this.publicKey.export({ type: 'spki', format: 'der' })).digest());
  }

  /** A token for `serviceAccount` in `namespace`, optionally bound to a pod (TokenRequest). */
  issue(namespace: string, serviceAccount: string, spec: TokenRequestSpec = {}): { token: string; expirationTimestamp: string } {
    const sa = this.store.tryGet(GR.serviceaccounts, namespace, serviceAccount);
    if (!sa) throw errors.notFound('', 'serviceaccounts', serviceAccount);
    const asked = spec.expirationSeconds ?? 3600;
    if (asked < MIN_EXPIRATION) {
      throw errors.invalid('authentication.k8s.io', 'TokenRequest', serviceAccount, [{ reason: 'FieldValueInvalid', field: 'spec.expirationSeconds', message: `Invalid value: ${asked}: may not specify a duration less than 10 minutes` }]);
    }
    const claims: Claims['kubernetes.io'] = { namespace, serviceaccount: { name: serviceAccount, uid: sa.metadata.uid ?? '' } };
    let seconds = asked;
    const ref = spec.boundObjectRef;
    if (ref?.kind === 'Pod' && ref.name) {
      const pod = this.store.tryGet(GR.pods, namespace, ref.name);
      if (!pod || (ref.uid && pod.metadata.uid !== ref.uid)) throw errors.notFound('', 'pods', ref.name);
      claims.pod = { name: pod.metadata.name, uid: pod.metadata.uid ?? '' };
      if (pod.spec?.nodeName) claims.node = { name: pod.spec.nodeName };
      if (asked === KUBELET_EXPIRATION) {
        seconds = EXTENDED_EXPIRATION;
        claims.warnafter = Math.floor(this.now().getTime() / 1000) + KUBELET_EXPIRATION;
      }
    }
    const iat = Math.floor(this.now().getTime() / 1000);
    const payload: Claims = {
      aud: spec.audiences?.length ? spec.audiences : [this.issuer],
      exp: iat + seconds, iat, nbf: iat, iss: this.issuer, jti: randomUUID(),
      sub: `system:serviceaccount:${namespace}:${serviceAccount}`, 'kubernetes.io': claims,
    };
    const signing = `${b64url(JSON.stringify({ alg: 'ES256', kid: this.kid }))}.${b64url(JSON.stringify(payload))}`;
    const signature = sign('sha256', Buffer.from(signing), { key: this.privateKey, dsaEncoding: 'ieee-p1363' });
    return { token: `${signing}.${b64url(signature)}`, expirationTimestamp: new Date(payload.exp * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z') };
  }

  /** The token the kubelet mounts into a pod (projected serviceAccountToken source). */
  issueForPod(pod: KObject, source: { audience?: string; expirationSeconds?: number } = {}): string {
    return this.issue(pod.metadata.namespace ?? 'default', pod.spec?.serviceAccountName || 'default', {
      audiences: source.audience ? [source.audience] : undefined,
      expirationSeconds: source.expirationSeconds ?? KUBELET_EXPIRATION,
      boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: pod.metadata.name, uid: pod.metadata.uid },
    }).token;
  }

  authenticateToken(token: string): UserInfo | undefined {
    const parts = token.split('.');
    if (parts.length !== 3) return undefined;
    let header: { alg?: string };
    let c: Claims;
    try {
      header = JSON.parse(Buffer.from(parts[0], 'base64url').toString());
      c = JSON.parse(Buffer.from(parts[1], 'base64url').toString());
    } catch {
      return undefined;
    }
    if (header.alg !== 'ES256' || c.iss !== this.issuer || !Array.isArray(c.aud) || !c.aud.includes(this.issuer)) return undefined;
    if (!verify('sha256', Buffer.from(`${parts[0]}.${parts[1]}`), { key: this.publicKey, dsaEncoding: 'ieee-p1363' }, Buffer.from(parts[2], 'base64url'))) return undefined;
    const now = Math.floor(this.now().getTime() / 1000);
    if (typeof c.exp !== 'number' || c.exp <= now || (typeof c.nbf === 'number' && c.nbf > now + 60)) return undefined;
    const k = c['kubernetes.io'];
    if (!k?.namespace || !k.serviceaccount?.name) return undefined;
    const sa = this.store.tryGet(GR.serviceaccounts, k.namespace, k.serviceaccount.name);
    if (!sa || sa.metadata.uid !== k.serviceaccount.uid) return undefined;
    const extra: Record<string, string[]> = { 'authentication.kubernetes.io/credential-id': [`JTI=${c.jti}`] };
    if (k.pod) {
      const pod = this.store.tryGet(GR.pods, k.namespace, k.pod.name);
      if (!pod || pod.metadata.uid !== k.pod.uid) return undefined;
      extra['authentication.kubernetes.io/pod-name'] = [k.pod.name];
      extra['authentication.kubernetes.io/pod-uid'] = [k.pod.uid];
    }
    return { name: c.sub, uid: k.serviceaccount.uid, groups: ['system:serviceaccounts', `system:serviceaccounts:${k.namespace}`], extra };
  }
}
