// The `chaos` handler: CH-class TXT answers about the server itself (CoreDNS `chaos`):
// `version.bind` / `version.server` → the version, `authors.bind` → one TXT per author (shuffled),
// `hostname.bind` / `id.server` → the host name. TTL 0, class CH, not authoritative; anything else
// goes to the next handler.
import { hostname as osHostname } from 'node:os';
import { randomInt } from 'node:crypto';
import { RCODE, type DnsRequest, type DnsResult, type Handler, type Next, type Rr } from './types.js';

export const CLASS_CHAOS = 3;
const TXT = 16;

/** The plugin's default authors: the GitHub handles in CoreDNS's OWNERS files. */
export const CHAOS_OWNERS = ['Tantalor93', 'bradbeam', 'chrisohaver', 'darshanime', 'dilyevsky', 'ekleiner', 'greenpau', 'houyuwushang', 'ihac', 'inigohu', 'isolus', 'jameshartig', 'johnbelamaric', 'miekg', 'mqasimsarfraz', 'nchrisdk', 'nitisht', 'pmoroney', 'rajansandeep', 'rdrozhdzh', 'rtreffer', 'snebel29', 'stp-ip', 'superq', 'thevilledev', 'varyoo', 'ykhr53', 'yongtang', 'zouyee'];

export interface ChaosOptions {
  version: string;
  authors: string[];
  hostname?: () => string;
  rng?: (n: number) => number;
}

/** A TXT string is at most 255 bytes: longer ones are cut, as the plugin does. */
export function trim255(s: string): string {
  return s.length < 256 ? s : s.slice(0, 255);
}

function txt(name: string, text: string): Rr {
  const b = Buffer.from(text, 'utf8').subarray(0, 255);
  return { name, ttl: 0, type: 'RAW', code: TXT, rclass: CLASS_CHAOS, rdata: Buffer.concat([Buffer.from([b.length]), b]) };
}

export class ChaosHandler implements Handler {
  readonly name = 'chaos';
  constructor(private readonly opts: ChaosOptions) {}

  serveDns(req: DnsRequest, next: Next): DnsResult | Promise<DnsResult> {
    const q = req.query;
    if (q.qclass !== CLASS_CHAOS || q.qtype !== TXT) return next(req);
    let answer: Rr[];
    switch (q.name) {
      case 'authors.bind': {
        const order = this.opts.authors.map((a) => a);
        const rng = this.opts.rng ?? randomInt;
        for (let i = order.length - 1; i > 0; i--) {
          const j = rng(i + 1);
          [order[i], order[j]] = [order[j], order[i]];
        }
        answer = order.map((a) => txt(q.name, a));
        break;
      }
      case 'version.bind': case 'version.server': answer = [txt(q.name, this.opts.version)]; break;
      case 'hostname.bind': case 'id.server': answer = [txt(q.name, trim255((this.opts.hostname ?? osHostname)() || 'localhost'))]; break;
      default: return next(req);
    }
    req.answeredBy = 'chaos';
    return { rcode: RCODE.NOERROR, aa: false, answer, authority: [], additional: [] };
  }
}
