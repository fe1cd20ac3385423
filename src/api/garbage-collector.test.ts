import { describe, expect, it } from 'vitest';
import { finalizersForDelete } from './garbage-collector.js';

describe('finalizersForDelete (deletionFinalizersForGarbageCollection)', () => {
  it('an explicit policy wins and replaces the other GC finalizer, keeping the rest', () => {
    expect(finalizersForDelete(['a/b'], 'Foreground', 'Delete')).toEqual(['a/b', 'foregroundDeletion']);
    expect(finalizersForDelete(['foregroundDeletion', 'a/b'], 'Orphan', 'Delete')).toEqual(['a/b', 'orphan']);
    expect(finalizersForDelete(['orphan'], 'Background', 'Orphan')).toEqual([]);
  });
  it('without a policy: a GC finalizer already there, else the kind\'s default', () => {
    expect(finalizersForDelete(['foregroundDeletion'], undefined, 'Orphan')).toEqual(['foregroundDeletion']);
    expect(finalizersForDelete([], undefined, 'Orphan')).toEqual(['orphan']);
    expect(finalizersForDelete(['a/b'], undefined, 'Delete')).toEqual(['a/b']);
  });
});
