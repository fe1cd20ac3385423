// toTable: the apiserver's TableConvertor. Picks the printer for the resource (or NAME AGE for
// anything else) and renders every column, wide ones included, as kube-apiserver does; the client
// hides priority-1 columns unless `-o wide`.
import { printerFromColumns } from '../crd/printer-columns.js';
import type { ResourceInfo } from '../resources.js';
import type { KObject } from '../types.js';
import { configMapPrinter, endpointsPrinter, eventPrinter, namespacePrinter, nodePrinter, secretPrinter, serviceAccountPrinter, servicePrinter } from './core-printers.js';
import { horizontalPodAutoscalerPrinter } from './autoscaling-printers.js';
import { translateTimestampSince } from './duration.js';
import { endpointSlicePrinter, ingressClassPrinter, ingressPrinter } from './network-printers.js';
import { podPrinter } from './pod-printer.js';
import { persistentVolumeClaimPrinter, persistentVolumePrinter, storageClassPrinter } from './storage-printers.js';
import { AGE_COLUMN, NAME_COLUMN, type Printer, type Table, type TableRow } from './table-types.js';
import { cronJobPrinter, daemonSetPrinter, deploymentPrinter, jobPrinter, replicaSetPrinter, statefulSetPrinter } from './workload-printers.js';

export type IncludeObject = 'None' | 'Object' | 'Metadata';

export interface ToTableOptions {
  /** What each row carries in `object`: nothing, the whole object, or PartialObjectMetadata (default). */
  includeObject?: IncludeObject;
  now?: Date;
  resourceVersion?: string;
}

const PRINTERS: Record<string, Printer> = {
  '/pods': podPrinter,
  '/services': servicePrinter,
  '/endpoints': endpointsPrinter,
  '/nodes': nodePrinter,
  '/namespaces': namespacePrinter,
  '/configmaps': configMapPrinter,
  '/secrets': secretPrinter,
  '/serviceaccounts': serviceAccountPrinter,
  '/events': eventPrinter,
  'events.k8s.io/events': eventPrinter,
  'apps/deployments': deploymentPrinter,
  'apps/replicasets': replicaSetPrinter,
  'apps/statefulsets': statefulSetPrinter,
  'apps/daemonsets': daemonSetPrinter,
  'batch/jobs': jobPrinter,
  'batch/cronjobs': cronJobPrinter,
  'discovery.k8s.io/endpointslices': endpointSlicePrinter,
  'networking.k8s.io/ingresses': ingressPrinter,
  'networking.k8s.io/ingressclasses': ingressClassPrinter,
  '/persistentvolumeclaims': persistentVolumeClaimPrinter,
  '/persistentvolumes': persistentVolumePrinter,
  'storage.k8s.io/storageclasses': storageClassPrinter,
  'autoscaling/horizontalpodautoscalers': horizontalPodAutoscalerPrinter,
};

/** NAME AGE, for kinds without a dedicated printer (as for a CRD without printer columns). */
export const defaultPrinter: Printer = {
  columns: [NAME_COLUMN, AGE_COLUMN],
  cells: (o, now) => [o.metadata.name, translateTimestampSince(o.metadata.creationTimestamp, now)],
};

const columnPrinters = new WeakMap<object, Printer>();

export function printerFor(info: Pick<ResourceInfo, 'group' | 'resource' | 'printerColumns'>): Printer {
  const columns = info.printerColumns;
  if (columns) {
    if (!columnPrinters.has(columns)) columnPrinters.set(columns, printerFromColumns(columns));
    return columnPrinters.get(columns)!;
  }
  return PRINTERS[`${info.group}/${info.resource}`] ?? defaultPrinter;
}

function rowObject(obj: KObject, include: IncludeObject): unknown {
  if (include === 'None') return undefined;
  if (include === 'Object') return obj;
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata };
}

/** Renders `objects` (one for a GET, many for a LIST) as a meta.k8s.io/v1 Table. */
export function toTable(info: Pick<ResourceInfo, 'group' | 'resource' | 'printerColumns'>, objects: KObject[], opts: ToTableOptions = {}): Table {
  const printer = printerFor(info);
  const now = opts.now ?? new Date();
  const include = opts.includeObject ?? 'Metadata';
  const rows = objects.map((obj): TableRow => {
    const row: TableRow = { cells: printer.cells(obj, now) };
    const conditions = printer.conditions?.(obj);
    if (conditions) row.conditions = conditions;
    const object = rowObject(obj, include);
    if (object !== undefined) row.object = object;
    return row;
  });
  const metadata: Table['metadata'] = {};
  if (opts.resourceVersion !== undefined) metadata.resourceVersion = opts.resourceVersion;
  return { kind: 'Table', apiVersion: 'meta.k8s.io/v1', metadata, columnDefinitions: printer.columns, rows };
}
