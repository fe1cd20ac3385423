import { describe, expect, it } from 'vitest';
import type { KObject } from '../api/types.js';
import { nextNodeName } from './nodes.js';
import { conditionMet, parseFor, parseTimeout } from './wait.js';

const job: KObject = { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'pi' }, status: { phase: 'Running', conditions: [{ type: 'Complete', status: 'True' }] } };

describe('kdp wait', () => {
  it('parses --for like kubectl', () => {
    expect(parseFor('delete')).toEqual({ kind: 'delete' });
    expect(parseFor('condition=Ready')).toEqual({ kind: 'condition', type: 'Ready', value: 'true' });
    expect(parseFor('condition=Ready=false')).toEqual({ kind: 'condition', type: 'Ready', value: 'false' });
    expect(parseFor("jsonpath={.status.phase}=Running")).toEqual({ kind: 'jsonpath', path: '{.status.phase}', value: 'Running' });
    expect(() => parseFor('ready')).toThrow('unrecognized condition: "ready"');
  });

  it('matches conditions case-insensitively, and jsonpath values', () => {
    expect(conditionMet(job, parseFor('condition=complete'))).toBe(true);
    expect(conditionMet(job, parseFor('condition=failed'))).toBe(false);
    expect(conditionMet(job, parseFor('jsonpath={.status.phase}=Running'))).toBe(true);
  });

  it('parses Go durations', () => {
    expect(parseTimeout('30s')).toBe(30_000);
    expect(parseTimeout('1m30s')).toBe(90_000);
    expect(parseTimeout('500ms')).toBe(500);
    expect(parseTimeout('5')).toBe(5000);
    expect(() => parseTimeout('soon')).toThrow('invalid argument "soon" for "--timeout" flag');
  });
});

describe('kdp node add', () => {
  it('names the next worker as kind does', () => {
    expect(nextNodeName(['kdp-control-plane', 'kdp-worker'])).toBe('kdp-worker2');
    expect(nextNodeName(['e2e8-control-plane', 'e2e8-worker', 'e2e8-worker2'])).toBe('e2e8-worker3');
    expect(nextNodeName(['kdp-control-plane'])).toBe('kdp-worker');
  });
});
