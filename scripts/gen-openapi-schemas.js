#!/usr/bin/env node
// Generates src/api/openapi/schemas.json: OpenAPI v3 component schemas (with the field descriptions)
// for the built-in kinds kdp serves, so `kubectl explain` has something to read.
//
// Source: the npm package `kubernetes-types` (already a dev dependency). Its .d.ts files are
// generated from Kubernetes' own OpenAPI document and keep every definition's and field's
// description as JSDoc, its required fields (no `?`) and its types, so the TypeScript compiler API
// can turn them back into schemas. What does not survive the trip: int32/int64/double formats
// (numbers become `integer`, which is what nearly all are), enums, and the patch-strategy
// extensions (not needed: the documents carry no paths, so kubectl keeps computing patches from
// its compiled-in types). Run `node scripts/gen-openapi-schemas.js` after upgrading kubernetes-types
// (`--out FILE` writes elsewhere; src/api/openapi.test.ts checks the committed file is current).
import { writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const TYPES = join(ROOT, 'node_modules', 'kubernetes-types');
const outArg = process.argv.indexOf('--out');
const OUT = outArg > 0 ? process.argv[outArg + 1] : join(ROOT, 'src', 'api', 'openapi', 'schemas.json');

/** kubernetes-types module path → the Go package prefix Kubernetes names its definitions with. */
function prefixOf(file) {
  const rel = relative(TYPES, file).replace(/\.d\.ts$/, '').split('/');
  if (rel[0] === 'meta') return `io.k8s.apimachinery.pkg.apis.meta.${rel[1]}`;
  if (rel[0] === 'api' && rel[1] === 'resource') return 'io.k8s.apimachinery.pkg.api.resource';
  if (rel[0] === 'runtime') return 'io.k8s.apimachinery.pkg.runtime';
  if (rel[0] === 'apiextensions') return `io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.${rel[1]}`;
  return `io.k8s.api.${rel[0]}.${rel[1]}`;
}

/** The kinds kdp serves (src/api/resources.ts BUILTIN), as module + interface name. */
const KINDS = [
  ['core/v1', ['Namespace', 'Node', 'Pod', 'Service', 'Endpoints', 'ConfigMap', 'Secret', 'ServiceAccount', 'Event', 'PersistentVolume', 'PersistentVolumeClaim', 'ResourceQuota', 'LimitRange', 'ReplicationController', 'PodTemplate']],
  ['apps/v1', ['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'ControllerRevision']],
  ['batch/v1', ['Job', 'CronJob']],
  ['discovery/v1', ['EndpointSlice']],
  ['networking/v1', ['Ingress', 'IngressClass', 'NetworkPolicy']],
  ['coordination/v1', ['Lease']],
  ['events/v1', ['Event']],
  ['rbac/v1', ['Role', 'RoleBinding', 'ClusterRole', 'ClusterRoleBinding']],
  ['admissionregistration/v1', ['ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration']],
  ['storage/v1', ['StorageClass']],
  ['policy/v1', ['PodDisruptionBudget']],
  ['autoscaling/v2', ['HorizontalPodAutoscaler']],
  ['scheduling/v1', ['PriorityClass']],
  ['apiextensions/v1', ['CustomResourceDefinition']],
];
const GROUPS = { core: '', apps: 'apps', batch: 'batch', discovery: 'discovery.k8s.io', networking: 'networking.k8s.io', coordination: 'coordination.k8s.io', events: 'events.k8s.io', rbac: 'rbac.authorization.k8s.io', admissionregistration: 'admissionregistration.k8s.io', storage: 'storage.k8s.io', policy: 'policy', autoscaling: 'autoscaling', scheduling: 'scheduling.k8s.io', apiextensions: 'apiextensions.k8s.io' };

const files = KINDS.map(([m]) => join(TYPES, `${m}.d.ts`)).filter(existsSync);
const program = ts.createProgram(files, { noEmit: true, skipLibCheck: true });
const checker = program.getTypeChecker();
const schemas = {};

function docOf(node) {
  const sym = node.name && checker.getSymbolAtLocation(node.name);
  return sym ? ts.displayPartsToString(sym.getDocumentationComment(checker)).trim() : '';
}

/** The declaration a type reference names, with its schema name. */
function declOf(typeNode) {
  const sym = checker.getSymbolAtLocation(typeNode.typeName);
  const target = sym && (sym.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(sym) : sym);
  const decl = target?.declarations?.[0];
  if (!decl) return undefined;
  return { decl, name: `${prefixOf(decl.getSourceFile().fileName)}.${target.name}` };
}

function typeSchema(t) {
  switch (t.kind) {
    case ts.SyntaxKind.StringKeyword: return { type: 'string' };
    case ts.SyntaxKind.NumberKeyword: return { type: 'integer' };
    case ts.SyntaxKind.BooleanKeyword: return { type: 'boolean' };
    case ts.SyntaxKind.LiteralType: return { type: typeof (t.literal.text) === 'string' && t.literal.kind === ts.SyntaxKind.StringLiteral ? 'string' : 'integer' };
    case ts.SyntaxKind.ArrayType: return { type: 'array', items: typeSchema(t.elementType) };
    case ts.SyntaxKind.TypeLiteral: {
      const index = t.members.find((m) => m.kind === ts.SyntaxKind.IndexSignature);
      return index ? { type: 'object', additionalProperties: typeSchema(index.type) } : { type: 'object' };
    }
    case ts.SyntaxKind.UnionType: {
      const kinds = new Set(t.types.map((x) => x.kind));
      if (kinds.has(ts.SyntaxKind.NumberKeyword) && kinds.has(ts.SyntaxKind.StringKeyword)) return { 'x-kubernetes-int-or-string': true };
      return {};
    }
    case ts.SyntaxKind.TypeReference: {
      const name = t.typeName.getText();
      if ((name === 'Array' || name === 'ReadonlyArray') && t.typeArguments?.length === 1) return { type: 'array', items: typeSchema(t.typeArguments[0]) };
      if (name === 'Record' && t.typeArguments?.length === 2) return { type: 'object', additionalProperties: typeSchema(t.typeArguments[1]) };
      const d = declOf(t);
      if (!d) return {};
      define(d.decl, d.name);
      return { $ref: `#/components/schemas/${d.name}` };
    }
    default:
      return {};
  }
}

function define(decl, name, gvk) {
  if (schemas[name]) return;
  const description = docOf(decl);
  if (ts.isTypeAliasDeclaration(decl)) {
    const base = typeSchema(decl.type);
    schemas[name] = { ...(description ? { description } : {}), ...base };
    if (/\.(Time|MicroTime)$/.test(name)) schemas[name].format = 'date-time';
    return;
  }
  if (!ts.isInterfaceDeclaration(decl)) return;
  const schema = { type: 'object' };
  if (description) schema.description = description;
  schemas[name] = schema; // before the fields: definitions refer to themselves (JSONSchemaProps)
  const properties = {};
  const required = [];
  for (const m of decl.members) {
    if (!ts.isPropertySignature(m) || !m.type) continue;
    const field = m.name.getText().replace(/^"|"$/g, '');
    const s = typeSchema(m.type);
    const doc = docOf(m);
    // a described reference is written as allOf, as Kubernetes' own v3 documents do
    properties[field] = s.$ref && doc ? { allOf: [s], description: doc } : { ...s, ...(doc ? { description: doc } : {}) };
    if (!m.questionToken) required.push(field);
  }
  if (Object.keys(properties).length) schema.properties = properties;
  if (required.length) schema.required = required;
  if (gvk) schema['x-kubernetes-group-version-kind'] = [gvk];
}

for (const [module, kinds] of KINDS) {
  const file = program.getSourceFile(join(TYPES, `${module}.d.ts`));
  if (!file) continue;
  const [groupDir, version] = module.split('/');
  for (const kind of kinds) {
    const decl = file.statements.find((s) => ts.isInterfaceDeclaration(s) && s.name.text === kind);
    if (!decl) continue;
    define(decl, `${prefixOf(file.fileName)}.${kind}`, { group: GROUPS[groupDir], kind, version });
  }
}

const sorted = Object.fromEntries(Object.entries(schemas).sort(([a], [b]) => (a < b ? -1 : 1)));
mkdirSync(dirname(OUT), { recursive: true });
const version = JSON.parse(await import('node:fs').then((fs) => fs.readFileSync(join(TYPES, 'package.json'), 'utf8'))).version;
writeFileSync(OUT, `${JSON.stringify({ source: `kubernetes-types@${version}`, schemas: sorted })}\n`);
console.log(`wrote ${Object.keys(sorted).length} schemas to ${OUT}`);
