// Gateway API hostname rules: a `*.` wildcard is a suffix match over one or more labels
// (`*.example.com` matches `a.example.com` and `a.b.example.com`, not `example.com`); a listener's
// hostname and a route's hostnames intersect; the most specific match wins.

/** Does `pattern` (exact or `*.suffix`) match `name` (which may itself be a wildcard)? */
export function hostnameMatches(pattern: string, name: string): boolean {
  const p = pattern.toLowerCase();
  const n = name.toLowerCase();
  if (!p.startsWith('*.')) return p === n;
  return n.endsWith(p.slice(1)) && n.length > p.length - 1;
}

/**
 * The hostnames a route serves on a listener: the route's hostnames that the listener's hostname
 * admits (a route wildcard covering the listener's exact name gives that name). `[]` means any
 * host; `null` means they do not intersect.
 */
export function intersectHostnames(listener: string | undefined, route: readonly string[]): string[] | null {
  if (!listener) return [...route];
  if (!route.length) return [listener];
  const out: string[] = [];
  for (const h of route) {
    if (hostnameMatches(listener, h)) out.push(h);
    else if (hostnameMatches(h, listener)) out.push(listener);
  }
  return out.length ? [...new Set(out)] : null;
}

/**
 * How specific the best of `patterns` matching `host` is, as the spec orders routes: characters of a
 * matching non-wildcard hostname, then characters of a matching hostname. `[0, 0]` for "any host";
 * undefined when none matches.
 */
export function hostnameScore(patterns: readonly string[], host: string): [number, number] | undefined {
  if (!patterns.length) return [0, 0];
  let best: [number, number] | undefined;
  for (const p of patterns) {
    if (!hostnameMatches(p, host)) continue;
    const score: [number, number] = p.startsWith('*.') ? [0, p.length] : [p.length, p.length];
    if (!best || score[0] > best[0] || (score[0] === best[0] && score[1] > best[1])) best = score;
  }
  return best;
}

/** A request's Host (or :authority) without its port, lower case. */
export function requestHost(header: string | undefined): string {
  const h = (header ?? '').toLowerCase();
  if (h.startsWith('[')) return h.slice(0, h.indexOf(']') + 1);
  const i = h.lastIndexOf(':');
  return i >= 0 ? h.slice(0, i) : h;
}
