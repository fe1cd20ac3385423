// IPv4 addresses and CIDR ranges as numbers: the one home of this arithmetic (validation, kube-proxy,
// the `kdp up` configuration). A leaf module; no component owns it. IPv4 only, as kdp's address plan.

/** Dotted-quad IPv4 without leading zeros (Go's netip rules): `127.96.0.1`, not `127.096.0.1`. */
export function isIPv4(v: unknown): v is string {
  if (typeof v !== 'string') return false;
  const parts = v.split('.');
  return parts.length === 4 && parts.every((p) => /^(0|[1-9][0-9]{0,2})$/.test(p) && Number(p) <= 255);
}

/** `127.0.0.1` → 2130706433. The caller has checked isIPv4. */
export function ipv4ToNumber(ip: string): number {
  return ip.split('.').reduce((acc, o) => ((acc << 8) | Number(o)) >>> 0, 0);
}

export function numberToIPv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** Numeric order of two IPv4 addresses (negative, 0, positive). */
export function compareIPv4(a: string, b: string): number {
  return ipv4ToNumber(a) - ipv4ToNumber(b);
}

export interface Ipv4Cidr {
  /** The network address as a number (host bits cleared). */
  base: number;
  prefix: number;
  /** Number of addresses: 2^(32-prefix). */
  size: number;
}

/** `a.b.c.d/n` → its range (host bits of the address ignored, as Go's net.ParseCIDR); undefined when malformed. */
export function parseIPv4Cidr(cidr: string): Ipv4Cidr | undefined {
  const m = /^([^/]+)\/(0|[1-9][0-9]?)$/.exec(cidr);
  if (!m || !isIPv4(m[1])) return undefined;
  const prefix = Number(m[2]);
  if (prefix > 32) return undefined;
  const mask = prefix === 0 ? 0 : (~0 << (32 - prefix)) >>> 0;
  return { base: (ipv4ToNumber(m[1]) & mask) >>> 0, prefix, size: 2 ** (32 - prefix) };
}

/** `a.b.c.d/n` contains `ip` (false when either is malformed). */
export function cidrContains(cidr: string | Ipv4Cidr, ip: string): boolean {
  const c = typeof cidr === 'string' ? parseIPv4Cidr(cidr) : cidr;
  if (!c || !isIPv4(ip)) return false;
  const n = ipv4ToNumber(ip);
  return n >= c.base && n < c.base + c.size;
}

/** Two ranges share at least one address. */
export function cidrsOverlap(a: Ipv4Cidr, b: Ipv4Cidr): boolean {
  return a.base < b.base + b.size && b.base < a.base + a.size;
}

/** 127.0.0.0/8: the only addresses kdp binds (ARCHITECTURE.md). */
export const LOOPBACK: Ipv4Cidr = { base: 0x7f000000, prefix: 8, size: 2 ** 24 };
