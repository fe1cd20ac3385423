// HTTPRoute filters as pure functions over header lists and URLs: RequestHeaderModifier and
// ResponseHeaderModifier (set / add / remove), RequestRedirect (the Location header and the status)
// and URLRewrite (hostname, ReplaceFullPath, ReplacePrefixMatch); the weighted choice of a backend.
import type { Backend, CompiledMatch, Filter } from './route-table.js';

/** Header name (lower case) → value; insertion order kept. */
export type HeaderMap = Map<string, { name: string; value: string }>;

export function applyHeaderModifier(headers: HeaderMap, mod: { set?: { name: string; value: string }[]; add?: { name: string; value: string }[]; remove?: string[] } | undefined): void {
  if (!mod) return;
  for (const h of mod.set ?? []) headers.set(h.name.toLowerCase(), { name: h.name, value: h.value });
  for (const h of mod.add ?? []) {
    const cur = headers.get(h.name.toLowerCase());
    headers.set(h.name.toLowerCase(), cur ? { name: cur.name, value: `${cur.value},${h.value}` } : { name: h.name, value: h.value });
  }
  for (const name of mod.remove ?? []) headers.delete(name.toLowerCase());
}

/** The path after a ReplaceFullPath / ReplacePrefixMatch modifier; `matched` is the rule's PathPrefix. */
export function modifyPath(path: string, mod: { type: string; replaceFullPath?: string; replacePrefixMatch?: string } | undefined, match: CompiledMatch['path']): string {
  if (!mod) return path;
  if (mod.type === 'ReplaceFullPath') return mod.replaceFullPath ?? '/';
  if (mod.type === 'ReplacePrefixMatch' && match.type === 'PathPrefix') {
    const prefix = match.value.replace(/\/+$/, '');
    const rest = path.slice(prefix.length);
    const replacement = (mod.replacePrefixMatch ?? '/').replace(/\/+$/, '');
    const out = replacement + rest;
    return out.startsWith('/') ? out : `/${out}`;
  }
  return path;
}

export interface RedirectRequest {
  scheme: 'http' | 'https';
  host: string;
  /** The listener's port. */
  port: number;
  path: string;
  /** `?…` or ''. */
  search: string;
}

/** RequestRedirect → status and Location, with the spec's port rules (well-known ports omitted). */
export function redirectTarget(f: Filter, req: RedirectRequest, match: CompiledMatch['path']): { status: number; location: string } {
  const r = f.requestRedirect ?? {};
  const scheme: string = r.scheme ?? req.scheme;
  const host: string = r.hostname ?? req.host;
  let port: number;
  if (r.port !== undefined) port = r.port;
  else if (r.scheme) port = r.scheme === 'https' ? 443 : r.scheme === 'http' ? 80 : req.port;
  else port = req.port;
  const defaultPort = (scheme === 'http' && port === 80) || (scheme === 'https' && port === 443);
  const path = modifyPath(req.path, r.path, match);
  return { status: r.statusCode ?? 302, location: `${scheme}://${host}${defaultPort ? '' : `:${port}`}${path}${req.search}` };
}

/** Picks a backend in proportion to the weights; undefined when every weight is 0 (or there are none). */
export function pickBackend(backends: readonly Backend[], rng: () => number): Backend | undefined {
  const total = backends.reduce((s, b) => s + Math.max(0, b.weight), 0);
  if (total <= 0) return undefined;
  let x = rng() * total;
  for (const b of backends) {
    if (b.weight <= 0) continue;
    x -= b.weight;
    if (x < 0) return b;
  }
  return backends.filter((b) => b.weight > 0).at(-1);
}
