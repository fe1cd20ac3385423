import { describe, expect, it } from 'vitest';
import { canonicalHeaderKey, echoDocument, parseGoDuration } from './echo-basic.js';

describe('echo-basic', () => {
  it('canonicalises header names as Go does', () => {
    expect(canonicalHeaderKey('x-header-set')).toBe('X-Header-Set');
    expect(canonicalHeaderKey('USER-AGENT')).toBe('User-Agent');
    expect(canonicalHeaderKey('bad header')).toBe('bad header');
  });

  it('parses Go durations', () => {
    expect(parseGoDuration('1s')).toBe(1000);
    expect(parseGoDuration('1m30s')).toBe(90_000);
    expect(parseGoDuration('500ms')).toBe(500);
    expect(parseGoDuration('1.5s')).toBe(1500);
    expect(parseGoDuration('soon')).toBeUndefined();
  });

  it('describes the request as upstream echoHandler does', () => {
    const doc = echoDocument(
      { url: '/a?b=c', method: 'GET', httpVersion: '1.1', headers: { host: 'example.com' }, rawHeaders: ['Host', 'example.com', 'x-a', '1', 'X-A', '2', 'accept', '*/*'] },
      { namespace: 'ns', ingress: '', service: '', pod: 'pod-1', httpPort: '3000' },
    );
    expect(doc).toEqual({ path: '/a?b=c', host: 'example.com', method: 'GET', proto: 'HTTP/1.1', headers: { 'X-A': ['1', '2'], Accept: ['*/*'] }, httpPort: '3000', namespace: 'ns', ingress: '', service: '', pod: 'pod-1' });
  });
});
