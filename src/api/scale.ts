// The /scale subresource: an autoscaling/v1 Scale view of any object with spec.replicas.
import { selectorToString, fromLabelSelectorObject } from './selectors.js';
import type { KObject } from './types.js';

export function getScale(obj: KObject): object {
  const sel = obj.spec?.selector;
  const selector = sel && (sel.matchLabels || sel.matchExpressions) ? selectorToString(fromLabelSelectorObject(sel)) : selectorToString(Object.entries(sel ?? {}).map(([key, v]) => ({ key, op: 'in' as const, values: [String(v)] })));
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: obj.metadata.name,
      namespace: obj.metadata.namespace,
      uid: obj.metadata.uid,
      resourceVersion: obj.metadata.resourceVersion,
      creationTimestamp: obj.metadata.creationTimestamp,
    },
    spec: { replicas: obj.spec?.replicas ?? 1 },
    status: { replicas: obj.status?.replicas ?? 0, selector },
  };
}

export function scaleToPatch(replicas: number): object {
  return { spec: { replicas } };
}
