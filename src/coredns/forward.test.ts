import { describe, expect, it } from 'vitest';
import { ForwardHandler, parseUpstream, type Exchange, type Upstream } from './forward.js';
import { encodeQuery, parseQuery } from './wire.js';
import { chain, isRaw, RCODE, type DnsRequest, type Reply } from './types.js';
import { KubernetesHandler } from './kubernetes.js';
import { ClusterRecords } from './cluster-records.js';

function request(name: string, transport: 'udp' | 'tcp' = 'udp'): DnsRequest {
  const wire = encodeQuery(0x4242, name, 1);
  const p = parseQuery(wire);
  if (p.kind !== 'query') throw new Error('bad query');
  return { query: p.query, wire, transport };
}

/** A fake upstream: answers with the request's header turned into a response, or fails. */
function fakeExchange(behaviour: Record<string, 'answer' | 'timeout' | 'garbage'>): { exchange: Exchange; calls: string[] } {
  const calls: string[] = [];
  const exchange: Exchange = async (up: Upstream, wire, transport) => {
    const key = `${up.address}:${up.port}`;
    calls.push(`${transport} ${key}`);
    const b = behaviour[key];
    if (b === 'timeout') throw new Error('i/o timeout');
    const out = Buffer.from(wire);
    out[2] |= 0x80;
    if (b === 'garbage') out.writeUInt16BE((out.readUInt16BE(0) + 1) & 0xffff, 0);
    return out;
  };
  return { exchange, calls };
}

describe('parseUpstream', () => {
  it('accepts ip, ip:port and [ipv6]:port, and refuses anything else', () => {
    expect(parseUpstream('127.0.0.53')).toEqual({ address: '127.0.0.53', port: 53 });
    expect(parseUpstream('127.0.0.53:5353')).toEqual({ address: '127.0.0.53', port: 5353 });
    expect(parseUpstream('[::1]:5353')).toEqual({ address: '::1', port: 5353 });
    expect(parseUpstream('::1')).toEqual({ address: '::1', port: 53 });
    expect(() => parseUpstream('dns.example')).toThrow('coredns: forward: not an IP address: "dns.example" (want ip or ip:port)');
    expect(() => parseUpstream('127.0.0.1:99999')).toThrow('invalid port');
  });
});

describe('forward handler', () => {
  const ups = [{ address: '127.0.0.1', port: 5301 }, { address: '127.0.0.2', port: 5302 }];

  it('relays the upstream answer over the client transport', async () => {
    const { exchange, calls } = fakeExchange({});
    const f = new ForwardHandler({ upstreams: ups.slice(0, 1), exchange, log: () => {} });
    const r = await f.serveDns(request('example.org', 'tcp'));
    expect(isRaw(r)).toBe(true);
    expect(calls).toEqual(['tcp 127.0.0.1:5301']);
  });

  it('tries the next upstream when one fails, and logs the failure once', async () => {
    const { exchange, calls } = fakeExchange({ '127.0.0.1:5301': 'timeout' });
    const logs: string[] = [];
    // rng(2) = 1 makes the shuffle keep the order, so the dead upstream is tried first.
    const f = new ForwardHandler({ upstreams: ups, exchange, rng: (n) => (n === 2 ? 1 : 0), log: (l) => logs.push(l), now: () => 0 });
    for (let i = 0; i < 3; i++) expect(isRaw(await f.serveDns(request('example.org')))).toBe(true);
    expect(calls.slice(0, 2)).toEqual(['udp 127.0.0.1:5301', 'udp 127.0.0.2:5302']);
    expect(logs).toEqual(['[ERROR] plugin/errors: 2 example.org. A: udp 127.0.0.1:5301: i/o timeout']);
  });

  it('answers SERVFAIL when no upstream answers, a mismatched ID, or there are none', async () => {
    const { exchange } = fakeExchange({ '127.0.0.1:5301': 'timeout', '127.0.0.2:5302': 'garbage' });
    const f = new ForwardHandler({ upstreams: ups, exchange, log: () => {} });
    expect(await f.serveDns(request('example.org'))).toMatchObject({ rcode: RCODE.SERVFAIL, aa: false });
    const none = new ForwardHandler({ upstreams: [], exchange, log: () => {} });
    expect(await none.serveDns(request('example.org'))).toMatchObject({ rcode: RCODE.SERVFAIL });
  });

  it('gets only the names the kubernetes handler passes on', async () => {
    const { exchange, calls } = fakeExchange({});
    const next = chain([
      new KubernetesHandler(new ClusterRecords({ zone: 'cluster.local', ttl: 30 })),
      new ForwardHandler({ upstreams: ups.slice(0, 1), exchange, log: () => {} }),
    ]);
    expect((next(request('missing.default.svc.cluster.local')) as Reply).rcode).toBe(RCODE.NXDOMAIN);
    expect(calls).toEqual([]);
    expect(isRaw(await next(request('example.org')))).toBe(true);
    expect(calls).toHaveLength(1);
  });
});
