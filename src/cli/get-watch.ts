// `kdp get -w`: the list, then one line per watch event, with column widths remembered like
// kubectl's tabwriter; runs until interrupted or the server ends the watch.
import { TABLE_ACCEPT } from './client.js';
import type { Ctx } from './context.js';
import { kindName, resourcePath } from './discovery.js';
import { asTable, listQuery, type GetFlags } from './get-table.js';
import { formatObjects, type OutputFormat } from './output.js';
import type { ResourceRequest } from './resource-args.js';
import { TabWriter, tableLines, type TableColumn } from './table-printer.js';

export async function watchTable(ctx: Ctx, req: ResourceRequest, flags: GetFlags, format: OutputFormat): Promise<number> {
  const r = req.resource;
  const ns = r.namespaced && !ctx.allNamespaces ? ctx.namespace : undefined;
  const query: Record<string, string | undefined> = { ...listQuery(flags) as Record<string, string | undefined>, includeObject: 'Object' };
  if (req.names.length === 1) query.fieldSelector = [query.fieldSelector, `metadata.name=${req.names[0]}`].filter(Boolean).join(',');
  const structured = format === 'json' || format === 'yaml' || format === 'name';
  const accept = structured ? 'application/json' : TABLE_ACCEPT;
  const writer = new TabWriter(true);
  const now = () => ctx.io.now?.() ?? new Date();
  const printOpts = { wide: format === 'wide', withNamespace: ctx.allNamespaces && r.namespaced, noHeaders: flags.headers === false, showLabels: flags.showLabels };
  let headerDone = false;
  let columns: TableColumn[] = [];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const print = (body: any) => {
    if (structured) {
      const items = body?.kind === 'Table' ? body.rows.map((row: { object: unknown }) => row.object) : body?.items ?? [body];
      for (const o of items) ctx.out(format === 'name' ? `${kindName(r)}/${o.metadata?.name}\n` : formatObjects(format, [o]));
      return;
    }
    const table = asTable(r, body, now());
    // The apiserver sends column definitions only with the first table of a watch.
    if (table.columnDefinitions?.length) columns = table.columnDefinitions;
    else table.columnDefinitions = columns;
    const lines = tableLines(table, printOpts);
    const rows = headerDone || printOpts.noHeaders ? lines.rows : [lines.header, ...lines.rows];
    if (rows.length) ctx.out(writer.format(rows));
    if (lines.rows.length) headerDone = true;
  };

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const list = await ctx.client.get<any>(resourcePath(r, ns), query, accept);
  if (!flags.watchOnly) {
    if (list?.rows?.length || list?.items?.length) print(list);
  }
  const abort = new AbortController();
  const stop = () => abort.abort();
  process.once('SIGINT', stop);
  ctx.io.signal?.addEventListener('abort', stop, { once: true });
  try {
    const rv = list?.metadata?.resourceVersion;
    for await (const ev of ctx.client.watch(resourcePath(r, ns), { ...query, resourceVersion: rv, allowWatchBookmarks: 'false' }, abort.signal, accept)) {
      if (ev.type === 'ERROR') {
        ctx.err(`error: ${ev.object?.message ?? 'watch failed'}\n`);
        return 1;
      }
      if (ev.type === 'BOOKMARK') continue;
      print(ev.object);
    }
  } finally {
    process.removeListener('SIGINT', stop);
  }
  return 0;
}
