// Pod IP address management: the host-local IPAM plugin's job. Each node owns a podCIDR
// (127.244.n.0/24); a pod gets the next free host address after the last one handed out, so a
// freshly freed IP is not reused at once (kube-proxy and DNS caches may still point at it).
import { cidrContains, ipv4ToNumber, isIPv4, numberToIPv4, parseIPv4Cidr } from '../lib/ipv4.js';

function ipToInt(ip: string): number {
  if (!isIPv4(ip)) throw new Error(`invalid IPv4 address ${JSON.stringify(ip)}`);
  return ipv4ToNumber(ip);
}

function parseCidr(cidr: string): { base: number; size: number } {
  const c = parseIPv4Cidr(cidr.trim());
  if (!c) throw new Error(`invalid CIDR address: ${cidr}`);
  if (c.prefix < 8 || c.prefix > 30) throw new Error(`invalid CIDR address: ${cidr} (prefix must be /8../30)`);
  return c;
}

export { cidrContains };

class Range {
  readonly used = new Set<number>();
  private cursor = 0;
  constructor(readonly base: number, readonly size: number) {}

  /** Offsets 2..size-2: .0 is the network, .1 the node's gateway (kind's bridge), the last broadcast. */
  allocate(preferred?: number): number | undefined {
    const first = 2;
    const last = this.size - 2;
    if (preferred !== undefined) {
      const off = preferred - this.base;
      if (off >= first && off <= last && !this.used.has(off)) {
        this.used.add(off);
        return preferred;
      }
    }
    const span = last - first + 1;
    for (let i = 0; i < span; i++) {
      const off = first + ((this.cursor + i) % span);
      if (!this.used.has(off)) {
        this.used.add(off);
        this.cursor = off - first + 1;
        return this.base + off;
      }
    }
    return undefined;
  }
}

export class PodIpAllocator {
  private readonly ranges = new Map<string, Range>();

  private range(cidr: string): Range {
    let r = this.ranges.get(cidr);
    if (!r) {
      const { base, size } = parseCidr(cidr);
      r = new Range(base, size);
      this.ranges.set(cidr, r);
    }
    return r;
  }

  /** The next free address in `cidr` (or `preferred` when it is free and inside); undefined when full. */
  allocate(cidr: string, preferred?: string): string | undefined {
    const r = this.range(cidr);
    let pref: number | undefined;
    try {
      pref = preferred ? ipToInt(preferred) : undefined;
    } catch {
      pref = undefined;
    }
    const n = r.allocate(pref);
    return n === undefined ? undefined : numberToIPv4(n);
  }

  release(cidr: string, ip: string): void {
    const r = this.ranges.get(cidr);
    if (!r) return;
    r.used.delete(ipToInt(ip) - r.base);
  }

  inUse(cidr: string): number {
    return this.ranges.get(cidr)?.used.size ?? 0;
  }
}
