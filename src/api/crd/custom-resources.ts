// CustomResourceDefinitions made servable, as apiextensions-apiserver does it: every `served`
// version (conversion None: the object is stored at the storage version and returned as stored),
// the version's additionalPrinterColumns in Tables, its openAPIV3Schema pruning, defaulting and
// validating custom objects, and the CRD's own status (NamesAccepted, Established).
import { rfc3339, type ObjectStore, type Strategy } from '../store.js';
import type { ResourceInfo } from '../resources.js';
import type { KObject } from '../types.js';
import { applyDefaults, prune, validate, type JSONSchemaProps } from './schema.js';
import type { PrinterColumn } from './printer-columns.js';

export const CRD_GR = 'apiextensions.k8s.io/customresourcedefinitions';

interface CrdVersion {
  name: string;
  served?: boolean;
  storage?: boolean;
  schema?: { openAPIV3Schema?: JSONSchemaProps };
  subresources?: { status?: object; scale?: object };
  additionalPrinterColumns?: PrinterColumn[];
}

interface CrdSpec {
  group: string;
  scope?: 'Namespaced' | 'Cluster';
  names: { kind: string; plural: string; singular?: string; listKind?: string; shortNames?: string[]; categories?: string[] };
  versions?: CrdVersion[];
}

const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

/** The served versions of a CRD as registry entries, the storage version first. */
export function servedResources(spec: CrdSpec): ResourceInfo[] {
  const versions = (spec.versions ?? []).filter((v) => v.served !== false);
  versions.sort((a, b) => Number(!!b.storage) - Number(!!a.storage));
  return versions.map((v) => ({
    group: spec.group, version: v.name, kind: spec.names.kind, resource: spec.names.plural,
    singular: spec.names.singular ?? spec.names.kind.toLowerCase(),
    namespaced: spec.scope !== 'Cluster', shortNames: spec.names.shortNames ?? [], categories: spec.names.categories ?? [],
    verbs: VERBS, subresources: v.subresources?.status ? ['status'] : [], builtin: false,
    ...(v.additionalPrinterColumns?.length ? { printerColumns: v.additionalPrinterColumns } : {}),
  }));
}

function schemaOf(spec: CrdSpec, apiVersion: string | undefined): JSONSchemaProps | undefined {
  const version = (apiVersion ?? '').split('/').pop();
  const versions = spec.versions ?? [];
  const v = versions.find((x) => x.name === version) ?? versions.find((x) => x.storage);
  return v?.schema?.openAPIV3Schema;
}

/** Pruning, defaulting and the structural schema checks of one CRD's custom objects. */
export function customResourceStrategy(spec: CrdSpec): Strategy {
  const hasStatus = (spec.versions ?? []).some((v) => v.subresources?.status);
  const normalize = (obj: KObject) => {
    const schema = schemaOf(spec, obj.apiVersion);
    prune(obj, schema, true);
    applyDefaults(obj, schema);
  };
  const check = (obj: KObject) => validate(obj, schemaOf(spec, obj.apiVersion));
  return {
    prepareForCreate(obj) {
      if (hasStatus) delete obj.status; // written through /status only; defaults fill it below
      normalize(obj);
    },
    validate: check,
    prepareForUpdate: normalize,
    validateStatusUpdate(obj) {
      normalize(obj);
      return check(obj);
    },
  };
}

/** The CRD's status as the apiextensions controllers set it once its names are accepted. */
function crdStatus(crd: KObject, now: string): Record<string, unknown> {
  const spec = crd.spec as unknown as CrdSpec;
  const names = spec.names ?? ({} as CrdSpec['names']);
  const prev = ((crd.status as { conditions?: { type: string; lastTransitionTime?: string }[] } | undefined)?.conditions) ?? [];
  const since = (type: string) => prev.find((c) => c.type === type)?.lastTransitionTime ?? now;
  const storage = (spec.versions ?? []).find((v) => v.storage)?.name;
  const stored = new Set<string>([...(((crd.status as { storedVersions?: string[] } | undefined)?.storedVersions) ?? []), ...(storage ? [storage] : [])]);
  return {
    acceptedNames: {
      kind: names.kind, listKind: names.listKind ?? `${names.kind}List`, plural: names.plural,
      singular: names.singular ?? String(names.kind ?? '').toLowerCase(),
      ...(names.shortNames ? { shortNames: names.shortNames } : {}), ...(names.categories ? { categories: names.categories } : {}),
    },
    conditions: [
      { type: 'NamesAccepted', status: 'True', reason: 'NoConflicts', message: 'no conflicts found', lastTransitionTime: since('NamesAccepted') },
      { type: 'Established', status: 'True', reason: 'InitialNamesAccepted', message: 'the initial names have been accepted', lastTransitionTime: since('Established') },
    ],
    storedVersions: [...stored],
  };
}

export function crdStrategy(): Strategy {
  return {
    prepareForCreate(obj, ctx) {
      obj.status = crdStatus(obj, rfc3339(ctx.now)) as KObject['status'];
    },
    prepareForUpdate(obj, _old, ctx) {
      obj.status = crdStatus(obj, rfc3339(ctx.now)) as KObject['status'];
    },
  };
}

/**
 * Serves what the store's CRDs define, following their changes: registry entries per served
 * version, the schema strategy. Returns the function that stops following.
 */
export function serveCustomResources(store: ObjectStore): () => void {
  store.setStrategy(CRD_GR, crdStrategy());
  const served = new Map<string, ResourceInfo[]>();
  return store.watch(CRD_GR, { sendInitialEvents: true }, (ev) => {
    const name = ev.object.metadata.name;
    for (const info of served.get(name) ?? []) store.registry.removeVersion(info.group, info.resource, info.version);
    served.delete(name);
    if (ev.type === 'DELETED') return;
    const spec = ev.object.spec as unknown as CrdSpec;
    if (!spec?.group || !spec.names?.kind || !spec.names.plural) return;
    const infos = servedResources(spec);
    for (const info of infos) store.registry.add(info);
    served.set(name, infos);
    if (infos.length) store.setStrategy(`${spec.group}/${spec.names.plural}`, customResourceStrategy(spec));
  });
}
