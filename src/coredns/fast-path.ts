// The fast path of a UDP listener: replies that are pure functions of the question (the kubernetes
// plugin's answers, hosts, negative answers with the zone SOA…) are kept as the bytes they were
// sent as, keyed by the question as it is on the wire — name bytes with ASCII case folded, type,
// class — and the EDNS flavour (none, EDNS, EDNS+DO). A later query with that question gets a copy
// with its own ID, RD/CD bits and question bytes (so 0x20 case randomisation is echoed exactly:
// owner names compress to the question) without parsing a name into a string; the metrics and the
// plugins' per-query counters the first answer bumped are bumped again.
//
// What is kept: only replies that fit 512 bytes with TC clear (so no client size can truncate
// them), from a block without `log`, computed synchronously, by handlers that did not say
// `noFastPath` (forward, cache hits, loadbalance rotations do). Queries of another shape — opcode,
// flags other than RD/AD/CD, class other than IN, meta types (ANY, AXFR…), records besides one
// OPT, EDNS version or extended flags, trailing bytes, '.' or '\' inside a label — always take the
// slow path. What empties it: any change of the cluster records (the version moves: the sum of the
// kubernetes plugins' generations) and every Corefile reload (`reset()`).
import type { ServerStats, StatCells } from './metrics.js';

/** What a hit bumps: the block's metric cells (when it has `prometheus`) and the plugins' counters. */
export interface FastMeta {
  stats?: ServerStats;
  cells?: StatCells;
  counters: { value: number }[];
}

interface Entry {
  readonly hash: number;
  /** 0 no EDNS, 1 EDNS, 2 EDNS with DO. */
  readonly flavour: number;
  /** The question as kept: name bytes case-folded (as asked when `exact`), then type and class. */
  readonly question: Buffer;
  /** Served only to this exact spelling of the name (the reply spells its case outside pointers). */
  readonly exact: boolean;
  readonly reply: Buffer;
  readonly meta: FastMeta;
  next: Entry | undefined;
}

export type FastEntry = Entry;

const MAX_REPLY = 512;
const MAX_CHAIN = 8;

export class FastPath {
  private readonly table = new Map<number, Entry>();
  private entries = 0;
  private version = NaN;
  // What shape() found in the last query (fields, not a returned object: nothing allocated per query).
  private nameEnd = 0;
  private qend = 0;
  private flavour = 0;
  private hash = 0;
  /** The last probed query's EDNS UDP size (512 without EDNS): its `request_size_bytes`. */
  udpSize = 512;

  /**
   * `currentVersion` changes whenever an answer could (the cluster records' generations). A TCP
   * listener has its own FastPath (`tcp`): its replies and metric cells are the TCP ones.
   */
  constructor(private readonly currentVersion: () => number, private readonly maxEntries = 10_000, private readonly tcp = false) {}

  get size(): number {
    return this.entries;
  }

  /** The kept reply for this query, or undefined (another shape, or not seen since the last change). */
  probe(msg: Buffer): FastEntry | undefined {
    if (this.entries === 0 || !this.shape(msg)) return undefined;
    const v = this.currentVersion();
    if (v !== this.version) {
      this.clear();
      this.version = v;
      return undefined;
    }
    for (let e = this.table.get(this.hash); e !== undefined; e = e.next) {
      if (e.flavour === this.flavour && this.sameQuestion(e.question, msg, e.exact)) return e;
    }
    return undefined;
  }

  /**
   * The reply to `msg` from `e` (the query `probe` just matched): a new Buffer, ready to send. With
   * `framed` it starts with the two-byte length of TCP framing (RFC 1035 4.2.2).
   */
  answer(e: FastEntry, msg: Buffer, framed = false): Buffer {
    const tpl = e.reply;
    const qend = this.qend;
    const at = framed ? 2 : 0;
    const out = Buffer.allocUnsafe(at + tpl.length);
    if (framed) out.writeUInt16BE(tpl.length, 0);
    msg.copy(out, at, 0, qend); // ID and the question exactly as asked
    out[at + 2] = (tpl[2] & 0xfe) | (msg[2] & 0x01); // QR, opcode, AA, TC as kept; the asker's RD
    out[at + 3] = (tpl[3] & 0xef) | (msg[3] & 0x10); // RA, rcode as kept; the asker's CD
    tpl.copy(out, at + 4, 4, 12);
    tpl.copy(out, at + qend, qend);
    return out;
  }

  /** Accounts for a hit: what the slow path's metrics and plugins counted for this question. */
  served(e: FastEntry, responseBytes: number, seconds: number): void {
    const m = e.meta;
    if (m.stats !== undefined && m.cells !== undefined) m.stats.record(m.cells, this.tcp ? 65535 : this.udpSize, responseBytes, seconds);
    const cs = m.counters;
    for (let i = 0; i < cs.length; i++) cs[i].value++;
  }

  /** Keeps `reply`, just sent for `msg` by the slow path, when both are plain enough. */
  keep(msg: Buffer, reply: Buffer, meta: FastMeta, exact = false): void {
    if (reply.length > MAX_REPLY || (reply[2] & 0x02) !== 0 || !this.shape(msg) || reply.length < this.qend) return;
    if (reply.compare(msg, 12, this.qend, 12, this.qend) !== 0) return; // not this question echoed
    const v = this.currentVersion();
    if (v !== this.version) {
      this.clear();
      this.version = v;
    }
    let chain = 0;
    const head = this.table.get(this.hash);
    for (let e = head; e !== undefined; e = e.next) {
      if (e.flavour === this.flavour && e.exact === exact && this.sameQuestion(e.question, msg, exact)) return;
      chain++;
    }
    if (chain >= MAX_CHAIN) return;
    if (this.entries >= this.maxEntries) this.clear();
    const question = Buffer.from(msg.subarray(12, this.qend));
    if (!exact) for (let i = 0; i < this.nameEnd - 12; i++) question[i] = fold(question[i]);
    const entry: Entry = { hash: this.hash, flavour: this.flavour, question, exact, reply: Buffer.from(reply), meta, next: this.table.get(this.hash) };
    this.table.set(this.hash, entry);
    this.entries++;
  }

  /** Forgets every kept reply (a reload: the handler chains changed). */
  reset(): void {
    this.clear();
    this.version = NaN;
  }

  private clear(): void {
    this.table.clear();
    this.entries = 0;
  }

  /**
   * Whether `msg` is a query of the one shape the fast path serves; sets nameEnd, qend, flavour,
   * udpSize and hash. A standard query (RD, AD, CD allowed), one IN question of a data type, and
   * nothing after it but at most one well-formed OPT of version 0 with no flag but DO.
   */
  private shape(msg: Buffer): boolean {
    const len = msg.length;
    if (len < 17 || (msg[2] & 0xfe) !== 0 || (msg[3] & 0xcf) !== 0) return false;
    if (msg[4] !== 0 || msg[5] !== 1 || msg[6] !== 0 || msg[7] !== 0 || msg[8] !== 0 || msg[9] !== 0 || msg[10] !== 0 || msg[11] > 1) return false;
    let h = 0x811c9dc5;
    let off = 12;
    for (;;) {
      const l = msg[off];
      if (l === 0) break;
      if (l > 63 || off + l + 1 > 12 + 254) return false;
      h = Math.imul(h ^ l, 0x01000193);
      const end = off + 1 + l;
      if (end >= len) return false;
      for (let i = off + 1; i < end; i++) {
        const b = msg[i];
        if (b === 0x2e || b === 0x5c) return false; // '.' or '\\' inside a label: escaped, not compressed to
        h = Math.imul(h ^ fold(b), 0x01000193);
      }
      off = end;
    }
    const nameEnd = off + 1;
    const qend = nameEnd + 4;
    if (qend > len) return false;
    const qtype = (msg[nameEnd] << 8) | msg[nameEnd + 1];
    if (qtype === 0 || qtype === 41 || (qtype >= 128 && qtype <= 255)) return false;
    if (msg[nameEnd + 2] !== 0 || msg[nameEnd + 3] !== 1) return false; // class IN
    let flavour = 0;
    let udpSize = 512;
    if (msg[11] === 1) {
      // OPT: root owner, type 41, class = UDP size, TTL = ext-rcode 0, version 0, flags DO only.
      if (qend + 11 > len || msg[qend] !== 0 || msg[qend + 1] !== 0 || msg[qend + 2] !== 41) return false;
      if (msg[qend + 5] !== 0 || msg[qend + 6] !== 0 || (msg[qend + 7] & 0x7f) !== 0 || msg[qend + 8] !== 0) return false;
      if (qend + 11 + ((msg[qend + 9] << 8) | msg[qend + 10]) !== len) return false;
      udpSize = (msg[qend + 3] << 8) | msg[qend + 4];
      flavour = msg[qend + 7] & 0x80 ? 2 : 1;
    } else if (qend !== len) {
      return false;
    }
    for (let i = nameEnd - 1; i < qend; i++) h = Math.imul(h ^ msg[i], 0x01000193);
    this.hash = Math.imul(h ^ flavour, 0x01000193) | 0;
    this.nameEnd = nameEnd;
    this.qend = qend;
    this.flavour = flavour;
    this.udpSize = udpSize;
    return true;
  }

  private sameQuestion(kept: Buffer, msg: Buffer, exact: boolean): boolean {
    const n = kept.length;
    if (n !== this.qend - 12) return false;
    const nameLen = this.nameEnd - 12;
    if (exact) {
      for (let i = 0; i < nameLen; i++) if (kept[i] !== msg[12 + i]) return false;
    } else {
      for (let i = 0; i < nameLen; i++) if (kept[i] !== fold(msg[12 + i])) return false;
    }
    for (let i = nameLen; i < n; i++) if (kept[i] !== msg[12 + i]) return false;
    return true;
  }
}

/** ASCII lower case (length bytes of labels are < 64, so never folded). */
function fold(b: number): number {
  return b >= 0x41 && b <= 0x5a ? b | 0x20 : b;
}
