// Parses a request path the way kube-apiserver's RequestInfoFactory does.
export type RequestInfo = GroupInfo | GroupVersionInfo | ResourceRequestInfo;
type GroupInfo = { kind: 'group'; group: string };
type GroupVersionInfo = { kind: 'groupVersion'; group: string; version: string };
export type ResourceRequestInfo = {
      kind: 'resource';
      group: string;
      version: string;
      gr: string;
      resource: string;
      namespace?: string;
      name?: string;
      subresource?: string;
      watch: boolean;
};

const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);

export function parseRequest(_method: string, url: URL): RequestInfo | undefined {
  const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
  let group: string;
  let version: string;
  let rest: string[];
  if (parts[0] === 'api') {
    if (parts.length < 2) return undefined;
    group = '';
    version = parts[1];
    rest = parts.slice(2);
  } else if (parts[0] === 'apis') {
    if (parts.length === 2) return { kind: 'group', group: parts[1] };
    if (parts.length < 3) return undefined;
    group = parts[1];
    version = parts[2];
    rest = parts.slice(3);
  } else {
    return undefined;
  }
  if (rest.length === 0) return { kind: 'groupVersion', group, version };
  let watch = false;
  if (rest[0] === 'watch') {
    watch = true;
    rest = rest.slice(1);
  }
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length > 1) {
    namespace = rest[1];
    if (rest.length > 2 && !NAMESPACE_SUBRESOURCES.has(rest[2])) rest = rest.slice(2);
  }
  if (!rest.length) return undefined;
  const [resource, name, subresource] = rest;
  if (rest.length > 3) return undefined;
  return { kind: 'resource', group, version, gr: `${group}/${resource}`, resource, namespace, name, subresource, watch };
}
