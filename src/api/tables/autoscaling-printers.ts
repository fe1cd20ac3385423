// Printer for autoscaling HorizontalPodAutoscalers, with kubectl's columns (printers.go
// printHorizontalPodAutoscaler): REFERENCE kind/name, TARGETS as `cpu: <current>/<target>` per metric
// (`<unknown>` until metrics are read: kdp has no metrics pipeline), MINPODS `<unset>` by default.
import type { KObject } from '../types.js';
import { translateTimestampSince } from './duration.js';
import { AGE_COLUMN, col, NAME_COLUMN, type Printer } from './table-types.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function target(metric: any, current: any): string {
  if (metric?.type !== 'Resource' && metric?.type !== 'ContainerResource') return `<unknown>/${metric?.type ?? ''}`;
  const source = metric.resource ?? metric.containerResource ?? {};
  const t = source.target ?? {};
  const now = (current?.resource ?? current?.containerResource)?.current;
  if (t.averageUtilization !== undefined) return `${source.name}: ${now?.averageUtilization !== undefined ? `${now.averageUtilization}%` : '<unknown>'}/${t.averageUtilization}%`;
  const want = t.averageValue ?? t.value ?? '';
  return `${source.name}: ${now?.averageValue ?? now?.value ?? '<unknown>'}/${want}`;
}

/** The TARGETS cell: the first three metrics, then `+ N more...`, as kubectl prints them. */
export function formatHpaMetrics(hpa: KObject): string {
  const metrics = hpa.spec?.metrics ?? [];
  if (hpa.apiVersion === 'autoscaling/v1' || (!metrics.length && hpa.spec?.targetCPUUtilizationPercentage !== undefined)) {
    const want = hpa.spec?.targetCPUUtilizationPercentage;
    const now = hpa.status?.currentCPUUtilizationPercentage;
    return want === undefined ? '<none>' : `cpu: ${now !== undefined ? `${now}%` : '<unknown>'}/${want}%`;
  }
  if (!metrics.length) return '<none>';
  const current = hpa.status?.currentMetrics ?? [];
  const shown = metrics.slice(0, 3).map((m: unknown, i: number) => target(m, current[i]));
  return shown.join(', ') + (metrics.length > 3 ? ` + ${metrics.length - 3} more...` : '');
}

export const horizontalPodAutoscalerPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    col('Reference', 'reference to the target resource to scale'),
    col('Targets', 'the current and target metric values'),
    col('MinPods', 'the lower limit for the number of pods', { type: 'string' }),
    col('MaxPods', 'the upper limit for the number of pods', { type: 'integer' }),
    col('Replicas', 'current number of replicas of pods managed by this autoscaler', { type: 'integer' }),
    AGE_COLUMN,
  ],
  cells(hpa, now) {
    const ref = hpa.spec?.scaleTargetRef ?? {};
    return [
      hpa.metadata.name, `${ref.kind ?? ''}/${ref.name ?? ''}`, formatHpaMetrics(hpa), hpa.spec?.minReplicas !== undefined ? String(hpa.spec.minReplicas) : '<unset>',
      hpa.spec?.maxReplicas ?? 0, hpa.status?.currentReplicas ?? 0, translateTimestampSince(hpa.metadata.creationTimestamp, now),
    ];
  },
};
