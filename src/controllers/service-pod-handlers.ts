// Shared wiring of the endpoints controllers: a Service change enqueues the Service; a pod change
// enqueues every Service of its namespace whose selector matches the pod before or after the change.
import type { Informer } from '../api/informer.js';
import { keyOf } from '../api/informer.js';
import type { KObject } from '../api/types.js';
import type { Controller } from './controller.js';
import { selectsPod } from './endpoints-compute.js';

/** What a Service's endpoints depend on in a pod; other pod changes (e.g. container status) are ignored. */
function endpointRelevant(pod: KObject): string {
  return JSON.stringify([
    pod.metadata.labels, pod.metadata.deletionTimestamp, pod.status?.podIP, pod.status?.phase,
    (pod.status?.conditions ?? []).find((c: { type: string }) => c.type === 'Ready')?.status,
    pod.spec?.nodeName, pod.spec?.hostname, pod.spec?.subdomain,
  ]);
}

export function wireServicePodHandlers(controller: Controller, services: Informer, pods: Informer): void {
  services.addHandlers({
    onAdd: (s) => controller.enqueue(keyOf(s)),
    onUpdate: (s) => controller.enqueue(keyOf(s)),
    onDelete: (s) => controller.enqueue(keyOf(s)),
  });
  const enqueueFor = (pod: KObject) => {
    for (const svc of services.list(pod.metadata.namespace)) if (selectsPod(svc, pod)) controller.enqueue(keyOf(svc));
  };
  pods.addHandlers({
    onAdd: enqueueFor,
    onUpdate(pod, old) {
      if (endpointRelevant(pod) === endpointRelevant(old)) return;
      enqueueFor(pod);
      if (JSON.stringify(pod.metadata.labels) !== JSON.stringify(old.metadata.labels)) enqueueFor(old);
    },
    onDelete: enqueueFor,
  });
}
