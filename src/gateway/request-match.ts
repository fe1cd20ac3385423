// Which rule of a listener a request goes to (pure): the entries that match the request, the most
// specific route hostname first, then the precomputed precedence order.
import { hostnameScore } from './hostnames.js';
import type { CompiledMatch, RouteEntry, ServedListener } from './route-table.js';

export interface RequestView {
  host: string;
  /** The path without the query, as received. */
  path: string;
  query: URLSearchParams;
  method: string;
  /** Header values by lower-case name (repeated headers joined with ","). */
  header(name: string): string | undefined;
}

function pathMatches(m: CompiledMatch['path'], path: string): boolean {
  if (m.type === 'Exact') return path === m.value;
  if (m.type === 'RegularExpression') return !!m.re?.test(path);
  const prefix = m.value.replace(/\/+$/, '');
  if (!prefix) return true;
  return path === prefix || path.startsWith(`${prefix}/`);
}

export function matches(m: CompiledMatch, req: RequestView): boolean {
  if (!pathMatches(m.path, req.path)) return false;
  if (m.method && m.method !== req.method) return false;
  for (const h of m.headers) {
    const v = req.header(h.name);
    if (v === undefined) return false;
    if (h.type === 'Exact' ? v !== h.value : !h.re?.test(v)) return false;
  }
  for (const q of m.queryParams) {
    const v = req.query.get(q.name);
    if (v === null) return false;
    if (q.type === 'Exact' ? v !== q.value : !q.re?.test(v)) return false;
  }
  return true;
}

export function matchRequest(listener: ServedListener, req: RequestView): RouteEntry | undefined {
  let best: RouteEntry | undefined;
  let bestScore: [number, number] = [-1, -1];
  for (const e of listener.entries) {
    const score = hostnameScore(e.hostnames, req.host);
    if (!score) continue;
    if (score[0] < bestScore[0] || (score[0] === bestScore[0] && score[1] < bestScore[1])) continue;
    if (best && score[0] === bestScore[0] && score[1] === bestScore[1]) continue; // entries are in order: the first wins
    if (!matches(e.match, req)) continue;
    best = e;
    bestScore = score;
  }
  return best;
}
