// `pods/eviction` (policy/v1 Eviction, what `kubectl drain` posts): deletes the pod as a DELETE with
// the Eviction's deleteOptions would, unless a PodDisruptionBudget selecting it has no disruption
// left — then 429 TooManyRequests, as the apiserver answers (drain retries). The budget is computed
// here from the pods it selects (healthy = Ready), where Kubernetes reads the disruption
// controller's `status.disruptionsAllowed`.
import { ApiError, errors } from './errors.js';
import { parseDeleteOptions, storeDeleteOptions } from './delete-options.js';
import { fromLabelSelectorObject, matchesLabels } from './selectors.js';
import type { ObjectStore } from './store.js';
import type { KObject } from './types.js';

const ready = (p: KObject) => (p.status?.conditions ?? []).some((c: { type: string; status: string }) => c.type === 'Ready' && c.status === 'True');

function needed(value: number | string | undefined, expected: number): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number') return value;
  const m = /^(\d+)%$/.exec(value);
  return m ? Math.ceil((Number(m[1]) * expected) / 100) : Number(value);
}

/** The budget that forbids evicting `pod` now, with how many healthy pods it needs and has. */
export function blockingBudget(store: ObjectStore, pod: KObject): { name: string; need: number; have: number } | undefined {
  if (!ready(pod) || pod.metadata.deletionTimestamp) return undefined; // an unhealthy pod may always go
  const ns = pod.metadata.namespace;
  for (const pdb of store.list('policy/poddisruptionbudgets', { namespace: ns }).items) {
    const selector = fromLabelSelectorObject(pdb.spec?.selector);
    if (!pdb.spec?.selector || !matchesLabels(selector, pod.metadata.labels)) continue;
    const pods = store.list('/pods', { namespace: ns }).items.filter((p) => matchesLabels(selector, p.metadata.labels) && !p.metadata.deletionTimestamp);
    const expected = pods.length;
    const healthy = pods.filter(ready).length;
    const minAvailable = needed(pdb.spec.minAvailable, expected);
    const maxUnavailable = needed(pdb.spec.maxUnavailable, expected);
    const need = minAvailable ?? (maxUnavailable !== undefined ? expected - maxUnavailable : expected);
    if (healthy - 1 < need) return { name: pdb.metadata.name, need, have: healthy };
  }
  return undefined;
}

export function evictPod(store: ObjectStore, ns: string | undefined, name: string, body: unknown, query: URLSearchParams): { code: number; body: object } {
  const eviction = (body ?? {}) as KObject;
  if (eviction.metadata?.name && eviction.metadata.name !== name) throw errors.badRequest(`name in URL does not match name in Eviction object`);
  const pod = store.get('/pods', ns, name);
  const blocked = blockingBudget(store, pod);
  if (blocked) {
    throw new ApiError({
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code: 429, reason: 'TooManyRequests',
      message: "Cannot evict pod as it would violate the pod's disruption budget.",
      details: { causes: [{ reason: 'DisruptionBudget', message: `The disruption budget ${blocked.name} needs ${blocked.need} healthy pods and has ${blocked.have} currently` }] },
    });
  }
  const opts = parseDeleteOptions(eviction.deleteOptions, query);
  if (!opts.dryRun?.includes('All')) store.delete('/pods', ns, name, storeDeleteOptions(opts));
  return { code: 201, body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 } };
}
