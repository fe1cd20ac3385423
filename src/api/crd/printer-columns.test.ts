import { describe, expect, it } from 'vitest';
import type { KObject } from '../types.js';
import { evaluate, parseJsonPath, printerFromColumns } from './printer-columns.js';

const gw = {
  apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway',
  metadata: { name: 'gw', creationTimestamp: '2026-01-01T00:00:00Z' },
  spec: { gatewayClassName: 'kdp', hostnames: ['a.example.com', 'b.example.com'] },
  status: { addresses: [{ type: 'IPAddress', value: '127.1.0.1' }, { type: 'IPAddress', value: '127.1.0.2' }], conditions: [{ type: 'Accepted', status: 'True' }, { type: 'Programmed', status: 'False' }] },
} as unknown as KObject;

describe('printer columns', () => {
  it('evaluates the JSONPath subset printer columns use', () => {
    expect(evaluate(parseJsonPath('.spec.gatewayClassName'), gw)).toEqual(['kdp']);
    expect(evaluate(parseJsonPath('.status.addresses[*].value'), gw)).toEqual(['127.1.0.1', '127.1.0.2']);
    expect(evaluate(parseJsonPath('.status.addresses[1].value'), gw)).toEqual(['127.1.0.2']);
    expect(evaluate(parseJsonPath('.status.conditions[?(@.type=="Programmed")].status'), gw)).toEqual(['False']);
    expect(evaluate(parseJsonPath('.status.missing'), gw)).toEqual([]);
    expect(() => parseJsonPath('.a[?(@.x>1)]')).toThrow();
  });

  it('renders the Gateway and HTTPRoute columns of the Gateway API CRDs', () => {
    const p = printerFromColumns([
      { name: 'Class', type: 'string', jsonPath: '.spec.gatewayClassName' },
      { name: 'Address', type: 'string', jsonPath: '.status.addresses[*].value' },
      { name: 'Programmed', type: 'string', jsonPath: '.status.conditions[?(@.type=="Programmed")].status' },
      { name: 'Hostnames', type: 'string', jsonPath: '.spec.hostnames' },
      { name: 'Missing', type: 'string', jsonPath: '.spec.nothing' },
      { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
    ]);
    expect(p.columns.map((c) => c.name)).toEqual(['Name', 'Class', 'Address', 'Programmed', 'Hostnames', 'Missing', 'Age']);
    expect(p.cells(gw, new Date('2026-01-01T00:05:00Z'))).toEqual(['gw', 'kdp', '127.1.0.1,127.1.0.2', 'False', '["a.example.com","b.example.com"]', null, '5m']);
  });
});
