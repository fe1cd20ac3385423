import { describe, expect, test } from 'vitest';
import { NodePortAllocator } from './node-port-allocator.js';
import { AllocationError, OffsetAllocator, staticBandSize } from './range-allocator.js';
import { ServiceIPAllocator } from './service-ip-allocator.js';

describe('OffsetAllocator', () => {
  test('static band sizes as the apiserver computes them', () => {
    expect(staticBandSize(2 ** 20, 16, 16, 256)).toBe(256); // /12
    expect(staticBandSize(256, 16, 16, 256)).toBe(16); // /24
    expect(staticBandSize(16, 16, 16, 256)).toBe(0); // /28
    expect(staticBandSize(2768, 16, 32, 128)).toBe(86); // 30000-32767
  });

  test('dynamic picks use the upper part first, then the band, skipping reserved offsets', () => {
    const a = new OffsetAllocator(6, 2, [3], () => 0);
    expect([a.next('x'), a.next('x'), a.next('x')]).toEqual([2, 4, 5]);
    expect([a.next('x'), a.next('x'), a.next('x')]).toEqual([0, 1, undefined]);
    expect(a.take(3, 'y')).toBe(true); // reserved, but can be asked for
    expect(a.take(3, 'z')).toBe(false);
    expect(a.take(3, 'y')).toBe(true); // idempotent for the owner
  });

  test('release respects the owner', () => {
    const a = new OffsetAllocator(4, 0, [], () => 0);
    a.take(1, 'x');
    expect(a.release(1, 'y')).toBe(false);
    expect(a.ownedBy('x')).toEqual([1]);
    expect(a.release(1, 'x')).toBe(true);
    expect(a.ownedBy('x')).toEqual([]);
  });
});

describe('ServiceIPAllocator', () => {
  test('the default service CIDR', () => {
    const a = new ServiceIPAllocator('127.96.0.0/12');
    expect(a.cidr).toBe('127.96.0.0/12');
    expect(a.size).toBe(2 ** 20 - 2);
    expect(a.firstAddress).toBe('127.96.0.1');
    expect(a.staticBand).toBe(256);
    expect(a.contains('127.111.255.254')).toBe(true);
    expect(a.contains('127.111.255.255')).toBe(false);
  });

  test('normalises an unaligned CIDR and reports errors with reasons', () => {
    const a = new ServiceIPAllocator('127.77.0.9/29');
    expect(a.cidr).toBe('127.77.0.8/29');
    expect(() => a.allocate('127.77.0.20', 'x')).toThrow(new AllocationError('NotInRange', 'the provided IP (127.77.0.20) is not in the valid range. The range of valid IPs is 127.77.0.8/29'));
    a.allocate('127.77.0.9', 'x');
    expect(() => a.allocate('127.77.0.9', 'y')).toThrow('provided IP is already allocated');
  });

  test('never hands out the first or a reserved address dynamically', () => {
    const a = new ServiceIPAllocator('127.77.0.0/29', { reserved: ['127.77.0.3'], rng: () => 0.99 });
    const got = [1, 2, 3, 4].map(() => a.allocateNext('x'));
    expect(got.sort()).toEqual(['127.77.0.2', '127.77.0.4', '127.77.0.5', '127.77.0.6']);
    expect(() => a.allocateNext('x')).toThrow('range is full');
  });

  test('/31 and /32 hold nothing', () => {
    expect(new ServiceIPAllocator('127.77.0.0/31').size).toBe(0);
    expect(() => new ServiceIPAllocator('127.77.0.1/32').allocateNext('x')).toThrow('range is full');
  });
});

describe('NodePortAllocator', () => {
  test('range, band and errors', () => {
    const a = new NodePortAllocator(30000, 32767, { rng: () => 0 });
    expect(a.staticBand).toBe(86);
    expect(a.allocateNext('x')).toBe(30086);
    expect(() => a.allocate(29999, 'x')).toThrow('provided port is not in the valid range. The range of valid ports is 30000-32767');
    a.allocate(30080, 'x');
    expect(() => a.allocate(30080, 'y')).toThrow('provided port is already allocated');
    expect(() => new NodePortAllocator(5, 1)).toThrow('invalid node port range 5-1');
  });
});
