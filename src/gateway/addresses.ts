// Gateway addresses from the LoadBalancer pool (pure): `spec.addresses` when asked and free, else the
// address the Gateway already has, else the highest free one — the Service LoadBalancer controller
// hands out the lowest, so the two meet only when the pool is full.
import type { KObject } from '../api/types.js';
import { ipv4ToNumber, isIPv4, numberToIPv4, parseIPv4Cidr } from '../lib/ipv4.js';

export type AddressResult = { address?: string; error?: { reason: string; message: string } };

function usable(n: number): boolean {
  return (n & 255) !== 0 && (n & 255) !== 255;
}

export function assignAddresses(gateways: KObject[], pool: string, taken: ReadonlySet<string>, previous: ReadonlyMap<string, string>): Map<string, AddressResult> {
  const cidr = parseIPv4Cidr(pool);
  const out = new Map<string, AddressResult>();
  if (!cidr) {
    for (const g of gateways) out.set(`${g.metadata.namespace}/${g.metadata.name}`, { error: { reason: 'AddressNotAssigned', message: `the LoadBalancer pool ${pool} is not an IPv4 CIDR` } });
    return out;
  }
  const first = cidr.base + 1;
  const last = cidr.base + cidr.size - 2;
  const inPool = (ip: string) => {
    if (!isIPv4(ip)) return false;
    const n = ipv4ToNumber(ip);
    return Number.isFinite(n) && n >= first && n <= last && usable(n);
  };
  const used = new Set(taken);
  const sorted = [...gateways].sort((a, b) => (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? '') || `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace}/${b.metadata.name}`));
  const pending: KObject[] = [];
  // Pinned first: asked-for addresses, then the ones already held.
  for (const g of sorted) {
    const key = `${g.metadata.namespace}/${g.metadata.name}`;
    const asked = ((g.spec as any)?.addresses ?? []) as { type?: string; value?: string }[];
    if (asked.length) {
      const a = asked[0];
      if ((a.type ?? 'IPAddress') !== 'IPAddress' || !a.value) {
        out.set(key, { error: { reason: 'UnsupportedAddress', message: `kdp assigns only IPAddress addresses from its LoadBalancer pool ${pool}` } });
      } else if (!inPool(a.value)) {
        out.set(key, { error: { reason: 'UnsupportedAddress', message: `${a.value} is not in the LoadBalancer pool ${pool} (--lb-pool)` } });
      } else if (used.has(a.value)) {
        out.set(key, { error: { reason: 'AddressNotAssigned', message: `${a.value} is already in use` } });
      } else {
        used.add(a.value);
        out.set(key, { address: a.value });
      }
      continue;
    }
    const held = previous.get(key) ?? ((g.status as any)?.addresses?.[0]?.value as string | undefined);
    if (held && inPool(held) && !used.has(held)) {
      used.add(held);
      out.set(key, { address: held });
    } else pending.push(g);
  }
  let n = last;
  for (const g of pending) {
    while (n >= first && (!usable(n) || used.has(numberToIPv4(n)))) n--;
    const key = `${g.metadata.namespace}/${g.metadata.name}`;
    if (n < first) {
      out.set(key, { error: { reason: 'AddressNotAssigned', message: `the LoadBalancer pool ${pool} is exhausted` } });
      continue;
    }
    const ip = numberToIPv4(n);
    used.add(ip);
    out.set(key, { address: ip });
  }
  return out;
}
