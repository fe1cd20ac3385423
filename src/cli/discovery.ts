// Discovery: which resource types the server has (`/api/v1`, `/apis/<g>/<v>`), cached for the
// command run, and kubectl's RESTMapper rules to turn what the user types (`po`, `pods`, `pod`,
// `deploy`, `deployments.apps`, `deployment.v1.apps`) into a resource.
import type { KubeClient } from './client.js';
import { CliError } from './errors.js';

export interface ApiResource {
  group: string;
  version: string;
  resource: string; // plural
  singular: string;
  kind: string;
  namespaced: boolean;
  verbs: string[];
  shortNames: string[];
  categories: string[];
}

interface APIResourceList {
  groupVersion: string;
  resources: { name: string; singularName?: string; namespaced: boolean; kind: string; verbs?: string[]; shortNames?: string[]; categories?: string[] }[];
}

/** Group order for `get all`, as kube-apiserver lists groups (core first). */
const GROUP_PRIORITY = ['', 'apps', 'events.k8s.io', 'autoscaling', 'batch'];

export function fromResourceList(list: APIResourceList): ApiResource[] {
  const [group, version] = list.groupVersion.includes('/') ? list.groupVersion.split('/') : ['', list.groupVersion];
  return (list.resources ?? [])
    .filter((r) => !r.name.includes('/'))
    .map((r) => ({
      group, version, resource: r.name, singular: r.singularName || r.kind.toLowerCase(), kind: r.kind,
      namespaced: r.namespaced, verbs: r.verbs ?? [], shortNames: r.shortNames ?? [], categories: r.categories ?? [],
    }));
}

/** `deployment.apps` — what kubectl prints before `/name`. */
export function kindName(r: Pick<ApiResource, 'kind' | 'group'>): string {
  return `${r.kind.toLowerCase()}${r.group ? `.${r.group}` : ''}`;
}

/** `deployments.apps` — how the apiserver names a resource in messages. */
export function qualifiedResource(r: Pick<ApiResource, 'resource' | 'group'>): string {
  return r.group ? `${r.resource}.${r.group}` : r.resource;
}

export function resourcePath(r: Pick<ApiResource, 'group' | 'version' | 'resource' | 'namespaced'>, namespace?: string, name?: string, subresource?: string): string {
  let p = r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`;
  if (r.namespaced && namespace) p += `/namespaces/${encodeURIComponent(namespace)}`;
  p += `/${r.resource}`;
  if (name !== undefined) p += `/${encodeURIComponent(name)}`;
  if (subresource) p += `/${subresource}`;
  return p;
}

/** Resolves a type the way kubectl's RESTMapper does; undefined when nothing matches. */
export function resolveResource(resources: ApiResource[], typed: string): ApiResource | undefined {
  const lower = typed.toLowerCase();
  const prefer = (list: ApiResource[]) => list.find((r) => r.group === '') ?? list[0];
  const dot = lower.indexOf('.');
  if (dot > 0) {
    const name = lower.slice(0, dot);
    const rest = lower.slice(dot + 1);
    const matchesName = (r: ApiResource) => r.resource === name || r.singular === name || r.shortNames.includes(name) || r.kind.toLowerCase() === name;
    const byGroup = resources.filter((r) => r.group === rest && matchesName(r));
    if (byGroup.length) return byGroup[0];
    const byVersionGroup = resources.filter((r) => `${r.version}.${r.group}` === rest && matchesName(r));
    if (byVersionGroup.length) return byVersionGroup[0];
  }
  for (const match of [
    (r: ApiResource) => r.resource === lower,
    (r: ApiResource) => r.singular === lower,
    (r: ApiResource) => r.shortNames.includes(lower),
    (r: ApiResource) => r.kind.toLowerCase() === lower,
  ]) {
    const hits = resources.filter(match);
    if (hits.length) return prefer(hits);
  }
  return undefined;
}

/** The members of a category (`all`), in the order `kubectl get all` prints them. */
export function categoryMembers(resources: ApiResource[], category: string): ApiResource[] {
  const members = resources.filter((r) => r.categories.includes(category));
  const groupRank = (g: string) => {
    const i = GROUP_PRIORITY.indexOf(g);
    return i >= 0 ? i : GROUP_PRIORITY.length;
  };
  return members
    .map((r, i) => ({ r, i }))
    .sort((a, b) => groupRank(a.r.group) - groupRank(b.r.group) || (a.r.group === b.r.group ? a.r.resource.localeCompare(b.r.resource) : a.i - b.i))
    .map((x) => x.r);
}

export class Discovery {
  private cache?: Promise<ApiResource[]>;

  constructor(private readonly client: KubeClient) {}

  resources(): Promise<ApiResource[]> {
    this.cache ??= this.load();
    return this.cache;
  }

  private async load(): Promise<ApiResource[]> {
    const out: ApiResource[] = [];
    const core = await this.client.get<{ versions?: string[] }>('/api');
    const lists: Promise<APIResourceList>[] = (core?.versions ?? ['v1']).map((v) => this.client.get<APIResourceList>(`/api/${v}`));
    const groups = await this.client.get<{ groups?: { name: string; preferredVersion?: { groupVersion: string }; versions?: { groupVersion: string }[] }[] }>('/apis');
    for (const g of groups?.groups ?? []) {
      const gv = g.preferredVersion?.groupVersion ?? g.versions?.[0]?.groupVersion;
      if (gv) lists.push(this.client.get<APIResourceList>(`/apis/${gv}`).catch(() => ({ groupVersion: gv, resources: [] })));
    }
    for (const list of await Promise.all(lists)) if (list) out.push(...fromResourceList(list));
    return out;
  }

  /** Resolves a typed resource name or fails like kubectl. */
  async resolve(typed: string): Promise<ApiResource> {
    const found = resolveResource(await this.resources(), typed);
    if (!found) throw new CliError(`the server doesn't have a resource type "${typed}"`);
    return found;
  }

  /** Resolves a manifest's apiVersion + kind. */
  async forKind(apiVersion: string, kind: string): Promise<ApiResource | undefined> {
    const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
    const all = await this.resources();
    return all.find((r) => r.group === group && r.version === version && r.kind === kind) ?? all.find((r) => r.group === group && r.kind === kind);
  }
}
