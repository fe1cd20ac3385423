// Per-service-port endpoint choice, as the userspace kube-proxy's LoadBalancerRR: round robin over
// the usable endpoints, optional ClientIP session affinity, and "the next one" after a failed dial.
import { sameEndpoints, type RoutedEndpoint, type ServicePortInfo, type SessionAffinity } from '../routing-table.js';

interface Sticky {
  ep: RoutedEndpoint;
  last: number;
}

const MAX_STICKY = 65_536;

export class RoundRobin {
  endpoints: readonly RoutedEndpoint[] = [];
  /** No endpoint here but some elsewhere (traffic policy Local): drop instead of refusing. */
  drop = false;
  private index = 0;
  private affinity: SessionAffinity = { type: 'None' };
  private sticky?: Map<string, Sticky>;

  constructor(
    info: ServicePortInfo,
    private readonly now: () => number = Date.now,
  ) {
    this.update(info);
  }

  /** Applies a new endpoint list / affinity; keeps the rotation and sticky clients still valid. */
  update(info: ServicePortInfo): void {
    this.drop = info.drop === true;
    if (!sameEndpoints(this.endpoints, info.endpoints)) {
      this.endpoints = info.endpoints;
      if (this.index >= this.endpoints.length) this.index = 0;
      if (this.sticky) {
        for (const [ip, s] of this.sticky) if (!this.endpoints.some((e) => e.ip === s.ep.ip && e.port === s.ep.port)) this.sticky.delete(ip);
      }
    }
    const a = info.sessionAffinity;
    if (a.type !== this.affinity.type || (a.type === 'ClientIP' && this.affinity.type === 'ClientIP' && a.timeoutSeconds !== this.affinity.timeoutSeconds)) {
      this.affinity = a;
      this.sticky = a.type === 'ClientIP' ? new Map() : undefined;
    }
  }

  /** The endpoint for a new connection from `clientIP`, or undefined when there is none. */
  pick(clientIP: string | undefined): RoutedEndpoint | undefined {
    const eps = this.endpoints;
    if (eps.length === 0) return undefined;
    if (this.sticky && clientIP) {
      const now = this.now();
      const s = this.sticky.get(clientIP);
      if (s && now - s.last < (this.affinity as { timeoutSeconds: number }).timeoutSeconds * 1000) {
        s.last = now;
        return s.ep;
      }
      const ep = this.rotate();
      if (this.sticky.size >= MAX_STICKY) this.sweep(now);
      this.sticky.set(clientIP, { ep, last: now });
      return ep;
    }
    return this.rotate();
  }

  /**
   * The endpoint to try after a dial to `failed` did not work: the one after it in the list (so a
   * retry never lands on the same dead endpoint while others remain). Drops the client's stickiness.
   */
  next(failed: RoutedEndpoint, clientIP: string | undefined): RoutedEndpoint | undefined {
    const eps = this.endpoints;
    if (eps.length === 0) return undefined;
    if (this.sticky && clientIP) this.sticky.delete(clientIP);
    let i = eps.findIndex((e) => e.ip === failed.ip && e.port === failed.port);
    if (i < 0) return this.rotate();
    i = (i + 1) % eps.length;
    this.index = (i + 1) % eps.length;
    const ep = eps[i];
    if (this.sticky && clientIP) this.sticky.set(clientIP, { ep, last: this.now() });
    return ep;
  }

  private rotate(): RoutedEndpoint {
    const eps = this.endpoints;
    const ep = eps[this.index];
    this.index = this.index + 1 >= eps.length ? 0 : this.index + 1;
    return ep;
  }

  private sweep(now: number): void {
    const ttl = (this.affinity as { timeoutSeconds: number }).timeoutSeconds * 1000;
    for (const [ip, s] of this.sticky!) if (now - s.last >= ttl) this.sticky!.delete(ip);
    if (this.sticky!.size >= MAX_STICKY) this.sticky!.clear();
  }
}
