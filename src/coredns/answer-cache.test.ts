import { describe, expect, it } from 'vitest';
import { AnswerCache } from './answer-cache.js';
import { QTYPE, type DnsRequest, type Reply } from './types.js';
import { encodeQuery, parseQuery } from './wire.js';

function req(name: string, id: number, rd = true): DnsRequest {
  const wire = encodeQuery(id, name, QTYPE.A, { rd });
  const p = parseQuery(wire);
  if (p.kind !== 'query') throw new Error('bad');
  return { query: p.query, wire, transport: 'udp' };
}

const one: Reply = { rcode: 0, aa: true, answer: [{ name: 'web.default.svc.cluster.local', ttl: 30, type: 'A', address: '127.96.0.20' }], authority: [], additional: [] };

describe('answer cache', () => {
  it('serves the encoded answer with the asker\'s ID and RD bit until the records change', () => {
    let gen = 1;
    const c = new AnswerCache(() => gen);
    expect(c.get(req('web.default.svc.cluster.local', 1))).toBeUndefined();
    c.put(req('web.default.svc.cluster.local', 1), one);
    const hit = c.get(req('web.default.svc.cluster.local', 0x4242, false))!;
    expect(hit.readUInt16BE(0)).toBe(0x4242);
    expect(hit[2] & 0x01).toBe(0);
    expect(hit[2] & 0x84).toBe(0x84); // QR, AA
    expect(hit.subarray(hit.length - 4)).toEqual(Buffer.from([127, 96, 0, 20]));
    expect(c.get(req('WEB.default.svc.cluster.local', 2))).toBeUndefined(); // another case, another entry
    gen++;
    expect(c.get(req('web.default.svc.cluster.local', 3))).toBeUndefined();
  });

  it('keeps out multi-record answers (loadbalance rotates them) and answers that would not fit 512 bytes', () => {
    const c = new AnswerCache(() => 1);
    c.get(req('x', 1));
    const two: Reply = { ...one, answer: [one.answer[0], { ...one.answer[0], address: '127.96.0.21' } as Reply['answer'][0]] };
    c.put(req('web.default.svc.cluster.local', 1), two);
    expect(c.get(req('web.default.svc.cluster.local', 1))).toBeUndefined();
  });
});
