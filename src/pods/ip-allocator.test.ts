import { describe, expect, it } from 'vitest';
import { cidrContains, PodIpAllocator } from './ip-allocator.js';

describe('PodIpAllocator', () => {
  it('hands out host addresses from .2, skipping network and gateway', () => {
    const a = new PodIpAllocator();
    expect(a.allocate('127.77.1.0/24')).toBe('127.77.1.2');
    expect(a.allocate('127.77.1.0/24')).toBe('127.77.1.3');
  });

  it('does not reuse a freed address at once, but does when the range wraps', () => {
    const a = new PodIpAllocator();
    const cidr = '127.77.1.0/29'; // .2 .. .6 usable
    const ips = [1, 2, 3, 4, 5].map(() => a.allocate(cidr));
    expect(ips).toEqual(['127.77.1.2', '127.77.1.3', '127.77.1.4', '127.77.1.5', '127.77.1.6']);
    expect(a.allocate(cidr)).toBeUndefined();
    a.release(cidr, '127.77.1.3');
    expect(a.allocate(cidr)).toBe('127.77.1.3');
    a.release(cidr, '127.77.1.2');
    a.release(cidr, '127.77.1.5');
    expect(a.allocate(cidr)).toBe('127.77.1.5');
    expect(a.allocate(cidr)).toBe('127.77.1.2');
  });

  it('honours a free preferred address inside the range only', () => {
    const a = new PodIpAllocator();
    expect(a.allocate('127.77.2.0/24', '127.77.2.40')).toBe('127.77.2.40');
    expect(a.allocate('127.77.2.0/24', '127.77.2.40')).toBe('127.77.2.2');
    expect(a.allocate('127.77.2.0/24', '127.77.9.40')).toBe('127.77.2.3');
    expect(a.inUse('127.77.2.0/24')).toBe(3);
  });

  it('keeps nodes apart', () => {
    const a = new PodIpAllocator();
    expect(a.allocate('127.77.1.0/24')).toBe('127.77.1.2');
    expect(a.allocate('127.77.2.0/24')).toBe('127.77.2.2');
    expect(cidrContains('127.77.1.0/24', '127.77.1.200')).toBe(true);
    expect(cidrContains('127.77.1.0/24', '127.77.2.1')).toBe(false);
  });
});
