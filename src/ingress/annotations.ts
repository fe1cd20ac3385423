// The ingress-nginx annotations kdp honours, parsed once per Ingress into a LocationConfig. Unknown
// annotations are ignored, as ingress-nginx ignores them; a malformed value falls back to the
// default (ingress-nginx logs and uses the default too).
import type { KObject } from '../api/types.js';

export const PREFIX = 'nginx.ingress.kubernetes.io/';

export interface CanaryConfig {
  byHeader?: string;
  byHeaderValue?: string;
  byCookie?: string;
  /** 0..weightTotal */
  weight: number;
  weightTotal: number;
}

export interface CorsConfig {
  allowOrigin: string;
  allowMethods: string;
  allowHeaders: string;
  allowCredentials: boolean;
  maxAge: number;
  exposeHeaders: string;
}

export interface LocationConfig {
  rewriteTarget?: string;
  useRegex: boolean;
  appRoot?: string;
  sslRedirect: boolean;
  forceSslRedirect: boolean;
  permanentRedirect?: string;
  permanentRedirectCode: number;
  temporalRedirect?: string;
  /** Bytes; 0 = unlimited. */
  proxyBodySize: number;
  cors?: CorsConfig;
  canary?: CanaryConfig;
  affinityCookie?: { name: string; path?: string; maxAge?: number };
  upstreamVhost?: string;
  backendProtocol: 'HTTP' | 'HTTPS';
  xForwardedPrefix?: string;
  connectTimeoutMs: number;
  readTimeoutMs: number;
}

/** nginx size syntax: `1m`, `8k`, `100` (bytes), `0` unlimited. */
export function parseSize(v: string | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  const m = /^\s*(\d+)\s*([kKmMgG]?)\s*$/.exec(v);
  if (!m) return dflt;
  const n = Number(m[1]);
  const unit = m[2].toLowerCase();
  return n * (unit === 'k' ? 1024 : unit === 'm' ? 1024 ** 2 : unit === 'g' ? 1024 ** 3 : 1);
}

function bool(v: string | undefined, dflt: boolean): boolean {
  if (v === undefined) return dflt;
  if (v === 'true') return true;
  if (v === 'false') return false;
  return dflt;
}

function seconds(v: string | undefined, dflt: number): number {
  const n = v === undefined ? NaN : Number(v);
  return Number.isFinite(n) && n > 0 ? n * 1000 : dflt;
}

export const DEFAULT_CORS: CorsConfig = {
  allowOrigin: '*',
  allowMethods: 'GET, PUT, POST, DELETE, PATCH, OPTIONS',
  allowHeaders: 'DNT,Keep-Alive,User-Agent,X-Requested-With,If-Modified-Since,Cache-Control,Content-Type,Range,Authorization',
  allowCredentials: true,
  maxAge: 1728000,
  exposeHeaders: '',
};

export function parseAnnotations(ing: KObject): LocationConfig {
  const a = (ing.metadata.annotations ?? {}) as Record<string, string>;
  const get = (k: string): string | undefined => {
    const v = a[PREFIX + k];
    return v === undefined ? undefined : String(v).trim();
  };
  const cfg: LocationConfig = {
    rewriteTarget: get('rewrite-target') || undefined,
    useRegex: bool(get('use-regex'), false),
    appRoot: get('app-root') || undefined,
    sslRedirect: bool(get('ssl-redirect'), true),
    forceSslRedirect: bool(get('force-ssl-redirect'), false),
    permanentRedirect: get('permanent-redirect') || undefined,
    permanentRedirectCode: 301,
    temporalRedirect: get('temporal-redirect') || undefined,
    proxyBodySize: parseSize(get('proxy-body-size'), 1024 * 1024),
    upstreamVhost: get('upstream-vhost') || undefined,
    backendProtocol: get('backend-protocol')?.toUpperCase() === 'HTTPS' ? 'HTTPS' : 'HTTP',
    xForwardedPrefix: get('x-forwarded-prefix') || undefined,
    connectTimeoutMs: seconds(get('proxy-connect-timeout'), 5000),
    readTimeoutMs: seconds(get('proxy-read-timeout'), 60_000),
  };
  const code = Number(get('permanent-redirect-code'));
  if (Number.isInteger(code) && code >= 300 && code <= 308) cfg.permanentRedirectCode = code;
  if (bool(get('enable-cors'), false)) {
    const maxAge = Number(get('cors-max-age'));
    cfg.cors = {
      allowOrigin: get('cors-allow-origin') || DEFAULT_CORS.allowOrigin,
      allowMethods: get('cors-allow-methods') || DEFAULT_CORS.allowMethods,
      allowHeaders: get('cors-allow-headers') || DEFAULT_CORS.allowHeaders,
      allowCredentials: bool(get('cors-allow-credentials'), true),
      maxAge: Number.isInteger(maxAge) && maxAge >= 0 ? maxAge : DEFAULT_CORS.maxAge,
      exposeHeaders: get('cors-expose-headers') ?? '',
    };
  }
  if (bool(get('canary'), false)) {
    const total = Number(get('canary-weight-total'));
    const weightTotal = Number.isInteger(total) && total > 0 ? total : 100;
    const w = Number(get('canary-weight'));
    cfg.canary = {
      byHeader: get('canary-by-header') || undefined,
      byHeaderValue: get('canary-by-header-value') || undefined,
      byCookie: get('canary-by-cookie') || undefined,
      weight: Number.isFinite(w) && w > 0 ? Math.min(w, weightTotal) : 0,
      weightTotal,
    };
  }
  if (get('affinity') === 'cookie') {
    const maxAge = Number(get('session-cookie-max-age'));
    cfg.affinityCookie = {
      name: get('session-cookie-name') || 'INGRESSCOOKIE',
      path: get('session-cookie-path') || undefined,
      maxAge: Number.isInteger(maxAge) && maxAge > 0 ? maxAge : undefined,
    };
  }
  return cfg;
}

/** ingress-nginx puts a server in regex mode when any of its locations rewrites or asks for regex. */
export function wantsRegex(cfg: LocationConfig): boolean {
  return cfg.useRegex || cfg.rewriteTarget !== undefined;
}
