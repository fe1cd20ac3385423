// ClusterIP allocation from the service CIDR, as kube-apiserver's ipallocator: the network and
// broadcast addresses are never handed out, the first usable address belongs to the `kubernetes`
// Service (never handed out dynamically), dynamic picks prefer the upper part of the range and the
// lower min(max(16, size/16), 256) addresses are kept for static picks (e.g. the cluster DNS 10th address).
import { IPv4CidrRange } from 'ip-num';
import { AllocationError, OffsetAllocator, staticBandSize } from './range-allocator.js';
import { ipv4ToNumber, isIPv4, numberToIPv4 } from '../../lib/ipv4.js';

export interface ServiceIPAllocatorOptions {
  /** Random source for dynamic picks (tests pass a fake). */
  rng?: () => number;
  /** Addresses never handed out dynamically (e.g. the cluster DNS address); they can still be requested. */
  reserved?: string[];
}

export { ipv4ToNumber as ipToNumber, numberToIPv4 as numberToIp };

export class ServiceIPAllocator {
  /** The range as the apiserver prints it, e.g. `127.96.0.0/12`. */
  readonly cidr: string;
  /** Number of allocatable addresses (the CIDR minus network and broadcast). */
  readonly size: number;
  private readonly base: number;
  private readonly offsets: OffsetAllocator;

  constructor(cidr: string, opts: ServiceIPAllocatorOptions = {}) {
    let range: IPv4CidrRange;
    try {
      range = IPv4CidrRange.fromCidr(cidr);
    } catch (err) {
      throw new Error(`invalid service CIDR ${JSON.stringify(cidr)}: ${(err as Error).message}`);
    }
    const prefix = Number(range.cidrPrefix.getValue());
    const network = Number(range.getFirst().getValue());
    this.cidr = `${numberToIPv4(network)}/${prefix}`;
    const total = 2 ** (32 - prefix);
    this.size = total >= 4 ? total - 2 : 0;
    this.base = network + 1;
    const band = staticBandSize(total, 16, 16, 256);
    const reserved = [0, ...(opts.reserved ?? []).filter(isIPv4).map((ip) => ipv4ToNumber(ip) - this.base)];
    this.offsets = new OffsetAllocator(this.size, band, reserved, opts.rng ?? Math.random);
  }

  /** The address of the `kubernetes` Service: the first usable one. */
  get firstAddress(): string {
    return numberToIPv4(this.base);
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

  private offsetOf(ip: string): number | undefined {
    if (!isIPv4(ip)) return undefined;
    const off = ipv4ToNumber(ip) - this.base;
    return off >= 0 && off < this.size ? off : undefined;
  }

  contains(ip: string): boolean {
    return this.offsetOf(ip) !== undefined;
  }

  /** Takes a requested address. Idempotent when `owner` already holds it. */
  allocate(ip: string, owner: string): void {
    const off = this.offsetOf(ip);
    if (off === undefined) {
      throw new AllocationError('NotInRange', `the provided IP (${ip}) is not in the valid range. The range of valid IPs is ${this.cidr}`);
    }
    if (!this.offsets.take(off, owner)) throw new AllocationError('AlreadyAllocated', 'provided IP is already allocated');
  }

  allocateNext(owner: string): string {
    const off = this.offsets.next(owner);
    if (off === undefined) throw new AllocationError('Full', 'range is full');
    return numberToIPv4(this.base + off);
  }

  /** Frees `ip` (only if `owner` holds it, when given). */
  release(ip: string, owner?: string): boolean {
    const off = this.offsetOf(ip);
    return off !== undefined && this.offsets.release(off, owner);
  }

  ownerOf(ip: string): string | undefined {
    const off = this.offsetOf(ip);
    return off === undefined ? undefined : this.offsets.ownerOf(off);
  }

  ownedBy(owner: string): string[] {
    return this.offsets.ownedBy(owner).map((o) => numberToIPv4(this.base + o));
  }
}
