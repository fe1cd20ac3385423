import { describe, expect, test } from 'vitest';
import { isConfigMapKey, isDNS1035Label, isDNS1123Label, isDNS1123Subdomain, isIPv4, isQualifiedName, isValidLabelValue, isValidPortName, regexError } from './validation.js';

describe('validators', () => {
  test('regexError has the apiserver double space between examples', () => {
    expect(regexError('m', 'f', 'a', 'b')).toBe("m (e.g. 'a',  or 'b', regex used for validation is 'f')");
    expect(regexError('m', 'f')).toBe("m (regex used for validation is 'f')");
  });

  test('DNS names', () => {
    expect(isDNS1123Label('web-1')).toEqual([]);
    expect(isDNS1123Label('a'.repeat(64))).toEqual(['must be no more than 63 characters']);
    expect(isDNS1123Label('-a')).toHaveLength(1);
    expect(isDNS1123Subdomain('a.b-c.d')).toEqual([]);
    expect(isDNS1123Subdomain('A')).toHaveLength(1);
    expect(isDNS1035Label('1a')).toHaveLength(1);
    expect(isDNS1035Label('a1')).toEqual([]);
  });

  test('qualified names and label values', () => {
    expect(isQualifiedName('app.kubernetes.io/name')).toEqual([]);
    expect(isQualifiedName('/name')).toEqual(['prefix part must be non-empty']);
    expect(isQualifiedName('Example.com/x')[0]).toMatch(/^prefix part a lowercase RFC 1123 subdomain/);
    expect(isQualifiedName('x/')).toEqual(['name part must be non-empty']);
    expect(isValidLabelValue('')).toEqual([]);
    expect(isValidLabelValue('v1.2_3')).toEqual([]);
    expect(isValidLabelValue('-x')).toHaveLength(1);
  });

  test('port names', () => {
    expect(isValidPortName('http')).toEqual([]);
    expect(isValidPortName('8080')).toEqual(['must contain at least one letter (a-z)']);
    expect(isValidPortName('a--b')).toEqual(['must not contain consecutive hyphens']);
    expect(isValidPortName('averyveryverylongname')).toEqual(['must be no more than 15 characters']);
  });

  test('config keys and IPv4', () => {
    expect(isConfigMapKey('app.properties')).toEqual([]);
    expect(isConfigMapKey('..x')).toEqual(["must not start with '..'"]);
    expect(isIPv4('127.96.0.1')).toBe(true);
    expect(isIPv4('127.096.0.1')).toBe(false);
    expect(isIPv4('127.96.0')).toBe(false);
  });
});
