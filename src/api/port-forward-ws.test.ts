import { describe, expect, it } from 'vitest';
import { parsePorts } from './port-forward-ws.js';

describe('parsePorts', () => {
  it('reads repeated and comma-separated ports, as the kubelet does', () => {
    expect(parsePorts(new URLSearchParams('ports=80,443&ports=8080'))).toEqual([80, 443, 8080]);
  });

  it("refuses what the kubelet refuses, with its words", () => {
    const msg = (q: string) => {
      try {
        parsePorts(new URLSearchParams(q));
      } catch (err) {
        return (err as Error).message;
      }
      return 'accepted';
    };
    expect(msg('')).toBe('query parameter "ports" is required');
    expect(msg('ports=')).toBe('query parameter "ports" cannot be empty');
    expect(msg('ports=http')).toBe('unable to parse "http" as a port: strconv.ParseUint: parsing "http": invalid syntax');
    expect(msg('ports=70000')).toBe('unable to parse "70000" as a port: strconv.ParseUint: parsing "70000": value out of range');
    expect(msg('ports=0')).toBe('port "0" must be > 0');
  });
});
