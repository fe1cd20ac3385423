// nodePort allocation, as kube-apiserver's portallocator: the range (default 30000-32767) with a
// lower static band of min(max(16, size/32), 128) ports (30000-30085 by default) that dynamic
// allocation only uses when the rest is full.
import { AllocationError, OffsetAllocator, staticBandSize } from './range-allocator.js';

export interface NodePortAllocatorOptions {
  rng?: () => number;
}

export class NodePortAllocator {
  readonly size: number;
  /** The range as the apiserver prints it, e.g. `30000-32767`. */
  readonly range: string;
  private readonly offsets: OffsetAllocator;

  constructor(readonly min: number, readonly max: number, opts: NodePortAllocatorOptions = {}) {
    if (!Number.isInteger(min) || !Number.isInteger(max) || min < 1 || max > 65535 || max < min) {
      throw new Error(`invalid node port range ${min}-${max}`);
    }
    this.size = max - min + 1;
    this.range = `${min}-${max}`;
    this.offsets = new OffsetAllocator(this.size, staticBandSize(this.size, 16, 32, 128), [], opts.rng ?? Math.random);
  }

  get used(): number {
    return this.offsets.used;
  }

  get free(): number {
    return this.size - this.offsets.used;
  }

  /** Size of the lower band kept for static picks. */
  get staticBand(): number {
    return this.offsets.band;
  }

  contains(port: number): boolean {
    return Number.isInteger(port) && port >= this.min && port <= this.max;
  }

  /** Takes a requested port. Idempotent when `owner` already holds it. */
  allocate(port: number, owner: string): void {
    if (!this.contains(port)) {
      throw new AllocationError('NotInRange', `provided port is not in the valid range. The range of valid ports is ${this.range}`);
    }
    if (!this.offsets.take(port - this.min, owner)) throw new AllocationError('AlreadyAllocated', 'provided port is already allocated');
  }

  allocateNext(owner: string): number {
    const off = this.offsets.next(owner);
    if (off === undefined) throw new AllocationError('Full', 'range is full');
    return this.min + off;
  }

  release(port: number, owner?: string): boolean {
    return this.contains(port) && this.offsets.release(port - this.min, owner);
  }

  ownerOf(port: number): string | undefined {
    return this.contains(port) ? this.offsets.ownerOf(port - this.min) : undefined;
  }

  ownedBy(owner: string): number[] {
    return this.offsets.ownedBy(owner).map((o) => this.min + o);
  }
}
