// Building blocks of kubectl describe's layout: `Key:  value` lines aligned per section, label and
// annotation maps one per line, and the Events table.
import { humanDuration } from '../api/tables/index.js';
import type { KObject } from '../api/types.js';

export type Line = [string, string] | string;

/** Aligns `Key:` columns like kubectl's tabwriter-based describe output. */
export function section(lines: Line[], indent = ''): string {
  const keyed = lines.filter((l): l is [string, string] => Array.isArray(l));
  const width = Math.max(0, ...keyed.map(([k]) => k.length + 1)) + 2;
  return lines.map((l) => (Array.isArray(l) ? `${indent}${`${l[0]}:`.padEnd(width)}${l[1]}`.trimEnd() : `${indent}${l}`)).join('\n') + '\n';
}

/** Labels/annotations as kubectl prints them: first on the key's line, the rest aligned below. */
export function mapLines(key: string, map: Record<string, string> | undefined, sep = '='): Line[] {
  // kubectl describe never shows the client-side apply bookkeeping annotation
  const entries = Object.entries(map ?? {}).filter(([k]) => k !== 'kubectl.kubernetes.io/last-applied-configuration').sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (!entries.length) return [[key, '<none>']];
  return entries.map(([k, v], i) => [i === 0 ? key : '', `${k}${sep}${v}`] as [string, string]);
}

export function age(ts: string | undefined, now: Date): string {
  if (!ts) return '<unknown>';
  return humanDuration(now.getTime() - Date.parse(ts));
}

/** The Events: section (or `Events:  <none>`). */
export function eventsSection(events: KObject[], now: Date): string {
  if (!events.length) return 'Events:  <none>\n';
  const sorted = [...events].sort((a, b) => Date.parse(a.lastTimestamp ?? a.eventTime ?? '') - Date.parse(b.lastTimestamp ?? b.eventTime ?? ''));
  const rows = sorted.map((e) => {
    const first = e.firstTimestamp ?? e.eventTime;
    const last = e.lastTimestamp ?? first;
    let ageText = age(last, now);
    if ((e.count ?? 1) > 1) ageText = `${ageText} (x${e.count} over ${age(first, now)})`;
    return [e.type ?? '', e.reason ?? '', ageText, e.source?.component || e.reportingComponent || '', String(e.message ?? '').trim()];
  });
  const header = ['Type', 'Reason', 'Age', 'From', 'Message'];
  const under = ['----', '------', '----', '----', '-------']; // kubectl's underline: Age gets four dashes
  const all = [header, under, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => r[i].length)) + 2);
  const body = all.map((r) => `  ${r.map((c, i) => (i < r.length - 1 ? c.padEnd(widths[i]) : c)).join('')}`.trimEnd()).join('\n');
  return `Events:\n${body}\n`;
}

/**
 * Go's text/tabwriter as kubectl describe uses it (minwidth 0, padding 2, spaces): `\t` ends a cell;
 * a column's width is set per block of consecutive lines that have a cell in that column.
 */
export function tabwrite(text: string): string {
  const lines = text.split('\n').map((l) => l.split('\t'));
  const widths = lines.map((cells) => cells.map(() => 0));
  const maxCols = Math.max(0, ...lines.map((c) => c.length - 1));
  for (let col = 0; col < maxCols; col++) {
    let start = 0;
    while (start < lines.length) {
      if (lines[start].length - 1 <= col) {
        start++;
        continue;
      }
      let end = start;
      while (end < lines.length && lines[end].length - 1 > col) end++;
      const w = Math.max(...lines.slice(start, end).map((c) => c[col].length)) + 2;
      for (let i = start; i < end; i++) widths[i][col] = w;
      start = end;
    }
  }
  return lines.map((cells, i) => cells.map((c, j) => (j < cells.length - 1 ? c.padEnd(widths[i][j]) : c)).join('')).join('\n');
}
