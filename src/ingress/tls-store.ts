// Certificates by SNI: each server whose host spec.tls names gets its kubernetes.io/tls Secret
// (tls.crt / tls.key); every other name, and a Secret that is missing or broken, gets the default
// (self-signed "Kubernetes Ingress Controller Fake Certificate"). Contexts are swapped in place, so
// certificate changes apply to new handshakes without touching open connections.
import { createSecureContext, type SecureContext } from 'node:tls';
import type { KObject } from '../api/types.js';
import type { RouteTable } from './route-table.js';

export interface TlsUpdate {
  /** Secrets that could not be used, with why: for logs. */
  problems: string[];
}

export class TlsStore {
  private byHost = new Map<string, SecureContext>();
  private byWildcard = new Map<string, SecureContext>();
  /** `ns/name@resourceVersion` → context, so unchanged Secrets are not parsed again. */
  private cache = new Map<string, SecureContext>();
  readonly defaultContext: SecureContext;

  constructor(readonly defaultPem: { cert: string; key: string }) {
    this.defaultContext = createSecureContext(defaultPem);
  }

  update(table: RouteTable, secret: (ns: string, name: string) => KObject | undefined): TlsUpdate {
    const problems: string[] = [];
    const byHost = new Map<string, SecureContext>();
    const byWildcard = new Map<string, SecureContext>();
    const cache = new Map<string, SecureContext>();
    const contextFor = (ref: string): SecureContext | undefined => {
      const [ns, name] = ref.split('/');
      const s = secret(ns, name);
      if (!s) {
        problems.push(`secret "${ref}" not found; using the default certificate`);
        return undefined;
      }
      const key = `${ref}@${s.metadata.resourceVersion}`;
      const hit = cache.get(key) ?? this.cache.get(key);
      if (hit) {
        cache.set(key, hit);
        return hit;
      }
      const crt = s.data?.['tls.crt'];
      const k = s.data?.['tls.key'];
      if (!crt || !k) {
        problems.push(`secret "${ref}" has no tls.crt and tls.key; using the default certificate`);
        return undefined;
      }
      try {
        const ctx = createSecureContext({ cert: Buffer.from(crt, 'base64'), key: Buffer.from(k, 'base64') });
        cache.set(key, ctx);
        return ctx;
      } catch (err) {
        problems.push(`secret "${ref}" does not hold a usable certificate and key (${(err as Error).message}); using the default certificate`);
        return undefined;
      }
    };
    for (const [host, server] of table.servers) {
      const ctx = server.tlsSecret ? contextFor(server.tlsSecret) : undefined;
      if (ctx) byHost.set(host, ctx);
    }
    for (const [suffix, server] of table.wildcards) {
      const ctx = server.tlsSecret ? contextFor(server.tlsSecret) : undefined;
      if (ctx) byWildcard.set(suffix, ctx);
    }
    this.byHost = byHost;
    this.byWildcard = byWildcard;
    this.cache = cache;
    return { problems };
  }

  /** For tls.Server's SNICallback. */
  contextFor(servername: string | undefined): SecureContext {
    if (!servername) return this.defaultContext;
    const name = servername.toLowerCase();
    const exact = this.byHost.get(name);
    if (exact) return exact;
    const dot = name.indexOf('.');
    return (dot > 0 && this.byWildcard.get(name.slice(dot + 1))) || this.defaultContext;
  }
}
