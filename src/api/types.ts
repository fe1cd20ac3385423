// Object shapes. Built-in kinds use the generated `kubernetes-types` definitions (types only, no
// runtime cost); the store itself handles any object as a KObject.

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

/** metav1.ObjectMeta, writable (the generated kubernetes-types are read-only). */
export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  finalizers?: string[];
  managedFields?: unknown[];
}

/** Read-only views of the built-in kinds, for components that read the cache. */
export type { Pod, Service, Namespace, Node, ConfigMap, Secret, Event, Container, PodSpec, PodStatus, ServicePort, ServiceSpec } from 'kubernetes-types/core/v1.js';
export type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1.js';
export type { EndpointSlice, Endpoint } from 'kubernetes-types/discovery/v1.js';

/** Any Kubernetes object, as stored. `metadata.name` is always set once stored. */
export interface KObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta & { name: string };
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  spec?: any;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  status?: any;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  [field: string]: any;
}

/** Well-known group/resources, as the store keys them. */
export const GR = {
  namespaces: '/namespaces',
  nodes: '/nodes',
  pods: '/pods',
  services: '/services',
  endpoints: '/endpoints',
  configmaps: '/configmaps',
  secrets: '/secrets',
  events: '/events',
  serviceaccounts: '/serviceaccounts',
  deployments: 'apps/deployments',
  replicasets: 'apps/replicasets',
  statefulsets: 'apps/statefulsets',
  daemonsets: 'apps/daemonsets',
  jobs: 'batch/jobs',
  cronjobs: 'batch/cronjobs',
  endpointslices: 'discovery.k8s.io/endpointslices',
  ingresses: 'networking.k8s.io/ingresses',
  ingressclasses: 'networking.k8s.io/ingressclasses',
} as const;
