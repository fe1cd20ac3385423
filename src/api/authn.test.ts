import { X509Certificate } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { createCertificateAuthority, signedLeaf } from '../lib/x509.js';
import { ANONYMOUS, Authenticator, isPublicPath } from './authn.js';
import { ApiError } from './errors.js';

function request(opts: { cert?: string; authorization?: string; encrypted?: boolean }): IncomingMessage {
  const socket = {
    encrypted: opts.encrypted ?? true,
    getPeerCertificate: () => ({}),
    getPeerX509Certificate: () => (opts.cert ? new X509Certificate(opts.cert) : undefined),
  };
  return { socket, headers: opts.authorization ? { authorization: opts.authorization } : {} } as unknown as IncomingMessage;
}

function status(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err instanceof ApiError ? err.status : err;
  }
  return 'no error';
}

describe('authentication', async () => {
  const ca = await createCertificateAuthority('kubernetes');
  const other = await createCertificateAuthority('kubernetes');
  const admin = await signedLeaf(ca, { commonName: 'kubernetes-admin', organizations: ['system:masters'], usages: ['client'] });
  const forged = await signedLeaf(other, { commonName: 'kubernetes-admin', organizations: ['system:masters'], usages: ['client'] });
  const expired = await signedLeaf(ca, { commonName: 'old', usages: ['client'], days: 1, now: new Date(Date.now() - 3 * 86_400_000) });
  const authn = new Authenticator({ clientCA: ca.cert, tokens: [{ authenticateToken: (t) => (t === 'good' ? { name: 'system:serviceaccount:default:x', groups: ['system:serviceaccounts'] } : undefined) }] });
  const UNAUTHORIZED = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 };

  it('reads the user from a client certificate the CA signed: CN is the name, each O a group', () => {
    expect(authn.authenticate(request({ cert: admin.cert }), '/api')).toEqual({ name: 'kubernetes-admin', groups: ['system:masters', 'system:authenticated'] });
  });

  it('answers 401 with the apiserver Status for a certificate of another CA, an expired one, and no credentials', () => {
    expect(status(() => authn.authenticate(request({ cert: forged.cert }), '/api'))).toEqual(UNAUTHORIZED);
    expect(status(() => authn.authenticate(request({ cert: expired.cert }), '/api'))).toEqual(UNAUTHORIZED);
    expect(status(() => authn.authenticate(request({}), '/api/v1/pods'))).toEqual(UNAUTHORIZED);
  });

  it('lets anyone read the health and version paths, and only those', () => {
    for (const p of ['/healthz', '/livez', '/readyz', '/readyz/ping', '/version', '/version/']) {
      expect(isPublicPath(p), p).toBe(true);
      expect(authn.authenticate(request({}), p)).toBe(ANONYMOUS);
    }
    for (const p of ['/', '/api', '/apis', '/metrics', '/openapi/v2', '/healthzx', '/versions']) expect(isPublicPath(p), p).toBe(false);
  });

  it('checks bearer tokens with the token authenticators; an unknown token is 401 even on public paths', () => {
    expect(authn.authenticate(request({ authorization: 'Bearer good' }), '/api').name).toBe('system:serviceaccount:default:x');
    expect(status(() => authn.authenticate(request({ authorization: 'Bearer bad' }), '/healthz'))).toEqual(UNAUTHORIZED);
    expect(status(() => authn.authenticate(request({ authorization: 'Basic YTpi' }), '/api'))).toEqual(UNAUTHORIZED);
  });

  it('takes a valid client certificate over a bad token, as the apiserver union authenticator does', () => {
    expect(authn.authenticate(request({ cert: admin.cert, authorization: 'Bearer bad' }), '/api').name).toBe('kubernetes-admin');
  });
});
