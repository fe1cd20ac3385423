// Endpoint choice per upstream, as ingress-nginx's Lua balancer does by default: round robin over the
// ready endpoints; `affinity: cookie` pins a client to the endpoint its cookie names; canaries take
// requests by header, cookie or weight. Counters survive route-table rebuilds.
import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { CanaryConfig } from './annotations.js';
import type { Upstream } from './upstreams.js';

export class Balancer {
  private readonly next = new Map<string, number>();
  private readonly cookieValues = new Map<string, string>();

  constructor(private readonly rng: () => number = Math.random) {}

  pick(up: Upstream): string {
    const n = up.endpoints.length;
    const i = (this.next.get(up.name) ?? Math.floor(this.rng() * n)) % n;
    this.next.set(up.name, i + 1);
    return up.endpoints[i];
  }

  /** The affinity cookie value for an endpoint: an opaque hash, stable across restarts. */
  cookieValue(up: Upstream, endpoint: string): string {
    const k = `${up.name}|${endpoint}`;
    let v = this.cookieValues.get(k);
    if (!v) {
      v = createHash('sha1').update(k).digest('hex');
      this.cookieValues.set(k, v);
    }
    return v;
  }

  /** The endpoint a cookie value names, if it is still in the upstream. */
  byCookie(up: Upstream, value: string): string | undefined {
    for (const ep of up.endpoints) if (this.cookieValue(up, ep) === value) return ep;
    return undefined;
  }

  /** Whether a request goes to the canary: header, then cookie, then weight (ingress-nginx's order). */
  useCanary(c: CanaryConfig, req: { headers: IncomingHttpHeaders }): boolean {
    if (c.byHeader) {
      const v = req.headers[c.byHeader.toLowerCase()];
      if (typeof v === 'string') {
        if (c.byHeaderValue) {
          if (v === c.byHeaderValue) return true;
        } else if (v === 'always') return true;
        else if (v === 'never') return false;
      }
    }
    if (c.byCookie) {
      const v = readCookie(req.headers.cookie, c.byCookie);
      if (v === 'always') return true;
      if (v === 'never') return false;
    }
    return c.weight > 0 && this.rng() * c.weightTotal < c.weight;
  }
}

export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
