// /openapi/v3: the index of group-version documents and one OpenAPI v3 document per group-version,
// holding the component schemas (with descriptions) of the built-in kinds — what `kubectl explain`
// reads. The schemas come from `openapi/schemas.json`, generated from the kubernetes-types package
// by scripts/gen-openapi-schemas.js.
//
// The documents' paths hold only GET operations (which explain needs to map a resource to its kind),
// no PATCH: kubectl then keeps computing strategic-merge patches from its compiled-in types and finds
// no server-side `fieldValidation` parameter, so apply behaves as it did without the documents (and
// /openapi/v2 stays empty, so no client-side validation starts either).
import { createHash } from 'node:crypto';
import generated from './openapi/schemas.json' with { type: 'json' };
import { KUBERNETES_VERSION } from './discovery.js';
import type http from 'node:http';
import type { ResourceRegistry } from './resources.js';

type Schema = Record<string, unknown> & { 'x-kubernetes-group-version-kind'?: { group: string; version: string; kind: string }[] };
const SCHEMAS = (generated as { schemas: Record<string, Schema> }).schemas;

/** `api/v1`, `apis/apps/v1`… */
function gvPath(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

/** The schemas a group-version's kinds need: theirs and every definition they refer to. */
function closure(group: string, version: string): Record<string, Schema> {
  const out: Record<string, Schema> = {};
  const visit = (name: string) => {
    if (out[name] || !SCHEMAS[name]) return;
    out[name] = SCHEMAS[name];
    JSON.stringify(SCHEMAS[name], (k, v) => {
      if (k === '$ref' && typeof v === 'string') visit(v.replace('#/components/schemas/', ''));
      return v;
    });
  };
  for (const [name, s] of Object.entries(SCHEMAS)) {
    if (s['x-kubernetes-group-version-kind']?.some((g) => g.group === group && g.version === version)) visit(name);
  }
  return out;
}

export class OpenApiV3 {
  private readonly docs = new Map<string, { body: string; hash: string }>();

  constructor(private readonly registry: ResourceRegistry) {}

  private doc(path: string): { body: string; hash: string } | undefined {
    const cached = this.docs.get(path);
    if (cached) return cached;
    const info = this.registry.all().find((i) => i.builtin !== false && gvPath(i.group, i.version) === path);
    if (!info) return undefined;
    const schemas = closure(info.group, info.version);
    if (!Object.keys(schemas).length) return undefined;
    const body = JSON.stringify({ openapi: '3.0.0', info: { title: 'Kubernetes', version: KUBERNETES_VERSION.gitVersion }, paths: this.readPaths(info.group, info.version, schemas), components: { schemas } });
    const doc = { body, hash: createHash('sha512').update(body).digest('hex').slice(0, 128).toUpperCase() };
    this.docs.set(path, doc);
    return doc;
  }

  /**
   * Read-only (GET) operations for each resource, tagged with its kind: `kubectl explain` finds a
   * resource's kind through them. No PATCH operations, on purpose (see the top of this file).
   */
  private readPaths(group: string, version: string, schemas: Record<string, Schema>): Record<string, object> {
    const paths: Record<string, object> = {};
    const base = `/${gvPath(group, version)}`;
    for (const info of this.registry.all()) {
      if (info.group !== group || info.version !== version || info.builtin === false) continue;
      const name = Object.keys(schemas).find((n) => schemas[n]['x-kubernetes-group-version-kind']?.some((g) => g.group === group && g.version === version && g.kind === info.kind));
      if (!name) continue;
      const gvk = { group, version, kind: info.kind };
      const op = (action: string) => ({
        get: {
          operationId: `${action}${info.kind}`,
          responses: { '200': { description: 'OK', content: { 'application/json': { schema: { $ref: `#/components/schemas/${name}` } } } } },
          'x-kubernetes-action': action,
          'x-kubernetes-group-version-kind': gvk,
        },
      });
      const collection = info.namespaced ? `${base}/namespaces/{namespace}/${info.resource}` : `${base}/${info.resource}`;
      paths[collection] = op('list');
      paths[`${collection}/{name}`] = op('get');
    }
    return paths;
  }

  /** GET /openapi/v3: `{paths: {"api/v1": {serverRelativeURL: "/openapi/v3/api/v1?hash=…"}}}`. */
  index(): object {
    const paths: Record<string, { serverRelativeURL: string }> = {};
    for (const info of this.registry.all()) {
      const p = gvPath(info.group, info.version);
      if (paths[p]) continue;
      const d = this.doc(p);
      if (d) paths[p] = { serverRelativeURL: `/openapi/v3/${p}?hash=${d.hash}` };
    }
    return { paths };
  }

  /** GET /openapi/v3/<api/v1|apis/g/v>: the document text, or undefined (404). */
  document(path: string): string | undefined {
    return this.doc(path)?.body;
  }
}

const byRegistry = new WeakMap<ResourceRegistry, OpenApiV3>();

/** Answers `/openapi/v3` and `/openapi/v3/<gv>` (404 Status for a group-version without schemas). */
export function serveOpenApiV3(registry: ResourceRegistry, path: string, res: http.ServerResponse): void {
  let api = byRegistry.get(registry);
  if (!api) byRegistry.set(registry, (api = new OpenApiV3(registry)));
  const gv = path.replace(/^\/openapi\/v3\/?/, '');
  const body = gv ? api.document(gv) : JSON.stringify(api.index());
  if (body === undefined) {
    const notFound = JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'the server could not find the requested resource', reason: 'NotFound', details: {}, code: 404 });
    res.writeHead(404, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(notFound) });
    return void res.end(notFound);
  }
  res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), 'Cache-Control': gv ? 'public, immutable' : 'no-cache, private' });
  res.end(body);
}
