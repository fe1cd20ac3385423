import { describe, expect, it } from 'vitest';
import { localServerAddress } from './discovery.js';

describe('localServerAddress', () => {
  it('prints host:port, IPv4-mapped addresses plainly and IPv6 in brackets', () => {
    expect(localServerAddress({ localAddress: '127.62.0.1', localPort: 6443 })).toBe('127.62.0.1:6443');
    expect(localServerAddress({ localAddress: '::ffff:127.0.0.1', localPort: 8080 })).toBe('127.0.0.1:8080');
    expect(localServerAddress({ localAddress: '::1', localPort: 6443 })).toBe('[::1]:6443');
  });
});
