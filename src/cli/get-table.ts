// What `kdp get` and `kdp get -w` share: the flags, the list query they make, and a response as a Table.
import { toTable } from '../api/tables/index.js';
import type { KObject } from '../api/types.js';
import type { Query } from './client.js';
import type { ApiResource } from './discovery.js';
import type { TableLike } from './table-printer.js';

export interface GetFlags {
  output?: string;
  selector?: string;
  fieldSelector?: string;
  watch?: boolean;
  watchOnly?: boolean;
  headers?: boolean;
  showLabels?: boolean;
}

/* eslint-disable @typescript-eslint/no-explicit-any */

/** Ensures a response is a Table; a server without Table support gets the local printers. */
export function asTable(resource: ApiResource, body: any, now: Date): TableLike & { metadata?: { resourceVersion?: string } } {
  if (body?.kind === 'Table') return body;
  const items: KObject[] = Array.isArray(body?.items) ? body.items : body ? [body] : [];
  return toTable(resource, items, { includeObject: 'Object', now, resourceVersion: body?.metadata?.resourceVersion });
}

export function listQuery(flags: GetFlags): Query {
  return { labelSelector: flags.selector, fieldSelector: flags.fieldSelector };
}
