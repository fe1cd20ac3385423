import { describe, expect, it } from 'vitest';
import { categoryMembers, fromResourceList, kindName, resolveResource, resourcePath } from './discovery.js';
import { parseResourceArgs } from './resource-args.js';

const resources = [
  ...fromResourceList({ groupVersion: 'v1', resources: [
    { name: 'pods', singularName: 'pod', namespaced: true, kind: 'Pod', shortNames: ['po'], categories: ['all'] },
    { name: 'pods/log', singularName: '', namespaced: true, kind: 'Pod' },
    { name: 'services', singularName: 'service', namespaced: true, kind: 'Service', shortNames: ['svc'], categories: ['all'] },
    { name: 'events', singularName: 'event', namespaced: true, kind: 'Event', shortNames: ['ev'] },
    { name: 'nodes', singularName: 'node', namespaced: false, kind: 'Node', shortNames: ['no'] },
  ] }),
  ...fromResourceList({ groupVersion: 'batch/v1', resources: [
    { name: 'jobs', singularName: 'job', namespaced: true, kind: 'Job', categories: ['all'] },
    { name: 'cronjobs', singularName: 'cronjob', namespaced: true, kind: 'CronJob', shortNames: ['cj'], categories: ['all'] },
  ] }),
  ...fromResourceList({ groupVersion: 'apps/v1', resources: [
    { name: 'replicasets', singularName: 'replicaset', namespaced: true, kind: 'ReplicaSet', shortNames: ['rs'], categories: ['all'] },
    { name: 'deployments', singularName: 'deployment', namespaced: true, kind: 'Deployment', shortNames: ['deploy'], categories: ['all'] },
    { name: 'daemonsets', singularName: 'daemonset', namespaced: true, kind: 'DaemonSet', shortNames: ['ds'], categories: ['all'] },
  ] }),
  ...fromResourceList({ groupVersion: 'events.k8s.io/v1', resources: [
    { name: 'events', singularName: 'event', namespaced: true, kind: 'Event', shortNames: ['ev'] },
  ] }),
];

describe('resource type resolution', () => {
  it.each([
    ['po', 'pods'], ['pod', 'pods'], ['pods', 'pods'], ['Pod', 'pods'], ['svc', 'services'], ['deploy', 'deployments'],
    ['deployments.apps', 'deployments'], ['deployment.v1.apps', 'deployments'], ['rs', 'replicasets'], ['no', 'nodes'],
  ])('%s -> %s', (typed, want) => {
    expect(resolveResource(resources, typed)?.resource).toBe(want);
  });
  it('prefers the core group on ambiguity and honours an explicit group', () => {
    expect(resolveResource(resources, 'events')?.group).toBe('');
    expect(resolveResource(resources, 'events.events.k8s.io')?.group).toBe('events.k8s.io');
    expect(resolveResource(resources, 'frobs')).toBeUndefined();
    expect(resources.some((r) => r.resource.includes('/'))).toBe(false);
  });
  it('orders the all category like kubectl get all', () => {
    expect(categoryMembers(resources, 'all').map((r) => r.resource)).toEqual(['pods', 'services', 'daemonsets', 'deployments', 'replicasets', 'cronjobs', 'jobs']);
  });
  it('builds paths and kind names', () => {
    const deploy = resolveResource(resources, 'deploy')!;
    expect(resourcePath(deploy, 'default', 'web', 'scale')).toBe('/apis/apps/v1/namespaces/default/deployments/web/scale');
    expect(resourcePath(resolveResource(resources, 'no')!, 'default', 'n1')).toBe('/api/v1/nodes/n1');
    expect(resourcePath(resolveResource(resources, 'po')!)).toBe('/api/v1/pods');
    expect(kindName(deploy)).toBe('deployment.apps');
    expect(kindName(resolveResource(resources, 'svc')!)).toBe('service');
  });
});

describe('resource arguments', () => {
  it('parses TYPE[,TYPE] NAME… and TYPE/NAME…', () => {
    expect(parseResourceArgs(['pods', 'a', 'b'])).toEqual({ items: [{ type: 'pods', names: ['a', 'b'] }], multipleTypes: false });
    expect(parseResourceArgs(['po,svc'])).toEqual({ items: [{ type: 'po', names: [] }, { type: 'svc', names: [] }], multipleTypes: true });
    expect(parseResourceArgs(['deploy/web', 'svc/web', 'deploy/api'])).toEqual({ items: [{ type: 'deploy', names: ['web', 'api'] }, { type: 'svc', names: ['web'] }], multipleTypes: true });
    expect(parseResourceArgs(['all']).multipleTypes).toBe(true);
    expect(() => parseResourceArgs(['pods', 'svc/web'])).toThrow(/no need to specify a resource type/);
    expect(() => parseResourceArgs([])).toThrow('Required resource not specified.');
  });
});
