// The hot path of the `kubernetes` plugin: its answers are pure functions of the question and the
// cluster records, so each one is encoded once and then served as bytes (ID and RD/CD bits patched
// per query) until the records change. Keyed by the exact question bytes (so the asker's case is
// kept) and the EDNS flags; only answers that fit 512 bytes and carry at most one record are kept
// (no truncation to redo, nothing for `loadbalance` to rotate). Not a TTL cache: a change to any
// Service, EndpointSlice or Namespace empties it before the next answer.
import { encodeReply } from './wire.js';
import type { DnsRequest, DnsResult, Reply } from './types.js';

const MAX_ENTRIES = 10_000;

export class AnswerCache {
  private readonly entries = new Map<string, Buffer>();
  private generation = -1;

  constructor(private readonly currentGeneration: () => number) {}

  /** The cached response for `req`, or undefined. */
  get(req: DnsRequest): Buffer | undefined {
    const g = this.currentGeneration();
    if (g !== this.generation) {
      this.entries.clear();
      this.generation = g;
      return undefined;
    }
    const hit = this.entries.get(key(req));
    if (!hit) return undefined;
    const out = Buffer.from(hit);
    const w = req.wire;
    out[0] = w[0];
    out[1] = w[1];
    out[2] = (hit[2] & 0xfe) | (w[2] & 0x01);
    out[3] = (hit[3] & 0xef) | (w[3] & 0x10);
    return out;
  }

  /** Remembers `r` as the answer to `req` when it is small and plain enough; returns `r`. */
  put(req: DnsRequest, r: DnsResult): DnsResult {
    if ('raw' in r) return r;
    const rep = r as Reply;
    if (rep.answer.length > 1 || rep.additional.length > 0 || this.generation !== this.currentGeneration()) return r;
    const enc = encodeReply(req.wire, req.query, rep, 512);
    if (enc[2] & 0x02) return r;
    if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
    this.entries.set(key(req), Buffer.from(enc));
    return r;
  }
}

function key(req: DnsRequest): string {
  const q = req.query;
  const e = q.edns ? (q.edns.do ? 'D' : 'E') : 'N';
  return e + req.wire.toString('latin1', 12, q.questionEnd);
}
