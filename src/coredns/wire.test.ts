import { describe, expect, it } from 'vitest';
import dns2 from 'dns2';
import { decodeAnswers, encodeError, encodeQuery, encodeReply, maxResponseSize, parseQuery } from './wire.js';
import { QTYPE, RCODE, type Query, type Reply, type Rr } from './types.js';

const { Packet } = dns2;

function query(name: string, qtype: number, opts: { edns?: number } = {}): { wire: Buffer; q: Query } {
  const wire = encodeQuery(0x1234, name, qtype, opts);
  const p = parseQuery(wire);
  if (p.kind !== 'query') throw new Error('not parsed: ' + p.kind);
  return { wire, q: p.query };
}

describe('parseQuery', () => {
  it('reads id, flags, question and EDNS of a query', () => {
    const { q } = query('Nginx.Default.svc.cluster.local', QTYPE.A, { edns: 4096 });
    expect(q).toMatchObject({ id: 0x1234, rd: true, qname: 'Nginx.Default.svc.cluster.local', name: 'nginx.default.svc.cluster.local', qtype: 1, qclass: 1 });
    expect(q.edns).toEqual({ udpSize: 4096, version: 0, do: false });
  });

  it('reads a query built by another encoder (dns2)', () => {
    const p = new Packet();
    p.header.id = 7;
    p.questions.push(new Packet.Question('a.b.c', QTYPE.SRV, 1));
    const r = parseQuery(p.toBuffer());
    expect(r).toMatchObject({ kind: 'query', query: { id: 7, name: 'a.b.c', qtype: QTYPE.SRV } });
  });

  it('drops responses (QR=1) and runts', () => {
    const wire = Buffer.from(encodeQuery(1, 'x.cluster.local', 1));
    wire[2] |= 0x80;
    expect(parseQuery(wire).kind).toBe('drop');
    expect(parseQuery(Buffer.alloc(5)).kind).toBe('drop');
  });

  it('answers FORMERR for no or two questions and a broken name, NOTIMP for other opcodes', () => {
    const wire = Buffer.from(encodeQuery(1, 'x', 1));
    const none = Buffer.from(wire); none.writeUInt16BE(0, 4);
    expect(parseQuery(none)).toMatchObject({ kind: 'error', rcode: RCODE.FORMERR });
    const two = Buffer.from(wire); two.writeUInt16BE(2, 4);
    expect(parseQuery(two)).toMatchObject({ kind: 'error', rcode: RCODE.FORMERR });
    expect(parseQuery(wire.subarray(0, 14))).toMatchObject({ kind: 'error', rcode: RCODE.FORMERR });
    const ptr = Buffer.from(wire); ptr[12] = 0xc0;
    expect(parseQuery(ptr)).toMatchObject({ kind: 'error', rcode: RCODE.FORMERR });
    const notify = Buffer.from(wire); notify[2] = 4 << 3;
    expect(parseQuery(notify)).toMatchObject({ kind: 'error', rcode: RCODE.NOTIMP });
  });

  it('escapes dots inside a label so they cannot match another name', () => {
    const wire = Buffer.from([0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 3, 0x61, 0x2e, 0x62, 0, 0, 1, 0, 1]);
    expect(parseQuery(wire)).toMatchObject({ kind: 'query', query: { name: 'a\\.b' } });
  });

  it('never throws on random input', () => {
    let seed = 42;
    const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    const base = encodeQuery(9, 'nginx.default.svc.cluster.local', 1, { edns: 1232 });
    for (let i = 0; i < 5000; i++) {
      const b = i % 2 ? Buffer.from(base) : Buffer.alloc(Math.floor(rnd() * 80));
      for (let j = 0; j < b.length; j++) if (i % 2 === 0 || rnd() < 0.1) b[j] = Math.floor(rnd() * 256);
      expect(() => parseQuery(b)).not.toThrow();
    }
  });
});

describe('encodeReply', () => {
  const a = (name: string, address: string): Rr => ({ name, ttl: 30, type: 'A', address });

  it('produces a message another decoder reads, with AA, the echoed question and OPT', () => {
    const { wire, q } = query('Nginx.default.svc.cluster.local', QTYPE.A, { edns: 1232 });
    const r: Reply = { rcode: 0, aa: true, answer: [a('nginx.default.svc.cluster.local', '127.96.0.5')], authority: [], additional: [] };
    const out = encodeReply(wire, q, r, maxResponseSize(q, 'udp'));
    const p = Packet.parse(out);
    expect(p.header).toMatchObject({ id: 0x1234, qr: 1, aa: 1, tc: 0, rd: 1, rcode: 0 });
    expect(p.questions[0]).toMatchObject({ name: 'Nginx.default.svc.cluster.local', type: 1, class: 1 });
    expect(p.answers).toHaveLength(1);
    expect(p.answers[0]).toMatchObject({ name: 'Nginx.default.svc.cluster.local', type: 1, class: 1, ttl: 30, address: '127.96.0.5' });
    expect(p.additionals[0]).toMatchObject({ type: QTYPE.OPT, class: 1232 });
    // The owner name is a pointer to the question (2 bytes), not a second copy of the name.
    expect(out.length).toBe(wire.length + 2 + 10 + 4);
  });

  it('encodes SOA, SRV, TXT, PTR, CNAME and AAAA; SRV targets are not compressed', () => {
    const { wire, q } = query('_http._tcp.web.default.svc.cluster.local', QTYPE.SRV);
    const r: Reply = {
      rcode: 0, aa: true,
      answer: [{ name: q.name, ttl: 30, type: 'SRV', priority: 0, weight: 100, port: 80, target: 'web.default.svc.cluster.local' }],
      authority: [{ name: 'cluster.local', ttl: 5, type: 'SOA', mname: 'ns.dns.cluster.local', rname: 'hostmaster.cluster.local', serial: 99, refresh: 7200, retry: 1800, expire: 86400, minimum: 5 }],
      additional: [
        { name: 'web.default.svc.cluster.local', ttl: 30, type: 'AAAA', address: 'fd00::5' },
        { name: 'x.cluster.local', ttl: 30, type: 'TXT', text: ['1.1.0'] },
        { name: 'y.cluster.local', ttl: 30, type: 'CNAME', target: 'example.org' },
        { name: '5.0.96.127.in-addr.arpa', ttl: 30, type: 'PTR', target: 'web.default.svc.cluster.local' },
      ],
    };
    const out = encodeReply(wire, q, r, 65535);
    const p = Packet.parse(out);
    expect(p.answers[0]).toMatchObject({ priority: 0, weight: 100, port: 80, target: 'web.default.svc.cluster.local' });
    expect(p.authorities[0]).toMatchObject({ name: 'cluster.local', primary: 'ns.dns.cluster.local', admin: 'hostmaster.cluster.local', serial: 99, refresh: 7200, retry: 1800, expiration: 86400, minimum: 5, ttl: 5 });
    expect(p.additionals.map((x) => { const y = x as { address?: string; data?: string; domain?: string }; return y.address ?? y.data ?? y.domain; })).toEqual(['fd00::5', '1.1.0', 'example.org', 'web.default.svc.cluster.local']);
    const srvRdata = out.indexOf(Buffer.from([0, 0, 0, 100, 0, 80]));
    expect(out.subarray(srvRdata + 6, srvRdata + 10).toString('latin1')).toBe('\x03web');
  });

  it('drops records that do not fit and sets TC when answers were dropped', () => {
    const { wire, q } = query('h.default.svc.cluster.local', QTYPE.A);
    const many = Array.from({ length: 60 }, (_, i) => a('h.default.svc.cluster.local', `127.244.0.${i}`));
    const out = encodeReply(wire, q, { rcode: 0, aa: true, answer: many, authority: [], additional: [] }, 512);
    expect(out.length).toBeLessThanOrEqual(512);
    const p = Packet.parse(out);
    expect(p.header.tc).toBe(1);
    expect(p.answers.length).toBeGreaterThan(20);
    expect(p.answers.length).toBeLessThan(60);
    const full = encodeReply(wire, q, { rcode: 0, aa: true, answer: many, authority: [], additional: [] }, maxResponseSize(q, 'tcp'));
    expect(Packet.parse(full).answers).toHaveLength(60);
  });

  it('encodes header-only errors', () => {
    const p = Packet.parse(encodeError(77, 0, true, RCODE.FORMERR));
    expect(p.header).toMatchObject({ id: 77, qr: 1, rd: 1, rcode: RCODE.FORMERR, qdcount: 0 });
  });
});

describe('decodeAnswers', () => {
  it('reads A, AAAA and CNAME answers of another encoder\'s compressed response, skipping the rest', () => {
    const p = new Packet();
    p.header.qr = 1;
    p.questions.push(new Packet.Question('www.example.test', QTYPE.A, 1));
    const rr = (x: object) => x as InstanceType<typeof Packet>['answers'][number];
    p.answers.push(rr({ name: 'www.example.test', type: QTYPE.CNAME, class: 1, ttl: 60, domain: 'edge.example.test' }));
    p.answers.push(rr({ name: 'edge.example.test', type: QTYPE.TXT, class: 1, ttl: 60, data: 'skip me' }));
    p.answers.push(rr({ name: 'edge.example.test', type: QTYPE.A, class: 1, ttl: 20, address: '127.1.2.3' }));
    p.answers.push(rr({ name: 'edge.example.test', type: QTYPE.AAAA, class: 1, ttl: 20, address: 'fd00::1' }));
    const wire = p.toBuffer();
    expect(decodeAnswers(wire)).toEqual([
      { name: 'www.example.test', ttl: 60, type: 'CNAME', target: 'edge.example.test' },
      { name: 'edge.example.test', ttl: 20, type: 'A', address: '127.1.2.3' },
      { name: 'edge.example.test', ttl: 20, type: 'AAAA', address: 'fd00:0:0:0:0:0:0:1' },
    ]);
    expect(decodeAnswers(wire.subarray(0, wire.length - 5))).toHaveLength(2);
    expect(decodeAnswers(Buffer.alloc(3))).toEqual([]);
  });
});
