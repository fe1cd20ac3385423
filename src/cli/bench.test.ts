import { describe, expect, it } from 'vitest';
import { formatResult, parseDuration, percentile, PodMatcher, serviceName, summarize } from './bench.js';

describe('kdp bench helpers', () => {
  it('parses durations as wrk does, seconds by default', () => {
    expect(parseDuration('10s')).toBe(10_000);
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('2m')).toBe(120_000);
    expect(parseDuration('3')).toBe(3000);
    expect(() => parseDuration('ten')).toThrow(/invalid duration "ten"/);
    expect(() => parseDuration('0s')).toThrow(/greater than 0/);
  });

  it('takes svc/NAME, service NAME, and refuses other kinds', () => {
    expect(serviceName(['svc/web'])).toBe('web');
    expect(serviceName(['services/web'])).toBe('web');
    expect(serviceName(['service', 'web'])).toBe('web');
    expect(() => serviceName(['deploy/web'])).toThrow(/works on Services/);
    expect(() => serviceName([])).toThrow(/a Service is required/);
  });

  it('recognises the pod by name first, then by a whole IP token', () => {
    const m = new PodMatcher([
      { pod: 'web-1', ip: '127.244.1.5' },
      { pod: 'web-10', ip: '127.244.1.50' },
    ]);
    expect(m.match(Buffer.from('Hostname: web-10\nIP: 127.244.1.50\n'))).toBe('web-10');
    expect(m.match(Buffer.from('{"ip":"127.244.1.50"}'))).toBe('web-10');
    expect(m.match(Buffer.from('{"ip":"127.244.1.5"}'))).toBe('web-1');
    expect(m.match(Buffer.from('<title>Welcome to nginx!</title>'))).toBeUndefined();
  });

  it('gives every answer to the only endpoint when there is one', () => {
    expect(new PodMatcher([{ pod: 'solo', ip: '127.244.1.9' }]).match(Buffer.from('anything'))).toBe('solo');
  });

  it('computes nearest-rank percentiles', () => {
    const xs = Float64Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(percentile(xs, 50)).toBe(5);
    expect(percentile(xs, 99)).toBe(10);
    expect(percentile(new Float64Array(0), 50)).toBeNaN();
  });

  it('summarises counts into shares per pod, listing pods that got nothing', () => {
    const pods = [{ pod: 'a', ip: '127.244.1.2' }, { pod: 'b', ip: '127.244.1.3' }, { pod: 'c', ip: '127.244.1.4' }];
    const r = summarize('web', 'http://127.96.0.20:80/', { connections: 2, keepAlive: true }, pods, {
      requests: 4, errors: 0, non2xx: 0, latencies: Float64Array.from([1, 2, 3, 4]),
      perPod: new Map([['a', 3], ['b', 1]]), connsPerPod: new Map([['a', 1], ['b', 1]]), unidentified: 0, elapsedMs: 2000,
    });
    expect(r.requestsPerSecond).toBe(2);
    expect(r.endpoints).toEqual([
      { pod: 'a', ip: '127.244.1.2', requests: 3, connections: 1 },
      { pod: 'b', ip: '127.244.1.3', requests: 1, connections: 1 },
      { pod: 'c', ip: '127.244.1.4', requests: 0, connections: 0 },
    ]);
    const text = formatResult(r);
    expect(text).toMatch(/^POD\s+IP\s+REQUESTS\s+SHARE\s+CONNECTIONS$/m);
    expect(text).toMatch(/^a\s+127\.244\.1\.2\s+3\s+75\.0%\s+1$/m);
    expect(text).toMatch(/^c\s+127\.244\.1\.4\s+0\s+0\.0%\s+0$/m);
  });
});
