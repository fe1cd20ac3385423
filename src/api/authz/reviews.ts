// The access-review APIs kubectl's `auth can-i` and `auth whoami` use, answered from the same
// authorizer as requests (nothing is stored, as in kube-apiserver): SelfSubjectAccessReview and
// SubjectAccessReview / LocalSubjectAccessReview (authorization.k8s.io/v1), SelfSubjectRulesReview
// (`can-i --list`), and SelfSubjectReview (authentication.k8s.io/v1, `auth whoami`).
import type { UserInfo } from '../authn.js';
import { errors } from '../errors.js';
import type { KObject } from '../types.js';
import type { Attributes } from './attributes.js';
import { serviceAccountGroups, type RequestAuthorizer } from './filter.js';

export const REVIEW_RESOURCES = new Set([
  'authorization.k8s.io/selfsubjectaccessreviews',
  'authorization.k8s.io/subjectaccessreviews',
  'authorization.k8s.io/localsubjectaccessreviews',
  'authorization.k8s.io/selfsubjectrulesreviews',
  'authentication.k8s.io/selfsubjectreviews',
]);

interface AccessSpec {
  resourceAttributes?: { namespace?: string; verb?: string; group?: string; version?: string; resource?: string; subresource?: string; name?: string };
  nonResourceAttributes?: { path?: string; verb?: string };
  user?: string;
  groups?: string[];
  uid?: string;
  extra?: Record<string, string[]>;
  namespace?: string;
}

function attributesOf(spec: AccessSpec): Attributes {
  if (spec.resourceAttributes) {
    const r = spec.resourceAttributes;
    return { kind: 'resource', verb: r.verb ?? '', group: r.group ?? '', version: r.version ?? '', resource: r.resource ?? '', subresource: r.subresource || undefined, namespace: r.namespace || undefined, name: r.name || undefined };
  }
  if (spec.nonResourceAttributes) return { kind: 'nonResource', verb: spec.nonResourceAttributes.verb ?? '', path: spec.nonResourceAttributes.path ?? '' };
  throw errors.invalid('authorization.k8s.io', 'SelfSubjectAccessReview', '', [{ reason: 'FieldValueRequired', field: 'spec.resourceAttributes', message: 'Required value: exactly one of nonResourceAttributes or resourceAttributes must be specified' }]);
}

/** Answers a review POSTed to `gr` by `user`; the response is the object with its status, 201. */
export function answerReview(gr: string, body: KObject, user: UserInfo, authz: RequestAuthorizer, namespace?: string): KObject {
  const spec = (body.spec ?? {}) as AccessSpec;
  const out: KObject = { ...body, metadata: { ...(body.metadata ?? {}), creationTimestamp: null } as unknown as KObject['metadata'] };
  const kind = gr.split('/')[1];
  if (kind === 'selfsubjectreviews') {
    out.status = { userInfo: { username: user.name, ...(user.uid ? { uid: user.uid } : {}), groups: user.groups, ...(user.extra ? { extra: user.extra } : {}) } };
    return out;
  }
  if (kind === 'selfsubjectrulesreviews') {
    const ns = (spec as { namespace?: string }).namespace ?? namespace ?? 'default';
    const rules = authz.rbac.rulesFor(user, ns);
    out.status = {
      resourceRules: rules.filter((r) => !r.nonResourceURLs?.length).map((r) => ({ verbs: r.verbs ?? [], apiGroups: r.apiGroups ?? [], resources: r.resources ?? [], ...(r.resourceNames?.length ? { resourceNames: r.resourceNames } : {}) })),
      nonResourceRules: rules.filter((r) => r.nonResourceURLs?.length).map((r) => ({ verbs: r.verbs ?? [], nonResourceURLs: r.nonResourceURLs })),
      incomplete: false,
    };
    return out;
  }
  const a = attributesOf(spec);
  if (kind === 'localsubjectaccessreviews' && a.kind === 'resource') {
    if (a.namespace && a.namespace !== namespace) throw errors.badRequest(`spec.resourceAttributes.namespace must match metadata.namespace: "${a.namespace}" vs "${namespace}"`);
    a.namespace = namespace;
  }
  let subject = user;
  if (kind !== 'selfsubjectaccessreviews') {
    if (!spec.user && !spec.groups?.length) throw errors.invalid('authorization.k8s.io', 'SubjectAccessReview', '', [{ reason: 'FieldValueRequired', field: 'spec.user', message: 'Required value: at least one of user or group must be specified' }]);
    const groups = [...(spec.groups ?? [])];
    if (spec.user?.startsWith('system:serviceaccount:')) for (const g of serviceAccountGroups(spec.user)) if (!groups.includes(g)) groups.push(g);
    subject = { name: spec.user ?? '', uid: spec.uid, groups, extra: spec.extra };
  }
  const d = authz.rbac.authorize(subject, a);
  out.status = d.allowed ? { allowed: true, reason: d.reason } : { allowed: false };
  return out;
}
