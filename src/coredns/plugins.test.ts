// cache, hosts, rewrite and metrics without sockets.
import { describe, expect, it } from 'vitest';
import { CacheHandler } from './cache.js';
import { HostsHandler } from './hosts.js';
import { Metrics } from './metrics.js';
import { applyRule, nameRule, RewriteHandler } from './rewrite.js';
import { isRaw, QTYPE, RCODE, type DnsRequest, type DnsResult, type Reply } from './types.js';
import { encodeQuery, parseQuery } from './wire.js';

function req(name: string, qtype: number = QTYPE.A): DnsRequest {
  const wire = encodeQuery(7, name, qtype);
  const p = parseQuery(wire);
  if (p.kind !== 'query') throw new Error('bad');
  return { query: p.query, wire, transport: 'udp' };
}

/** An upstream response to `r` with one A record of the given TTL (or NXDOMAIN + SOA). */
function upstreamAnswer(r: DnsRequest, ttl: number, nx = false): Buffer {
  const q = r.wire.subarray(0, r.query.questionEnd);
  const out = Buffer.from(q);
  out[2] |= 0x80;
  if (nx) {
    out[3] = 3;
    out.writeUInt16BE(1, 8);
    const soa = Buffer.alloc(2 + 10 + 2 + 2 + 20);
    soa.writeUInt16BE(0xc00c, 0); soa.writeUInt16BE(6, 2); soa.writeUInt16BE(1, 4); soa.writeUInt32BE(ttl, 6); soa.writeUInt16BE(24, 10);
    soa.writeUInt16BE(0xc00c, 12); soa.writeUInt16BE(0xc00c, 14); soa.writeUInt32BE(60, soa.length - 4);
    return Buffer.concat([out, soa]);
  }
  out.writeUInt16BE(1, 6);
  const rr = Buffer.from([0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 0, 0, 4, 127, 1, 2, 3]);
  rr.writeUInt32BE(ttl, 6);
  return Buffer.concat([out, rr]);
}

const ttlOf = (raw: Buffer) => raw.readUInt32BE(raw.length - 10);

describe('cache', () => {
  const opts = (now: { t: number }) => ({ zones: [''], success: { capacity: 2, maxTtl: 30, minTtl: 5 }, denial: { capacity: 2, maxTtl: 30, minTtl: 5 }, now: () => now.t });

  it('serves an upstream answer from the cache with its TTL capped and counted down, in the asker\'s case', () => {
    const now = { t: 1000 };
    const c = new CacheHandler(opts(now));
    let calls = 0;
    const next = (r: DnsRequest): DnsResult => { calls++; return { raw: upstreamAnswer(r, 300) }; };
    c.serveDns(req('a.example'), next);
    now.t += 12;
    const hit = c.serveDns(req('A.Example'), next) as { raw: Buffer };
    expect(calls).toBe(1);
    expect(ttlOf(hit.raw)).toBe(18);
    expect(hit.raw.subarray(12, 23).toString('latin1')).toContain('Example');
    now.t += 19;
    c.serveDns(req('a.example'), next);
    expect(calls).toBe(2);
    expect(c.stats()).toEqual([1, 0, 2]);
  });

  it('keeps denials by their SOA, evicts beyond capacity, and never stores cluster (Reply) answers or SERVFAIL', () => {
    const now = { t: 0 };
    const c = new CacheHandler(opts(now));
    let calls = 0;
    c.serveDns(req('nx.example'), (r) => { calls++; return { raw: upstreamAnswer(r, 3600, true) }; });
    c.serveDns(req('nx.example'), (r) => { calls++; return { raw: upstreamAnswer(r, 3600, true) }; });
    expect(calls).toBe(1);
    expect(c.size().denial).toBe(1);
    const reply: Reply = { rcode: 0, aa: true, answer: [], authority: [], additional: [] };
    c.serveDns(req('svc.cluster.local'), () => reply);
    const fail = (r: DnsRequest): DnsResult => { const b = upstreamAnswer(r, 10); b[3] = RCODE.SERVFAIL; return { raw: b }; };
    c.serveDns(req('bad.example'), fail);
    expect(c.size()).toEqual({ success: 0, denial: 1 });
    for (const n of ['a', 'b', 'c']) c.serveDns(req(`${n}.example`), (r) => ({ raw: upstreamAnswer(r, 60) }));
    expect(c.size().success).toBe(2);
  });
});

describe('hosts', () => {
  const h = new HostsHandler({ zones: [''], text: '127.5.5.5 printer.lan printer\n::1 six.lan\n# comment\nnot-an-ip x', ttl: 3600, noReverse: false, fallthrough: undefined });
  const fallback = (): DnsResult => ({ rcode: RCODE.SERVFAIL, aa: false, answer: [], authority: [], additional: [] });

  it('answers A, AAAA and PTR; NODATA for another type; NXDOMAIN without fallthrough', () => {
    expect((h.serveDns(req('Printer.lan'), fallback) as Reply).answer).toMatchObject([{ type: 'A', address: '127.5.5.5', ttl: 3600 }]);
    expect((h.serveDns(req('six.lan', QTYPE.AAAA), fallback) as Reply).answer).toMatchObject([{ type: 'AAAA', address: '::1' }]);
    expect((h.serveDns(req('5.5.5.127.in-addr.arpa', QTYPE.PTR), fallback) as Reply).answer).toMatchObject([{ type: 'PTR', target: 'printer.lan' }, { type: 'PTR', target: 'printer' }]);
    expect(h.serveDns(req('printer.lan', QTYPE.AAAA), fallback)).toMatchObject({ rcode: RCODE.NOERROR, answer: [] });
    expect(h.serveDns(req('x'), fallback)).toMatchObject({ rcode: RCODE.NXDOMAIN });
    const ft = new HostsHandler({ zones: [''], text: '', ttl: 1, noReverse: false, fallthrough: [] });
    expect(ft.serveDns(req('x'), fallback)).toMatchObject({ rcode: RCODE.SERVFAIL });
  });
});

describe('rewrite name', () => {
  it('matches exact, prefix, suffix, substring and regex like CoreDNS', () => {
    expect(applyRule(nameRule(['a.example', 'b.example'], 'stop'), 'a.example')).toBe('b.example');
    expect(applyRule(nameRule(['exact', 'a.example.', 'b.example.'], 'stop'), 'x.a.example')).toBeUndefined();
    expect(applyRule(nameRule(['prefix', 'old-', 'new-'], 'stop'), 'old-api.example')).toBe('new-api.example');
    expect(applyRule(nameRule(['suffix', '.corp.test', '.default.svc.cluster.local'], 'stop'), 'api.corp.test')).toBe('api.default.svc.cluster.local');
    expect(applyRule(nameRule(['substring', 'staging', 'prod'], 'stop'), 'db.staging.example')).toBe('db.prod.example');
    expect(applyRule(nameRule(['regex', '(.*)\\.svc\\.example\\.', '{1}.default.svc.cluster.local'], 'stop'), 'api.svc.example')).toBe('api.default.svc.cluster.local');
    expect(() => nameRule(['regex', '(', 'x'], 'stop')).toThrow(/invalid regex/);
  });

  it('asks the next plugin for the new name and answers with the asked one', async () => {
    const h = new RewriteHandler([nameRule(['www.example.test', 'nginx.default.svc.cluster.local'], 'stop')]);
    const r = await h.serveDns(req('www.example.test'), (sub) => ({ rcode: 0, aa: true, answer: [{ name: sub.query.name, ttl: 30, type: 'A', address: '127.96.0.20' }], authority: [], additional: [] }));
    expect(isRaw(r)).toBe(false);
    expect((r as Reply).answer).toEqual([{ name: 'www.example.test', ttl: 30, type: 'A', address: '127.96.0.20' }]);
  });
});

describe('metrics', () => {
  it('renders CoreDNS metric names, rcode labels and a cumulative duration histogram', () => {
    const m = new Metrics();
    const s = m.serverStats('dns://:53', '.');
    s.observe('udp', 1, QTYPE.A, 0, 'kubernetes', 512, 80, 0.0001, false);
    s.observe('udp', 1, QTYPE.A, 3, 'kubernetes', 512, 80, 0.003, false);
    const text = m.render([{ server: 'dns://:53', zone: '.', name: 'cache' }]);
    expect(text).toContain('coredns_dns_requests_total{server="dns://:53",zone=".",view="",proto="udp",family="1",type="A"} 2');
    expect(text).toContain('coredns_dns_responses_total{server="dns://:53",zone=".",view="",rcode="NXDOMAIN",plugin="kubernetes"} 1');
    expect(text).toContain('coredns_dns_request_duration_seconds_bucket{server="dns://:53",zone=".",view="",type="A",le="0.00025"} 1');
    expect(text).toContain('coredns_dns_request_duration_seconds_bucket{server="dns://:53",zone=".",view="",type="A",le="0.004"} 2');
    expect(text).toContain('coredns_dns_request_duration_seconds_count{server="dns://:53",zone=".",view="",type="A"} 2');
    expect(text).toContain('coredns_plugin_enabled{name="cache",server="dns://:53",view="",zone="."} 1');
    expect(text).toMatch(/^# TYPE coredns_dns_request_duration_seconds histogram$/m);
  });
});
