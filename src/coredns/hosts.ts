// The `hosts` plugin: answers A, AAAA and PTR from /etc/hosts-style entries (a file and/or lines
// written inline in the Corefile). Names without entries go to the next plugin with `fallthrough`,
// else NXDOMAIN; a name with entries asked for another type is NODATA.
import { isIPv4, reverseName } from './addresses.js';
import { inZone } from './corefile.js';
import { QTYPE, RCODE, type DnsRequest, type DnsResult, type Handler, type Next, type Rr } from './types.js';
import net from 'node:net';

export interface HostsOptions {
  zones: string[];
  /** `/etc/hosts` format text (file content followed by the inline entries). */
  text: string;
  ttl: number;
  noReverse: boolean;
  /** undefined: no fallthrough; [] or [''] = every zone. */
  fallthrough?: string[];
}

interface Names { a: Rr[]; aaaa: Rr[] }

/** Parses hosts-file text; returns a problem for the first bad line, as CoreDNS logs them. */
export function parseHosts(text: string, ttl: number): { names: Map<string, Names>; ptrs: Map<string, Rr[]> } {
  const names = new Map<string, Names>();
  const ptrs = new Map<string, Rr[]>();
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    if (!line) continue;
    const [ip, ...hosts] = line.split(/\s+/);
    const v4 = isIPv4(ip);
    if (!v4 && !net.isIPv6(ip)) continue;
    for (const h of hosts) {
      const name = h.toLowerCase().replace(/\.$/, '');
      let e = names.get(name);
      if (!e) names.set(name, (e = { a: [], aaaa: [] }));
      const list = v4 ? e.a : e.aaaa;
      if (!list.some((r) => r.type !== 'RAW' && 'address' in r && r.address === ip)) list.push(v4 ? { name, ttl, type: 'A', address: ip } : { name, ttl, type: 'AAAA', address: ip });
      const rev = reverseName(ip);
      const p = ptrs.get(rev) ?? [];
      if (!p.some((r) => r.type === 'PTR' && r.target === name)) p.push({ name: rev, ttl, type: 'PTR', target: name });
      ptrs.set(rev, p);
    }
  }
  return { names, ptrs };
}

export class HostsHandler implements Handler {
  readonly name = 'hosts';
  private readonly names: Map<string, Names>;
  private readonly ptrs: Map<string, Rr[]>;

  constructor(private readonly opts: HostsOptions) {
    ({ names: this.names, ptrs: this.ptrs } = parseHosts(opts.text, opts.ttl));
  }

  serveDns(req: DnsRequest, next: Next): DnsResult | Promise<DnsResult> {
    const q = req.query;
    if (!this.opts.zones.some((z) => inZone(q.name, z))) return next(req);
    let answer: Rr[] = [];
    let exists = false;
    if (q.qtype === QTYPE.PTR && !this.opts.noReverse) {
      const p = this.ptrs.get(q.name);
      if (p) { answer = p; exists = true; }
    } else {
      const e = this.names.get(q.name);
      if (e) {
        exists = true;
        if (q.qtype === QTYPE.A) answer = e.a;
        else if (q.qtype === QTYPE.AAAA) answer = e.aaaa;
      }
    }
    if (answer.length) {
      req.answeredBy = 'hosts';
      return { rcode: RCODE.NOERROR, aa: true, answer, authority: [], additional: [] };
    }
    const ft = this.opts.fallthrough;
    if (!exists && ft && (ft.length === 0 || ft.some((z) => inZone(q.name, z)))) return next(req);
    req.answeredBy = 'hosts';
    return { rcode: exists ? RCODE.NOERROR : RCODE.NXDOMAIN, aa: true, answer: [], authority: [], additional: [] };
  }
}
