// Aggregated discovery (apidiscovery.k8s.io v2 and v2beta1): the whole of /api or /apis in one
// document, which kubectl 1.26+ asks for with
//   Accept: application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,…,application/json
// and otherwise falls back to one request per group version.
import { compareKubeVersions } from './discovery.js';
import type { ResourceInfo, ResourceRegistry } from './resources.js';

export type DiscoveryVersion = 'v2' | 'v2beta1';

/** The aggregated version the Accept header asks for first, if any (as the apiserver negotiates). */
export function negotiateAggregated(accept: string | undefined): DiscoveryVersion | undefined {
  for (const part of (accept ?? '').split(',')) {
    const params = new Map(part.split(';').slice(1).map((p) => {
      const [k, v = ''] = p.trim().split('=');
      return [k, v] as [string, string];
    }));
    const type = part.split(';')[0].trim();
    if (type === 'application/json' && params.get('g') === 'apidiscovery.k8s.io' && params.get('as') === 'APIGroupDiscoveryList') {
      const v = params.get('v');
      if (v === 'v2' || v === 'v2beta1') return v;
    }
    // a plain application/json (or */*) earlier in the list wins over later aggregated types
    if ((type === 'application/json' || type === '*/*') && !params.has('g') && !params.has('as')) return undefined;
  }
  return undefined;
}

export function aggregatedContentType(v: DiscoveryVersion): string {
  return `application/json;g=apidiscovery.k8s.io;v=${v};as=APIGroupDiscoveryList`;
}

function subresourceKind(info: ResourceInfo, sub: string): { group: string; version: string; kind: string } {
  if (sub === 'scale') return { group: 'autoscaling', version: 'v1', kind: 'Scale' };
  if (sub === 'exec') return { group: '', version: 'v1', kind: 'PodExecOptions' };
  if (sub === 'attach') return { group: '', version: 'v1', kind: 'PodAttachOptions' };
  if (sub === 'portforward') return { group: '', version: 'v1', kind: 'PodPortForwardOptions' };
  if (sub === 'eviction') return { group: 'policy', version: 'v1', kind: 'Eviction' };
  if (sub === 'log') return { group: '', version: 'v1', kind: 'Pod' };
  return { group: info.group, version: info.version, kind: info.kind };
}

function subresourceVerbs(sub: string): string[] {
  if (sub === 'log') return ['get'];
  if (sub === 'exec' || sub === 'attach' || sub === 'portforward') return ['create', 'get'];
  if (sub === 'eviction') return ['create'];
  return ['get', 'patch', 'update'];
}

function resourceEntry(i: ResourceInfo): object {
  const e: Record<string, unknown> = {
    resource: i.resource,
    responseKind: { group: i.group, version: i.version, kind: i.kind },
    scope: i.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: i.singular,
    verbs: i.verbs,
  };
  if (i.shortNames.length) e.shortNames = i.shortNames;
  if (i.categories.length) e.categories = i.categories;
  if (i.subresources.length) {
    e.subresources = i.subresources.map((s) => ({ subresource: s, responseKind: subresourceKind(i, s), verbs: subresourceVerbs(s) }));
  }
  return e;
}

/**
 * The APIGroupDiscoveryList for `/api` (legacy: only the core group, named "") or `/apis` (every
 * named group, versions newest first as registered).
 */
export function aggregatedDiscovery(registry: ResourceRegistry, legacy: boolean, v: DiscoveryVersion): object {
  const byGroup = new Map<string, Map<string, ResourceInfo[]>>();
  for (const info of registry.allVersions()) {
    if (legacy !== (info.group === '')) continue;
    if (!byGroup.has(info.group)) byGroup.set(info.group, new Map());
    const versions = byGroup.get(info.group)!;
    if (!versions.has(info.version)) versions.set(info.version, []);
    versions.get(info.version)!.push(info);
  }
  const items = [...byGroup].map(([group, versions]) => ({
    metadata: { name: group, creationTimestamp: null },
    versions: [...versions].sort(([a], [b]) => compareKubeVersions(a, b)).map(([version, infos]) => ({
      version,
      resources: infos.map(resourceEntry),
      freshness: 'Current',
    })),
  }));
  return { kind: 'APIGroupDiscoveryList', apiVersion: `apidiscovery.k8s.io/${v}`, metadata: {}, items };
}
