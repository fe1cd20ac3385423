import { describe, expect, it } from 'vitest';
import type { KObject } from '../types.js';
import { formatHpaMetrics } from './autoscaling-printers.js';

const hpa = (spec: object, status: object = {}, apiVersion = 'autoscaling/v2') => ({ apiVersion, kind: 'HorizontalPodAutoscaler', metadata: { name: 'h' }, spec, status }) as unknown as KObject;
const cpu = (u: number) => ({ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: u } } });

describe('formatHpaMetrics (the TARGETS column)', () => {
  it('unknown until metrics are read, then current/target; values as quantities', () => {
    expect(formatHpaMetrics(hpa({ metrics: [cpu(50)] }))).toBe('cpu: <unknown>/50%');
    expect(formatHpaMetrics(hpa({ metrics: [cpu(50)] }, { currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 12 } } }] }))).toBe('cpu: 12%/50%');
    expect(formatHpaMetrics(hpa({ metrics: [{ type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '100Mi' } } }] }))).toBe('memory: <unknown>/100Mi');
  });

  it('no metrics: <none>; more than three: the first three and "+ N more..."; autoscaling/v1 by its CPU percentage', () => {
    expect(formatHpaMetrics(hpa({}))).toBe('<none>');
    expect(formatHpaMetrics(hpa({ metrics: [cpu(1), cpu(2), cpu(3), cpu(4), cpu(5)] }))).toBe('cpu: <unknown>/1%, cpu: <unknown>/2%, cpu: <unknown>/3% + 2 more...');
    expect(formatHpaMetrics(hpa({ targetCPUUtilizationPercentage: 80 }, {}, 'autoscaling/v1'))).toBe('cpu: <unknown>/80%');
  });
});
