// The ClusterRoles and ClusterRoleBindings kube-apiserver creates at start-up (its bootstrap policy,
// labelled kubernetes.io/bootstrapping=rbac-defaults): cluster-admin for system:masters, the
// user-facing admin / edit / view roles, and the discovery, basic-user and public-info roles every
// user holds. Created when missing; edits users make to them are kept.
import type { ObjectStore } from '../store.js';
import type { KObject } from '../types.js';
import { RBAC, type PolicyRule } from './rbac.js';

const READ = ['get', 'list', 'watch'];
const WRITE = ['create', 'delete', 'deletecollection', 'patch', 'update'];
const ALL_VERBS = [...WRITE, ...READ];

/** What `view` may read: everything namespaced a workload uses, but no Secrets (as upstream). */
const VIEW_RULES: PolicyRule[] = [
  { apiGroups: [''], resources: ['configmaps', 'endpoints', 'persistentvolumeclaims', 'persistentvolumeclaims/status', 'pods', 'replicationcontrollers', 'replicationcontrollers/scale', 'serviceaccounts', 'services', 'services/status'], verbs: READ },
  { apiGroups: [''], resources: ['bindings', 'events', 'limitranges', 'namespaces/status', 'pods/log', 'pods/status', 'replicationcontrollers/status', 'resourcequotas', 'resourcequotas/status'], verbs: READ },
  { apiGroups: [''], resources: ['namespaces'], verbs: READ },
  { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: READ },
  { apiGroups: ['apps'], resources: ['controllerrevisions', 'daemonsets', 'daemonsets/status', 'deployments', 'deployments/scale', 'deployments/status', 'replicasets', 'replicasets/scale', 'replicasets/status', 'statefulsets', 'statefulsets/scale', 'statefulsets/status'], verbs: READ },
  { apiGroups: ['autoscaling'], resources: ['horizontalpodautoscalers', 'horizontalpodautoscalers/status'], verbs: READ },
  { apiGroups: ['batch'], resources: ['cronjobs', 'cronjobs/status', 'jobs', 'jobs/status'], verbs: READ },
  { apiGroups: ['extensions'], resources: ['daemonsets', 'deployments', 'ingresses', 'networkpolicies', 'replicasets'], verbs: READ },
  { apiGroups: ['policy'], resources: ['poddisruptionbudgets', 'poddisruptionbudgets/status'], verbs: READ },
  { apiGroups: ['networking.k8s.io'], resources: ['ingresses', 'ingresses/status', 'networkpolicies'], verbs: READ },
  { apiGroups: ['events.k8s.io'], resources: ['events'], verbs: READ },
  { apiGroups: ['gateway.networking.k8s.io'], resources: ['gateways', 'httproutes', 'grpcroutes', 'referencegrants'], verbs: READ },
];

/** What `edit` may change in a namespace (and read Secrets), as upstream's aggregate-to-edit. */
const EDIT_RULES: PolicyRule[] = [
  { apiGroups: [''], resources: ['pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy', 'secrets', 'services/proxy'], verbs: READ },
  { apiGroups: [''], resources: ['serviceaccounts'], verbs: ['impersonate'] },
  { apiGroups: [''], resources: ['pods', 'pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy'], verbs: WRITE },
  { apiGroups: [''], resources: ['pods/eviction'], verbs: ['create'] },
  { apiGroups: [''], resources: ['configmaps', 'events', 'persistentvolumeclaims', 'replicationcontrollers', 'replicationcontrollers/scale', 'secrets', 'serviceaccounts', 'services', 'services/proxy'], verbs: WRITE },
  { apiGroups: [''], resources: ['serviceaccounts/token'], verbs: ['create'] },
  { apiGroups: ['apps'], resources: ['daemonsets', 'deployments', 'deployments/rollback', 'deployments/scale', 'replicasets', 'replicasets/scale', 'statefulsets', 'statefulsets/scale'], verbs: WRITE },
  { apiGroups: ['autoscaling'], resources: ['horizontalpodautoscalers'], verbs: WRITE },
  { apiGroups: ['batch'], resources: ['cronjobs', 'jobs'], verbs: WRITE },
  { apiGroups: ['extensions'], resources: ['daemonsets', 'deployments', 'deployments/rollback', 'deployments/scale', 'ingresses', 'networkpolicies', 'replicasets', 'replicasets/scale', 'replicationcontrollers/scale'], verbs: WRITE },
  { apiGroups: ['policy'], resources: ['poddisruptionbudgets'], verbs: WRITE },
  { apiGroups: ['networking.k8s.io'], resources: ['ingresses', 'networkpolicies'], verbs: WRITE },
  { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: WRITE },
  { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ALL_VERBS },
  { apiGroups: ['gateway.networking.k8s.io'], resources: ['gateways', 'httproutes', 'grpcroutes', 'referencegrants'], verbs: WRITE },
];

/** `admin` adds the namespace's own RBAC and local access reviews. */
const ADMIN_RULES: PolicyRule[] = [
  { apiGroups: ['authorization.k8s.io'], resources: ['localsubjectaccessreviews'], verbs: ['create'] },
  { apiGroups: ['rbac.authorization.k8s.io'], resources: ['rolebindings', 'roles'], verbs: ALL_VERBS },
];

const DISCOVERY_PATHS = ['/api', '/api/*', '/apis', '/apis/*', '/healthz', '/livez', '/openapi', '/openapi/*', '/readyz', '/version', '/version/'];
const PUBLIC_PATHS = ['/healthz', '/livez', '/readyz', '/version', '/version/'];

function role(name: string, rules: PolicyRule[], aggregateTo: string[] = []): KObject {
  const labels: Record<string, string> = { 'kubernetes.io/bootstrapping': 'rbac-defaults' };
  for (const r of aggregateTo) labels[`rbac.authorization.k8s.io/aggregate-to-${r}`] = 'true';
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name, labels, annotations: { 'rbac.authorization.kubernetes.io/autoupdate': 'true' } },
    rules,
  };
}

function binding(name: string, roleName: string, groups: string[]): KObject {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name, labels: { 'kubernetes.io/bootstrapping': 'rbac-defaults' }, annotations: { 'rbac.authorization.kubernetes.io/autoupdate': 'true' } },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: roleName },
    subjects: groups.map((g) => ({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: g })),
  };
}

export function defaultClusterRoles(): KObject[] {
  return [
    role('cluster-admin', [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }, { nonResourceURLs: ['*'], verbs: ['*'] }]),
    role('admin', [...VIEW_RULES, ...EDIT_RULES, ...ADMIN_RULES]),
    role('edit', [...VIEW_RULES, ...EDIT_RULES], ['admin']),
    role('view', VIEW_RULES, ['edit', 'admin']),
    role('system:discovery', [{ nonResourceURLs: DISCOVERY_PATHS, verbs: ['get'] }]),
    role('system:public-info-viewer', [{ nonResourceURLs: PUBLIC_PATHS, verbs: ['get'] }]),
    role('system:basic-user', [
      { apiGroups: ['authorization.k8s.io'], resources: ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'], verbs: ['create'] },
      { apiGroups: ['authentication.k8s.io'], resources: ['selfsubjectreviews'], verbs: ['create'] },
    ]),
  ];
}

export function defaultClusterRoleBindings(): KObject[] {
  return [
    binding('cluster-admin', 'cluster-admin', ['system:masters']),
    binding('system:discovery', 'system:discovery', ['system:authenticated']),
    binding('system:basic-user', 'system:basic-user', ['system:authenticated']),
    binding('system:public-info-viewer', 'system:public-info-viewer', ['system:authenticated', 'system:unauthenticated']),
  ];
}

/** Creates the bootstrap roles and bindings that are missing. */
export function bootstrapRbac(store: ObjectStore): void {
  for (const r of defaultClusterRoles()) if (!store.tryGet(RBAC.clusterRoles, undefined, r.metadata.name)) store.create(RBAC.clusterRoles, r);
  for (const b of defaultClusterRoleBindings()) if (!store.tryGet(RBAC.clusterRoleBindings, undefined, b.metadata.name)) store.create(RBAC.clusterRoleBindings, b);
}
