import { describe, expect, it } from 'vitest';
import { closeFrame, decodeFrame, parseExecStatus, resizeFrame, stdinFrame } from './exec-protocol.js';
import { gracePeriodOf, propagationPolicy } from './delete.js';
import { jsonpath } from './jsonpath.js';

describe('exec channel framing', () => {
  it('prefixes the channel byte', () => {
    expect([...stdinFrame('hi')]).toEqual([0, 104, 105]);
    expect(resizeFrame(80, 24).toString('utf8', 1)).toBe('{"Width":80,"Height":24}');
    expect(resizeFrame(80, 24)[0]).toBe(4);
    expect([...closeFrame()]).toEqual([255, 0]);
    expect(decodeFrame(Buffer.from([1, 111, 107]))).toEqual({ channel: 1, payload: Buffer.from('ok') });
    expect(decodeFrame(Buffer.alloc(0))).toBeUndefined();
  });
  it('reads the exit code from the error channel', () => {
    expect(parseExecStatus('{"metadata":{},"status":"Success"}')).toEqual({ exitCode: 0 });
    expect(parseExecStatus(JSON.stringify({ status: 'Failure', reason: 'NonZeroExitCode', message: 'command terminated with non-zero exit code', details: { causes: [{ reason: 'ExitCode', message: '3' }] } }))).toEqual({ exitCode: 3 });
    expect(parseExecStatus(JSON.stringify({ status: 'Failure', reason: 'BadRequest', message: 'container x is not valid for pod p' }))).toEqual({ exitCode: 1, error: 'container x is not valid for pod p' });
  });
});

describe('delete options', () => {
  it('follows kubectl grace-period and cascade rules', () => {
    expect(gracePeriodOf({})).toBeUndefined();
    expect(gracePeriodOf({ force: true })).toBe(0);
    expect(gracePeriodOf({ gracePeriod: '0' })).toBe(1);
    expect(gracePeriodOf({ gracePeriod: '0', force: true })).toBe(0);
    expect(gracePeriodOf({ gracePeriod: '5' })).toBe(5);
    const warnings: string[] = [];
    expect(propagationPolicy(undefined, (w) => warnings.push(w))).toBe('Background');
    expect(propagationPolicy('orphan', (w) => warnings.push(w))).toBe('Orphan');
    expect(propagationPolicy('false', (w) => warnings.push(w))).toBe('Orphan');
    expect(warnings).toHaveLength(1);
    expect(() => propagationPolicy('sideways', () => {})).toThrow('invalid cascade value (sideways)');
  });
});

describe('jsonpath', () => {
  const list = { kind: 'List', items: [
    { metadata: { name: 'a' }, status: { addresses: [{ type: 'InternalIP', address: '127.18.0.2' }, { type: 'Hostname', address: 'a' }] } },
    { metadata: { name: 'b' }, status: { addresses: [{ type: 'InternalIP', address: '127.18.0.3' }] } },
  ] };
  it('evaluates kubectl templates', () => {
    expect(jsonpath('{.items[*].metadata.name}', list)).toBe('a b');
    expect(jsonpath('{.items[0].status.addresses[?(@.type=="InternalIP")].address}', list)).toBe('127.18.0.2');
    expect(jsonpath('{range .items[*]}{.metadata.name}{"\\n"}{end}', list)).toBe('a\nb\n');
    expect(jsonpath('ip={.items[-1].status.addresses[0].address}', list)).toBe('ip=127.18.0.3');
    expect(jsonpath('{..address}', list.items[1])).toBe('127.18.0.3');
    expect(jsonpath('{.items[0].metadata}', list)).toBe('{"name":"a"}');
    expect(jsonpath('{.missing}', list)).toBe('');
  });
});
