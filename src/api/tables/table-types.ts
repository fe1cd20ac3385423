// The meta.k8s.io/v1 Table shape kube-apiserver returns for `Accept: application/json;as=Table;…`.
import type { KObject } from '../types.js';

export interface TableColumnDefinition {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  format: string;
  description: string;
  priority: number;
}

export type Cell = string | number | boolean | null;

export interface TableRow {
  cells: Cell[];
  conditions?: { type: string; status: string; reason?: string; message?: string }[];
  object?: unknown;
}

export interface Table {
  kind: 'Table';
  apiVersion: 'meta.k8s.io/v1';
  metadata: { resourceVersion?: string };
  columnDefinitions: TableColumnDefinition[];
  rows: TableRow[];
}

/** One resource's printer: the columns, and a row of cells (all columns, wide ones included). */
export interface Printer {
  columns: TableColumnDefinition[];
  cells(obj: KObject, now: Date): Cell[];
  /** Row conditions (pods that finished get `Completed`, as the apiserver marks them). */
  conditions?(obj: KObject): TableRow['conditions'];
}

/** A column definition; `wide` puts it at priority 1 (shown only with `-o wide`). */
export function col(name: string, description: string, opts: { type?: TableColumnDefinition['type']; format?: string; wide?: boolean } = {}): TableColumnDefinition {
  return { name, type: opts.type ?? 'string', format: opts.format ?? '', description, priority: opts.wide ? 1 : 0 };
}

export const NAME_COLUMN = col('Name', 'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names', { format: 'name' });
export const AGE_COLUMN = col('Age', 'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.');
export const CONTAINERS_COLUMN = col('Containers', 'Names of each container in the template.', { wide: true });
export const IMAGES_COLUMN = col('Images', 'Images referenced by each container in the template.', { wide: true });
export const SELECTOR_COLUMN = col('Selector', 'A label query over pods that should match the replica count.', { wide: true });
