// The `cache` plugin: keeps upstream answers (what `forward` relays) for their TTL, capped by the
// configured maximum, and serves them with TTLs counted down. Positive answers and denials
// (NXDOMAIN/NODATA, TTL from the SOA) are kept apart, each with its capacity, as CoreDNS does.
// kdp difference: answers of the `kubernetes` plugin are never cached — they are precomputed and
// change within milliseconds of the objects, which a 30 s cache would hide.
import { inZone } from './corefile.js';
import { recordLayout } from './message.js';
import { isRaw, noFastPath, perQuery, type DnsRequest, type DnsResult, type Handler, type Next } from './types.js';
import type { Collector } from './metrics.js';

export interface CacheOptions {
  zones: string[];
  success: { capacity: number; maxTtl: number; minTtl: number };
  denial: { capacity: number; maxTtl: number; minTtl: number };
  /** Seconds, for TTL countdown (tests pass a fake clock). */
  now?: () => number;
  /** Hit/miss counters (kept by the metrics registry across reloads). */
  counters?: { hitsSuccess: { value: number }; hitsDenial: { value: number }; misses: { value: number } };
}

interface Entry {
  raw: Buffer;
  stored: number;
  expires: number;
  ttlOffsets: number[];
  ttls: number[];
}

const ONE = 1;

export class CacheHandler implements Handler {
  readonly name = 'cache';
  private readonly success = new Map<string, Entry>();
  private readonly denial = new Map<string, Entry>();
  private readonly now: () => number;
  private readonly hitsSuccess: { value: number };
  private readonly hitsDenial: { value: number };
  private readonly misses: { value: number };

  constructor(private readonly opts: CacheOptions) {
    this.now = opts.now ?? (() => Date.now() / 1000);
    this.hitsSuccess = opts.counters?.hitsSuccess ?? { value: 0 };
    this.hitsDenial = opts.counters?.hitsDenial ?? { value: 0 };
    this.misses = opts.counters?.misses ?? { value: 0 };
  }

  /** (success hits, denial hits, misses) */
  stats(): [number, number, number] {
    return [this.hitsSuccess.value, this.hitsDenial.value, this.misses.value];
  }

  serveDns(req: DnsRequest, next: Next): DnsResult | Promise<DnsResult> {
    const q = req.query;
    if (!this.opts.zones.some((z) => inZone(q.name, z))) return next(req);
    // EDNS presence is part of the key: the relayed answer carries an OPT only for EDNS askers.
    const key = `${q.name}|${q.qtype}|${q.qclass}|${q.edns ? (q.edns.do ? 2 : ONE) : 0}${q.cd ? ONE : 0}`;
    const t = this.now();
    const hit = this.success.get(key) ?? this.denial.get(key);
    if (hit && hit.expires > t) {
      if (this.success.get(key) === hit) this.hitsSuccess.value++;
      else this.hitsDenial.value++;
      req.answeredBy = 'cache';
      noFastPath(req); // TTLs count down
      return { raw: this.serve(hit, req, t) };
    }
    // A miss (every kubernetes answer is one): counted again for each fast-path answer of this question.
    perQuery(req, this.misses);
    const res = next(req);
    if (res instanceof Promise) return res.then((r) => this.store(key, r, t, req));
    return this.store(key, res, t, req);
  }

  private serve(e: Entry, req: DnsRequest, t: number): Buffer {
    const out = Buffer.from(e.raw);
    // The client's question, case included (same length: the key is the lower-cased name).
    req.wire.copy(out, 12, 12, req.query.questionEnd);
    const elapsed = Math.floor(t - e.stored);
    for (let i = 0; i < e.ttlOffsets.length; i++) out.writeUInt32BE(Math.max(0, e.ttls[i] - elapsed), e.ttlOffsets[i]);
    return out;
  }

  private store(key: string, r: DnsResult, t: number, req: DnsRequest): DnsResult {
    // Only relayed answers: the kubernetes plugin's own (possibly pre-encoded) answers are never kept.
    if (!isRaw(r) || req.answeredBy === 'kubernetes' || req.answeredBy === 'cache') return r;
    const layout = recordLayout(r.raw);
    // Only well-formed answers are kept for others: no trailing bytes, no extended rcode/version.
    if (!layout || layout.truncated || layout.trailing !== 0 || layout.optExtended !== 0) return r;
    let positive: boolean;
    if (layout.rcode === 0 && layout.an > 0) positive = true;
    else if (layout.rcode === 3 || (layout.rcode === 0 && layout.an === 0)) positive = false;
    else return r; // SERVFAIL, REFUSED…: not cached
    const cfg = positive ? this.opts.success : this.opts.denial;
    let ttl: number;
    if (positive) {
      ttl = Infinity;
      for (let i = 0; i < layout.ttls.length; i++) if (layout.sections[i] === 0) ttl = Math.min(ttl, layout.ttls[i]);
    } else {
      ttl = layout.soaMinimum >= 0 ? Math.min(layout.soaMinimum, soaTtl(layout)) : cfg.minTtl;
    }
    ttl = Math.max(cfg.minTtl, Math.min(ttl, cfg.maxTtl));
    if (ttl <= 0) return r;
    const map = positive ? this.success : this.denial;
    map.delete(key);
    // Served TTLs never exceed the cache's: what is left of `ttl` counts down from there.
    map.set(key, { raw: r.raw, stored: t, expires: t + ttl, ttlOffsets: layout.ttlOffsets, ttls: layout.ttls.map((x) => Math.min(x, ttl)) });
    if (map.size > cfg.capacity) map.delete(map.keys().next().value as string);
    return r;
  }

  size(): { success: number; denial: number } {
    return { success: this.success.size, denial: this.denial.size };
  }

  collector(server: string): Collector {
    const l = cacheLabels(server, this.opts.zones);
    return (out) => {
      out.coredns_cache_entries.push(`coredns_cache_entries{${l('success')}} ${this.success.size}`, `coredns_cache_entries{${l('denial')}} ${this.denial.size}`);
    };
  }
}

/** The label set of the cache metrics: `server="dns://:53",type="success",view="",zones="."`. */
export function cacheLabels(server: string, zones: string[]): (type?: string) => string {
  const z = zones.map((x) => (x === '' ? '.' : x + '.')).join(' ');
  return (type) => `server="${server}",${type ? `type="${type}",` : ''}view="",zones="${z}"`;
}

function soaTtl(l: { ttls: number[]; types: number[]; sections: number[] }): number {
  for (let i = 0; i < l.types.length; i++) if (l.types[i] === 6 && l.sections[i] === 1) return l.ttls[i];
  return Infinity;
}
