// `kdp get`: Tables from the server printed like kubectl, -o wide|json|yaml|name, -l, -A, -w,
// `get all`, several types at once.
import type { Command } from 'commander';
import type { KObject } from '../api/types.js';
import { TABLE_ACCEPT } from './client.js';
import { action, withGlobalFlags, type CliIO, type Ctx } from './context.js';
import { kindName, resourcePath, type ApiResource } from './discovery.js';
import { ApiStatusError, CliError } from './errors.js';
import { asList, formatObjects, parseOutputSpec, withoutManagedFields } from './output.js';
import { jsonpath } from './jsonpath.js';
import { parseResourceArgs, resolveRequests, type ResourceRequest } from './resource-args.js';
import { TabWriter, tableLines, type TableLike } from './table-printer.js';
import { asTable, listQuery, type GetFlags } from './get-table.js';
import { watchTable } from './get-watch.js';

/* eslint-disable @typescript-eslint/no-explicit-any */

function scopeNamespace(ctx: Ctx, r: ApiResource): string | undefined {
  if (!r.namespaced) return undefined;
  return ctx.allNamespaces ? undefined : ctx.namespace;
}

export function noResourcesMessage(ctx: Ctx, requests: ResourceRequest[]): string {
  const namespaced = requests.some((r) => r.resource.namespaced);
  return ctx.allNamespaces || !namespaced ? 'No resources found\n' : `No resources found in ${ctx.namespace} namespace.\n`;
}

async function fetchTables(ctx: Ctx, req: ResourceRequest, flags: GetFlags, errors: string[]): Promise<TableLike | undefined> {
  const ns = scopeNamespace(ctx, req.resource);
  const now = ctx.io.now?.() ?? new Date();
  const query = { includeObject: 'Object' };
  if (!req.names.length) {
    const body = await ctx.client.get(resourcePath(req.resource, ns), { ...query, ...listQuery(flags) }, TABLE_ACCEPT);
    return asTable(req.resource, body, now);
  }
  let merged: TableLike | undefined;
  for (const name of req.names) {
    try {
      const table = asTable(req.resource, await ctx.client.get(resourcePath(req.resource, ns, name), query, TABLE_ACCEPT), now);
      if (!merged) merged = { columnDefinitions: table.columnDefinitions, rows: [...table.rows] };
      else merged.rows.push(...table.rows);
    } catch (err) {
      if (err instanceof ApiStatusError) errors.push(err.format());
      else throw err;
    }
  }
  return merged;
}

async function fetchObjects(ctx: Ctx, req: ResourceRequest, flags: GetFlags, errors: string[]): Promise<any[]> {
  const ns = scopeNamespace(ctx, req.resource);
  const apiVersion = req.resource.group ? `${req.resource.group}/${req.resource.version}` : req.resource.version;
  const fill = (o: any) => ({ apiVersion, kind: req.resource.kind, ...o });
  if (!req.names.length) {
    const list = await ctx.client.get<any>(resourcePath(req.resource, ns), listQuery(flags));
    return (list?.items ?? []).map(fill);
  }
  const out: any[] = [];
  for (const name of req.names) {
    try {
      out.push(fill(await ctx.client.get(resourcePath(req.resource, ns, name))));
    } catch (err) {
      if (err instanceof ApiStatusError) errors.push(err.format());
      else throw err;
    }
  }
  return out;
}

export async function runGet(ctx: Ctx, args: string[], flags: GetFlags): Promise<number> {
  const spec = parseOutputSpec(flags.output);
  const format = spec.format;
  const parsed = parseResourceArgs(args);
  const requests = await resolveRequests(ctx.discovery, parsed);
  if (ctx.allNamespaces && requests.some((r) => r.names.length)) {
    throw new CliError('a resource cannot be retrieved by name across all namespaces');
  }
  if (flags.watch || flags.watchOnly) {
    if (requests.length !== 1) throw new CliError('you may only specify a single resource type');
    return watchTable(ctx, requests[0], flags, format);
  }
  const errors: string[] = [];
  let printedAny = false;
  if (format === 'json' || format === 'yaml' || format === 'name' || format === 'jsonpath') {
    const objects: { r: ApiResource; o: any }[] = [];
    for (const req of requests) for (const o of await fetchObjects(ctx, req, flags, errors)) objects.push({ r: req.resource, o });
    if (format === 'name') {
      for (const { r, o } of objects) ctx.out(`${kindName(r)}/${o.metadata?.name}\n`);
    } else if (format === 'jsonpath') {
      const single = requests.length === 1 && requests[0].names.length === 1;
      const data = single ? withoutManagedFields(objects[0]?.o) : asList(objects.map((x) => withoutManagedFields(x.o)));
      if (data) ctx.out(jsonpath(spec.template!, data));
    } else if (objects.length || !errors.length) {
      const single = requests.length === 1 && requests[0].names.length === 1;
      if (objects.length || !single) ctx.out(formatObjects(format, objects.map((x) => x.o), !single));
    }
    printedAny = objects.length > 0;
  } else {
    for (const req of requests) {
      const table = await fetchTables(ctx, req, flags, errors);
      if (!table || !table.rows.length) continue;
      const lines = tableLines(table, {
        wide: format === 'wide',
        withNamespace: ctx.allNamespaces && req.resource.namespaced,
        kindPrefix: parsed.multipleTypes ? kindName(req.resource) : undefined,
        noHeaders: flags.headers === false,
        showLabels: flags.showLabels,
      });
      if (printedAny) ctx.out('\n');
      ctx.out(new TabWriter().format(flags.headers === false ? lines.rows : [lines.header, ...lines.rows]));
      printedAny = true;
    }
  }
  const askedForNames = requests.some((r) => r.names.length);
  if (!printedAny && !errors.length && !askedForNames && format !== 'json' && format !== 'yaml' && format !== 'jsonpath') ctx.err(noResourcesMessage(ctx, requests));
  for (const e of errors) ctx.err(`${e}\n`);
  return errors.length ? 1 : 0;
}

export function registerGet(program: Command, io: CliIO): void {
  withGlobalFlags(program.command('get'))
    .description('Display one or many resources')
    .argument('[resources...]', 'TYPE[,TYPE…] [NAME…] or TYPE/NAME…')
    .option('-o, --output <format>', 'Output format: json|yaml|name|wide|jsonpath=TEMPLATE')
    .option('-l, --selector <selector>', 'Selector (label query) to filter on, e.g. -l key1=value1,key2=value2')
    .option('--field-selector <selector>', 'Selector (field query) to filter on, e.g. --field-selector metadata.name=x')
    .option('-w, --watch', 'After listing/getting the requested object, watch for changes')
    .option('--watch-only', 'Watch for changes to the requested object(s), without listing/getting first')
    .option('--no-headers', "Don't print headers")
    .option('--show-labels', 'When printing, show all labels as the last column')
    .action(action(io, (ctx, args: string[], flags: GetFlags) => runGet(ctx, args, flags)));
}
