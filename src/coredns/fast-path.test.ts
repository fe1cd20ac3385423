import { describe, expect, it } from 'vitest';
import { FastPath } from './fast-path.js';
import { Metrics } from './metrics.js';
import { QTYPE, type Reply } from './types.js';
import { encodeQuery, encodeReply, maxResponseSize, parseQuery } from './wire.js';

const NAME = 'web.default.svc.cluster.local';
const ONE: Reply = { rcode: 0, aa: true, answer: [{ name: NAME, ttl: 30, type: 'A', address: '127.96.0.20' }], authority: [], additional: [] };

/** A query as a stub resolver sends it; `edns` adds an OPT (`do` sets its DO bit). */
function query(name: string, id: number, o: { rd?: boolean; edns?: boolean; do?: boolean; qtype?: number } = {}): Buffer {
  const q = Buffer.from(encodeQuery(id, name, o.qtype ?? QTYPE.A, { rd: o.rd ?? true, edns: o.edns || o.do ? 1232 : undefined }));
  if (o.do) q[q.length - 4] = 0x80;
  return q;
}

/** What the slow path sends for `wire` (the server's encoder). */
function slowReply(wire: Buffer, r: Reply = ONE): Buffer {
  const p = parseQuery(wire);
  if (p.kind !== 'query') throw new Error('not a query');
  return Buffer.from(encodeReply(wire, p.query, r, maxResponseSize(p.query, 'udp')));
}

function kept(version = () => 1): FastPath {
  const f = new FastPath(version);
  const q = query(NAME, 1);
  f.keep(q, slowReply(q), { counters: [] });
  return f;
}

describe('fast path', () => {
  it('answers a question seen before byte for byte as the slow path would, with the asker\'s ID, RD, CD and letter case', () => {
    const f = kept();
    for (const [name, id, rd] of [[NAME, 0x4242, false], ['wEb.DEFAULT.svc.Cluster.LOCAL', 7, true]] as const) {
      const q = query(name, id, { rd });
      q[3] |= 0x10; // CD
      const e = f.probe(q);
      expect(e).toBeDefined();
      const out = f.answer(e!, q);
      expect(out).toEqual(slowReply(q));
      expect(out.readUInt16BE(0)).toBe(id);
      expect(out.subarray(12, 12 + name.length + 2).toString('latin1')).toContain(name.split('.')[0]);
    }
  });

  it('serves an exact-case reply (an SRV spelling the question\'s zone) only to that spelling', () => {
    const f = new FastPath(() => 1);
    const srvName = '_http._tcp.web.default.svc.CLUSTER.local';
    const srv: Reply = { rcode: 0, aa: true, answer: [{ name: srvName.toLowerCase(), ttl: 30, type: 'SRV', priority: 0, weight: 100, port: 80, target: 'web.default.svc.CLUSTER.local' }], authority: [], additional: [] };
    const q = query(srvName, 1, { qtype: QTYPE.SRV });
    f.keep(q, slowReply(q, srv), { counters: [] }, true);
    expect(f.probe(query(srvName, 2, { qtype: QTYPE.SRV }))).toBeDefined();
    expect(f.probe(query(srvName.toLowerCase(), 3, { qtype: QTYPE.SRV }))).toBeUndefined();
    // The other spelling gets its own entry, beside the first.
    const lower = query(srvName.toLowerCase(), 4, { qtype: QTYPE.SRV });
    f.keep(lower, slowReply(lower, { ...srv, answer: [{ ...srv.answer[0], target: 'web.default.svc.cluster.local' } as Reply['answer'][0]] }), { counters: [] }, true);
    expect(f.size).toBe(2);
    const out = f.answer(f.probe(query(srvName, 5, { qtype: QTYPE.SRV }))!, query(srvName, 5, { qtype: QTYPE.SRV }));
    expect(out.toString('latin1')).toContain('CLUSTER');
    expect(out.toString('latin1').split('CLUSTER').length - 1).toBe(2); // the question and the target
  });

  it('keeps EDNS, EDNS with DO and plain askers apart', () => {
    const f = kept();
    expect(f.probe(query(NAME, 2, { edns: true }))).toBeUndefined();
    const withOpt = query(NAME, 3, { edns: true });
    f.keep(withOpt, slowReply(withOpt), { counters: [] });
    const plain = query(NAME, 4);
    const p = f.answer(f.probe(plain)!, plain);
    expect(p.readUInt16BE(10)).toBe(0); // no OPT for an asker without EDNS
    expect(p).toEqual(slowReply(plain));
    const e = query(NAME, 5, { edns: true });
    expect(f.answer(f.probe(e)!, e)).toEqual(slowReply(e));
    expect(f.udpSize).toBe(1232);
    expect(f.probe(query(NAME, 6, { do: true }))).toBeUndefined();
  });

  it('forgets everything when the version moves or on reset', () => {
    let v = 1;
    const f = kept(() => v);
    expect(f.probe(query(NAME, 1))).toBeDefined();
    v++;
    expect(f.probe(query(NAME, 1))).toBeUndefined();
    expect(f.size).toBe(0);
    const q = query(NAME, 1);
    f.keep(q, slowReply(q), { counters: [] });
    expect(f.probe(q)).toBeDefined();
    f.reset();
    expect(f.probe(q)).toBeUndefined();
  });

  it('starts over when full, and serves what it kept after that', () => {
    const f = new FastPath(() => 1, 3);
    const names = ['a', 'b', 'c', 'd'].map((x) => `${x}.default.svc.cluster.local`);
    for (const n of names) {
      const q = query(n, 1);
      f.keep(q, slowReply(q, { ...ONE, answer: [{ ...ONE.answer[0], name: n }] }), { counters: [] });
    }
    expect(f.size).toBe(1);
    expect(f.probe(query(names[0], 2))).toBeUndefined();
    expect(f.probe(query(names[3], 2))).toBeDefined();
  });

  it('leaves every other shape of query to the slow path', () => {
    const f = kept();
    const variants: [string, (q: Buffer) => Buffer][] = [
      ['class CH', (q) => { q[q.length - 1] = 3; return q; }],
      ['class ANY', (q) => { q[q.length - 1] = 255; return q; }],
      ['qtype ANY', (q) => { q[q.length - 3] = 255; return q; }],
      ['opcode STATUS', (q) => { q[2] |= 2 << 3; return q; }],
      ['a response (QR)', (q) => { q[2] |= 0x80; return q; }],
      ['AA set', (q) => { q[2] |= 0x04; return q; }],
      ['TC set', (q) => { q[2] |= 0x02; return q; }],
      ['Z set', (q) => { q[3] |= 0x40; return q; }],
      ['trailing byte', (q) => Buffer.concat([q, Buffer.from([0])])],
      ['two questions', (q) => { q[5] = 2; return q; }],
      ['an answer record', (q) => { q[7] = 1; return q; }],
      ['truncated question', (q) => q.subarray(0, q.length - 1)],
    ];
    for (const [what, mutate] of variants) {
      expect(f.probe(mutate(query(NAME, 9))), what).toBeUndefined();
      const q = mutate(query(NAME, 9));
      const fresh = new FastPath(() => 1);
      fresh.keep(q, Buffer.concat([Buffer.from([0, 9, 0x84, 0]), q.subarray(4)]), { counters: [] });
      expect(fresh.size, what).toBe(0);
    }
    const withOpt = query(NAME, 3, { edns: true });
    f.keep(withOpt, slowReply(withOpt), { counters: [] });
    const v1 = query(NAME, 3, { edns: true });
    v1[v1.length - 5] = 1; // EDNS version 1: BADVERS, from the slow path
    expect(f.probe(v1)).toBeUndefined();
    const flag = query(NAME, 3, { edns: true });
    flag[flag.length - 3] = 0x01; // a flag other than DO
    expect(f.probe(flag)).toBeUndefined();
    expect(f.probe(query(NAME, 3, { edns: true }))).toBeDefined();
  });

  it('keeps only replies that fit 512 bytes untruncated, for the question they echo', () => {
    const f = new FastPath(() => 1);
    const q = query(NAME, 1);
    const big: Reply = { ...ONE, answer: Array.from({ length: 40 }, (_, i) => ({ name: NAME, ttl: 30, type: 'A' as const, address: `127.96.0.${i}` })) };
    f.keep(q, slowReply(q, big), { counters: [] }); // TC set
    const bigEdns = query(NAME, 1, { edns: true });
    f.keep(bigEdns, slowReply(bigEdns, big), { counters: [] }); // 700 bytes
    f.keep(q, slowReply(query('other.default.svc.cluster.local', 1)), { counters: [] });
    expect(f.size).toBe(0);
  });

  it('counts each hit in the metrics and in the plugins\' counters as the slow path did', () => {
    const m = new Metrics();
    const stats = m.serverStats('dns://:53', '.');
    const cells = stats.cells('udp', 1, QTYPE.A, 0, 'kubernetes', true);
    const misses = { value: 1 };
    const f = new FastPath(() => 1);
    const q = query(NAME, 1, { do: true });
    f.keep(q, slowReply(q), { stats, cells, counters: [misses] });
    for (let i = 0; i < 3; i++) {
      const e = f.probe(q)!;
      f.served(e, f.answer(e, q).length, 0.00001);
    }
    expect(misses.value).toBe(4);
    const text = m.render();
    expect(text).toContain('coredns_dns_requests_total{server="dns://:53",zone=".",view="",proto="udp",family="1",type="A"} 3');
    expect(text).toContain('coredns_dns_responses_total{server="dns://:53",zone=".",view="",rcode="NOERROR",plugin="kubernetes"} 3');
    expect(text).toContain('coredns_dns_do_requests_total{server="dns://:53",zone=".",view=""} 3');
    expect(text).toContain('coredns_dns_request_size_bytes_bucket{server="dns://:53",zone=".",view="",proto="udp",le="2047"} 3');
  });
});
