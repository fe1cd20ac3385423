import { describe, expect, it } from 'vitest';
import { TrafficCounters } from './traffic-counters.js';

describe('TrafficCounters', () => {
  it('counts connections per service port and endpoint, and adds sources', () => {
    const c = new TrafficCounters();
    c.record('default/nginx', '127.244.0.5:80');
    c.record('default/nginx', '127.244.0.5:80');
    c.record('default/nginx', '127.244.1.5:80');
    c.addSource(() => new Map([['default/nginx', new Map([['127.244.1.5:80', 3]])]]));
    c.addSource(() => {
      throw new Error('nft gone');
    });
    const s = c.snapshot();
    expect(Object.fromEntries(s.get('default/nginx')!)).toEqual({ '127.244.0.5:80': 2, '127.244.1.5:80': 4 });
    s.get('default/nginx')!.set('x', 1);
    expect(c.snapshot().get('default/nginx')!.has('x')).toBe(false);
  });
});
