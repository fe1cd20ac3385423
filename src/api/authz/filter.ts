// The handler chain's steps after authentication, as in kube-apiserver: impersonation (the
// Impersonate-User / -Group / -Uid headers, allowed only to a user who may `impersonate` that user,
// group or service account), then authorization of the request as the effective user. The health
// and version paths are always allowed (`--authorization-always-allow-paths`).
import type { IncomingMessage } from 'node:http';
import { isPublicPath, type UserInfo } from '../authn.js';
import { ApiError } from '../errors.js';
import type { ObjectStore } from '../store.js';
import { forbiddenMessage, requestAttributes, type Attributes } from './attributes.js';
import { RbacAuthorizer } from './rbac.js';

const SA_PREFIX = 'system:serviceaccount:';

export function forbidden(user: UserInfo, a: Attributes, reason = ''): ApiError {
  const details = a.kind === 'resource' ? { name: a.name, group: a.group, kind: a.resource } : {};
  return new ApiError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: forbiddenMessage(user, a, reason), reason: 'Forbidden', details, code: 403 });
}

function headerList(req: IncomingMessage, name: string): string[] {
  const v = req.headers[name];
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : [v]).flatMap((x) => x.split(',')).map((x) => x.trim()).filter(Boolean);
}

/** The groups a service account's user belongs to, as the apiserver adds them. */
export function serviceAccountGroups(username: string): string[] {
  const ns = username.slice(SA_PREFIX.length).split(':')[0];
  return ['system:serviceaccounts', `system:serviceaccounts:${ns}`];
}

export class RequestAuthorizer {
  readonly rbac: RbacAuthorizer;

  constructor(store: ObjectStore) {
    this.rbac = new RbacAuthorizer(store);
  }

  /** Applies impersonation; throws 403 when the requester may not impersonate whom it asks for. */
  impersonate(req: IncomingMessage, user: UserInfo): UserInfo {
    const asUser = headerList(req, 'impersonate-user')[0];
    const asGroups = headerList(req, 'impersonate-group');
    const asUid = headerList(req, 'impersonate-uid')[0];
    if (!asUser) {
      if (asGroups.length || asUid) throw new ApiError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'requested impersonation of groups or uid without a user', reason: 'BadRequest', code: 400 });
      return user;
    }
    const checks: Attributes[] = [];
    if (asUser.startsWith(SA_PREFIX)) {
      const [namespace, name] = asUser.slice(SA_PREFIX.length).split(':');
      checks.push({ kind: 'resource', verb: 'impersonate', group: '', version: 'v1', resource: 'serviceaccounts', namespace, name });
    } else {
      checks.push({ kind: 'resource', verb: 'impersonate', group: '', version: 'v1', resource: 'users', name: asUser });
    }
    for (const g of asGroups) checks.push({ kind: 'resource', verb: 'impersonate', group: '', version: 'v1', resource: 'groups', name: g });
    if (asUid) checks.push({ kind: 'resource', verb: 'impersonate', group: 'authentication.k8s.io', version: 'v1', resource: 'uids', name: asUid });
    for (const a of checks) if (!this.rbac.authorize(user, a).allowed) throw forbidden(user, a);
    const groups = asUser.startsWith(SA_PREFIX) ? [...serviceAccountGroups(asUser), ...asGroups] : [...asGroups];
    if (asUser !== 'system:anonymous' && !groups.includes('system:authenticated')) groups.push('system:authenticated');
    return { name: asUser, uid: asUid, groups };
  }

  /** The effective user of an authorized request; throws 403 as kube-apiserver words it. */
  authorize(req: IncomingMessage, url: URL, user: UserInfo): UserInfo {
    const effective = this.impersonate(req, user);
    if (isPublicPath(url.pathname)) return effective;
    const a = requestAttributes(req.method ?? 'GET', url);
    if (!this.rbac.authorize(effective, a).allowed) throw forbidden(effective, a);
    return effective;
  }
}
