// Shared wiring of the endpoints controllers: a Service change enqueues the Service; a pod change
// enqueues every Service of its namespace whose selector matches the pod before or after the change
// (found through the Services' selector index, not by testing every Service).
import type { Informer } from '../api/informer.js';
import { keyOf } from '../api/informer.js';
import type { KObject } from '../api/types.js';
import type { Controller } from './controller.js';
import { byLabels, bySelector, LABELS_INDEX, SELECTOR_INDEX, servicesSelecting } from './indexes.js';
import { readyCondition } from './pod-util.js';

function sameLabels(a: Record<string, string> | undefined, b: Record<string, string> | undefined): boolean {
  if (a === b) return true;
  const ka = Object.keys(a ?? {});
  if (ka.length !== Object.keys(b ?? {}).length) return false;
  return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && a![k] === b![k]);
}

/** Whether a pod change can change a Service's endpoints; others (e.g. container status) are ignored. */
function endpointRelevantChange(pod: KObject, old: KObject): boolean {
  return !sameLabels(pod.metadata.labels, old.metadata.labels) ||
    pod.metadata.deletionTimestamp !== old.metadata.deletionTimestamp ||
    pod.status?.podIP !== old.status?.podIP || pod.status?.phase !== old.status?.phase ||
    readyCondition(pod)?.status !== readyCondition(old)?.status ||
    pod.spec?.nodeName !== old.spec?.nodeName || pod.spec?.hostname !== old.spec?.hostname ||
    pod.spec?.subdomain !== old.spec?.subdomain;
}

/** Adds the indexes the endpoints controllers read: pods by label, Services by selector. */
export function addServicePodIndexes(services: Informer, pods: Informer): void {
  services.addIndex(SELECTOR_INDEX, bySelector);
  pods.addIndex(LABELS_INDEX, byLabels);
}

export function wireServicePodHandlers(controller: Controller, services: Informer, pods: Informer): void {
  addServicePodIndexes(services, pods);
  services.addHandlers({
    onAdd: (s) => controller.enqueue(keyOf(s)),
    onUpdate: (s) => controller.enqueue(keyOf(s)),
    onDelete: (s) => controller.enqueue(keyOf(s)),
  });
  const enqueueFor = (pod: KObject) => {
    for (const svc of servicesSelecting(services, pod)) controller.enqueue(keyOf(svc));
  };
  pods.addHandlers({
    onAdd: enqueueFor,
    onUpdate(pod, old) {
      if (!endpointRelevantChange(pod, old)) return;
      enqueueFor(pod);
      if (!sameLabels(pod.metadata.labels, old.metadata.labels)) enqueueFor(old);
    },
    onDelete: enqueueFor,
  });
}
