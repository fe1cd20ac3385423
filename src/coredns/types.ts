// Shapes shared by the DNS handlers: resource records, a reply description, and the tiny handler
// interface of the chain (CoreDNS's `plugin.Handler`: ServeDNS + Name).

export const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;

export const QTYPE = {
  A: 1, NS: 2, CNAME: 5, SOA: 6, PTR: 12, TXT: 16, AAAA: 28, SRV: 33, OPT: 41, ANY: 255,
} as const;

export const CLASS_IN = 1;

/** A resource record. Names are absolute, without the trailing dot. */
export type Rr = { name: string; ttl: number } & (
  | { type: 'A'; address: string }
  | { type: 'AAAA'; address: string }
  | { type: 'CNAME' | 'PTR' | 'NS'; target: string }
  | { type: 'SRV'; priority: number; weight: number; port: number; target: string }
  | { type: 'TXT'; text: string[] }
  | { type: 'SOA'; mname: string; rname: string; serial: number; refresh: number; retry: number; expire: number; minimum: number }
  /** Any other type, rdata kept as received (names inside uncompressed). */
  | { type: 'RAW'; code: number; rclass: number; rdata: Buffer }
);

/** A response, computed by a handler; the server turns it into wire format for the query. */
export interface Reply {
  rcode: number;
  /** Authoritative answer (AA). */
  aa: boolean;
  /** Set TC even when everything fits (an upstream answer this one completes was truncated). */
  tc?: boolean;
  answer: Rr[];
  authority: Rr[];
  additional: Rr[];
}

/** A response relayed byte for byte (e.g. from an upstream); the server only rewrites the ID. */
export interface RawReply {
  raw: Buffer;
}

export type DnsResult = Reply | RawReply;

/** The parsed question and the bits of the header and EDNS a server needs. */
export interface Query {
  id: number;
  opcode: number;
  rd: boolean;
  cd: boolean;
  /** Question name as sent (case kept), dotted, no trailing dot; '' for the root. */
  qname: string;
  /** Lower-cased qname, for lookups. */
  name: string;
  qtype: number;
  qclass: number;
  /** Byte offset just past the question in the request (the question is echoed verbatim). */
  questionEnd: number;
  /** EDNS OPT of the request, when present. */
  edns?: { udpSize: number; version: number; do: boolean };
}

export interface DnsRequest {
  query: Query;
  /** The request exactly as received (forwarders send it on unchanged). */
  wire: Buffer;
  transport: 'udp' | 'tcp';
  /** Client address and port (for `log`), when known. */
  remoteAddress?: string;
  remotePort?: number;
  /** Name of the plugin that wrote the response (metrics' `plugin` label); set by the answering handler. */
  answeredBy?: string;
  /**
   * Present when the reply may be kept by the fast path (fast-path.ts) and served again as bytes.
   * A handler whose answer is not a pure function of the question, the Corefile and the cluster
   * records calls `noFastPath(req)`; one with a per-query side effect lists it (`perQuery`).
   */
  fast?: FastNote;
}

export interface FastNote {
  keep: boolean;
  /**
   * The reply spells the question's case outside compression pointers (SRV targets are never
   * compressed): keep it for this exact spelling only, not for every case of the name.
   */
  exactCase?: boolean;
  /** Counters the fast path bumps on each hit, as the plugins did on the way (cache misses…). */
  counters: { value: number }[];
}

/** This reply must be computed again for the next such question (TTL countdown, rotation, upstream…). */
export function noFastPath(req: DnsRequest): void {
  if (req.fast) req.fast.keep = false;
}

/** `counter` is bumped for this question: again on every fast-path hit of its reply. */
export function perQuery(req: DnsRequest, counter: { value: number }): void {
  counter.value++;
  req.fast?.counters.push(counter);
}

export type Next = (req: DnsRequest) => DnsResult | Promise<DnsResult>;

/** One link of the chain: answers, or passes the request to `next`. */
export interface Handler {
  readonly name: string;
  serveDns(req: DnsRequest, next: Next): DnsResult | Promise<DnsResult>;
}

export function isRaw(r: DnsResult): r is RawReply {
  return (r as RawReply).raw !== undefined;
}

export function reply(rcode: number, aa = false, answer: Rr[] = [], authority: Rr[] = [], additional: Rr[] = []): Reply {
  return { rcode, aa, answer, authority, additional };
}

/** Runs handlers in order; the last `next` answers `fallback` (REFUSED, as CoreDNS for an unserved zone). */
export function chain(handlers: Handler[], fallback: Reply = reply(RCODE.REFUSED)): Next {
  let next: Next = () => fallback;
  for (let i = handlers.length - 1; i >= 0; i--) {
    const h = handlers[i];
    const after = next;
    next = (req) => h.serveDns(req, after);
  }
  return next;
}
