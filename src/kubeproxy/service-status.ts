// What kube-proxy writes back: a Service condition while some of its addresses cannot be served
// (`LoadBalancerPortsError` for LoadBalancer Services, as core/v1 names it; `PortsError` otherwise),
// removed once every address listens. Events say the same thing as it happens.
import { ApiError } from '../api/errors.js';
import { rfc3339, type ObjectStore } from '../api/store.js';
import { GR, type KObject } from '../api/types.js';

export const PORTS_ERROR_REASON = 'FailedToBindPort';

function conditionType(svc: KObject): string {
  return svc.spec?.type === 'LoadBalancer' ? 'LoadBalancerPortsError' : 'PortsError';
}

/** Sets (messages non-empty) or clears (empty) the ports-error condition of a Service. */
export function setPortsCondition(store: ObjectStore, namespace: string, name: string, messages: string[], now: Date): void {
  for (let attempt = 0; attempt < 3; attempt++) {
    const svc = store.tryGet(GR.services, namespace, name);
    if (!svc) return;
    const type = conditionType(svc);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const conditions: any[] = (svc.status?.conditions ?? []).filter((c: { type: string }) => c.type === 'LoadBalancerPortsError' || c.type === 'PortsError' ? c.type === type : true);
    const i = conditions.findIndex((c) => c.type === type);
    const message = messages.join('; ');
    let next: unknown[];
    if (!messages.length) {
      if (i < 0 && conditions.length === (svc.status?.conditions ?? []).length) return;
      next = conditions.filter((c) => c.type !== type);
    } else {
      if (i >= 0 && conditions[i].status === 'True' && conditions[i].message === message) return;
      const cond = { type, status: 'True', observedGeneration: svc.metadata.generation ?? 1, lastTransitionTime: rfc3339(now), reason: PORTS_ERROR_REASON, message };
      next = i >= 0 ? conditions.map((c, j) => (j === i ? cond : c)) : [...conditions, cond];
    }
    const updated = structuredClone(svc) as KObject;
    updated.status = { ...(updated.status ?? {}), conditions: next };
    if (!next.length) delete updated.status.conditions;
    try {
      store.update(GR.services, updated, { subresource: 'status' });
      return;
    } catch (err) {
      if (err instanceof ApiError && err.code === 409) continue;
      return;
    }
  }
}
