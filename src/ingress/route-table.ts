// The pure core: served Ingresses (+ upstreams) → one immutable RouteTable of per-host servers with
// ordered matchers, built the way ingress-nginx renders nginx.conf:
// - one server per host (`*.foo.com` matches exactly one more label), plus the default server `_`
//   for rules without a host and for hosts nothing else names;
// - every server has a root location `/` (the first Ingress's defaultBackend, else the 404 backend);
// - several Ingresses on one host merge; the oldest wins a duplicate path;
// - plain mode: Exact → `location = /p`; Prefix → `location = /p` + `location /p/` (element-wise,
//   trailing slash ignored); ImplementationSpecific → `location /p`; nginx picks an exact match,
//   else the longest prefix;
// - regex mode (any location of the server has rewrite-target or use-regex): every location becomes
//   `location ~* "^<path>"`, tried longest path first, first match wins (as ingress-nginx does);
// - canary Ingresses attach to the main Ingress's location with the same host and path.
import type { KObject } from '../api/types.js';
import { parseAnnotations, wantsRegex, type CanaryConfig, type LocationConfig } from './annotations.js';
import { backendRef, upstreamName, type BackendRef, type Upstream, type UpstreamResolver } from './upstreams.js';

export type PathType = 'Exact' | 'Prefix' | 'ImplementationSpecific';
export const DEFAULT_SERVER = '_';

export interface Location {
  path: string;
  pathType: PathType;
  /** `namespace/name` of the Ingress that defined it ('' for the implicit 404 root). */
  ingress: string;
  /** Upstream name; undefined = the controller's default backend (404). */
  upstream?: string;
  config: LocationConfig;
  canary?: { upstream: string; config: CanaryConfig; ingress: string };
  /** Regex mode: `^<path>`, case-insensitive. */
  regex?: RegExp;
  /** The server has TLS (spec.tls names its host): ssl-redirect applies. */
  tls: boolean;
}

export interface Server {
  hostname: string;
  /** `namespace/secretName` of the kubernetes.io/tls Secret for this host, when spec.tls names it. */
  tlsSecret?: string;
  regexMode: boolean;
  exact: Map<string, Location>;
  /** Plain mode: [prefix, location], longest first. Regex mode: locations in try order. */
  prefixes: Array<[string, Location]>;
  regexes: Location[];
}

export interface RouteTable {
  servers: Map<string, Server>;
  /** `foo.com` → server for `*.foo.com` */
  wildcards: Map<string, Server>;
  defaultServer: Server;
  upstreams: Map<string, Upstream>;
  /** One line per skipped path/rule, for logs and Events. */
  problems: string[];
  /** The Ingresses served, oldest first. */
  served: KObject[];
}

export interface MatchResult {
  server: Server;
  location: Location;
  captures?: RegExpExecArray;
}

const DEFAULT_CONFIG: LocationConfig = parseAnnotations({ apiVersion: 'v1', kind: 'Ingress', metadata: { name: '' } });

export function sortIngresses(ings: readonly KObject[]): KObject[] {
  return [...ings].sort((a, b) => {
    const ta = a.metadata.creationTimestamp ?? '';
    const tb = b.metadata.creationTimestamp ?? '';
    if (ta !== tb) return ta < tb ? -1 : 1;
    const ka = `${a.metadata.namespace}/${a.metadata.name}`;
    const kb = `${b.metadata.namespace}/${b.metadata.name}`;
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });
}

interface Draft {
  hostname: string;
  root: Location;
  explicitRoot: boolean;
  locations: Location[];
  tlsSecret?: string;
}

export function buildRouteTable(ingresses: readonly KObject[], resolver: UpstreamResolver): RouteTable {
  const served = sortIngresses(ingresses);
  const problems: string[] = [];
  const upstreams = new Map<string, Upstream>();
  const drafts = new Map<string, Draft>();
  const use = (ref: BackendRef): string => {
    const name = upstreamName(ref);
    if (!upstreams.has(name)) upstreams.set(name, resolver.resolve(ref));
    return name;
  };
  const rootLocation = (upstream: string | undefined, ingress: string, config = DEFAULT_CONFIG): Location => ({ path: '/', pathType: 'Prefix', ingress, upstream, config, tls: false });
  const draft = (host: string, ing?: KObject, cfg?: LocationConfig): Draft => {
    let d = drafts.get(host);
    if (!d) {
      const def = ing ? backendRef(ing.metadata.namespace!, ing.spec?.defaultBackend) : undefined;
      const key = ing ? `${ing.metadata.namespace}/${ing.metadata.name}` : '';
      d = { hostname: host, root: rootLocation(def ? use(def) : undefined, def ? key : '', def ? cfg : DEFAULT_CONFIG), explicitRoot: false, locations: [] };
      drafts.set(host, d);
    }
    return d;
  };
  draft(DEFAULT_SERVER);

  const canaries: KObject[] = [];
  for (const ing of served) {
    const cfg = parseAnnotations(ing);
    if (cfg.canary) {
      canaries.push(ing);
      continue;
    }
    const ns = ing.metadata.namespace!;
    const key = `${ns}/${ing.metadata.name}`;
    const def = backendRef(ns, ing.spec?.defaultBackend);
    const catchAll = drafts.get(DEFAULT_SERVER)!;
    if (def && !catchAll.root.upstream && !catchAll.explicitRoot) catchAll.root = rootLocation(use(def), key, cfg);
    for (const rule of ing.spec?.rules ?? []) {
      const host = String(rule.host ?? '').toLowerCase() || DEFAULT_SERVER;
      const d = draft(host, ing, cfg);
      for (const p of rule.http?.paths ?? []) {
        const path: string = p.path ?? '/';
        const pathType: PathType = p.pathType === 'Exact' || p.pathType === 'Prefix' ? p.pathType : 'ImplementationSpecific';
        if (!path.startsWith('/')) {
          problems.push(`ingress ${key}: path "${path}" must begin with '/'`);
          continue;
        }
        const ref = backendRef(ns, p.backend);
        if (!ref) {
          problems.push(`ingress ${key}: path "${path}" has no service backend`);
          continue;
        }
        const loc: Location = { path, pathType, ingress: key, upstream: use(ref), config: cfg, tls: false };
        if (path === '/' && pathType !== 'Exact') {
          if (d.explicitRoot) {
            problems.push(`ingress ${key}: host "${host}" path "/" is already defined by ingress ${d.root.ingress}`);
            continue;
          }
          d.root = loc;
          d.explicitRoot = true;
          continue;
        }
        const dup = d.locations.find((l) => l.path === path && l.pathType === pathType);
        if (dup) {
          problems.push(`ingress ${key}: host "${host}" path "${path}" is already defined by ingress ${dup.ingress}`);
          continue;
        }
        d.locations.push(loc);
      }
    }
    for (const tls of ing.spec?.tls ?? []) {
      for (const h of tls.hosts ?? []) {
        const d = drafts.get(String(h).toLowerCase());
        if (d && !d.tlsSecret && tls.secretName) d.tlsSecret = `${ns}/${tls.secretName}`;
        else if (d && !d.tlsSecret) d.tlsSecret = '';
      }
    }
  }

  for (const ing of canaries) attachCanary(ing, drafts, use, problems);

  const servers = new Map<string, Server>();
  const wildcards = new Map<string, Server>();
  let defaultServer!: Server;
  for (const d of drafts.values()) {
    const server = finish(d, problems);
    if (d.hostname === DEFAULT_SERVER) defaultServer = server;
    else if (d.hostname.startsWith('*.')) wildcards.set(d.hostname.slice(2), server);
    else servers.set(d.hostname, server);
  }
  return { servers, wildcards, defaultServer, upstreams, problems, served };
}

function attachCanary(ing: KObject, drafts: Map<string, Draft>, use: (r: BackendRef) => string, problems: string[]): void {
  const cfg = parseAnnotations(ing);
  const ns = ing.metadata.namespace!;
  const key = `${ns}/${ing.metadata.name}`;
  for (const rule of ing.spec?.rules ?? []) {
    const d = drafts.get(String(rule.host ?? '').toLowerCase() || DEFAULT_SERVER);
    for (const p of rule.http?.paths ?? []) {
      const ref = backendRef(ns, p.backend);
      const path = p.path ?? '/';
      const main = d && (path === '/' ? (d.explicitRoot ? d.root : undefined) : d.locations.find((l) => l.path === path));
      if (!main || !ref) {
        problems.push(`ingress ${key}: canary path "${path}" has no main ingress with the same host and path`);
        continue;
      }
      main.canary ??= { upstream: use(ref), config: cfg.canary!, ingress: key };
    }
  }
}

function finish(d: Draft, problems: string[]): Server {
  const hasTls = d.tlsSecret !== undefined;
  const all = [...d.locations, d.root].map((l) => ({ ...l, tls: hasTls }));
  const regexMode = all.some((l) => wantsRegex(l.config));
  const server: Server = { hostname: d.hostname, tlsSecret: d.tlsSecret || undefined, regexMode, exact: new Map(), prefixes: [], regexes: [] };
  if (regexMode) {
    const ordered = all
      .map((l, i) => ({ l, i }))
      .sort((a, b) => b.l.path.length - a.l.path.length || a.i - b.i)
      .map((x) => x.l);
    for (const l of ordered) {
      try {
        server.regexes.push({ ...l, regex: new RegExp(`^${l.path}`, 'i') });
      } catch (err) {
        problems.push(`ingress ${l.ingress}: path "${l.path}" is not a valid regular expression: ${(err as Error).message}`);
      }
    }
    return server;
  }
  const prefixes: Array<[string, Location]> = [];
  const exactPaths = new Set(all.filter((l) => l.pathType === 'Exact').map((l) => l.path));
  for (const l of all) {
    if (l.pathType === 'Exact') {
      if (!server.exact.has(l.path)) server.exact.set(l.path, l);
    } else if (l.pathType === 'Prefix') {
      if (l.path === '/') {
        prefixes.push(['/', l]);
        continue;
      }
      const bare = l.path.replace(/\/+$/, '');
      if (!exactPaths.has(bare) && !server.exact.has(bare)) server.exact.set(bare, l);
      prefixes.push([`${bare}/`, l]);
    } else {
      prefixes.push([l.path, l]);
    }
  }
  const seen = new Set<string>();
  server.prefixes = prefixes
    .map((p, i) => ({ p, i }))
    .sort((a, b) => b.p[0].length - a.p[0].length || a.i - b.i)
    .map((x) => x.p)
    .filter(([prefix]) => (seen.has(prefix) ? false : (seen.add(prefix), true)));
  return server;
}

/** The server for a Host header value (lower-cased, port stripped by the caller). */
export function matchServer(table: RouteTable, host: string): Server {
  const exact = table.servers.get(host);
  if (exact) return exact;
  const dot = host.indexOf('.');
  if (dot > 0 && table.wildcards.size) {
    const w = table.wildcards.get(host.slice(dot + 1));
    if (w && /^[\w-]+$/.test(host.slice(0, dot))) return w;
  }
  return table.defaultServer;
}

/** nginx's location choice for a normalised, decoded URI path. */
export function matchLocation(server: Server, path: string): MatchResult | undefined {
  if (server.regexMode) {
    for (const l of server.regexes) {
      const m = l.regex!.exec(path);
      if (m) return { server, location: l, captures: m };
    }
    return undefined;
  }
  const e = server.exact.get(path);
  if (e) return { server, location: e };
  for (const [prefix, l] of server.prefixes) if (path.startsWith(prefix)) return { server, location: l };
  return undefined;
}

export function route(table: RouteTable, host: string, path: string): MatchResult | undefined {
  return matchLocation(matchServer(table, host), path);
}
