// Storage that lives in this process only (kdp up --ephemeral, tests): the same contract as
// SqliteStorage, checked by the same conformance suite, with nothing written anywhere.
import { StorageError, type Storage, type StorageEvent, type StoredObject } from './storage.js';

export class MemoryStorage implements Storage {
  private readonly live = new Map<string, StoredObject>();
  private events: StorageEvent[] = [];
  private rev = 0;
  private compacted = 0;

  currentRevision(): number {
    return this.rev;
  }

  compactedRevision(): number {
    return this.compacted;
  }

  loadAll(): StoredObject[] {
    return [...this.live.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  get(key: string): StoredObject | undefined {
    return this.live.get(key);
  }

  private next(revision: number): void {
    if (!(revision > this.rev)) throw new StorageError('Revision', `revision ${revision} is not above the current revision ${this.rev}`);
    this.rev = revision;
  }

  put(key: string, value: unknown, revision: number): void {
    this.next(revision);
    const created = !this.live.has(key);
    // The store hands over deep-frozen objects: those can be kept as they are.
    const copy = Object.isFrozen(value) ? value : structuredClone(value);
    this.live.set(key, { key, revision, value: copy });
    this.events.push({ type: 'put', key, revision, value: copy, created });
  }

  delete(key: string, revision: number): void {
    const old = this.live.get(key);
    if (!old) return;
    this.next(revision);
    this.live.delete(key);
    this.events.push({ type: 'delete', key, revision, value: old.value, created: false });
  }

  history(afterRevision: number, limit = Infinity): StorageEvent[] {
    if (afterRevision < this.compacted) throw new StorageError('Compacted', `revision ${afterRevision} has been compacted (compacted up to ${this.compacted})`);
    const out: StorageEvent[] = [];
    for (const ev of this.events) {
      if (ev.revision <= afterRevision) continue;
      out.push(ev);
      if (out.length >= limit) break;
    }
    return out;
  }

  compact(revision: number): number {
    const upTo = Math.min(revision, this.rev);
    if (upTo <= this.compacted) return 0;
    const before = this.events.length;
    this.events = this.events.filter((ev) => ev.revision > upTo);
    this.compacted = upTo;
    return before - this.events.length;
  }

  close(): void {}
}
