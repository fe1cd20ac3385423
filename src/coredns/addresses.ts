// Address helpers for DNS names: endpoint names, reverse-lookup names, IPv6 expansion.

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

export function isIPv4(s: string): boolean {
  return IPV4.test(s);
}

/**
 * The endpoint name of an address without hostname, as the kubernetes plugin builds it from the
 * address as written: `127.244.1.5` → `127-244-1-5`, `fd00::1` → `fd00--1`, and a trailing dash
 * gets a `0` (`fd00::` → `fd00--0`).
 */
export function dashed(ip: string): string {
  if (ip.includes('.')) return ip.replace(/\./g, '-');
  const d = ip.replace(/:/g, '-');
  return d.endsWith('-') ? d + '0' : d;
}

/** The reverse-lookup name of an address: `127.96.0.5` → `5.0.96.127.in-addr.arpa`. */
export function reverseName(ip: string): string {
  if (!ip.includes(':')) return `${ip.split('.').reverse().join('.')}.in-addr.arpa`;
  const groups = expandIPv6(ip) ?? [];
  return `${groups.join('').split('').reverse().join('.')}.ip6.arpa`;
}

/** `fd00::1` → 8 four-digit hex groups, or undefined when not an IPv6 address. */
export function expandIPv6(ip: string): string[] | undefined {
  const parts = ip.split('::');
  if (parts.length > 2) return undefined;
  const head = parts[0] ? parts[0].split(':') : [];
  const tail = parts.length === 2 && parts[1] ? parts[1].split(':') : [];
  const fill = parts.length === 2 ? 8 - head.length - tail.length : 0;
  if (fill < 0 || (parts.length === 1 && head.length !== 8)) return undefined;
  const groups = [...head, ...Array(fill).fill('0'), ...tail];
  if (!groups.every((g) => /^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
  return groups.map((g) => g.toLowerCase().padStart(4, '0'));
}
