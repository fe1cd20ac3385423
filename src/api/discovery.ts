// Discovery documents (/api, /apis, /api/v1, /apis/<g>/<v>) and /version, built from the registry.
import { apiVersionOf, type ResourceInfo, type ResourceRegistry } from './resources.js';

export const KUBERNETES_VERSION = { major: '1', minor: '31', gitVersion: 'v1.31.0-kdp', platform: 'linux/amd64' };

export function versionInfo(): object {
  return {
    major: KUBERNETES_VERSION.major,
    minor: KUBERNETES_VERSION.minor,
    gitVersion: KUBERNETES_VERSION.gitVersion,
    gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean',
    buildDate: '2026-01-01T00:00:00Z',
    goVersion: 'go1.22.0',
    compiler: 'gc',
    platform: KUBERNETES_VERSION.platform,
  };
}

/**
 * `/api`. `serverAddress` is where the API really listens (the apiserver's advertise address and
 * secure port), `host:port`, IPv6 in brackets.
 */
export function coreVersions(serverAddress: string): object {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

/** `host:port` of the socket a request arrived on (an IPv4-mapped IPv6 address as plain IPv4). */
export function localServerAddress(socket: { localAddress?: string; localPort?: number }): string {
  const host = (socket.localAddress ?? '127.0.0.1').replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/, '$1');
  return `${host.includes(':') ? `[${host}]` : host}:${socket.localPort ?? 0}`;
}

function groups(registry: ResourceRegistry): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const info of registry.allVersions()) {
    if (!info.group) continue;
    if (!out.has(info.group)) out.set(info.group, new Set());
    out.get(info.group)!.add(info.version);
  }
  for (const [name, versions] of out) out.set(name, new Set([...versions].sort(compareKubeVersions)));
  return out;
}

/** Kubernetes' version priority: GA before beta before alpha, higher numbers first (v1 > v1beta2 > v1beta1 > v1alpha2). */
export function compareKubeVersions(a: string, b: string): number {
  const parse = (v: string) => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
    if (!m) return [0, 0, 0];
    return [Number(m[1]), m[2] === undefined ? 3 : m[2] === 'beta' ? 2 : 1, Number(m[3] ?? 0)];
  };
  const [pa, pb] = [parse(a), parse(b)];
  return pb[1] - pa[1] || pb[0] - pa[0] || pb[2] - pa[2];
}

export function groupList(registry: ResourceRegistry): object {
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: [...groups(registry)].map(([name, versions]) => {
      const vs = [...versions].map((v) => ({ groupVersion: `${name}/${v}`, version: v }));
      return { name, versions: vs, preferredVersion: vs[0] };
    }),
  };
}

export function group(registry: ResourceRegistry, name: string): object | undefined {
  const versions = groups(registry).get(name);
  if (!versions) return undefined;
  const vs = [...versions].map((v) => ({ groupVersion: `${name}/${v}`, version: v }));
  return { kind: 'APIGroup', apiVersion: 'v1', name, versions: vs, preferredVersion: vs[0] };
}

export function resourceList(registry: ResourceRegistry, groupName: string, version: string): object | undefined {
  const infos = registry.allVersions().filter((i) => i.group === groupName && i.version === version);
  if (!infos.length) return undefined;
  const resources: object[] = [];
  for (const i of infos) {
    resources.push(entry(i));
    for (const sub of i.subresources) {
      resources.push({
        name: `${i.resource}/${sub}`,
        singularName: '',
        namespaced: i.namespaced,
        kind: sub === 'scale' ? 'Scale' : sub === 'exec' ? 'PodExecOptions' : sub === 'attach' ? 'PodAttachOptions' : sub === 'portforward' ? 'PodPortForwardOptions' : sub === 'eviction' ? 'Eviction' : sub === 'log' ? 'Pod' : i.kind,
        group: sub === 'scale' ? 'autoscaling' : sub === 'eviction' ? 'policy' : undefined,
        version: sub === 'scale' || sub === 'eviction' ? 'v1' : undefined,
        verbs: sub === 'log' ? ['get'] : sub === 'exec' || sub === 'attach' || sub === 'portforward' ? ['create', 'get'] : sub === 'eviction' ? ['create'] : ['get', 'patch', 'update'],
      });
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: apiVersionOf({ group: groupName, version }), resources };
}

function entry(i: ResourceInfo): object {
  const e: Record<string, unknown> = { name: i.resource, singularName: i.singular, namespaced: i.namespaced, kind: i.kind, verbs: i.verbs };
  if (i.shortNames.length) e.shortNames = i.shortNames;
  if (i.categories.length) e.categories = i.categories;
  return e;
}
