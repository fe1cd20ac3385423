// forward's options as the plugin has them: max_concurrent (REFUSED beyond it), prefer_udp (a
// truncated answer asked again over TCP), force_tcp, the client's transport otherwise (TC relayed),
// max_fails / health_check (down upstreams skipped, probed with `. IN NS` until they answer),
// and the plugin's error texts for bad options. A fake exchange: no sockets.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { InformerFactory } from '../api/informer.js';
import { ObjectStore } from '../api/store.js';
import { ForwardHandler, type Exchange, type Upstream } from './forward.js';
import { Metrics } from './metrics.js';
import { compileCorefile } from './setup.js';
import { isRaw, RCODE, type DnsRequest, type DnsResult } from './types.js';
import { encodeQuery, parseQuery, readName } from './wire.js';

function request(name: string, transport: 'udp' | 'tcp' = 'udp'): DnsRequest {
  const wire = encodeQuery(0x4242, name, 1);
  const p = parseQuery(wire);
  if (p.kind !== 'query') throw new Error('bad query');
  return { query: p.query, wire, transport };
}

interface Call { to: string; transport: 'udp' | 'tcp'; name: string; qtype: number; rd: boolean }

/** Answers every query, with TC over UDP when `truncate`; upstreams in `dead` throw; `hold` keeps answers pending. */
function upstream(o: { truncate?: boolean; dead?: Set<string>; hold?: boolean } = {}) {
  const calls: Call[] = [];
  const pending: (() => void)[] = [];
  const exchange: Exchange = (up: Upstream, wire, transport) => {
    const to = `${up.address}:${up.port}`;
    const q = readName(wire, 12)!;
    calls.push({ to, transport, name: q.name, qtype: wire.readUInt16BE(q.end), rd: (wire[2] & 1) === 1 });
    if (o.dead?.has(to)) return Promise.reject(new Error('i/o timeout'));
    const out = Buffer.from(wire);
    out[2] |= 0x80;
    if (o.truncate && transport === 'udp') out[2] |= 0x02;
    if (!o.hold) return Promise.resolve(out);
    return new Promise((resolve) => pending.push(() => resolve(out)));
  };
  return { exchange, calls, release: () => { for (const p of pending.splice(0)) p(); } };
}

const A: Upstream = { address: '127.61.0.53', port: 53 };
const B: Upstream = { address: '127.61.0.54', port: 53 };
const tc = (r: DnsResult) => (isRaw(r) ? (r.raw[2] & 0x02) !== 0 : undefined);

afterEach(() => { vi.useRealTimers(); });

describe('forward options', () => {
  it('relays a truncated UDP answer with TC, over the client\'s transport (the client retries over TCP)', async () => {
    const u = upstream({ truncate: true });
    const f = new ForwardHandler({ upstreams: [A], exchange: u.exchange, log: () => {} });
    expect(tc(await f.serveDns(request('big.example.test')))).toBe(true);
    expect(tc(await f.serveDns(request('big.example.test', 'tcp')))).toBe(false);
    expect(u.calls.map((c) => c.transport)).toEqual(['udp', 'tcp']);
  });

  it('prefer_udp asks UDP even for a TCP client, and again over TCP when the answer is truncated', async () => {
    const u = upstream({ truncate: true });
    const f = new ForwardHandler({ upstreams: [A], exchange: u.exchange, log: () => {}, preferUdp: true });
    expect(tc(await f.serveDns(request('big.example.test', 'tcp')))).toBe(false);
    expect(u.calls.map((c) => c.transport)).toEqual(['udp', 'tcp']);
  });

  it('force_tcp always asks over TCP', async () => {
    const u = upstream({ truncate: true });
    const f = new ForwardHandler({ upstreams: [A], exchange: u.exchange, log: () => {}, forceTcp: true });
    expect(tc(await f.serveDns(request('big.example.test')))).toBe(false);
    expect(u.calls.map((c) => c.transport)).toEqual(['tcp']);
  });

  it('max_concurrent: queries beyond the limit in flight are REFUSED; freed slots serve again', async () => {
    const u = upstream({ hold: true });
    const f = new ForwardHandler({ upstreams: [A], exchange: u.exchange, log: () => {}, maxConcurrent: 2 });
    const first = [f.serveDns(request('a.example.test')), f.serveDns(request('b.example.test'))];
    const third = await f.serveDns(request('c.example.test'));
    expect(isRaw(third) ? 'raw' : third.rcode).toBe(RCODE.REFUSED);
    u.release();
    for (const r of await Promise.all(first)) expect(isRaw(r)).toBe(true);
    const fourth = f.serveDns(request('d.example.test'));
    u.release();
    expect(isRaw(await fourth)).toBe(true);
  });

  it('an upstream failing more than max_fails times is skipped, and probed with `. IN NS` until it answers', async () => {
    vi.useFakeTimers();
    const dead = new Set(['127.61.0.53:53']);
    const u = upstream({ dead });
    const f = new ForwardHandler({ upstreams: [A, B], exchange: u.exchange, log: () => {}, policy: 'sequential', maxFails: 2, healthCheckMs: 500, healthCheckRecursion: false });
    for (let i = 0; i < 3; i++) await f.serveDns(request('x.example.test'));
    expect(u.calls.filter((c) => c.to === '127.61.0.53:53')).toHaveLength(3);
    u.calls.length = 0;
    await f.serveDns(request('x.example.test'));
    expect(u.calls.map((c) => c.to)).toEqual(['127.61.0.54:53']); // A is down: not tried
    dead.clear();
    await vi.advanceTimersByTimeAsync(500);
    expect(u.calls.find((c) => c.name === '' && c.qtype === 2)).toMatchObject({ to: '127.61.0.53:53', rd: false });
    u.calls.length = 0;
    await f.serveDns(request('x.example.test'));
    expect(u.calls.map((c) => c.to)).toEqual(['127.61.0.53:53']); // back in the sequence
    f.dispose();
  });

  it('with every upstream down, one of them is still tried', async () => {
    const u = upstream({ dead: new Set(['127.61.0.53:53']) });
    const f = new ForwardHandler({ upstreams: [A], exchange: u.exchange, log: () => {}, maxFails: 1 });
    for (let i = 0; i < 4; i++) await f.serveDns(request('x.example.test'));
    expect(u.calls).toHaveLength(4);
    f.dispose();
  });
});

describe('forward options in a Corefile', () => {
  const env = () => ({
    informers: new InformerFactory(new ObjectStore()), podIP: '127.61.0.2', log: () => {}, metrics: new Metrics(), resolvConf: () => [], readFile: () => '',
  });
  const compile = (block: string) => compileCorefile(`.:53 {\n    forward . 127.61.0.53 {\n        ${block}\n    }\n}\n`, env());
  const err = (block: string) => { try { compile(block).forEach((b) => b.dispose()); } catch (e) { return (e as Error).message; } return 'loaded'; };

  it('loads a real cluster\'s forward block', () => {
    for (const b of compile('max_concurrent 1000\n        policy sequential\n        health_check 5s no_rec domain example.org\n        prefer_udp\n        max_fails 3\n        expire 10s')) b.dispose();
  });

  it('next RCODE and next_on_nodata hand such answers to the next forward of the block', async () => {
    const asked: string[] = [];
    const exchange: Exchange = async (up, wire) => {
      asked.push(up.address);
      const out = Buffer.from(wire);
      out[2] |= 0x80;
      if (up.address === '127.61.0.53') out[3] = (out[3] & 0xf0) | RCODE.NXDOMAIN;
      return out;
    };
    const [b] = compileCorefile('.:53 {\n    forward example.test 127.61.0.53 {\n        next NXDOMAIN\n    }\n    forward . 127.61.0.54\n}\n', { ...env(), exchange });
    const r = await b.handler(request('x.example.test'));
    expect(isRaw(r) && r.raw[3] & 0x0f).toBe(RCODE.NOERROR);
    expect(asked).toEqual(['127.61.0.53', '127.61.0.54']);
    b.dispose();
    asked.length = 0;
    // The last forward of a block has no next: its answer stands.
    const [last] = compileCorefile('.:53 {\n    forward . 127.61.0.53 {\n        next NXDOMAIN\n    }\n}\n', { ...env(), exchange });
    const r2 = await last.handler(request('x.example.test'));
    expect(isRaw(r2) && r2.raw[3] & 0x0f).toBe(RCODE.NXDOMAIN);
    last.dispose();
  });

  it('failfast_all_unhealthy_upstreams: SERVFAIL without a try once every upstream is down', async () => {
    const u = upstream({ dead: new Set(['127.61.0.53:53']) });
    const f = new ForwardHandler({ upstreams: [A], exchange: u.exchange, log: () => {}, maxFails: 1, failfast: true });
    for (let i = 0; i < 4; i++) await f.serveDns(request('x.example.test'));
    expect(u.calls).toHaveLength(2);
    f.dispose();
  });

  it('refuses bad options in the plugin\'s words', () => {
    expect(err('max_concurrent -1')).toMatch(/plugin\/forward: max_concurrent can't be negative: -1$/);
    expect(err('max_concurrent lots')).toMatch(/plugin\/forward: strconv\.Atoi: parsing "lots": invalid syntax$/);
    expect(err('policy fastest')).toMatch(/plugin\/forward: unknown policy 'fastest'$/);
    expect(err('health_check soon')).toMatch(/plugin\/forward: time: invalid duration "soon"$/);
    expect(err('health_check -1s')).toMatch(/plugin\/forward: health_check can't be negative: -1000000000$/);
    expect(err('health_check 1s sometimes')).toMatch(/plugin\/forward: health_check: unknown option sometimes$/);
    expect(err('force_tcp yes')).toMatch(/Wrong argument count/);
    expect(err('frobnicate')).toMatch(/plugin\/forward: unknown property 'frobnicate'$/);
    expect(err('next SOMETIMES')).toMatch(/plugin\/forward: SOMETIMES is not a valid rcode$/);
    expect(err('read_timeout 0s')).toMatch(/plugin\/forward: read_timeout must be positive: 0s$/);
  });
});
