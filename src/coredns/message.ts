// Reading whole response messages (from upstreams): the record layout for TTL rewriting (cache) and
// a full decode into a Reply (rewrite), names decompressed so records can move into another message.
import { readName, skipName } from './wire.js';
import { QTYPE, type Reply, type Rr } from './types.js';

const HEADER = 12;

export interface RecordLayout {
  rcode: number;
  truncated: boolean;
  /** Answer / authority record counts. */
  an: number;
  ns: number;
  /** Byte offsets of the TTL field of every record except OPT, and their TTLs. */
  ttlOffsets: number[];
  ttls: number[];
  /** Type of each record in ttlOffsets' order, and its section (0 answer, 1 authority, 2 additional). */
  types: number[];
  sections: number[];
  /** The SOA minimum of the first authority SOA (negative caching), or -1. */
  soaMinimum: number;
  /** Bytes after the last record (a sloppy or hostile sender). */
  trailing: number;
  /** The OPT record's extended rcode and version bytes (0 when there is no OPT). */
  optExtended: number;
}

/** Walks a response's records; undefined when malformed. */
export function recordLayout(buf: Buffer): RecordLayout | undefined {
  if (buf.length < HEADER) return undefined;
  const qd = buf.readUInt16BE(4);
  const an = buf.readUInt16BE(6);
  const ns = buf.readUInt16BE(8);
  const ar = buf.readUInt16BE(10);
  let off = HEADER;
  for (let i = 0; i < qd; i++) {
    off = skipName(buf, off);
    if (off < 0 || off + 4 > buf.length) return undefined;
    off += 4;
  }
  const out: RecordLayout = { rcode: buf[3] & 0x0f, truncated: (buf[2] & 0x02) !== 0, an, ns, ttlOffsets: [], ttls: [], types: [], sections: [], soaMinimum: -1, trailing: 0, optExtended: 0 };
  for (let i = 0; i < an + ns + ar; i++) {
    off = skipName(buf, off);
    if (off < 0 || off + 10 > buf.length) return undefined;
    const type = buf.readUInt16BE(off);
    const rdlen = buf.readUInt16BE(off + 8);
    if (off + 10 + rdlen > buf.length) return undefined;
    const section = i < an ? 0 : i < an + ns ? 1 : 2;
    if (type !== QTYPE.OPT) {
      out.ttlOffsets.push(off + 4);
      out.ttls.push(buf.readUInt32BE(off + 4));
      out.types.push(type);
      out.sections.push(section);
      if (type === QTYPE.SOA && section === 1 && out.soaMinimum < 0 && rdlen >= 22) out.soaMinimum = buf.readUInt32BE(off + 10 + rdlen - 4);
    } else {
      out.optExtended |= buf.readUInt16BE(off + 4);
    }
    off += 10 + rdlen;
  }
  out.trailing = buf.length - off;
  return out;
}

/** A response as a Reply (OPT dropped: the server adds its own). Throws when malformed. */
export function decodeMessage(buf: Buffer): Reply {
  if (buf.length < HEADER) throw new Error('short message');
  const counts = [buf.readUInt16BE(6), buf.readUInt16BE(8), buf.readUInt16BE(10)];
  let off = HEADER;
  for (let i = buf.readUInt16BE(4); i > 0; i--) {
    off = skipName(buf, off);
    if (off < 0) throw new Error('bad question');
    off += 4;
  }
  const sections: Rr[][] = [[], [], []];
  for (let s = 0; s < 3; s++) {
    for (let i = 0; i < counts[s]; i++) {
      const owner = readName(buf, off);
      if (!owner || owner.end + 10 > buf.length) throw new Error('bad record');
      off = owner.end;
      const type = buf.readUInt16BE(off);
      const rclass = buf.readUInt16BE(off + 2);
      const ttl = buf.readUInt32BE(off + 4);
      const rdlen = buf.readUInt16BE(off + 8);
      const rd = off + 10;
      if (rd + rdlen > buf.length) throw new Error('bad rdata');
      off = rd + rdlen;
      if (type === QTYPE.OPT) continue;
      const rr = decodeRdata(buf, owner.name, type, rclass, ttl, rd, rdlen);
      sections[s].push(rr);
    }
  }
  return { rcode: buf[3] & 0x0f, aa: (buf[2] & 0x04) !== 0, answer: sections[0], authority: sections[1], additional: sections[2] };
}

function name(buf: Buffer, off: number): string {
  const n = readName(buf, off);
  if (!n) throw new Error('bad name');
  return n.name;
}

function decodeRdata(buf: Buffer, owner: string, type: number, rclass: number, ttl: number, rd: number, len: number): Rr {
  const raw = (): Rr => ({ name: owner, ttl, type: 'RAW', code: type, rclass, rdata: Buffer.from(buf.subarray(rd, rd + len)) });
  if (rclass !== 1) return raw();
  switch (type) {
    case QTYPE.A: return len === 4 ? { name: owner, ttl, type: 'A', address: [...buf.subarray(rd, rd + 4)].join('.') } : raw();
    case QTYPE.AAAA: {
      if (len !== 16) return raw();
      const g: string[] = [];
      for (let i = 0; i < 8; i++) g.push(buf.readUInt16BE(rd + 2 * i).toString(16));
      return { name: owner, ttl, type: 'AAAA', address: g.join(':') };
    }
    case QTYPE.CNAME: case QTYPE.PTR: case QTYPE.NS:
      return { name: owner, ttl, type: type === QTYPE.CNAME ? 'CNAME' : type === QTYPE.PTR ? 'PTR' : 'NS', target: name(buf, rd) };
    case QTYPE.SRV:
      return { name: owner, ttl, type: 'SRV', priority: buf.readUInt16BE(rd), weight: buf.readUInt16BE(rd + 2), port: buf.readUInt16BE(rd + 4), target: name(buf, rd + 6) };
    case QTYPE.SOA: {
      const m = readName(buf, rd);
      const r = m && readName(buf, m.end);
      if (!m || !r || r.end + 20 > rd + len) return raw();
      return { name: owner, ttl, type: 'SOA', mname: m.name, rname: r.name, serial: buf.readUInt32BE(r.end), refresh: buf.readUInt32BE(r.end + 4), retry: buf.readUInt32BE(r.end + 8), expire: buf.readUInt32BE(r.end + 12), minimum: buf.readUInt32BE(r.end + 16) };
    }
    case 15: { // MX: preference + a (possibly compressed) name, re-encoded uncompressed
      const exch = name(buf, rd + 2);
      const labels = exch ? exch.split('.') : [];
      const out = Buffer.alloc(2 + labels.reduce((n, l) => n + l.length + 1, 0) + 1);
      buf.copy(out, 0, rd, rd + 2);
      let o = 2;
      for (const l of labels) { out[o++] = l.length; o += out.write(l, o, 'latin1'); }
      return { name: owner, ttl, type: 'RAW', code: type, rclass, rdata: out };
    }
    case QTYPE.TXT: {
      const text: string[] = [];
      for (let o = rd; o < rd + len;) { const l = buf[o]; text.push(buf.toString('utf8', o + 1, o + 1 + l)); o += 1 + l; }
      return { name: owner, ttl, type: 'TXT', text };
    }
    default: return raw();
  }
}
