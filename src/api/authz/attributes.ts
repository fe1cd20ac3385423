// The authorization attributes of a request, as kube-apiserver's RequestInfo gives them to the
// authorizers: a resource request (verb, API group, resource, subresource, namespace, name) or a
// non-resource request (verb, path). Verbs follow the apiserver: GET of a name is `get`, of a
// collection `list` (or `watch` with ?watch), POST `create`, PUT `update`, PATCH `patch`, DELETE
// of a name `delete`, of a collection `deletecollection`.
import type { UserInfo } from '../authn.js';
import { boolParam } from '../query-params.js';
import { parseRequest } from '../request-info.js';

export interface ResourceAttributes {
  kind: 'resource';
  verb: string;
  group: string;
  version: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
}

export interface NonResourceAttributes {
  kind: 'nonResource';
  verb: string;
  path: string;
}

export type Attributes = ResourceAttributes | NonResourceAttributes;

function isWatch(url: URL, pathWatch: boolean): boolean {
  return pathWatch || boolParam(url.searchParams, 'watch');
}

export function requestAttributes(method: string, url: URL): Attributes {
  const info = parseRequest(method, url);
  const lower = method.toLowerCase();
  if (!info || info.kind !== 'resource') {
    const verb = ({ get: 'get', head: 'get', post: 'post', put: 'put', patch: 'patch', delete: 'delete', options: 'options' } as Record<string, string>)[lower] ?? lower;
    return { kind: 'nonResource', verb, path: url.pathname };
  }
  let verb: string;
  switch (method) {
    case 'GET': case 'HEAD': verb = isWatch(url, info.watch) ? 'watch' : info.name ? 'get' : 'list'; break;
    case 'POST': verb = 'create'; break;
    case 'PUT': verb = 'update'; break;
    case 'PATCH': verb = 'patch'; break;
    case 'DELETE': verb = info.name ? 'delete' : 'deletecollection'; break;
    default: verb = lower;
  }
  // GET /api/v1/namespaces/x is the namespace x itself, in no namespace but its own (as RequestInfoFactory sets it)
  const namespace = info.resource === 'namespaces' && !info.subresource ? info.name : info.namespace;
  return { kind: 'resource', verb, group: info.group, version: info.version, resource: info.resource, subresource: info.subresource, namespace, name: info.name };
}

/** kube-apiserver's wording of a denial (`… is forbidden: User "u" cannot list resource "pods" in API group "" in the namespace "default"`). */
export function forbiddenMessage(user: UserInfo, a: Attributes, reason = ''): string {
  const tail = reason ? `: ${reason}` : '';
  if (a.kind === 'nonResource') return `forbidden: User "${user.name}" cannot ${a.verb} path "${a.path}"${tail}`;
  const res = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const what = a.group ? `${a.resource}.${a.group}` : a.resource;
  const subject = a.name ? `${what} "${a.name}" is forbidden` : `${what} is forbidden`;
  const scope = a.namespace ? `in the namespace "${a.namespace}"` : 'at the cluster scope';
  return `${subject}: User "${user.name}" cannot ${a.verb} resource "${res}" in API group "${a.group}" ${scope}${tail}`;
}
