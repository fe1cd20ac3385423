// Per-endpoint connection counts, recorded by a kube-proxy dataplane and read by whoever watches
// (the dashboard). The composition root creates one registry and hands it to both sides, so neither
// component imports the other. Recording is one Map lookup and an increment: cheap enough for the
// userspace proxy's accept path. A dataplane whose counts live elsewhere (the kernel) registers a
// `source` read only when someone asks.

/** `namespace/name:portName` (kube-proxy's ServicePortName) → `ip:port` → connections. */
export type TrafficSnapshot = Map<string, Map<string, number>>;

export class TrafficCounters {
  private readonly counts: TrafficSnapshot = new Map();
  private readonly sources: (() => TrafficSnapshot)[] = [];

  /** One new connection from `servicePort` to `endpoint` (`ip:port`). */
  record(servicePort: string, endpoint: string): void {
    let m = this.counts.get(servicePort);
    if (!m) this.counts.set(servicePort, (m = new Map()));
    m.set(endpoint, (m.get(endpoint) ?? 0) + 1);
  }

  /** Adds counts kept outside this registry (e.g. nftables counters), read on each snapshot. */
  addSource(read: () => TrafficSnapshot): void {
    this.sources.push(read);
  }

  /** A copy of every count, recorded and from sources, summed per (servicePort, endpoint). */
  snapshot(): TrafficSnapshot {
    const out: TrafficSnapshot = new Map();
    const add = (from: TrafficSnapshot) => {
      for (const [sp, eps] of from) {
        let m = out.get(sp);
        if (!m) out.set(sp, (m = new Map()));
        for (const [ep, n] of eps) m.set(ep, (m.get(ep) ?? 0) + n);
      }
    };
    add(this.counts);
    for (const s of this.sources) {
      try {
        add(s());
      } catch {
        // a source that cannot be read now (nft gone) contributes nothing this time
      }
    }
    return out;
  }
}
