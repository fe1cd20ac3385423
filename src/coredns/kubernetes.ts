// The `kubernetes` handler: answers the cluster zone (Kubernetes DNS spec 1.1.0) and the reverse
// zones for the addresses it knows, from the precomputed ClusterRecords. Everything else goes to the
// next handler (reverse lookups of unknown addresses fall through, as `fallthrough in-addr.arpa
// ip6.arpa` in the default Corefile).
import { isIPv4 } from './addresses.js';
import type { ClusterRecords } from './cluster-records.js';
import { inZone } from './corefile.js';
import { decodeAnswers, EDNS_UDP_SIZE, encodeQuery, parseQuery } from './wire.js';
import { CLASS_IN, isRaw, QTYPE, RCODE, type DnsRequest, type DnsResult, type Handler, type Next, type Query, type Reply, type Rr } from './types.js';

export const DNS_SCHEMA_VERSION = '1.1.0';

export interface KubernetesHandlerOptions {
  /** The address clients reach the DNS server on; answers `ns.dns.<zone>` A (the apex NS target). */
  nsAddress?: string;
  /** `pods insecure|verified|disabled` (CoreDNS's default is disabled; kubeadm's Corefile says insecure). Default insecure. */
  pods?: 'insecure' | 'verified' | 'disabled';
  /**
   * Reverse zones this plugin is authoritative for (`in-addr.arpa`, `ip6.arpa`, `10.in-addr.arpa`).
   * Unset: unknown reverse names go to the next plugin (as with `fallthrough in-addr.arpa ip6.arpa`).
   */
  reverseZones?: string[];
  /** `fallthrough [ZONES…]`: NXDOMAIN names in these zones go to the next plugin ('' = every zone). */
  fallthrough?: string[];
  /** `namespaces NS…`: only these namespaces are exposed; names in others are NXDOMAIN. */
  namespaces?: string[];
}

export class KubernetesHandler implements Handler {
  readonly name = 'kubernetes';
  private readonly zone: string;
  private readonly suffix: string;

  constructor(private readonly records: ClusterRecords, private readonly opts: KubernetesHandlerOptions = {}) {
    this.zone = records.zone;
    this.suffix = '.' + records.zone;
  }

  serveDns(req: DnsRequest, next: Next): DnsResult | Promise<DnsResult> {
    const r = this.answer(req.query);
    if (!r) return next(req);
    if (r.rcode === RCODE.NXDOMAIN && this.opts.fallthrough && this.opts.fallthrough.some((z) => inZone(req.query.name, z))) return next(req);
    const c = r.answer[0];
    const qt = req.query.qtype;
    if (r.answer.length === 1 && c.type === 'CNAME' && (qt === QTYPE.A || qt === QTYPE.AAAA)) return this.chase(req, r, c.target, next);
    return r;
  }

  /**
   * ExternalName asked for an address: add the CNAME target's records, resolved in the zone or by
   * the rest of the chain (CoreDNS resolves it through its upstream too). Failure leaves the CNAME.
   */
  private async chase(req: DnsRequest, r: Reply, target: string, next: Next): Promise<Reply> {
    try {
      const wire = encodeQuery(req.query.id, target, req.query.qtype, { edns: EDNS_UDP_SIZE });
      const parsed = parseQuery(wire);
      if (parsed.kind !== 'query') return r;
      // An internal lookup, over UDP whatever the client used (as CoreDNS's upstream lookups).
      const sub: DnsRequest = { query: parsed.query, wire, transport: 'udp' };
      const res = this.answer(sub.query) ?? (await next(sub));
      const more = isRaw(res) ? decodeAnswers(res.raw) : res.answer;
      return { ...r, answer: [...r.answer, ...more] };
    } catch {
      return r;
    }
  }

  /** The reply for `q`, or undefined when the name is not ours. Pure given the records. */
  answer(q: Query): Reply | undefined {
    const name = q.name;
    if (q.qclass !== CLASS_IN && q.qclass !== QTYPE.ANY) return undefined; // CHAOS & co. are not ours
    if (name === this.zone || name.endsWith(this.suffix)) return this.answerZone(q);
    if (name.endsWith('.in-addr.arpa') || name.endsWith('.ip6.arpa') || name === 'in-addr.arpa' || name === 'ip6.arpa') {
      const zones = this.opts.reverseZones;
      const zone = zones ? zones.filter((z) => inZone(name, z)).sort((a, b) => b.length - a.length)[0] : undefined;
      if (zones && zone === undefined) return undefined;
      const ptrs = this.records.lookupPtr(name);
      if (!ptrs) return zone === undefined ? undefined : this.negative(RCODE.NXDOMAIN, zone);
      if (q.qtype === QTYPE.PTR || q.qtype === QTYPE.ANY) return answer(ptrs);
      return this.negative(RCODE.NOERROR, zone);
    }
    return undefined;
  }

  private answerZone(q: Query): Reply {
    const { name, qtype } = q;
    const r = this.records;
    const entry = r.lookup(name);
    if (entry && this.opts.namespaces && !this.exposed(namespaceOf(name, this.suffix))) return this.negative(RCODE.NXDOMAIN);
    if (entry) {
      // ExternalName: the CNAME answers every type; the client's resolver follows it.
      if (entry.cname) return answer([entry.cname]);
      const out: Rr[] = [];
      if (qtype === QTYPE.A || qtype === QTYPE.ANY) out.push(...entry.a);
      if (qtype === QTYPE.AAAA || qtype === QTYPE.ANY) out.push(...entry.aaaa);
      if (qtype === QTYPE.SRV || qtype === QTYPE.ANY) out.push(...entry.srv);
      if (!out.length) return this.negative(RCODE.NOERROR);
      return answer(out, qtype === QTYPE.SRV ? entry.srvExtra : []);
    }
    const rel = name === this.zone ? '' : name.slice(0, -this.suffix.length);
    if (rel === '') {
      if (qtype === QTYPE.SOA) return answer([this.soa()]);
      if (qtype === QTYPE.NS) return answer([this.ns()], this.nsGlue());
      return this.negative(RCODE.NOERROR);
    }
    if (rel === 'dns-version') {
      if (qtype === QTYPE.TXT || qtype === QTYPE.ANY) return answer([{ name, ttl: r.ttl, type: 'TXT', text: [DNS_SCHEMA_VERSION] }]);
      return this.negative(RCODE.NOERROR);
    }
    if (rel === 'ns.dns' && this.opts.nsAddress) {
      const glue = this.nsGlue();
      const want = qtype === QTYPE.ANY || glue.some((g) => (g.type === 'A' ? QTYPE.A : QTYPE.AAAA) === qtype);
      return want ? answer(glue) : this.negative(RCODE.NOERROR);
    }
    if (rel === 'svc' || rel === 'pod' || rel === 'dns') return this.negative(RCODE.NOERROR);
    const labels = rel.split('.');
    const last = labels[labels.length - 1];
    if (labels.length === 2 && last === 'svc') {
      return this.negative(r.namespaceExists(labels[0]) && this.exposed(labels[0]) ? RCODE.NOERROR : RCODE.NXDOMAIN);
    }
    if (last === 'pod' && labels.length <= 3) {
      // `pods insecure`: `1-2-3-4.<ns>.pod.<zone>` → 1.2.3.4 without consulting the pods;
      // `verified`: only when a pod with that IP exists in <ns>; `disabled`: never.
      const mode = this.opts.pods ?? 'insecure';
      if (mode === 'disabled' || !this.exposed(labels[labels.length - 2])) return this.negative(RCODE.NXDOMAIN);
      if (labels.length === 2) return this.negative(RCODE.NOERROR);
      const ip = labels[0].replace(/-/g, '.');
      if (!isIPv4(ip)) return this.negative(RCODE.NXDOMAIN);
      if (mode === 'verified' && !r.podExists(ip, labels[1])) return this.negative(RCODE.NXDOMAIN);
      if (qtype === QTYPE.A || qtype === QTYPE.ANY) return answer([{ name, ttl: r.ttl, type: 'A', address: ip }]);
      return this.negative(RCODE.NOERROR);
    }
    return this.negative(RCODE.NXDOMAIN);
  }

  private exposed(ns: string | undefined): boolean {
    return !this.opts.namespaces || (ns !== undefined && this.opts.namespaces.includes(ns));
  }

  /** NXDOMAIN or NODATA, with the zone SOA in the authority section (RFC 2308). */
  private negative(rcode: number, zone = this.zone): Reply {
    return { rcode, aa: true, answer: [], authority: [this.soa(zone)], additional: [] };
  }

  soa(zone = this.zone): Rr {
    const ttl = Math.min(this.records.ttl, 5);
    return {
      name: zone, ttl, type: 'SOA', mname: `ns.dns.${zone}`, rname: `hostmaster.${zone}`,
      serial: this.records.serial >>> 0, refresh: 7200, retry: 1800, expire: 86400, minimum: ttl,
    };
  }

  private ns(): Rr {
    return { name: this.zone, ttl: this.records.ttl, type: 'NS', target: `ns.dns.${this.zone}` };
  }

  private nsGlue(): Rr[] {
    const ip = this.opts.nsAddress;
    if (!ip) return [];
    const name = `ns.dns.${this.zone}`;
    return [isIPv4(ip) ? { name, ttl: this.records.ttl, type: 'A', address: ip } : { name, ttl: this.records.ttl, type: 'AAAA', address: ip }];
  }
}

/** `<…>.<svc>.<ns>.svc.<zone>` → ns. */
function namespaceOf(name: string, suffix: string): string | undefined {
  const labels = name.slice(0, -suffix.length).split('.');
  const i = labels.lastIndexOf('svc');
  return i > 0 ? labels[i - 1] : undefined;
}

function answer(rrs: Rr[], additional: Rr[] = []): Reply {
  return { rcode: RCODE.NOERROR, aa: true, answer: rrs, authority: [], additional };
}
