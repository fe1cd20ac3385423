// The catalogue of resource types the API serves: kind <-> plural resource, scope, short names and
// categories, as kube-apiserver's discovery documents them. Unknown kinds from real manifests are
// registered on first sight (plural guessed the way kubectl's RESTMapper guesses it).

export interface ResourceInfo {
  group: string; // '' for the core group
  version: string;
  kind: string;
  resource: string; // plural, lower case
  singular: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  verbs: string[];
  subresources: string[];
  /** True for the kinds kdp understands (validates, defaults, acts on). */
  builtin: boolean;
  /** A CRD version's additionalPrinterColumns: its Table columns (see crd/printer-columns.ts). */
  printerColumns?: { name: string; type: string; jsonPath: string; description?: string; format?: string; priority?: number }[];
}

/** A group + resource, e.g. `apps/deployments` or `/pods` (core group). */
export type GroupResource = string;

export function groupResource(group: string, resource: string): GroupResource {
  return `${group}/${resource}`;
}

export function apiVersionOf(info: Pick<ResourceInfo, 'group' | 'version'>): string {
  return info.group ? `${info.group}/${info.version}` : info.version;
}

const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

function r(
  group: string, version: string, kind: string, resource: string, namespaced: boolean,
  shortNames: string[] = [], categories: string[] = [], subresources: string[] = [],
): ResourceInfo {
  return {
    group, version, kind, resource, singular: kind.toLowerCase(), namespaced, shortNames, categories,
    verbs: ALL_VERBS, subresources, builtin: true,
  };
}

const BUILTIN: ResourceInfo[] = [
  r('', 'v1', 'Namespace', 'namespaces', false, ['ns'], [], ['status']),
  r('', 'v1', 'Node', 'nodes', false, ['no'], [], ['status']),
  r('', 'v1', 'Pod', 'pods', true, ['po'], ['all'], ['status', 'log', 'exec', 'attach', 'portforward', 'eviction']),
  r('', 'v1', 'Service', 'services', true, ['svc'], ['all'], ['status']),
  r('', 'v1', 'Endpoints', 'endpoints', true, ['ep']),
  r('', 'v1', 'ConfigMap', 'configmaps', true, ['cm']),
  r('', 'v1', 'Secret', 'secrets', true),
  r('', 'v1', 'ServiceAccount', 'serviceaccounts', true, ['sa']),
  r('', 'v1', 'Event', 'events', true, ['ev']),
  r('', 'v1', 'PersistentVolumeClaim', 'persistentvolumeclaims', true, ['pvc'], [], ['status']),
  r('', 'v1', 'PersistentVolume', 'persistentvolumes', false, ['pv'], [], ['status']),
  r('', 'v1', 'ResourceQuota', 'resourcequotas', true, ['quota'], [], ['status']),
  r('', 'v1', 'LimitRange', 'limitranges', true, ['limits']),
  r('', 'v1', 'ReplicationController', 'replicationcontrollers', true, ['rc'], ['all'], ['status', 'scale']),
  r('apps', 'v1', 'Deployment', 'deployments', true, ['deploy'], ['all'], ['status', 'scale']),
  r('apps', 'v1', 'ReplicaSet', 'replicasets', true, ['rs'], ['all'], ['status', 'scale']),
  r('apps', 'v1', 'StatefulSet', 'statefulsets', true, ['sts'], ['all'], ['status', 'scale']),
  r('apps', 'v1', 'DaemonSet', 'daemonsets', true, ['ds'], ['all'], ['status']),
  r('apps', 'v1', 'ControllerRevision', 'controllerrevisions', true),
  r('batch', 'v1', 'Job', 'jobs', true, [], ['all'], ['status']),
  r('batch', 'v1', 'CronJob', 'cronjobs', true, ['cj'], ['all'], ['status']),
  r('discovery.k8s.io', 'v1', 'EndpointSlice', 'endpointslices', true),
  r('networking.k8s.io', 'v1', 'Ingress', 'ingresses', true, ['ing'], [], ['status']),
  r('networking.k8s.io', 'v1', 'IngressClass', 'ingressclasses', false),
  r('networking.k8s.io', 'v1', 'NetworkPolicy', 'networkpolicies', true, ['netpol']),
  r('coordination.k8s.io', 'v1', 'Lease', 'leases', true),
  r('events.k8s.io', 'v1', 'Event', 'events', true, ['ev']),
  r('rbac.authorization.k8s.io', 'v1', 'Role', 'roles', true),
  r('rbac.authorization.k8s.io', 'v1', 'RoleBinding', 'rolebindings', true),
  r('rbac.authorization.k8s.io', 'v1', 'ClusterRole', 'clusterroles', false),
  r('rbac.authorization.k8s.io', 'v1', 'ClusterRoleBinding', 'clusterrolebindings', false),
  r('admissionregistration.k8s.io', 'v1', 'ValidatingWebhookConfiguration', 'validatingwebhookconfigurations', false),
  r('admissionregistration.k8s.io', 'v1', 'MutatingWebhookConfiguration', 'mutatingwebhookconfigurations', false),
  r('admissionregistration.k8s.io', 'v1', 'ValidatingAdmissionPolicy', 'validatingadmissionpolicies', false, [], [], ['status']),
  r('admissionregistration.k8s.io', 'v1', 'ValidatingAdmissionPolicyBinding', 'validatingadmissionpolicybindings', false),
  r('storage.k8s.io', 'v1', 'StorageClass', 'storageclasses', false, ['sc']),
  r('policy', 'v1', 'PodDisruptionBudget', 'poddisruptionbudgets', true, ['pdb'], [], ['status']),
  r('autoscaling', 'v2', 'HorizontalPodAutoscaler', 'horizontalpodautoscalers', true, ['hpa'], ['all'], ['status']),
  r('scheduling.k8s.io', 'v1', 'PriorityClass', 'priorityclasses', false, ['pc']),
  r('apiextensions.k8s.io', 'v1', 'CustomResourceDefinition', 'customresourcedefinitions', false, ['crd', 'crds'], [], ['status']),
  // answered, never stored (src/api/authz/reviews.ts): create is their only verb
  review('authorization.k8s.io', 'SelfSubjectAccessReview', 'selfsubjectaccessreviews', false),
  review('authorization.k8s.io', 'SelfSubjectRulesReview', 'selfsubjectrulesreviews', false),
  review('authorization.k8s.io', 'SubjectAccessReview', 'subjectaccessreviews', false),
  review('authorization.k8s.io', 'LocalSubjectAccessReview', 'localsubjectaccessreviews', true),
  review('authentication.k8s.io', 'SelfSubjectReview', 'selfsubjectreviews', false),
];

function review(group: string, kind: string, resource: string, namespaced: boolean): ResourceInfo {
  return { ...r(group, 'v1', kind, resource, namespaced), verbs: ['create'] };
}
// events.k8s.io Events are a view of the core Events, converted (events-v1.ts), as in Kubernetes.

/** Plural of a kind, as kubectl's UnsafeGuessKindToResource does it. */
export function guessPlural(kind: string): string {
  const k = kind.toLowerCase();
  if (k.endsWith('s')) return `${k}es`;
  if (k.endsWith('y') && !/[aeiou]y$/.test(k)) return `${k.slice(0, -1)}ies`;
  return `${k}s`;
}

export class ResourceRegistry {
  private readonly byGR = new Map<GroupResource, ResourceInfo>();
  private readonly byKind = new Map<string, ResourceInfo>(); // `${apiVersion}/${kind}`

  constructor(infos: ResourceInfo[] = BUILTIN) {
    for (const info of infos) this.add(info);
  }

  add(info: ResourceInfo): ResourceInfo {
    const gr = groupResource(info.group, info.resource);
    if (!this.byGR.has(gr)) this.byGR.set(gr, info);
    this.byKind.set(`${apiVersionOf(info)}/${info.kind}`, info);
    return info;
  }

  all(): ResourceInfo[] {
    return [...this.byGR.values()];
  }

  get(group: string, resource: string): ResourceInfo | undefined {
    return this.byGR.get(groupResource(group, resource));
  }

  /** Every served version of every resource (a CRD serves several), the storage version first. */
  allVersions(): ResourceInfo[] {
    const out: ResourceInfo[] = [];
    for (const info of this.byGR.values()) {
      out.push(info);
      for (const other of this.byKind.values()) {
        if (other !== info && other.group === info.group && other.resource === info.resource) out.push(other);
      }
    }
    return out;
  }

  /** The resource as served at `version` (another served version of a CRD, conversion None). */
  served(group: string, resource: string, version: string): ResourceInfo | undefined {
    const info = this.get(group, resource);
    if (!info || info.version === version) return info;
    return this.byKind.get(`${group ? `${group}/` : ''}${version}/${info.kind}`);
  }

  /** Forgets the versions of a group+resource no longer served (a CRD's version turned off or removed). */
  removeVersion(group: string, resource: string, version: string): void {
    const info = this.get(group, resource);
    const kind = info?.kind;
    if (!kind) return;
    this.byKind.delete(`${group ? `${group}/` : ''}${version}/${kind}`);
    if (info.version === version) {
      this.byGR.delete(groupResource(group, resource));
      const next = [...this.byKind.values()].find((i) => i.group === group && i.resource === resource);
      if (next) this.byGR.set(groupResource(group, resource), next);
    }
  }

  /** Finds by apiVersion + kind; also accepts another version of a known group+kind. */
  forKind(apiVersion: string, kind: string): ResourceInfo | undefined {
    const exact = this.byKind.get(`${apiVersion}/${kind}`);
    if (exact) return exact;
    const group = apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
    return this.all().find((i) => i.group === group && i.kind === kind);
  }

  /**
   * Registers an unknown kind seen in a manifest so it can be stored and listed. Namespaced unless
   * the caller knows better (a cluster-scoped unknown object has no namespace in its manifest).
   */
  ensureKind(apiVersion: string, kind: string, namespaced: boolean): ResourceInfo {
    const found = this.forKind(apiVersion, kind);
    if (found) return found;
    const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
    return this.add({
      group, version, kind, resource: guessPlural(kind), singular: kind.toLowerCase(), namespaced,
      shortNames: [], categories: [], verbs: ALL_VERBS, subresources: [], builtin: false,
    });
  }

  /**
   * Resolves what a user types (`po`, `pods`, `pod`, `deployments.apps`, `deploy`, `Service`) the way
   * kubectl's RESTMapper does.
   */
  resolve(name: string): ResourceInfo | undefined {
    const lower = name.toLowerCase();
    const dot = lower.indexOf('.');
    if (dot > 0) {
      const res = lower.slice(0, dot);
      const group = lower.slice(dot + 1);
      const hit = this.all().find((i) => i.group === group && (i.resource === res || i.singular === res || i.shortNames.includes(res)));
      if (hit) return hit;
      const withVersion = this.all().find((i) => `${i.version}.${i.group}` === group && (i.resource === res || i.singular === res));
      if (withVersion) return withVersion;
    }
    const prefer = (list: ResourceInfo[]) => list.find((i) => i.group === '') ?? list.find((i) => i.builtin) ?? list[0];
    for (const match of [
      (i: ResourceInfo) => i.resource === lower,
      (i: ResourceInfo) => i.singular === lower,
      (i: ResourceInfo) => i.shortNames.includes(lower),
    ]) {
      const hits = this.all().filter(match);
      if (hits.length) return prefer(hits);
    }
    return undefined;
  }
}
