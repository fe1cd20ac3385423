// The `kubernetes` handler: answers the cluster zone (Kubernetes DNS spec 1.1.0) and the reverse
// zones for the addresses it knows, from the precomputed ClusterRecords. Everything else goes to the
// next handler (reverse lookups of unknown addresses fall through, as `fallthrough in-addr.arpa
// ip6.arpa` in the default Corefile).
import { isIPv4 } from './addresses.js';
import type { ClusterRecords } from './cluster-records.js';
import { decodeAnswers, EDNS_UDP_SIZE, encodeQuery, parseQuery } from './wire.js';
import { CLASS_IN, isRaw, QTYPE, RCODE, type DnsRequest, type DnsResult, type Handler, type Next, type Query, type Reply, type Rr } from './types.js';

export const DNS_SCHEMA_VERSION = '1.1.0';

export interface KubernetesHandlerOptions {
  /** The address clients reach the DNS server on; answers `ns.dns.<zone>` A (the apex NS target). */
  nsAddress?: string;
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
      const sub: DnsRequest = { query: parsed.query, wire, transport: req.transport };
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
    if (name.endsWith('.in-addr.arpa') || name.endsWith('.ip6.arpa')) {
      const ptrs = this.records.lookupPtr(name);
      if (!ptrs) return undefined;
      if (q.qtype === QTYPE.PTR || q.qtype === QTYPE.ANY) return answer(ptrs);
      return this.negative(RCODE.NOERROR);
    }
    return undefined;
  }

  private answerZone(q: Query): Reply {
    const { name, qtype } = q;
    const r = this.records;
    const entry = r.lookup(name);
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
      return this.negative(r.namespaceExists(labels[0]) ? RCODE.NOERROR : RCODE.NXDOMAIN);
    }
    if (last === 'pod' && labels.length <= 3) {
      // `pods insecure`: `1-2-3-4.<ns>.pod.<zone>` → 1.2.3.4 without consulting the pods.
      if (labels.length === 2) return this.negative(RCODE.NOERROR);
      const ip = labels[0].replace(/-/g, '.');
      if (!isIPv4(ip)) return this.negative(RCODE.NXDOMAIN);
      if (qtype === QTYPE.A || qtype === QTYPE.ANY) return answer([{ name, ttl: r.ttl, type: 'A', address: ip }]);
      return this.negative(RCODE.NOERROR);
    }
    return this.negative(RCODE.NXDOMAIN);
  }

  /** NXDOMAIN or NODATA, with the zone SOA in the authority section (RFC 2308). */
  private negative(rcode: number): Reply {
    return { rcode, aa: true, answer: [], authority: [this.soa()], additional: [] };
  }

  soa(): Rr {
    return {
      name: this.zone, ttl: 5, type: 'SOA', mname: `ns.dns.${this.zone}`, rname: `hostmaster.${this.zone}`,
      serial: this.records.serial >>> 0, refresh: 7200, retry: 1800, expire: 86400, minimum: 5,
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

function answer(rrs: Rr[], additional: Rr[] = []): Reply {
  return { rcode: RCODE.NOERROR, aa: true, answer: rrs, authority: [], additional };
}
