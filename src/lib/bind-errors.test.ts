import { describe, expect, it } from 'vitest';
import { bindReason, explainBindError, isBindError } from './bind-errors.js';

const err = (code: string) => Object.assign(new Error(`listen ${code}`), { code });

describe('bind errors', () => {
  it('says what Go says in stand-in programs\' logs', () => {
    expect(bindReason(err('EADDRINUSE'))).toBe('address already in use');
    expect(bindReason(err('EADDRNOTAVAIL'))).toBe('cannot assign requested address');
    expect(bindReason(err('ENOENT'))).toBe('listen ENOENT');
  });

  it('explains the reason and the fix', () => {
    expect(explainBindError(err('EADDRINUSE'), { port: 5353, protocol: 'UDP' })).toBe("address already in use: another process holds this port (see `ss -ulnp 'sport = :5353'`)");
    expect(explainBindError(err('EACCES'), { port: 53 })).toMatch(/^permission denied: ports below 1024 need root\. .*ip_unprivileged_port_start=0/);
    expect(explainBindError(err('EACCES'), { port: 8080 })).toBe('permission denied');
    expect(explainBindError(err('EADDRNOTAVAIL'), { ip: '127.1.2.3' })).toBe("address not available: 127.1.2.3 is not an address of this host (kdp's addresses must be in 127.0.0.0/8)");
    expect(isBindError(err('EADDRINUSE'))).toBe(true);
    expect(isBindError(err('ECONNREFUSED'))).toBe(false);
  });
});
