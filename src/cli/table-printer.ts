// Prints meta.k8s.io/v1 Tables the way kubectl does: upper-case headers, columns separated by at
// least 3 spaces (Go tabwriter, minwidth 6, padding 3), priority-1 columns only with `-o wide`,
// a NAMESPACE column with -A, `kind.group/` name prefixes when several types are printed.

export interface TableColumn { name: string; type?: string; format?: string; priority?: number }
export interface TableLike {
  columnDefinitions: TableColumn[];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  rows: { cells: unknown[]; object?: any }[];
}

export interface PrintOptions {
  wide?: boolean;
  withNamespace?: boolean;
  /** `deployment.apps` — prefixes the name column. */
  kindPrefix?: string;
  noHeaders?: boolean;
  showLabels?: boolean;
}

const MIN_WIDTH = 6;
const PADDING = 3;

/** Go's text/tabwriter as kubectl configures it; remembers column widths across flushes (watch). */
export class TabWriter {
  private widths: number[] = [];

  constructor(private readonly remember = false) {}

  format(lines: string[][]): string {
    const widths = this.remember ? this.widths : [];
    for (const line of lines) {
      // The last cell of a line is not a column (no trailing tab).
      for (let i = 0; i < line.length - 1; i++) widths[i] = Math.max(widths[i] ?? 0, Math.max(MIN_WIDTH, line[i].length + PADDING));
    }
    if (this.remember) this.widths = widths;
    return lines.map((line) => line.map((cell, i) => (i < line.length - 1 ? cell.padEnd(widths[i]) : cell)).join('') + '\n').join('');
  }
}

export function formatCell(cell: unknown): string {
  if (cell === null || cell === undefined) return '<none>';
  if (typeof cell === 'string') return cell.split('\n')[0];
  if (typeof cell === 'object') return JSON.stringify(cell);
  return String(cell);
}

function labelsOf(obj: { metadata?: { labels?: Record<string, string> } } | undefined): string {
  const labels = obj?.metadata?.labels ?? {};
  const keys = Object.keys(labels).sort();
  return keys.length ? keys.map((k) => `${k}=${labels[k]}`).join(',') : '<none>';
}

/** The header line and rows (as cells) of a table, ready for a TabWriter. */
export function tableLines(table: TableLike, opts: PrintOptions = {}): { header: string[]; rows: string[][] } {
  const visible = table.columnDefinitions.map((c, i) => ({ c, i })).filter(({ c }) => opts.wide || !c.priority);
  const header = visible.map(({ c }) => c.name.toUpperCase());
  if (opts.withNamespace) header.unshift('NAMESPACE');
  if (opts.showLabels) header.push('LABELS');
  const rows = table.rows.map((row) => {
    const cells = visible.map(({ c, i }) => {
      const text = formatCell(row.cells[i]);
      return opts.kindPrefix && c.format === 'name' ? `${opts.kindPrefix}/${text}` : text;
    });
    if (opts.withNamespace) cells.unshift(row.object?.metadata?.namespace ?? '');
    if (opts.showLabels) cells.push(labelsOf(row.object));
    return cells;
  });
  return { header, rows };
}

export function printTable(table: TableLike, opts: PrintOptions = {}, writer = new TabWriter()): string {
  const { header, rows } = tableLines(table, opts);
  return writer.format(opts.noHeaders ? rows : [header, ...rows]);
}
