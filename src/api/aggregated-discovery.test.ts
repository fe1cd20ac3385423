import { describe, expect, it } from 'vitest';
import { aggregatedContentType, aggregatedDiscovery, negotiateAggregated } from './aggregated-discovery.js';
import { ResourceRegistry } from './resources.js';

const KUBECTL_133 = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json';
const KUBECTL_127 = 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json';

describe('aggregated discovery negotiation', () => {
  it('answers the first aggregated version the client accepts, else the legacy documents', () => {
    expect(negotiateAggregated(KUBECTL_133)).toBe('v2');
    expect(negotiateAggregated(KUBECTL_127)).toBe('v2beta1');
    expect(negotiateAggregated('application/json')).toBeUndefined();
    expect(negotiateAggregated(undefined)).toBeUndefined();
    expect(negotiateAggregated('application/json, application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList')).toBeUndefined();
    expect(aggregatedContentType('v2')).toBe('application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList');
  });
});

describe('APIGroupDiscoveryList', () => {
  const registry = new ResourceRegistry();

  it('/api holds only the core group, named ""', () => {
    const doc = aggregatedDiscovery(registry, true, 'v2') as any;
    expect(doc).toMatchObject({ kind: 'APIGroupDiscoveryList', apiVersion: 'apidiscovery.k8s.io/v2' });
    expect(doc.items.map((i: any) => i.metadata.name)).toEqual(['']);
    const pods = doc.items[0].versions[0].resources.find((r: any) => r.resource === 'pods');
    expect(pods).toEqual({
      resource: 'pods', responseKind: { group: '', version: 'v1', kind: 'Pod' }, scope: 'Namespaced', singularResource: 'pod',
      verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'], shortNames: ['po'], categories: ['all'],
      subresources: [
        { subresource: 'status', responseKind: { group: '', version: 'v1', kind: 'Pod' }, verbs: ['get', 'patch', 'update'] },
        { subresource: 'log', responseKind: { group: '', version: 'v1', kind: 'Pod' }, verbs: ['get'] },
        { subresource: 'exec', responseKind: { group: '', version: 'v1', kind: 'PodExecOptions' }, verbs: ['create', 'get'] },
        { subresource: 'attach', responseKind: { group: '', version: 'v1', kind: 'PodAttachOptions' }, verbs: ['create', 'get'] },
        { subresource: 'portforward', responseKind: { group: '', version: 'v1', kind: 'PodPortForwardOptions' }, verbs: ['create', 'get'] },
        { subresource: 'eviction', responseKind: { group: 'policy', version: 'v1', kind: 'Eviction' }, verbs: ['create'] },
      ],
    });
    expect(doc.items[0].versions[0]).toMatchObject({ version: 'v1', freshness: 'Current' });
  });

  it('/apis holds every named group; deployments are in category all with a Scale subresource; nodes are cluster-scoped', () => {
    const doc = aggregatedDiscovery(registry, false, 'v2beta1') as any;
    expect(doc.apiVersion).toBe('apidiscovery.k8s.io/v2beta1');
    expect(doc.items.map((i: any) => i.metadata.name)).toContain('apps');
    expect(doc.items.map((i: any) => i.metadata.name)).not.toContain('');
    const apps = doc.items.find((i: any) => i.metadata.name === 'apps');
    const deploy = apps.versions[0].resources.find((r: any) => r.resource === 'deployments');
    expect(deploy).toMatchObject({ scope: 'Namespaced', shortNames: ['deploy'], categories: ['all'] });
    expect(deploy.subresources).toContainEqual({ subresource: 'scale', responseKind: { group: 'autoscaling', version: 'v1', kind: 'Scale' }, verbs: ['get', 'patch', 'update'] });
    const core = aggregatedDiscovery(registry, true, 'v2') as any;
    expect(core.items[0].versions[0].resources.find((r: any) => r.resource === 'nodes').scope).toBe('Cluster');
  });
});
