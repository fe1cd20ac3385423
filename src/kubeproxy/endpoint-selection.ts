// Which endpoints of a service port get traffic (kube-proxy's CategorizeEndpoints): ready ones;
// with none ready, serving+terminating ones; and, for a traffic policy of Local, only those on the
// receiving node. Pure.
import type { EndpointSlice } from '../api/types.js';
import { compareIPv4, isIPv4 } from '../lib/ipv4.js';

export type Protocol = 'TCP' | 'UDP';

/** One backend of a service port: podIP:targetPort. */
export interface RoutedEndpoint {
  ip: string;
  port: number;
  nodeName?: string;
  /** True when no endpoint was ready and this serving-but-terminating one is used as a fallback. */
  terminating?: boolean;
}

interface Candidate extends RoutedEndpoint {
  ready: boolean;
  serving: boolean;
}

/**
 * The endpoints of one service port across its slices: the first address of each endpoint (as
 * kube-proxy), the slice port whose name and protocol match. Duplicates (an endpoint moving between
 * slices) are merged. Ready ones win; with none ready, serving+terminating ones are the fallback.
 * With `node`, only the endpoints whose nodeName is that node are considered (traffic policy Local).
 */
export function selectEndpoints(slices: readonly EndpointSlice[], portName: string, protocol: Protocol, node?: string): RoutedEndpoint[] {
  const seen = new Map<string, Candidate>();
  for (const slice of slices) {
    const sp = slice.ports?.find((p) => (p.name ?? '') === portName && (p.protocol ?? 'TCP') === protocol);
    if (!sp || sp.port == null) continue;
    for (const ep of slice.endpoints ?? []) {
      const ip = ep.addresses?.[0];
      if (!ip || !isIPv4(ip)) continue;
      if (node !== undefined && ep.nodeName !== node) continue;
      const c = ep.conditions ?? {};
      // nil conditions mean ready/serving, not terminating (discovery/v1 API docs, kube-proxy).
      const ready = c.ready !== false;
      const serving = c.serving ?? ready;
      const terminating = c.terminating === true;
      const key = `${ip}:${sp.port}`;
      const prev = seen.get(key);
      if (prev) {
        prev.ready ||= ready;
        prev.serving ||= serving;
        prev.terminating = (prev.terminating ?? false) && terminating;
        continue;
      }
      const cand: Candidate = { ip, port: sp.port, ready, serving, terminating };
      if (ep.nodeName) cand.nodeName = ep.nodeName;
      seen.set(key, cand);
    }
  }
  const all = [...seen.values()];
  let chosen = all.filter((c) => c.ready);
  let fallback = false;
  if (!chosen.length) {
    chosen = all.filter((c) => c.serving && c.terminating);
    fallback = true;
  }
  chosen.sort((a, b) => compareIPv4(a.ip, b.ip) || a.port - b.port);
  return chosen.map((c) => {
    const out: RoutedEndpoint = { ip: c.ip, port: c.port };
    if (c.nodeName) out.nodeName = c.nodeName;
    if (fallback) out.terminating = true;
    return out;
  });
}

/** Same endpoints in the same order (the dataplane uses this to keep balancer state). */
export function sameEndpoints(a: readonly RoutedEndpoint[], b: readonly RoutedEndpoint[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i].ip !== b[i].ip || a[i].port !== b[i].port) return false;
  return true;
}
