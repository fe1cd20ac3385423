// Request-target handling as nginx does it: locations match the decoded, normalised `$uri`
// (%XX decoded, `//` merged, `.`/`..` resolved); a rewrite replaces the whole URI with the target
// (`$1`… from the location regex) and keeps the query string.

/** Splits `/a/b?x=1` into ['/a/b', 'x=1'] ('' when no query). */
export function splitTarget(url: string): [string, string] {
  const q = url.indexOf('?');
  return q < 0 ? [url, ''] : [url.slice(0, q), url.slice(q + 1)];
}

/** nginx's `$uri` for a raw request path; undefined = 400 Bad Request. */
export function normalizePath(raw: string): string | undefined {
  if (!raw.startsWith('/')) return undefined;
  let path = raw;
  if (path.includes('%')) {
    try {
      path = decodeURIComponent(path);
    } catch {
      return undefined;
    }
  }
  if (path.includes('\0')) return undefined;
  if (!path.includes('//') && !path.includes('/.')) return path;
  const out: string[] = [];
  const parts = path.split('/');
  for (let i = 1; i < parts.length; i++) {
    const seg = parts[i];
    const last = i === parts.length - 1;
    if (seg === '' && !last) continue;
    if (seg === '.') {
      if (last) out.push('');
      continue;
    }
    if (seg === '..') {
      if (!out.length) return undefined;
      out.pop();
      if (last) out.push('');
      continue;
    }
    out.push(seg);
  }
  return `/${out.join('/')}`;
}

const UNSAFE = /[^A-Za-z0-9\-._~!$&'()*+,;=:@/]/g;

function escapePath(p: string): string {
  return p.replace(UNSAFE, (c) => encodeURIComponent(c));
}

/** A target without `$n`: [escaped path, its own arguments ('' for a trailing `?`, undefined for none)]. */
const constantTargets = new Map<string, [string, string | undefined]>();

function compose(path: string, own: string | undefined, query: string): string {
  if (own === undefined) return path + (query ? `?${query}` : '');
  if (!own) return path; // a trailing `?` drops the original arguments
  return `${path}?${own}${query ? `&${query}` : ''}`;
}

function split(replaced: string): [string, string | undefined] {
  const q = replaced.indexOf('?');
  return q >= 0 ? [escapePath(replaced.slice(0, q)), replaced.slice(q + 1)] : [escapePath(replaced), undefined];
}

/** `rewrite "(?i)<path>" <target> break;` — the new request-target sent upstream. */
export function rewriteTarget(target: string, captures: RegExpExecArray | undefined, query: string): string {
  if (!target.includes('$')) {
    let c = constantTargets.get(target);
    if (!c) {
      if (constantTargets.size > 1000) constantTargets.clear();
      constantTargets.set(target, (c = split(target)));
    }
    return compose(c[0], c[1], query);
  }
  const replaced = target.replace(/\$(\d)|\$\{(\d)\}/g, (_m, a: string | undefined, b: string | undefined) => captures?.[Number(a ?? b)] ?? '');
  const [path, own] = split(replaced);
  return compose(path, own, query);
}
