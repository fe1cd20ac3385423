// The informer indexes the controllers share (client-go's cache.Indexers), so that an event or a
// reconcile looks at the objects it concerns instead of every object of the namespace: pods by
// label, Services by selector label, objects by their controller's uid, EndpointSlices by Service,
// pods by node. Each index function is one shared value: components adding the same index share it.
import type { Informer } from '../api/informer.js';
import { fromMap, matchesLabels } from '../api/selectors.js';
import type { KObject } from '../api/types.js';
import { managesEndpoints, MANAGED_BY, MANAGED_BY_LABEL, SERVICE_NAME_LABEL, selectsPod } from './endpoints-compute.js';
import { controllerRef, isTerminal } from './pod-util.js';

/** `<namespace>/<key>=<value>`: one label of an object of that namespace. */
export function labelValue(namespace: string | undefined, key: string, value: string): string {
  return `${namespace ?? ''}/${key}=${value}`;
}

/** Pods (or any object) by each of their labels. */
export const LABELS_INDEX = 'labels';
export const byLabels = (obj: KObject): string[] =>
  Object.entries(obj.metadata.labels ?? {}).map(([k, v]) => labelValue(obj.metadata.namespace, k, v));

/** Services that get endpoints, by each pair of their selector. */
export const SELECTOR_INDEX = 'selector';
export const bySelector = (svc: KObject): string[] =>
  managesEndpoints(svc) ? Object.entries(svc.spec.selector as Record<string, string>).map(([k, v]) => labelValue(svc.metadata.namespace, k, v)) : [];

/** Objects by their controller's uid; objects with no controller under `orphanValue(namespace)`. */
export const CONTROLLER_INDEX = 'controller';
export const orphanValue = (namespace: string | undefined): string => `orphan:${namespace ?? ''}`;
export const byController = (obj: KObject): string[] => [controllerRef(obj)?.uid ?? orphanValue(obj.metadata.namespace)];

/** EndpointSlices that the EndpointSlice controller manages, by `<namespace>/<service>`. */
export const SLICE_SERVICE_INDEX = 'service';
export const bySliceService = (s: KObject): string[] => {
  const svc = s.metadata.labels?.[SERVICE_NAME_LABEL];
  return svc && s.metadata.labels?.[MANAGED_BY_LABEL] === MANAGED_BY ? [`${s.metadata.namespace}/${svc}`] : [];
};

/** Pods that hold a place on a node: bound there and not Succeeded/Failed. */
export const NODE_INDEX = 'node';
export const byNode = (pod: KObject): string[] => (pod.spec?.nodeName && !isTerminal(pod) ? [pod.spec.nodeName] : []);

/** The objects of `informer` (indexed byController) that the controller with this uid owns, in its namespace. */
export function ownedBy(informer: Informer, owner: KObject): KObject[] {
  return informer.byIndex(CONTROLLER_INDEX, owner.metadata.uid!).filter((o) => o.metadata.namespace === owner.metadata.namespace);
}

/**
 * The pods of `namespace` whose labels match every pair of `selector` (a map, as a Service's), read
 * from the label index: the smallest posting list among the pairs, then the full match.
 */
export function podsMatching(pods: Informer, namespace: string | undefined, selector: Record<string, string>): KObject[] {
  let smallest: string | undefined;
  let size = Infinity;
  for (const [k, v] of Object.entries(selector)) {
    const value = labelValue(namespace, k, v);
    const n = pods.indexCount(LABELS_INDEX, value);
    if (n < size) [smallest, size] = [value, n];
  }
  if (smallest === undefined || size === 0) return [];
  const sel = fromMap(selector);
  return pods.byIndex(LABELS_INDEX, smallest).filter((p) => matchesLabels(sel, p.metadata.labels));
}

/** The Services (indexed bySelector) whose selector matches the pod's labels. */
export function servicesSelecting(services: Informer, pod: KObject): KObject[] {
  const seen = new Set<KObject>();
  const out: KObject[] = [];
  for (const [k, v] of Object.entries(pod.metadata.labels ?? {})) {
    for (const svc of services.byIndex(SELECTOR_INDEX, labelValue(pod.metadata.namespace, k, v))) {
      if (seen.has(svc)) continue;
      seen.add(svc);
      if (selectsPod(svc, pod)) out.push(svc);
    }
  }
  return out;
}
