import { describe, expect, it } from 'vitest';
import { cidrContains, cidrsOverlap, compareIPv4, isIPv4, ipv4ToNumber, numberToIPv4, parseIPv4Cidr } from './ipv4.js';

describe('ipv4', () => {
  it('accepts dotted quads without leading zeros only', () => {
    expect(isIPv4('127.96.0.1')).toBe(true);
    expect(isIPv4('0.0.0.0')).toBe(true);
    expect(isIPv4('127.096.0.1')).toBe(false);
    expect(isIPv4('127.96.0')).toBe(false);
    expect(isIPv4('256.1.1.1')).toBe(false);
    expect(isIPv4('fd00::1')).toBe(false);
    expect(isIPv4(7)).toBe(false);
  });

  it('converts and orders addresses numerically', () => {
    expect(ipv4ToNumber('127.0.0.1')).toBe(0x7f000001);
    expect(numberToIPv4(0xffffffff)).toBe('255.255.255.255');
    expect(['127.0.0.10', '127.0.0.9', '126.255.0.1'].sort(compareIPv4)).toEqual(['126.255.0.1', '127.0.0.9', '127.0.0.10']);
  });

  it('parses CIDRs, clearing host bits as Go does', () => {
    expect(parseIPv4Cidr('127.96.0.5/12')).toEqual({ base: 0x7f600000, prefix: 12, size: 2 ** 20 });
    expect(parseIPv4Cidr('127.96.0.0')).toBeUndefined();
    expect(parseIPv4Cidr('127.96.0.0/33')).toBeUndefined();
    expect(parseIPv4Cidr('127.96.0.0/012')).toBeUndefined();
  });

  it('tests containment and overlap', () => {
    expect(cidrContains('127.77.1.0/24', '127.77.1.200')).toBe(true);
    expect(cidrContains('127.77.1.0/24', '127.77.2.1')).toBe(false);
    expect(cidrContains('0.0.0.0/0', '8.8.8.8')).toBe(true);
    expect(cidrContains('nonsense', '127.0.0.1')).toBe(false);
    const a = parseIPv4Cidr('127.96.0.0/12')!;
    expect(cidrsOverlap(a, parseIPv4Cidr('127.100.0.0/16')!)).toBe(true);
    expect(cidrsOverlap(a, parseIPv4Cidr('127.112.0.0/16')!)).toBe(false);
  });
});
