// Authorization with RBAC, as kube-apiserver's RBAC authorizer decides it: a request is allowed when
// a ClusterRoleBinding, or a RoleBinding in the request's namespace, binds one of the user's names
// (User, Group, ServiceAccount subjects) to a (Cluster)Role with a rule that covers the request's
// verb, API group, resource/subresource and name (or non-resource URL). `system:masters` is allowed
// everything without a lookup, as the apiserver's privileged-group authorizer does. Roles are read
// from the store on every decision: a new binding counts at once.
import type { UserInfo } from '../authn.js';
import type { ObjectStore } from '../store.js';
import type { KObject } from '../types.js';
import type { Attributes } from './attributes.js';

export const RBAC = {
  roles: 'rbac.authorization.k8s.io/roles',
  roleBindings: 'rbac.authorization.k8s.io/rolebindings',
  clusterRoles: 'rbac.authorization.k8s.io/clusterroles',
  clusterRoleBindings: 'rbac.authorization.k8s.io/clusterrolebindings',
} as const;

export const MASTERS = 'system:masters';

export interface PolicyRule {
  verbs?: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

interface Subject {
  kind?: string;
  name?: string;
  namespace?: string;
}

export interface Decision {
  allowed: boolean;
  /** Why it was allowed (the binding and role), as the apiserver's audit reason; empty when denied. */
  reason: string;
}

const has = (list: string[] | undefined, v: string) => !!list && (list.includes('*') || list.includes(v));

function resourceMatches(rule: PolicyRule, resource: string, subresource: string | undefined): boolean {
  const rs = rule.resources ?? [];
  if (rs.includes('*')) return true;
  if (!subresource) return rs.includes(resource);
  return rs.includes(`${resource}/${subresource}`) || rs.includes(`${resource}/*`) || rs.includes(`*/${subresource}`);
}

function pathMatches(rule: PolicyRule, path: string): boolean {
  return (rule.nonResourceURLs ?? []).some((u) => u === '*' || u === path || (u.endsWith('*') && path.startsWith(u.slice(0, -1))));
}

/** Does one rule allow the request? (rbac's RuleAllows) */
export function ruleAllows(rule: PolicyRule, a: Attributes): boolean {
  if (!has(rule.verbs, a.verb)) return false;
  if (a.kind === 'nonResource') return pathMatches(rule, a.path);
  if (!has(rule.apiGroups, a.group) || !resourceMatches(rule, a.resource, a.subresource)) return false;
  return !rule.resourceNames?.length || (!!a.name && rule.resourceNames.includes(a.name));
}

function subjectMatches(s: Subject, user: UserInfo, bindingNamespace: string | undefined): boolean {
  switch (s.kind) {
    case 'User': return s.name === user.name;
    case 'Group': return !!s.name && user.groups.includes(s.name);
    case 'ServiceAccount': return user.name === `system:serviceaccount:${s.namespace || bindingNamespace}:${s.name}`;
    default: return false;
  }
}

export class RbacAuthorizer {
  constructor(private readonly store: ObjectStore) {}

  /** The rules of a ClusterRole, with those of the ClusterRoles its aggregationRule selects. */
  private clusterRoleRules(role: KObject): PolicyRule[] {
    const selectors: { matchLabels?: Record<string, string> }[] = role.aggregationRule?.clusterRoleSelectors ?? [];
    if (!selectors.length) return role.rules ?? [];
    const out: PolicyRule[] = [];
    for (const other of this.store.list(RBAC.clusterRoles).items) {
      if (other.metadata.name === role.metadata.name) continue;
      const labels = other.metadata.labels ?? {};
      if (selectors.some((sel) => Object.entries(sel.matchLabels ?? {}).every(([k, v]) => labels[k] === v))) out.push(...(other.rules ?? []));
    }
    return out;
  }

  private roleRules(ref: { kind?: string; name?: string }, namespace: string | undefined): PolicyRule[] {
    if (!ref.name) return [];
    if (ref.kind === 'ClusterRole') {
      const role = this.store.tryGet(RBAC.clusterRoles, undefined, ref.name);
      return role ? this.clusterRoleRules(role) : [];
    }
    if (ref.kind === 'Role' && namespace) return this.store.tryGet(RBAC.roles, namespace, ref.name)?.rules ?? [];
    return [];
  }

  /** Every rule the user holds in `namespace` (cluster-wide ones included): SelfSubjectRulesReview. */
  rulesFor(user: UserInfo, namespace: string): PolicyRule[] {
    if (user.groups.includes(MASTERS)) return [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }, { nonResourceURLs: ['*'], verbs: ['*'] }];
    const out: PolicyRule[] = [];
    const bound = (b: KObject, ns: string | undefined) => (b.subjects ?? []).some((s: Subject) => subjectMatches(s, user, ns));
    for (const b of this.store.list(RBAC.clusterRoleBindings).items) if (bound(b, undefined)) out.push(...this.roleRules(b.roleRef ?? {}, undefined));
    for (const b of this.store.list(RBAC.roleBindings, { namespace }).items) if (bound(b, namespace)) out.push(...this.roleRules(b.roleRef ?? {}, namespace));
    return out;
  }

  authorize(user: UserInfo, a: Attributes): Decision {
    if (user.groups.includes(MASTERS)) return { allowed: true, reason: `allowed by group "${MASTERS}"` };
    const check = (binding: KObject, namespace: string | undefined, kind: string): Decision | undefined => {
      if (!(binding.subjects ?? []).some((s: Subject) => subjectMatches(s, user, namespace))) return undefined;
      if (!this.roleRules(binding.roleRef ?? {}, namespace).some((r) => ruleAllows(r, a))) return undefined;
      const where = namespace ? ` in namespace "${namespace}"` : '';
      return { allowed: true, reason: `RBAC: allowed by ${kind} "${binding.metadata.name}" of ${binding.roleRef.kind} "${binding.roleRef.name}" to User "${user.name}"${where}` };
    };
    for (const b of this.store.list(RBAC.clusterRoleBindings).items) {
      const d = check(b, undefined, 'ClusterRoleBinding');
      if (d) return d;
    }
    const ns = a.kind === 'resource' ? a.namespace : undefined;
    if (ns) {
      for (const b of this.store.list(RBAC.roleBindings, { namespace: ns }).items) {
        const d = check(b, ns, 'RoleBinding');
        if (d) return d;
      }
    }
    return { allowed: false, reason: '' };
  }
}
