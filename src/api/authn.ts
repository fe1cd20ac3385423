// Authentication, the first filter of kube-apiserver's handler chain: who is asking. A verified
// client certificate names the user (CN) and its groups (one per O); a bearer token is checked by the
// token authenticators (ServiceAccount tokens); anything else is anonymous, and the anonymous user may
// read only the public health and version paths (kube-apiserver's AuthenticationConfiguration with
// `anonymous.conditions`): every other request without valid credentials gets 401 Unauthorized.
import { X509Certificate } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { errors } from './errors.js';

export interface UserInfo {
  name: string;
  uid?: string;
  groups: string[];
  extra?: Record<string, string[]>;
}

export const ANONYMOUS: UserInfo = Object.freeze({ name: 'system:anonymous', groups: ['system:unauthenticated'] });

/** Checks a bearer token: the user it stands for, or undefined when the token is not this authenticator's or not valid. */
export interface TokenAuthenticator {
  authenticateToken(token: string): UserInfo | undefined;
}

/** The paths anyone may read, as kube-apiserver's anonymous conditions allow them. */
const PUBLIC_PATHS = /^\/(healthz|livez|readyz)(\/.*)?$|^\/version\/?$/;

export function isPublicPath(pathname: string): boolean {
  return PUBLIC_PATHS.test(pathname);
}

function withAuthenticated(user: UserInfo): UserInfo {
  return user.groups.includes('system:authenticated') ? user : { ...user, groups: [...user.groups, 'system:authenticated'] };
}

/**
 * Client certificates are checked here, not by OpenSSL: the TLS server only asks for one (as Go's
 * RequestClientCert, which kube-apiserver uses), and this verifies it against the client CA, as the
 * apiserver's x509 authenticator does. One verification per connection.
 */
class ClientCertificateVerifier {
  private readonly ca: X509Certificate;
  private readonly seen = new WeakMap<object, UserInfo | null>();

  constructor(caPem: string) {
    this.ca = new X509Certificate(caPem);
  }

  user(req: IncomingMessage): UserInfo | undefined {
    const socket = req.socket as Partial<TLSSocket>;
    if (!socket.encrypted || typeof socket.getPeerCertificate !== 'function') return undefined;
    let user = this.seen.get(socket);
    if (user === undefined) {
      user = this.verify(socket as TLSSocket);
      this.seen.set(socket, user);
    }
    return user ?? undefined;
  }

  private verify(socket: TLSSocket): UserInfo | null {
    const peer = socket.getPeerX509Certificate?.();
    if (!peer) return null;
    const now = Date.now();
    if (!peer.checkIssued(this.ca) || !peer.verify(this.ca.publicKey)) return null;
    if (Date.parse(peer.validFrom) > now || Date.parse(peer.validTo) <= now) return null;
    const fields = peer.subject.split('\n');
    const cn = fields.find((f) => f.startsWith('CN='))?.slice(3);
    if (!cn) return null;
    return { name: cn, groups: fields.filter((f) => f.startsWith('O=')).map((f) => f.slice(2)) };
  }
}

export interface AuthenticatorOptions {
  /** PEM of the CA whose client certificates are accepted. */
  clientCA?: string;
  tokens?: TokenAuthenticator[];
}

export class Authenticator {
  private readonly certificates?: ClientCertificateVerifier;
  private readonly tokens: TokenAuthenticator[];

  constructor(opts: AuthenticatorOptions = {}) {
    this.certificates = opts.clientCA ? new ClientCertificateVerifier(opts.clientCA) : undefined;
    this.tokens = opts.tokens ?? [];
  }

  /**
   * The request's user. Throws 401 for a bearer token no authenticator accepts, and for an anonymous
   * request outside the public paths.
   */
  authenticate(req: IncomingMessage, pathname: string): UserInfo {
    // As kube-apiserver's union authenticator: the first that accepts the request wins (x509 first).
    const cert = this.certificates?.user(req);
    if (cert) return withAuthenticated(cert);
    const auth = req.headers.authorization;
    if (auth !== undefined) {
      const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
      for (const t of m ? this.tokens : []) {
        const user = t.authenticateToken(m![1]);
        if (user) return withAuthenticated(user);
      }
      throw errors.unauthorized();
    }
    if (isPublicPath(pathname)) return ANONYMOUS;
    throw errors.unauthorized();
  }
}
