import { describe, expect, it } from 'vitest';
import { ObjectStore } from '../store.js';
import { forbiddenMessage, requestAttributes, type Attributes } from './attributes.js';
import { bootstrapRbac } from './default-roles.js';
import { RBAC, RbacAuthorizer, ruleAllows } from './rbac.js';

const res = (verb: string, resource: string, o: Partial<Extract<Attributes, { kind: 'resource' }>> = {}): Attributes => ({ kind: 'resource', verb, group: '', version: 'v1', resource, ...o });
const sa = (ns: string, name: string) => ({ name: `system:serviceaccount:${ns}:${name}`, groups: ['system:serviceaccounts', `system:serviceaccounts:${ns}`, 'system:authenticated'] });

describe('request attributes', () => {
  it('maps methods and paths to verbs as RequestInfoFactory does', () => {
    const a = (m: string, p: string) => requestAttributes(m, new URL(p, 'https://x'));
    expect(a('GET', '/api/v1/namespaces/d/pods')).toMatchObject({ verb: 'list', resource: 'pods', namespace: 'd' });
    expect(a('GET', '/api/v1/namespaces/d/pods?watch=1')).toMatchObject({ verb: 'watch' });
    expect(a('GET', '/api/v1/namespaces/d/pods?watch=false')).toMatchObject({ verb: 'list' });
    expect(a('GET', '/api/v1/namespaces/d/pods/p/log')).toMatchObject({ verb: 'get', resource: 'pods', subresource: 'log', name: 'p' });
    expect(a('DELETE', '/apis/apps/v1/namespaces/d/deployments')).toMatchObject({ verb: 'deletecollection', group: 'apps' });
    expect(a('GET', '/api/v1/namespaces/d')).toMatchObject({ verb: 'get', resource: 'namespaces', name: 'd', namespace: 'd' });
    expect(a('GET', '/metrics')).toEqual({ kind: 'nonResource', verb: 'get', path: '/metrics' });
  });

  it('words denials as kube-apiserver does', () => {
    const u = { name: 'bob', groups: [] };
    expect(forbiddenMessage(u, res('list', 'pods', { namespace: 'default' }))).toBe('pods is forbidden: User "bob" cannot list resource "pods" in API group "" in the namespace "default"');
    expect(forbiddenMessage(u, res('get', 'deployments', { group: 'apps', namespace: 'x', name: 'web' }))).toBe('deployments.apps "web" is forbidden: User "bob" cannot get resource "deployments" in API group "apps" in the namespace "x"');
    expect(forbiddenMessage(u, res('list', 'nodes'))).toBe('nodes is forbidden: User "bob" cannot list resource "nodes" in API group "" at the cluster scope');
    expect(forbiddenMessage(u, res('create', 'pods', { subresource: 'exec', name: 'p', namespace: 'd' }))).toBe('pods "p" is forbidden: User "bob" cannot create resource "pods/exec" in API group "" in the namespace "d"');
    expect(forbiddenMessage(u, { kind: 'nonResource', verb: 'get', path: '/metrics' })).toBe('forbidden: User "bob" cannot get path "/metrics"');
  });
});

describe('RBAC rules', () => {
  it('match verbs, groups, resources, subresources, names and URLs as RuleAllows does', () => {
    expect(ruleAllows({ verbs: ['get'], apiGroups: [''], resources: ['pods'] }, res('get', 'pods'))).toBe(true);
    expect(ruleAllows({ verbs: ['get'], apiGroups: [''], resources: ['pods'] }, res('get', 'pods', { subresource: 'log' }))).toBe(false);
    expect(ruleAllows({ verbs: ['get'], apiGroups: [''], resources: ['pods/*'] }, res('get', 'pods', { subresource: 'log' }))).toBe(true);
    expect(ruleAllows({ verbs: ['get'], apiGroups: [''], resources: ['*/log'] }, res('get', 'pods', { subresource: 'log' }))).toBe(true);
    expect(ruleAllows({ verbs: ['*'], apiGroups: ['apps'], resources: ['*'] }, res('delete', 'pods'))).toBe(false);
    expect(ruleAllows({ verbs: ['get'], apiGroups: [''], resources: ['configmaps'], resourceNames: ['a'] }, res('get', 'configmaps', { name: 'a' }))).toBe(true);
    expect(ruleAllows({ verbs: ['list'], apiGroups: [''], resources: ['configmaps'], resourceNames: ['a'] }, res('list', 'configmaps'))).toBe(false);
    expect(ruleAllows({ verbs: ['get'], nonResourceURLs: ['/healthz/*'] }, { kind: 'nonResource', verb: 'get', path: '/healthz/etcd' })).toBe(true);
    expect(ruleAllows({ verbs: ['get'], nonResourceURLs: ['/api'] }, { kind: 'nonResource', verb: 'get', path: '/apis' })).toBe(false);
  });

  it('binds users, groups and service accounts through RoleBindings and ClusterRoleBindings', () => {
    const store = new ObjectStore();
    bootstrapRbac(store);
    const authz = new RbacAuthorizer(store);
    expect(authz.authorize({ name: 'admin', groups: ['system:masters'] }, res('delete', 'nodes')).allowed).toBe(true);
    expect(authz.authorize(sa('team', 'app'), res('list', 'pods', { namespace: 'team' })).allowed).toBe(false);
    store.create('/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team' } });
    store.create(RBAC.roleBindings, { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'v', namespace: 'team' }, roleRef: { kind: 'ClusterRole', name: 'view' }, subjects: [{ kind: 'ServiceAccount', name: 'app' }] });
    expect(authz.authorize(sa('team', 'app'), res('list', 'pods', { namespace: 'team' }))).toEqual({ allowed: true, reason: 'RBAC: allowed by RoleBinding "v" of ClusterRole "view" to User "system:serviceaccount:team:app" in namespace "team"' });
    expect(authz.authorize(sa('team', 'app'), res('get', 'secrets', { namespace: 'team' })).allowed).toBe(false);
    expect(authz.authorize(sa('team', 'app'), res('list', 'pods', { namespace: 'other' })).allowed).toBe(false);
    expect(authz.authorize(sa('other', 'app'), res('list', 'pods', { namespace: 'team' })).allowed).toBe(false);
    store.create(RBAC.clusterRoles, { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'agg' }, aggregationRule: { clusterRoleSelectors: [{ matchLabels: { x: 'y' } }] } });
    store.create(RBAC.clusterRoles, { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'part', labels: { x: 'y' } }, rules: [{ verbs: ['get'], apiGroups: [''], resources: ['nodes'] }] });
    store.create(RBAC.clusterRoleBindings, { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'ops' }, roleRef: { kind: 'ClusterRole', name: 'agg' }, subjects: [{ kind: 'Group', name: 'ops' }] });
    expect(authz.authorize({ name: 'carol', groups: ['ops'] }, res('get', 'nodes', { name: 'n1' })).allowed).toBe(true);
    expect(authz.authorize({ name: 'carol', groups: ['ops'] }, res('delete', 'nodes', { name: 'n1' })).allowed).toBe(false);
    expect(authz.authorize({ name: 'dave', groups: ['system:authenticated'] }, { kind: 'nonResource', verb: 'get', path: '/apis/apps' }).allowed).toBe(true);
  });
});
