// The `kubernetes` handler: answers the cluster zone (Kubernetes DNS spec 1.1.0) and the reverse
// zones for the addresses it knows, from the precomputed ClusterRecords. Everything else goes to the
// next handler (reverse lookups of unknown addresses fall through, as `fallthrough in-addr.arpa
// ip6.arpa` in the default Corefile).
import { expandIPv6, isIPv4 } from './addresses.js';
import { entryFor, type ClusterRecords, type NameEntry } from './cluster-records.js';
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
  /** `zonal`: `<topology-zone>.pin|prefer._zone.<svc>.<ns>.svc.<zone>` names of headless services. */
  zonal?: boolean;
  /** `namespace_labels` is set: names in namespaces it hides do not exist. */
  namespaceLabels?: boolean;
}

/** The TTL the plugin gives `dns-version.<zone>` TXT, whatever `ttl` says. */
const DNS_VERSION_TTL = 28800;
const AXFR = 252;
const IXFR = 251;

/** What a name in the cluster zone is, before the query type is looked at. */
type Found =
  | { kind: 'entry'; entry: NameEntry }
  | { kind: 'empty' }
  | { kind: 'nx' }
  | { kind: 'pod'; ip: string }
  | { kind: 'ns' }
  | { kind: 'version' };

const NX: Found = { kind: 'nx' };
const EMPTY: Found = { kind: 'empty' };

export class KubernetesHandler implements Handler {
  readonly name = 'kubernetes';
  private readonly zone: string;
  private readonly suffix: string;
  private readonly exposedNs = (ns: string) => this.configured(ns);
  private readonly hit: { kind: 'entry'; entry: NameEntry } = { kind: 'entry', entry: undefined as unknown as NameEntry };

  constructor(private readonly records: ClusterRecords, private readonly opts: KubernetesHandlerOptions = {}) {
    this.zone = records.zone;
    this.suffix = '.' + records.zone;
  }

  serveDns(req: DnsRequest, next: Next): DnsResult | Promise<DnsResult> {
    const r = this.answer(req.query);
    if (!r) return next(req);
    if (r.rcode === RCODE.NXDOMAIN && this.opts.fallthrough && this.opts.fallthrough.some((z) => inZone(req.query.name, z))) return next(req);
    const qt = req.query.qtype;
    if (qt === QTYPE.SRV && r.answer.length && req.fast) req.fast.exactCase = true; // SRV targets carry the question's zone case
    const c = r.answer[0];
    if (r.answer.length === 1 && c.type === 'CNAME' && (qt === QTYPE.A || qt === QTYPE.AAAA)) return this.chase(req, r, c.target, next);
    return r;
  }

  /**
   * ExternalName asked for an address, as the plugin completes it: a target in the zone is looked
   * up here (nothing found: no answer at all, NODATA); any other goes to the rest of the chain over
   * the client's transport, and its answer follows the CNAME, its TC bit kept (the client retries
   * over TCP). A failed lookup leaves NODATA.
   */
  private async chase(req: DnsRequest, r: Reply, target: string, next: Next): Promise<Reply> {
    const q = req.query;
    const nodata = () => this.negative(RCODE.NOERROR, q);
    if (target.toLowerCase() === q.name) return nodata();
    try {
      const wire = encodeQuery(q.id, target, q.qtype, { edns: EDNS_UDP_SIZE });
      const parsed = parseQuery(wire);
      if (parsed.kind !== 'query') return nodata();
      const sub: DnsRequest = { query: parsed.query, wire, transport: req.transport };
      if (inZone(parsed.query.name, this.zone)) {
        const inner = this.answer(parsed.query);
        return inner && inner.rcode === RCODE.NOERROR && inner.answer.length ? { ...r, answer: [...r.answer, ...inner.answer] } : nodata();
      }
      let res: DnsResult;
      try {
        res = await next(sub);
      } catch (e) {
        if (sub.transport !== 'tcp') throw e;
        res = { rcode: RCODE.SERVFAIL, aa: false, answer: [], authority: [], additional: [] };
      }
      // An upstream that does not answer over TCP is asked over UDP (kdp's only deviation here).
      if (sub.transport === 'tcp' && rcodeOf(res) === RCODE.SERVFAIL) res = await next({ ...sub, transport: 'udp' });
      if (isRaw(res)) return { ...r, answer: [...r.answer, ...decodeAnswers(res.raw)], tc: (res.raw[2] & 0x02) !== 0 };
      return { ...r, answer: [...r.answer, ...res.answer], tc: res.tc };
    } catch {
      return nodata();
    }
  }

  /** The reply for `q`, or undefined when the name is not ours. Pure given the records. */
  answer(q: Query): Reply | undefined {
    const name = q.name;
    if (q.qclass !== CLASS_IN && q.qclass !== QTYPE.ANY) return undefined; // CHAOS & co. are not ours
    if (name === this.zone || name.endsWith(this.suffix)) return this.answerZone(q);
    if (name.endsWith('.in-addr.arpa') || name.endsWith('.ip6.arpa') || name === 'in-addr.arpa' || name === 'ip6.arpa') return this.answerReverse(q);
    return undefined;
  }

  private answerReverse(q: Query): Reply | undefined {
    const name = q.name;
    const zones = this.opts.reverseZones;
    const zone = zones ? zones.filter((z) => inZone(name, z)).sort((a, b) => b.length - a.length)[0] : undefined;
    if (zones && zone === undefined) return undefined;
    if (q.qtype === QTYPE.PTR) {
      const ptrs = this.records.lookupPtr(name, this.opts.namespaces ? this.exposedNs : undefined);
      if (ptrs) return answer(ptrs);
      return zone === undefined ? undefined : this.negative(RCODE.NXDOMAIN, q, zone);
    }
    if (zone === undefined) return undefined;
    if (q.qtype === AXFR || q.qtype === IXFR) return refused();
    if (name === zone) {
      if (q.qtype === QTYPE.SOA) return answer([this.soa(q, zone)]);
      if (q.qtype === QTYPE.NS) return answer([this.ns(q, zone)], this.nsGlue(q, zone));
      return this.negative(RCODE.NOERROR, q, zone);
    }
    // Any other type of a name under a reverse zone: the plugin parses it as a cluster name, fails.
    return this.negative(q.qtype === QTYPE.SOA ? RCODE.NOERROR : RCODE.NXDOMAIN, q, zone);
  }

  private answerZone(q: Query): Reply {
    const { name, qtype } = q;
    if (qtype === AXFR || qtype === IXFR) return refused();
    if (qtype === QTYPE.SOA) return name === this.zone ? answer([this.soa(q)]) : this.negative(RCODE.NOERROR, q);
    if (qtype === QTYPE.NS && name === this.zone) return answer([this.ns(q)], this.nsGlue(q));
    const f = this.find(q);
    if (f.kind === 'nx') return this.negative(RCODE.NXDOMAIN, q);
    const ttl = this.records.ttl;
    switch (qtype) {
      case QTYPE.A: case QTYPE.AAAA: {
        const want = qtype === QTYPE.A ? 'A' : 'AAAA';
        if (f.kind === 'entry') {
          if (f.entry.cname) return answer([f.entry.cname]);
          const out = qtype === QTYPE.A ? f.entry.a : f.entry.aaaa;
          return out.length ? answer(out) : this.negative(RCODE.NOERROR, q);
        }
        if (f.kind === 'pod') return isIPv4(f.ip) === (want === 'A') ? answer([{ name, ttl, type: want, address: f.ip }]) : this.negative(RCODE.NOERROR, q);
        if (f.kind === 'ns') {
          const glue = this.nsGlue(q).filter((g) => g.type === want).map((g) => ({ ...g, name }));
          return glue.length ? answer(glue) : this.negative(RCODE.NOERROR, q);
        }
        return this.negative(f.kind === 'version' ? RCODE.NXDOMAIN : RCODE.NOERROR, q);
      }
      case QTYPE.SRV: {
        if (f.kind === 'entry' && f.entry.srv.length) return this.srvAnswer(q, f.entry);
        if (f.kind === 'pod') {
          // The plugin's pod "service" has port 0 and its own name as target.
          const e = entryFor(name, [{ ip: f.ip, port: 0, portName: '', protocol: '', target: name, host: '', zone: '' }], ttl);
          return this.srvAnswer(q, e);
        }
        return this.negative(f.kind === 'version' ? RCODE.NXDOMAIN : RCODE.NOERROR, q);
      }
      case QTYPE.TXT:
        if (f.kind === 'version') return answer([{ name, ttl: DNS_VERSION_TTL, type: 'TXT', text: [DNS_SCHEMA_VERSION] }]);
        // The plugin's TXT lookup says NODATA only where some record exists: the apex, `svc`, a
        // namespace (names without records of their own) are NXDOMAIN for TXT.
        return this.negative(f.kind === 'entry' || f.kind === 'pod' ? RCODE.NOERROR : RCODE.NXDOMAIN, q);
      case QTYPE.CNAME:
        if (f.kind === 'entry' && f.entry.cname) return answer([f.entry.cname]);
        return this.negative(f.kind === 'version' ? RCODE.NXDOMAIN : RCODE.NOERROR, q);
      case QTYPE.PTR:
        if (f.kind === 'entry' && f.entry.cname?.type === 'CNAME') return answer([{ name, ttl, type: 'PTR', target: f.entry.cname.target }]);
        return this.negative(f.kind === 'version' ? RCODE.NXDOMAIN : RCODE.NOERROR, q);
      default:
        // Every other type (ANY, MX, HINFO, NS below the apex…): the plugin looks the name up as A
        // to tell NODATA from NXDOMAIN.
        return this.negative(f.kind === 'version' ? RCODE.NXDOMAIN : RCODE.NOERROR, q);
    }
  }

  /** SRV records with their targets' addresses; names under the zone get the question's zone case. */
  private srvAnswer(q: Query, e: NameEntry): Reply {
    const qz = this.zoneCase(q);
    if (qz === this.zone) return answer(e.srv, e.srvExtra);
    const fix = (n: string) => (n.endsWith(this.suffix) ? n.slice(0, n.length - this.zone.length) + qz : n === this.zone ? qz : n);
    return answer(
      e.srv.map((rr) => (rr.type === 'SRV' ? { ...rr, target: fix(rr.target) } : rr)),
      e.srvExtra.map((rr) => ({ ...rr, name: fix(rr.name) })),
    );
  }

  /** Classifies a name of the cluster zone the way the plugin's request parser and lookups do. */
  private find(q: Query): Found {
    const name = q.name;
    const r = this.records;
    const entry = r.lookup(name);
    if (entry) {
      if (this.opts.namespaces || this.opts.namespaceLabels) {
        const ns = namespaceOf(name.slice(0, -this.suffix.length));
        if (!this.configured(ns) || (this.opts.namespaceLabels && !(ns !== undefined && r.namespaceExists(ns)))) return NX;
      }
      this.hit.entry = entry; // one object reused: the hot path allocates nothing here
      return this.hit;
    }
    const rel = name === this.zone ? '' : name.slice(0, -this.suffix.length);
    if (rel === '' || rel === 'svc' || rel === 'pod') return EMPTY;
    if (rel === 'dns-version') return q.qtype === QTYPE.TXT ? { kind: 'version' } : NX;
    if (rel === 'ns.dns' && this.opts.nsAddress) return { kind: 'ns' };
    const labels = rel.split('.');
    const n = labels.length;
    const last = labels[n - 1];
    if (last !== 'svc' && last !== 'pod') return NX;
    const ns = labels[n - 2];
    if (!this.exposed(ns)) return NX;
    if (n === 2) return last === 'pod' && (this.opts.pods ?? 'insecure') === 'disabled' ? NX : EMPTY;
    if (last === 'pod') {
      // `<ip>.<ns>.pod`, with up to two labels before it that the plugin does not look at.
      if (n > 5) return NX;
      const mode = this.opts.pods ?? 'insecure';
      if (mode === 'disabled') return NX;
      const label = labels[n - 3];
      const ip = (label.split('-').length === 4 && !label.includes('--')) ? label.replace(/-/g, '.') : label.replace(/-/g, ':');
      if (!(isIPv4(ip) || (ip.includes(':') && expandIPv6(ip)))) return NX;
      if (mode === 'verified' && !r.podExists(ip, ns)) return NX;
      return { kind: 'pod', ip };
    }
    if (n >= 6 && this.opts.zonal && labels[n - 4] === '_zone') return this.zonal(labels);
    return NX;
  }

  /** `<topology-zone>.pin|prefer._zone.<svc>.<ns>.svc`: a headless service's endpoints in that zone. */
  private zonal(labels: string[]): Found {
    const n = labels.length;
    const directive = labels[n - 5];
    if (directive !== 'pin' && directive !== 'prefer') return NX;
    const base = `${labels[n - 3]}.${labels[n - 2]}.svc.${this.zone}`;
    const items = this.records.headlessItems(base);
    if (!items) return NX;
    const topo = labels.slice(0, n - 5).join('.');
    let sel = items.filter((it) => it.zone !== '' && it.zone === topo);
    if (!sel.length && directive === 'prefer') sel = items;
    const owner = `${labels.join('.')}${this.suffix}`;
    return { kind: 'entry', entry: entryFor(owner, sel, this.records.ttl) };
  }

  /** `namespaces` lists it (or there is no list). */
  private configured(ns: string | undefined): boolean {
    return !this.opts.namespaces || (ns !== undefined && this.opts.namespaces.includes(ns));
  }

  /** Configured and existing, as the plugin's namespaceExposed. */
  private exposed(ns: string): boolean {
    return this.configured(ns) && this.records.namespaceExists(ns);
  }

  /** The zone as the question spells it (the plugin answers in the asker's case). */
  private zoneCase(q: Query, zone = this.zone): string {
    return zone === '' ? '' : q.qname.slice(q.qname.length - zone.length);
  }

  /** NXDOMAIN or NODATA, with the zone SOA in the authority section (RFC 2308). */
  private negative(rcode: number, q: Query, zone = this.zone): Reply {
    return { rcode, aa: true, answer: [], authority: [this.soa(q, zone)], additional: [] };
  }

  soa(q?: Query, zone = this.zone): Rr {
    const ttl = Math.min(this.records.ttl, 5);
    const z = q ? this.zoneCase(q, zone) : zone;
    return {
      name: z, ttl, type: 'SOA', mname: `ns.dns.${z}`, rname: `hostmaster.${z}`,
      serial: this.records.serial >>> 0, refresh: 7200, retry: 1800, expire: 86400, minimum: ttl,
    };
  }

  private ns(q: Query, zone = this.zone): Rr {
    return { name: q.name, ttl: this.records.ttl, type: 'NS', target: `ns.dns.${this.zoneCase(q, zone)}` };
  }

  private nsGlue(q: Query, zone = this.zone): Rr[] {
    const ip = this.opts.nsAddress;
    if (!ip) return [];
    const name = `ns.dns.${this.zoneCase(q, zone)}`;
    return [isIPv4(ip) ? { name, ttl: this.records.ttl, type: 'A', address: ip } : { name, ttl: this.records.ttl, type: 'AAAA', address: ip }];
  }
}

/** `<…>.<svc>.<ns>.svc` (relative to the zone) → ns. */
function namespaceOf(rel: string): string | undefined {
  const labels = rel.split('.');
  return labels.length >= 3 ? labels[labels.length - 2] : undefined;
}

function rcodeOf(r: DnsResult): number {
  return isRaw(r) ? r.raw[3] & 0x0f : r.rcode;
}

function answer(rrs: Rr[], additional: Rr[] = []): Reply {
  return { rcode: RCODE.NOERROR, aa: true, answer: rrs, authority: [], additional };
}

function refused(): Reply {
  return { rcode: RCODE.REFUSED, aa: false, answer: [], authority: [], additional: [] };
}
