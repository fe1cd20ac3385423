import { describe, expect, it } from 'vitest';
import { Expectations } from './expectations.js';

describe('Expectations', () => {
  it('waits for observed creations and deletions', () => {
    const e = new Expectations(() => 0);
    expect(e.satisfied('rs')).toBe(true);
    e.expectCreations('rs', 2);
    e.expectDeletions('rs', ['default/p1']);
    e.creationObserved('rs');
    expect(e.satisfied('rs')).toBe(false);
    e.creationObserved('rs');
    e.deletionObserved('rs', 'default/other');
    expect(e.satisfied('rs')).toBe(false);
    e.deletionObserved('rs', 'default/p1');
    expect(e.satisfied('rs')).toBe(true);
  });

  it('expires, so a lost event cannot stall a controller forever', () => {
    let t = 0;
    const e = new Expectations(() => t, 1000);
    e.expectCreations('rs', 1);
    expect(e.satisfied('rs')).toBe(false);
    t = 1001;
    expect(e.satisfied('rs')).toBe(true);
  });
});
