// One suite for every Storage implementation (hono's habit): what the object store relies on —
// rising revisions, live values, history with created/deleted events, compaction that keeps live
// values — and, for durable implementations, that all of it survives closing and reopening.
import { describe, expect, it } from 'vitest';
import { StorageError, type Storage } from './storage.js';

export interface ConformanceTarget {
  /** A new, empty storage. */
  open(): Storage;
  /** For durable implementations: close `s` and open the same storage again. */
  reopen?(s: Storage): Storage;
}

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof StorageError ? err.code : `not a StorageError: ${(err as Error).message}`;
  }
  return undefined;
}

export function storageConformance(name: string, target: ConformanceTarget): void {
  describe(`${name} (storage conformance)`, () => {
    it('starts empty at revision 0', () => {
      const s = target.open();
      expect(s.currentRevision()).toBe(0);
      expect(s.compactedRevision()).toBe(0);
      expect(s.loadAll()).toEqual([]);
      expect(s.history(0)).toEqual([]);
      expect(s.get('x')).toBeUndefined();
      s.close();
    });

    it('puts, gets and lists live values in key order with the revision that wrote them', () => {
      const s = target.open();
      s.put('/pods|default|b', { n: 'b', ü: 'ünïcode ✓' }, 2);
      s.put('/pods|default|a', { n: 'a' }, 5);
      s.put('/pods|default|b', { n: 'b2' }, 7);
      expect(s.currentRevision()).toBe(7);
      expect(s.get('/pods|default|b')).toEqual({ key: '/pods|default|b', revision: 7, value: { n: 'b2' } });
      expect(s.loadAll()).toEqual([
        { key: '/pods|default|a', revision: 5, value: { n: 'a' } },
        { key: '/pods|default|b', revision: 7, value: { n: 'b2' } },
      ]);
      s.close();
    });

    it('refuses a revision that does not rise, and writes nothing then', () => {
      const s = target.open();
      s.put('k', { v: 1 }, 3);
      expect(code(() => s.put('k', { v: 2 }, 3))).toBe('Revision');
      expect(code(() => s.put('j', { v: 2 }, 1))).toBe('Revision');
      expect(code(() => s.delete('k', 2))).toBe('Revision');
      expect(s.get('k')?.value).toEqual({ v: 1 });
      expect(s.get('j')).toBeUndefined();
      expect(s.currentRevision()).toBe(3);
      s.close();
    });

    it('does not alias the values it was given', () => {
      const s = target.open();
      const v = { spec: { replicas: 1 } };
      s.put('k', v, 1);
      v.spec.replicas = 9;
      expect(s.get('k')?.value).toEqual({ spec: { replicas: 1 } });
      s.close();
    });

    it('deletes: the key leaves the live set; deleting a missing key does nothing', () => {
      const s = target.open();
      s.put('a', { v: 1 }, 1);
      s.put('b', { v: 1 }, 2);
      s.delete('a', 3);
      expect(s.get('a')).toBeUndefined();
      expect(s.loadAll().map((o) => o.key)).toEqual(['b']);
      s.delete('nope', 4);
      expect(s.currentRevision()).toBe(3);
      s.close();
    });

    it('keeps history: puts (created or not) and deletes carrying the last value, oldest first', () => {
      const s = target.open();
      s.put('a', { v: 1 }, 1);
      s.put('a', { v: 2 }, 2);
      s.put('b', { v: 1 }, 3);
      s.delete('a', 4);
      s.put('a', { v: 3 }, 5);
      expect(s.history(0)).toEqual([
        { type: 'put', key: 'a', revision: 1, value: { v: 1 }, created: true },
        { type: 'put', key: 'a', revision: 2, value: { v: 2 }, created: false },
        { type: 'put', key: 'b', revision: 3, value: { v: 1 }, created: true },
        { type: 'delete', key: 'a', revision: 4, value: { v: 2 }, created: false },
        { type: 'put', key: 'a', revision: 5, value: { v: 3 }, created: true },
      ]);
      expect(s.history(3).map((e) => e.revision)).toEqual([4, 5]);
      expect(s.history(1, 2).map((e) => e.revision)).toEqual([2, 3]);
      expect(s.history(5)).toEqual([]);
      s.close();
    });

    it('compacts history but keeps every live value; history from a compacted revision is refused', () => {
      const s = target.open();
      for (let i = 1; i <= 10; i++) s.put(`k${i % 3}`, { i }, i);
      s.delete('k0', 11);
      s.put('z', { i: 12 }, 12);
      const removed = s.compact(11);
      expect(removed).toBeGreaterThan(0);
      expect(s.compactedRevision()).toBe(11);
      expect(s.loadAll()).toEqual([
        { key: 'k1', revision: 10, value: { i: 10 } },
        { key: 'k2', revision: 8, value: { i: 8 } },
        { key: 'z', revision: 12, value: { i: 12 } },
      ]);
      expect(code(() => s.history(5))).toBe('Compacted');
      expect(s.history(11).map((e) => e.revision)).toEqual([12]);
      expect(s.compact(3)).toBe(0); // never backwards
      expect(s.compactedRevision()).toBe(11);
      // compaction clamps at the current revision, which keeps rising afterwards
      s.compact(100);
      expect(s.compactedRevision()).toBe(12);
      s.put('k1', { i: 13 }, 13);
      expect(s.get('k1')).toEqual({ key: 'k1', revision: 13, value: { i: 13 } });
      s.close();
    });

    if (target.reopen) {
      const reopen = target.reopen;
      it('survives a reopen: live values, revisions, history, the compacted revision', () => {
        let s = target.open();
        s.put('a', { v: 1 }, 1);
        s.put('b', { v: 1 }, 2);
        s.put('a', { v: 2 }, 3);
        s.delete('b', 4);
        s = reopen(s);
        expect(s.currentRevision()).toBe(4);
        expect(s.loadAll()).toEqual([{ key: 'a', revision: 3, value: { v: 2 } }]);
        expect(s.history(2).map((e) => [e.type, e.key, e.revision])).toEqual([['put', 'a', 3], ['delete', 'b', 4]]);
        // the newest event was a delete; compacting it away must not lower the revision
        s.compact(4);
        s = reopen(s);
        expect(s.currentRevision()).toBe(4);
        expect(s.compactedRevision()).toBe(4);
        expect(code(() => s.put('c', {}, 4))).toBe('Revision');
        s.put('c', { v: 1 }, 5);
        s.put('a', { v: 3 }, 6);
        s = reopen(s);
        expect(s.loadAll().map((o) => [o.key, o.revision])).toEqual([['a', 6], ['c', 5]]);
        expect(s.history(4).map((e) => [e.type, e.key, e.created])).toEqual([['put', 'c', true], ['put', 'a', false]]);
        s.close();
      });
    }
  });
}
