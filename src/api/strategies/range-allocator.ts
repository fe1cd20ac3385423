// The bitmap allocator behind ClusterIPs and nodePorts (kube-apiserver's pkg/registry/core/service/
// allocator), over offsets 0..size-1. Dynamic allocation prefers the upper part of the range and
// only falls back to the lower "static band" when the upper part is full, so addresses people pick
// by hand (from the low end) rarely collide with dynamic ones. Every allocation records its owner
// (the object's uid) so an owner's allocations can be released as a set.

export type AllocationFailure = 'NotInRange' | 'AlreadyAllocated' | 'Full';

export class AllocationError extends Error {
  constructor(readonly reason: AllocationFailure, message: string) {
    super(message);
    this.name = 'AllocationError';
  }
}

/** min(max(min, size/step), max): the size of the lower band kept for static picks. */
export function staticBandSize(rangeSize: number, min: number, step: number, max: number): number {
  if (rangeSize <= min) return 0;
  return Math.min(Math.max(min, Math.floor(rangeSize / step)), max);
}

export class OffsetAllocator {
  private readonly owners = new Map<number, string>();
  private readonly byOwner = new Map<string, Set<number>>();
  private readonly reserved: Set<number>;

  /**
   * @param size number of allocatable offsets
   * @param band offsets below this are only handed out dynamically when the rest is full
   * @param reserved offsets never handed out dynamically (they can still be asked for)
   */
  constructor(readonly size: number, readonly band: number, reserved: number[], private readonly rng: () => number) {
    this.reserved = new Set(reserved.filter((o) => o >= 0 && o < size));
  }

  get used(): number {
    return this.owners.size;
  }

  ownerOf(offset: number): string | undefined {
    return this.owners.get(offset);
  }

  /** Takes `offset` for `owner`; returns false if someone else has it. Idempotent for the same owner. */
  take(offset: number, owner: string): boolean {
    const current = this.owners.get(offset);
    if (current !== undefined) return current === owner;
    this.owners.set(offset, owner);
    let set = this.byOwner.get(owner);
    if (!set) this.byOwner.set(owner, (set = new Set()));
    set.add(offset);
    return true;
  }

  /** A free offset, random in the upper part first, then in the static band; undefined when full. */
  next(owner: string): number | undefined {
    const pick = (from: number, to: number): number | undefined => {
      const n = to - from;
      if (n <= 0) return undefined;
      const start = Math.floor(this.rng() * n) % n;
      for (let i = 0; i < n; i++) {
        const at = from + ((start + i) % n);
        if (!this.owners.has(at) && !this.reserved.has(at)) return at;
      }
      return undefined;
    };
    const at = pick(this.band, this.size) ?? pick(0, this.band);
    if (at !== undefined) this.take(at, owner);
    return at;
  }

  release(offset: number, owner?: string): boolean {
    const current = this.owners.get(offset);
    if (current === undefined || (owner !== undefined && current !== owner)) return false;
    this.owners.delete(offset);
    const set = this.byOwner.get(current);
    set?.delete(offset);
    if (set && !set.size) this.byOwner.delete(current);
    return true;
  }

  /** Offsets `owner` holds. */
  ownedBy(owner: string): number[] {
    return [...(this.byOwner.get(owner) ?? [])];
  }
}
