// A CRD version's additionalPrinterColumns as a Table printer, as apiextensions-apiserver's
// tableconvertor does it: NAME first, then each column's JSONPath (kubectl's template syntax:
// `.a.b`, `[n]`, `[*]`, `[?(@.k=="v")]`), `date` columns shown as an age.
import { translateTimestampSince } from '../tables/duration.js';
import { NAME_COLUMN, type Cell, type Printer, type TableColumnDefinition } from '../tables/table-types.js';
import type { KObject } from '../types.js';

export interface PrinterColumn {
  name: string;
  type: string;
  jsonPath: string;
  description?: string;
  format?: string;
  priority?: number;
}

type Step = { field: string } | { index: number } | { all: true } | { filter: { path: string[]; value: string } };

/** Parses the subset of JSONPath that printer columns use; throws on anything else. */
export function parseJsonPath(expr: string): Step[] {
  const src = expr.trim().replace(/^\{(.*)\}$/, '$1').replace(/^\$/, '');
  const steps: Step[] = [];
  let i = 0;
  while (i < src.length) {
    if (src[i] === '.') {
      const m = /^\.([A-Za-z0-9_\-/]+)/.exec(src.slice(i));
      if (!m) throw new Error(`bad JSONPath ${expr}`);
      steps.push({ field: m[1] });
      i += m[0].length;
    } else if (src[i] === '[') {
      const end = src.indexOf(']', i);
      if (end < 0) throw new Error(`bad JSONPath ${expr}`);
      const inner = src.slice(i + 1, end);
      const f = /^\?\(@((?:\.[A-Za-z0-9_-]+)+)\s*==\s*["']([^"']*)["']\)$/.exec(inner);
      if (inner === '*') steps.push({ all: true });
      else if (/^\d+$/.test(inner)) steps.push({ index: Number(inner) });
      else if (f) steps.push({ filter: { path: f[1].slice(1).split('.'), value: f[2] } });
      else if (/^['"].*['"]$/.test(inner)) steps.push({ field: inner.slice(1, -1) });
      else throw new Error(`bad JSONPath ${expr}`);
      i = end + 1;
    } else throw new Error(`bad JSONPath ${expr}`);
  }
  return steps;
}

/** Every value `steps` reach in `obj`. */
export function evaluate(steps: Step[], obj: unknown): unknown[] {
  let cur: unknown[] = [obj];
  for (const s of steps) {
    const next: unknown[] = [];
    for (const v of cur) {
      if ('field' in s) {
        if (v && typeof v === 'object' && !Array.isArray(v) && (v as Record<string, unknown>)[s.field] !== undefined) next.push((v as Record<string, unknown>)[s.field]);
      } else if ('index' in s) {
        if (Array.isArray(v) && s.index < v.length) next.push(v[s.index]);
      } else if ('all' in s) {
        if (Array.isArray(v)) next.push(...v);
        else if (v && typeof v === 'object') next.push(...Object.values(v));
      } else if (Array.isArray(v)) {
        for (const item of v) {
          let x: unknown = item;
          for (const k of s.filter.path) x = x && typeof x === 'object' ? (x as Record<string, unknown>)[k] : undefined;
          if (x !== undefined && String(x) === s.filter.value) next.push(item);
        }
      }
    }
    cur = next;
  }
  return cur;
}

function cell(type: string, v: unknown, now: Date): Cell {
  if (v === null || v === undefined) return null;
  if (type === 'date' && typeof v === 'string') return translateTimestampSince(v, now);
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return type === 'string' ? String(v) : v;
  return JSON.stringify(v);
}

const COLUMN_TYPES = new Set(['string', 'integer', 'number', 'boolean', 'date']);

export function printerFromColumns(columns: PrinterColumn[]): Printer {
  const parsed = columns.map((c) => {
    try {
      return parseJsonPath(c.jsonPath);
    } catch {
      return undefined;
    }
  });
  const defs: TableColumnDefinition[] = [
    NAME_COLUMN,
    ...columns.map((c) => ({
      name: c.name, type: (COLUMN_TYPES.has(c.type) ? c.type : 'string') as TableColumnDefinition['type'],
      format: c.format ?? '', description: c.description ?? '', priority: c.priority ?? 0,
    })),
  ];
  return {
    columns: defs,
    cells: (obj: KObject, now: Date) => [
      obj.metadata.name,
      ...columns.map((c, i) => {
        const steps = parsed[i];
        if (!steps) return null;
        const values = evaluate(steps, obj);
        if (!values.length) return null;
        if (values.length === 1) return cell(c.type, values[0], now);
        return values.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join(',');
      }),
    ],
  };
}
