// UDP has no connection to end, so the kernel keeps sending a client's datagrams where its conntrack
// entry says, even after the rules changed. As kube-proxy does, after each sync kdp deletes the
// entries that would now go wrong (`conntrack -D`):
//   - a UDP frontend the kernel starts (or stops) serving: every entry to it (flows recorded before
//     there was a DNAT rule, or by the userspace proxy, would never be NATed);
//   - an endpoint removed from a kernel-served UDP frontend: the entries NATed to it.
// Without the conntrack program this is skipped (flows then move once they have been idle for the
// kernel's UDP timeout).
import type { Frontend, RoutingTable } from '../routing-table.js';

/** Per kernel-served UDP frontend key: its address and the endpoints its DNAT uses ('' = drop). */
export type UdpState = Map<string, { ip: string; port: number; endpoints: Set<string> }>;

export interface ConntrackFlush {
  /** The frontend's address (original destination). */
  ip: string;
  port: number;
  /** Only entries NATed to this endpoint (`ip:port`); all entries to the frontend when absent. */
  endpoint?: string;
  /**
   * A frontend the kernel starts serving: only entries recorded before its rule existed can be
   * wrong, so this may run after the sync. The others must be done when the sync is.
   */
  newFrontend?: boolean;
}

export function udpState(table: RoutingTable, kernel: readonly Frontend[]): UdpState {
  const state: UdpState = new Map();
  for (const fe of kernel) {
    if (fe.protocol !== 'UDP') continue;
    const sp = table.servicePorts.get(fe.servicePort);
    state.set(fe.key, { ip: fe.ip, port: fe.port, endpoints: new Set((sp?.endpoints ?? []).map((e) => `${e.ip}:${e.port}`)) });
  }
  return state;
}

/** The flushes that turn `prev` into `next` safely (see the file comment). */
export function conntrackFlushes(prev: UdpState, next: UdpState): ConntrackFlush[] {
  const out: ConntrackFlush[] = [];
  for (const [key, n] of next) {
    const p = prev.get(key);
    if (!p || (p.endpoints.size === 0 && n.endpoints.size > 0)) {
      out.push({ ip: n.ip, port: n.port, newFrontend: true });
      continue;
    }
    if (p.endpoints.size > 0 && n.endpoints.size === 0) {
      out.push({ ip: n.ip, port: n.port }); // now dropping
      continue;
    }
    for (const ep of p.endpoints) if (!n.endpoints.has(ep)) out.push({ ip: n.ip, port: n.port, endpoint: ep });
  }
  for (const [key, p] of prev) if (!next.has(key)) out.push({ ip: p.ip, port: p.port });
  return out;
}

/** `conntrack -D` arguments for one flush. */
export function conntrackArgs(f: ConntrackFlush): string[] {
  const args = ['-D', '-p', 'udp', '--orig-dst', f.ip, '--orig-port-dst', String(f.port)];
  if (f.endpoint) {
    const i = f.endpoint.lastIndexOf(':');
    args.push('--reply-src', f.endpoint.slice(0, i), '--reply-port-src', f.endpoint.slice(i + 1));
  }
  return args;
}
