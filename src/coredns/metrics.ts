// The `prometheus` plugin's numbers, under CoreDNS's metric names and labels
// (coredns_dns_requests_total, coredns_dns_responses_total{rcode}, coredns_dns_request_duration_seconds,
// request/response size histograms, cache and forward counters, build info), rendered in the
// Prometheus text format. Recording is a few map updates per query: no strings are built for
// requests whose label set was seen before.

const DURATION_BUCKETS = Array.from({ length: 16 }, (_, i) => 0.00025 * 2 ** i);
const SIZE_BUCKETS = [0, 100, 200, 300, 400, 511, 1023, 2047, 4095, 8291, 16e3, 32e3, 48e3, 64e3];

export const VERSION = '1.11.3';

const TYPE_NAMES: Record<number, string> = {
  1: 'A', 2: 'NS', 5: 'CNAME', 6: 'SOA', 12: 'PTR', 15: 'MX', 16: 'TXT', 28: 'AAAA', 33: 'SRV', 35: 'NAPTR', 43: 'DS',
  48: 'DNSKEY', 52: 'TLSA', 64: 'SVCB', 65: 'HTTPS', 99: 'SPF', 251: 'IXFR', 252: 'AXFR', 255: 'ANY',
};
const RCODE_NAMES = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED', 'YXDOMAIN', 'YXRRSET', 'NXRRSET', 'NOTAUTH', 'NOTZONE'];

export function typeName(t: number): string {
  return TYPE_NAMES[t] ?? 'other';
}

export function rcodeName(r: number): string {
  return RCODE_NAMES[r] ?? `RCODE${r}`;
}

export class Histogram {
  readonly counts: Float64Array;
  sum = 0;
  count = 0;
  constructor(readonly buckets: number[]) {
    this.counts = new Float64Array(buckets.length);
  }
  observe(v: number): void {
    this.sum += v;
    this.count++;
    const b = this.buckets;
    for (let i = 0; i < b.length; i++) if (v <= b[i]) { this.counts[i]++; break; }
  }
  lines(name: string, labels: string, out: string[]): void {
    let cum = 0;
    const sep = labels ? labels + ',' : '';
    for (let i = 0; i < this.buckets.length; i++) {
      cum += this.counts[i];
      out.push(`${name}_bucket{${sep}le="${fmt(this.buckets[i])}"} ${cum}`);
    }
    out.push(`${name}_bucket{${sep}le="+Inf"} ${this.count}`);
    out.push(`${name}_sum${labels ? `{${labels}}` : ''} ${fmt(this.sum)}`);
    out.push(`${name}_count${labels ? `{${labels}}` : ''} ${this.count}`);
  }
}

function fmt(n: number): string {
  return Number.isInteger(n) ? String(n) : String(Number(n.toPrecision(12)));
}

function esc(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/**
 * The counters one kind of query bumps — its proto, family, type, rcode, answering plugin and DO
 * bit — resolved once, so the fast path (fast-path.ts) records a query with a few increments.
 */
export interface StatCells {
  readonly requests: { value: number };
  readonly responses: { value: number };
  readonly dnssecOk: boolean;
  readonly duration: Histogram;
  readonly requestSize: Histogram;
  readonly responseSize: Histogram;
}

/** The numbers of one server block (`dns://:53`, zone `.`). */
export class ServerStats {
  readonly base: string;
  private readonly requests = new Map<string, { value: number }>();
  private readonly responses = new Map<string, { value: number }>();
  private readonly durations = new Map<string, Histogram>();
  private readonly requestSize = new Map<string, Histogram>();
  private readonly responseSize = new Map<string, Histogram>();
  private readonly cellsByKey = new Map<string, StatCells>();
  doRequests = 0;

  constructor(readonly server: string, readonly zone: string) {
    this.base = `server="${esc(server)}",zone="${esc(zone)}",view=""`;
  }

  observe(proto: 'udp' | 'tcp', family: 1 | 2, qtype: number, rcode: number, plugin: string, reqBytes: number, respBytes: number, seconds: number, dnssecOk: boolean): void {
    this.record(this.cells(proto, family, qtype, rcode, plugin, dnssecOk), reqBytes, respBytes, seconds);
  }

  /** The cells of one kind of query (the same object every time: the fast path keeps it). */
  cells(proto: 'udp' | 'tcp', family: 1 | 2, qtype: number, rcode: number, plugin: string, dnssecOk: boolean): StatCells {
    const k = `${proto}|${family}|${qtype}|${rcode}|${plugin}|${dnssecOk ? 1 : 0}`;
    let c = this.cellsByKey.get(k);
    if (c) return c;
    const type = typeName(qtype);
    c = {
      requests: cell(this.requests, `${proto}|${family}|${type}`),
      responses: cell(this.responses, `${rcode}|${plugin}`),
      dnssecOk,
      duration: hist(this.durations, type, DURATION_BUCKETS),
      requestSize: hist(this.requestSize, proto, SIZE_BUCKETS),
      responseSize: hist(this.responseSize, proto, SIZE_BUCKETS),
    };
    this.cellsByKey.set(k, c);
    return c;
  }

  /** One answered query; `respBytes` < 0 when nothing was sent. */
  record(c: StatCells, reqBytes: number, respBytes: number, seconds: number): void {
    c.requests.value++;
    c.responses.value++;
    if (c.dnssecOk) this.doRequests++;
    c.duration.observe(seconds);
    c.requestSize.observe(reqBytes);
    if (respBytes >= 0) c.responseSize.observe(respBytes);
  }

  render(out: Record<string, string[]>): void {
    for (const [k, c] of this.requests) {
      const [proto, family, type] = k.split('|');
      out.coredns_dns_requests_total.push(`coredns_dns_requests_total{${this.base},proto="${proto}",family="${family}",type="${type}"} ${c.value}`);
    }
    for (const [k, c] of this.responses) {
      const [rcode, plugin] = k.split('|');
      out.coredns_dns_responses_total.push(`coredns_dns_responses_total{${this.base},rcode="${rcodeName(Number(rcode))}",plugin="${plugin}"} ${c.value}`);
    }
    if (this.doRequests) out.coredns_dns_do_requests_total.push(`coredns_dns_do_requests_total{${this.base}} ${this.doRequests}`);
    for (const [type, h] of this.durations) h.lines('coredns_dns_request_duration_seconds', `${this.base},type="${type}"`, out.coredns_dns_request_duration_seconds);
    for (const [proto, h] of this.requestSize) h.lines('coredns_dns_request_size_bytes', `${this.base},proto="${proto}"`, out.coredns_dns_request_size_bytes);
    for (const [proto, h] of this.responseSize) h.lines('coredns_dns_response_size_bytes', `${this.base},proto="${proto}"`, out.coredns_dns_response_size_bytes);
  }
}

function cell(m: Map<string, { value: number }>, key: string): { value: number } {
  let c = m.get(key);
  if (!c) m.set(key, (c = { value: 0 }));
  return c;
}

function hist(m: Map<string, Histogram>, key: string, buckets: number[]): Histogram {
  let h = m.get(key);
  if (!h) m.set(key, (h = new Histogram(buckets)));
  return h;
}

const HELP: [string, string, string][] = [
  ['coredns_build_info', 'gauge', 'A metric with a constant \'1\' value labeled by version, revision, and goversion from which CoreDNS was built.'],
  ['coredns_dns_requests_total', 'counter', 'Counter of DNS requests made per zone, protocol and family.'],
  ['coredns_dns_responses_total', 'counter', 'Counter of response status codes.'],
  ['coredns_dns_do_requests_total', 'counter', 'Counter of DNS requests with DO bit set per zone.'],
  ['coredns_dns_request_duration_seconds', 'histogram', 'Histogram of the time (in seconds) each request took per zone.'],
  ['coredns_dns_request_size_bytes', 'histogram', 'Size of the EDNS0 UDP buffer in bytes (64K for TCP) per zone and protocol.'],
  ['coredns_dns_response_size_bytes', 'histogram', 'Size of the returned response in bytes.'],
  ['coredns_cache_entries', 'gauge', 'The number of elements in the cache.'],
  ['coredns_cache_hits_total', 'counter', 'The count of cache hits.'],
  ['coredns_cache_misses_total', 'counter', 'The count of cache misses. Deprecated, derive misses from cache hits/requests counters.'],
  ['coredns_cache_requests_total', 'counter', 'The count of cache requests.'],
  ['coredns_forward_requests_total', 'counter', 'Counter of requests made per upstream.'],
  ['coredns_forward_responses_total', 'counter', 'Counter of responses received per upstream.'],
  ['coredns_plugin_enabled', 'gauge', 'A metric that indicates whether a plugin is enabled on per server and zone basis.'],
  ['coredns_reload_failed_total', 'counter', 'Counter of the number of failed reload attempts.'],
  ['coredns_panics_total', 'counter', 'A metrics that counts the number of panics.'],
];

/** Extra gauges/counters a plugin contributes: metric name → sample lines. */
export type Collector = (out: Record<string, string[]>) => void;

/** Every metric of one CoreDNS process (kept across Corefile reloads, as CoreDNS keeps its registry). */
export class Metrics {
  private readonly stats = new Map<string, ServerStats>();
  readonly collectors = new Set<Collector>();
  reloadFailed = 0;
  panics = 0;
  forwardRequests = new Map<string, number>();
  /** Counters that outlive a reload (cache hits…): metric name → label set → value holder. */
  private readonly counters = new Map<string, Map<string, { value: number }>>();

  /** The value holder of `name{labels}`, the same one after a reload; callers do `c.value++`. */
  counter(name: string, labels: string): { value: number } {
    let m = this.counters.get(name);
    if (!m) this.counters.set(name, (m = new Map()));
    let c = m.get(labels);
    if (!c) m.set(labels, (c = { value: 0 }));
    return c;
  }
  forwardResponses = new Map<string, number>();

  serverStats(server: string, zone: string): ServerStats {
    const k = `${server} ${zone}`;
    let s = this.stats.get(k);
    if (!s) this.stats.set(k, (s = new ServerStats(server, zone)));
    return s;
  }

  render(plugins: { server: string; zone: string; name: string }[] = []): string {
    const out: Record<string, string[]> = {};
    for (const [name] of HELP) out[name] = [];
    out.coredns_build_info.push(`coredns_build_info{goversion="go1.22.5",revision="kdp",version="${VERSION}"} 1`);
    for (const s of this.stats.values()) s.render(out);
    for (const c of this.collectors) c(out);
    for (const [name, m] of this.counters) for (const [labels, c] of m) out[name]?.push(`${name}{${labels}} ${c.value}`);
    for (const [to, n] of this.forwardRequests) out.coredns_forward_requests_total.push(`coredns_forward_requests_total{to="${to}"} ${n}`);
    for (const [k, n] of this.forwardResponses) {
      const [to, rcode] = k.split('|');
      out.coredns_forward_responses_total.push(`coredns_forward_responses_total{rcode="${rcode}",to="${to}"} ${n}`);
    }
    for (const p of plugins) out.coredns_plugin_enabled.push(`coredns_plugin_enabled{name="${p.name}",server="${esc(p.server)}",view="",zone="${esc(p.zone)}"} 1`);
    out.coredns_reload_failed_total.push(`coredns_reload_failed_total ${this.reloadFailed}`);
    out.coredns_panics_total.push(`coredns_panics_total ${this.panics}`);
    const lines: string[] = [];
    for (const [name, type, help] of HELP) {
      if (!out[name].length) continue;
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, ...out[name]);
    }
    return lines.join('\n') + '\n';
  }
}
