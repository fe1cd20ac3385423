// DNS wire format (RFC 1035, EDNS0 per RFC 6891): parse a query's header, question and OPT, and
// encode a Reply for it. Written for the hot path: no per-bit work, the question is echoed verbatim,
// owner names compress to it; SRV targets are never compressed (RFC 2782).
import { expandIPv6 } from './addresses.js';
import { CLASS_IN, QTYPE, RCODE, type Query, type Reply, type Rr } from './types.js';

/** The UDP payload size kdp advertises in its OPT record (the DNS flag day 2020 value, as CoreDNS). */
export const EDNS_UDP_SIZE = 1232;
const HEADER = 12;

export type ParseResult =
  | { kind: 'query'; query: Query }
  /** Answer with just a header carrying this rcode (FORMERR, NOTIMP). */
  | { kind: 'error'; id: number; opcode: number; rd: boolean; rcode: number }
  /** Not a query (QR=1) or too short to answer: say nothing. */
  | { kind: 'drop' };

const DROP: ParseResult = { kind: 'drop' };

export function parseQuery(buf: Buffer): ParseResult {
  if (buf.length < HEADER) return DROP;
  const id = buf.readUInt16BE(0);
  const b2 = buf[2];
  if (b2 & 0x80) return DROP; // a response: never answer it (loops, reflection)
  const opcode = (b2 >> 3) & 0x0f;
  const rd = (b2 & 0x01) !== 0;
  const cd = (buf[3] & 0x10) !== 0;
  const qdcount = buf.readUInt16BE(4);
  const err = (rcode: number): ParseResult => ({ kind: 'error', id, opcode, rd, rcode });
  if (opcode !== 0) return err(RCODE.NOTIMP);
  if (qdcount !== 1) return err(RCODE.FORMERR);

  // Question name: labels only (a pointer in the first question cannot point anywhere valid).
  let off = HEADER;
  const labels: string[] = [];
  let total = 1;
  for (;;) {
    if (off >= buf.length) return err(RCODE.FORMERR);
    const len = buf[off];
    if (len === 0) { off++; break; }
    if (len > 63) return err(RCODE.FORMERR);
    total += len + 1;
    if (total > 255 || off + 1 + len > buf.length) return err(RCODE.FORMERR);
    let label = buf.toString('latin1', off + 1, off + 1 + len);
    if (label.includes('.') || label.includes('\\')) label = label.replace(/[.\\]/g, (c: string) => '\\' + c);
    labels.push(label);
    off += 1 + len;
  }
  if (off + 4 > buf.length) return err(RCODE.FORMERR);
  const qtype = buf.readUInt16BE(off);
  const qclass = buf.readUInt16BE(off + 2);
  off += 4;
  const qname = labels.join('.');
  const query: Query = { id, opcode, rd, cd, qname, name: qname.toLowerCase(), qtype, qclass, questionEnd: off };

  // EDNS: skip answer and authority records (queries normally have none), look for OPT.
  const ancount = buf.readUInt16BE(6);
  const nscount = buf.readUInt16BE(8);
  const arcount = buf.readUInt16BE(10);
  for (let i = 0; i < ancount + nscount + arcount; i++) {
    const nameEnd = skipName(buf, off);
    if (nameEnd < 0 || nameEnd + 10 > buf.length) break; // malformed trailer: ignore, answer the question
    const type = buf.readUInt16BE(nameEnd);
    const rdlen = buf.readUInt16BE(nameEnd + 8);
    if (i >= ancount + nscount && type === QTYPE.OPT) {
      query.edns = {
        udpSize: buf.readUInt16BE(nameEnd + 2),
        version: buf[nameEnd + 5],
        do: (buf[nameEnd + 6] & 0x80) !== 0,
      };
    }
    off = nameEnd + 10 + rdlen;
  }
  return { kind: 'query', query };
}

/** Offset just past a (possibly compressed) name, or -1 when malformed. */
export function skipName(buf: Buffer, off: number): number {
  for (let guard = 0; guard < 128; guard++) {
    if (off >= buf.length) return -1;
    const len = buf[off];
    if (len === 0) return off + 1;
    if ((len & 0xc0) === 0xc0) return off + 2 <= buf.length ? off + 2 : -1;
    if (len & 0xc0) return -1;
    off += 1 + len;
  }
  return -1;
}

/** The largest response a client accepts over `transport`. */
export function maxResponseSize(q: Query, transport: 'udp' | 'tcp'): number {
  if (transport === 'tcp') return 65535;
  return Math.max(512, Math.min(q.edns?.udpSize ?? 512, 65535));
}

class Writer {
  buf: Buffer;
  len = 0;
  /**
   * Name suffix, exactly as spelled → offset, for compression pointers (< 0x4000 only). Names
   * compress only to the same spelling, so a name keeps the case its handler gave it; a name equal
   * to the question's (lower-cased) `owner` points to the question, echoing the asker's case.
   */
  readonly names = new Map<string, number>();
  owner: string | undefined;
  constructor(size: number) {
    this.buf = Buffer.allocUnsafe(size);
  }
  ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.len + n));
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }
  u8(v: number): void { this.ensure(1); this.buf[this.len++] = v; }
  u16(v: number): void { this.ensure(2); this.buf.writeUInt16BE(v, this.len); this.len += 2; }
  u32(v: number): void { this.ensure(4); this.buf.writeUInt32BE(v >>> 0, this.len); this.len += 4; }
  bytes(b: Buffer, start: number, end: number): void {
    this.ensure(end - start);
    b.copy(this.buf, this.len, start, end);
    this.len += end - start;
  }
  name(name: string, compress: boolean): void {
    if (compress && name === this.owner && name !== '') { this.u16(0xc000 | HEADER); return; }
    const labels = name === '' ? [] : name.split('.');
    for (let i = 0; i < labels.length; i++) {
      const suffix = i === 0 ? name : labels.slice(i).join('.');
      const at = compress ? this.names.get(suffix) : undefined;
      if (at !== undefined) { this.u16(0xc000 | at); return; }
      if (compress && this.len < 0x4000) this.names.set(suffix, this.len);
      const l = labels[i];
      const n = Math.min(l.length, 63);
      this.u8(n);
      this.ensure(n);
      this.len += this.buf.write(l.slice(0, n), this.len, 'latin1');
    }
    this.u8(0);
  }
}

const TYPE_CODE: Record<Exclude<Rr['type'], 'RAW'>, number> = {
  A: QTYPE.A, AAAA: QTYPE.AAAA, CNAME: QTYPE.CNAME, PTR: QTYPE.PTR, NS: QTYPE.NS, SRV: QTYPE.SRV, TXT: QTYPE.TXT, SOA: QTYPE.SOA,
};

function writeRr(w: Writer, rr: Rr): void {
  w.name(rr.name, true);
  w.u16(rr.type === 'RAW' ? rr.code : TYPE_CODE[rr.type]);
  w.u16(rr.type === 'RAW' ? rr.rclass : CLASS_IN);
  w.u32(rr.ttl);
  const lenAt = w.len;
  w.u16(0);
  switch (rr.type) {
    case 'A': for (const p of rr.address.split('.')) w.u8(Number(p) & 0xff); break;
    case 'AAAA': writeIPv6(w, rr.address); break;
    case 'CNAME': case 'PTR': case 'NS': w.name(rr.target, true); break;
    case 'SRV': w.u16(rr.priority); w.u16(rr.weight); w.u16(rr.port); w.name(rr.target, false); break;
    case 'TXT':
      for (const t of rr.text) {
        const b = Buffer.from(t, 'utf8').subarray(0, 255);
        w.u8(b.length);
        w.bytes(b, 0, b.length);
      }
      break;
    case 'SOA':
      w.name(rr.mname, true); w.name(rr.rname, true);
      w.u32(rr.serial); w.u32(rr.refresh); w.u32(rr.retry); w.u32(rr.expire); w.u32(rr.minimum);
      break;
    case 'RAW': w.bytes(rr.rdata, 0, rr.rdata.length); break;
  }
  w.buf.writeUInt16BE(w.len - lenAt - 2, lenAt);
}

function writeIPv6(w: Writer, address: string): void {
  const groups = expandIPv6(address) ?? [];
  for (let i = 0; i < 8; i++) w.u16(parseInt(groups[i] ?? '0', 16));
}

/**
 * Encodes `r` as the response to the query in `req`, echoing its question. When it exceeds
 * `maxSize`, whole records are dropped from the end and TC is set if an answer or authority record
 * had to go (RFC 2181 §9).
 */
export function encodeReply(req: Buffer, q: Query, r: Reply, maxSize: number): Buffer {
  const w = new Writer(512);
  w.len = HEADER;
  w.bytes(req, HEADER, q.questionEnd);
  // Register the question name's suffixes, as the asker spelled them, for compression.
  let off = HEADER;
  const escaped = q.qname.includes('\\');
  const qlabels = q.qname === '' || escaped ? [] : q.qname.split('.');
  for (let i = 0; i < qlabels.length && off < 0x4000; i++) {
    w.names.set(i === 0 ? q.qname : qlabels.slice(i).join('.'), off);
    off += 1 + req[off];
  }
  if (!escaped) w.owner = q.name;
  const all = [...r.answer, ...r.authority, ...r.additional];
  const ends: number[] = [];
  for (const rr of all) {
    writeRr(w, rr);
    ends.push(w.len);
  }
  const optLen = q.edns ? 11 : 0;
  let kept = all.length;
  let tc = false;
  if (w.len + optLen > maxSize) {
    while (kept > 0 && ends[kept - 1] + optLen > maxSize) kept--;
    w.len = kept > 0 ? ends[kept - 1] : q.questionEnd;
    tc = kept < r.answer.length + r.authority.length;
  }
  if (r.tc) tc = true;
  if (q.edns) {
    w.u8(0); w.u16(QTYPE.OPT); w.u16(EDNS_UDP_SIZE);
    w.u32(q.edns.do ? 0x8000 : 0); w.u16(0);
  }
  const an = Math.min(kept, r.answer.length);
  const ns = Math.min(kept - an, r.authority.length);
  const ar = kept - an - ns + (q.edns ? 1 : 0);
  writeHeader(w.buf, q.id, q.opcode, r.aa, tc, q.rd, false, q.cd, r.rcode, 1, an, ns, ar);
  return w.buf.subarray(0, w.len);
}

/** EDNS version above 0: BADVERS (extended rcode 16), the question echoed, an OPT of version 0 (RFC 6891 §6.1.3). */
export function encodeBadVersion(req: Buffer, q: Query): Buffer {
  const w = new Writer(q.questionEnd + 11);
  w.len = HEADER;
  w.bytes(req, HEADER, q.questionEnd);
  w.u8(0); w.u16(QTYPE.OPT); w.u16(EDNS_UDP_SIZE);
  w.u32(0x01000000 | (q.edns?.do ? 0x8000 : 0)); w.u16(0);
  writeHeader(w.buf, q.id, q.opcode, false, false, q.rd, false, q.cd, 0, 1, 0, 0, 1);
  return w.buf.subarray(0, w.len);
}

/** A header-only error response (FORMERR, NOTIMP, SERVFAIL for an unparsed question). */
export function encodeError(id: number, opcode: number, rd: boolean, rcode: number): Buffer {
  const b = Buffer.alloc(HEADER);
  writeHeader(b, id, opcode, false, false, rd, false, false, rcode, 0, 0, 0, 0);
  return b;
}

function writeHeader(b: Buffer, id: number, opcode: number, aa: boolean, tc: boolean, rd: boolean, ra: boolean, cd: boolean,
  rcode: number, qd: number, an: number, ns: number, ar: number): void {
  b.writeUInt16BE(id, 0);
  b[2] = 0x80 | ((opcode & 0x0f) << 3) | (aa ? 0x04 : 0) | (tc ? 0x02 : 0) | (rd ? 0x01 : 0);
  b[3] = (ra ? 0x80 : 0) | (cd ? 0x10 : 0) | (rcode & 0x0f);
  b.writeUInt16BE(qd, 4);
  b.writeUInt16BE(an, 6);
  b.writeUInt16BE(ns, 8);
  b.writeUInt16BE(ar, 10);
}

/** Encodes a query (used by tests and by the forwarder's health checks). */
export function encodeQuery(id: number, name: string, qtype: number, opts: { rd?: boolean; edns?: number } = {}): Buffer {
  const w = new Writer(64);
  w.len = HEADER;
  w.name(name, false);
  w.u16(qtype);
  w.u16(CLASS_IN);
  if (opts.edns) { w.u8(0); w.u16(QTYPE.OPT); w.u16(opts.edns); w.u32(0); w.u16(0); }
  writeHeader(w.buf, id, 0, false, false, opts.rd ?? true, false, false, 0, 1, 0, 0, opts.edns ? 1 : 0);
  w.buf[2] &= 0x7f; // a query: QR=0
  return w.buf.subarray(0, w.len);
}

/**
 * The A, AAAA and CNAME records of a response's answer section, names decompressed (so they can be
 * placed into another message). Anything else is skipped; a malformed message yields what was read.
 */
export function decodeAnswers(buf: Buffer): Rr[] {
  const out: Rr[] = [];
  try {
    if (buf.length < HEADER) return out;
    const qd = buf.readUInt16BE(4);
    const an = buf.readUInt16BE(6);
    let off = HEADER;
    for (let i = 0; i < qd; i++) {
      off = skipName(buf, off);
      if (off < 0) return out;
      off += 4;
    }
    for (let i = 0; i < an; i++) {
      const owner = readName(buf, off);
      if (!owner || owner.end + 10 > buf.length) return out;
      off = owner.end;
      const type = buf.readUInt16BE(off);
      const ttl = buf.readUInt32BE(off + 4);
      const rdlen = buf.readUInt16BE(off + 8);
      const rd = off + 10;
      if (rd + rdlen > buf.length) return out;
      if (type === QTYPE.A && rdlen === 4) {
        out.push({ name: owner.name, ttl, type: 'A', address: [...buf.subarray(rd, rd + 4)].join('.') });
      } else if (type === QTYPE.AAAA && rdlen === 16) {
        const groups: string[] = [];
        for (let g = 0; g < 8; g++) groups.push(buf.readUInt16BE(rd + 2 * g).toString(16));
        out.push({ name: owner.name, ttl, type: 'AAAA', address: groups.join(':') });
      } else if (type === QTYPE.CNAME) {
        const target = readName(buf, rd);
        if (target) out.push({ name: owner.name, ttl, type: 'CNAME', target: target.name });
      }
      off = rd + rdlen;
    }
  } catch {
    /* malformed: keep what was read */
  }
  return out;
}

/** A possibly compressed name at `off`: the dotted name and the offset just past it in place. */
export function readName(buf: Buffer, off: number): { name: string; end: number } | undefined {
  const labels: string[] = [];
  let end = -1;
  for (let hops = 0; hops < 64; hops++) {
    if (off >= buf.length) return undefined;
    const len = buf[off];
    if (len === 0) {
      return { name: labels.join('.'), end: end < 0 ? off + 1 : end };
    }
    if ((len & 0xc0) === 0xc0) {
      if (off + 2 > buf.length) return undefined;
      if (end < 0) end = off + 2;
      off = buf.readUInt16BE(off) & 0x3fff;
      continue;
    }
    if (len & 0xc0 || off + 1 + len > buf.length) return undefined;
    labels.push(buf.toString('latin1', off + 1, off + 1 + len));
    off += 1 + len;
  }
  return undefined;
}
