import { describe, expect, it } from 'vitest';
import { LayeredEnv } from './layered-env.js';

/** Runs the same sets on a LayeredEnv and a plain Map; they must read the same. */
function both(before: [string, string][], links: [string, string][], after: [string, string][]) {
  const env = new LayeredEnv();
  const map = new Map<string, string>();
  for (const [k, v] of before) (env.set(k, v), map.set(k, v));
  env.attach(new Map(links));
  for (const [k, v] of links) map.set(k, v);
  for (const [k, v] of after) (env.set(k, v), map.set(k, v));
  return { env, map };
}

describe('LayeredEnv', () => {
  it('reads like one Map: first insertion keeps the place, the last value wins', () => {
    const { env, map } = both(
      [['PATH', '/bin'], ['A_PORT', 'before'], ['HOME', '/root']],
      [['A_PORT', 'link'], ['B_SERVICE_HOST', '127.0.0.2'], ['C_PORT', 'c']],
      [['X', '1'], ['B_SERVICE_HOST', 'mine'], ['PATH', '/usr/bin'], ['X', '2'], ['A_PORT', 'after']],
    );
    expect([...env]).toEqual([...map]);
    expect([...env.keys()]).toEqual([...map.keys()]);
    expect([...env.values()]).toEqual([...map.values()]);
    expect(env.size).toBe(map.size);
    for (const k of ['PATH', 'A_PORT', 'HOME', 'B_SERVICE_HOST', 'C_PORT', 'X', 'NOPE']) {
      expect(env.get(k)).toBe(map.get(k));
      expect(env.has(k)).toBe(map.has(k));
    }
    const seen: string[] = [];
    env.forEach((v, k) => seen.push(`${k}=${v}`));
    expect(seen).toEqual([...map].map(([k, v]) => `${k}=${v}`));
  });

  it('never writes into the shared links', () => {
    const links = new Map([['S_PORT', 'shared']]);
    const env = new LayeredEnv().attach(links);
    env.set('S_PORT', 'mine');
    expect(env.get('S_PORT')).toBe('mine');
    expect(links.get('S_PORT')).toBe('shared');
    expect(new LayeredEnv().attach(links).get('S_PORT')).toBe('shared');
  });
});
