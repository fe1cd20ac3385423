// Where a manifest object goes: its resource (from discovery, or guessed for kinds the server has not
// seen yet, as the API stores unknown kinds), namespace and path.
import { guessPlural } from '../api/resources.js';
import type { KObject } from '../api/types.js';
import type { Ctx } from './context.js';
import { resourcePath, type ApiResource } from './discovery.js';
import { CliError } from './errors.js';

export interface Target {
  resource: ApiResource;
  namespace?: string;
  name: string;
  /** Collection path (POST) and object path (GET/PATCH/DELETE). */
  collection: string;
  path: string;
}

function guessResource(obj: KObject): ApiResource {
  const [group, version] = obj.apiVersion.includes('/') ? obj.apiVersion.split('/') : ['', obj.apiVersion];
  const kind = obj.kind;
  const clusterScoped = !obj.metadata?.namespace && (/^Cluster/.test(kind) || /(Class|Configuration|Definition)$/.test(kind));
  return {
    group, version, kind, resource: guessPlural(kind), singular: kind.toLowerCase(), namespaced: !clusterScoped,
    verbs: [], shortNames: [], categories: [],
  };
}

export async function targetOf(ctx: Ctx, obj: KObject): Promise<Target> {
  const resource = (await ctx.discovery.forKind(obj.apiVersion, obj.kind)) ?? guessResource(obj);
  const objNs = obj.metadata?.namespace;
  if (resource.namespaced && objNs && ctx.explicitNamespace && objNs !== ctx.namespace) {
    throw new CliError(`the namespace from the provided object "${objNs}" does not match the namespace "${ctx.namespace}". You must pass '--namespace=${objNs}' to perform this operation.`);
  }
  const namespace = resource.namespaced ? objNs || ctx.namespace : undefined;
  const name = obj.metadata?.name ?? '';
  return { resource, namespace, name, collection: resourcePath(resource, namespace), path: resourcePath(resource, namespace, name) };
}

/** `"apps/v1, Resource=deployments"` and `"apps/v1, Kind=Deployment"`, as kubectl prints them. */
export function gvrText(r: ApiResource): string {
  return `"${r.group}/${r.version}, Resource=${r.resource}"`;
}
export function gvkText(r: ApiResource): string {
  return `"${r.group}/${r.version}, Kind=${r.kind}"`;
}
