// What a row measured, the table printed at the end, and the JSON written to bench/results/.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { max, median, min } from './stats.js';

/** kdp against a peer, one value per alternating round; higher is better unless `lowerIsBetter`. */
export interface Comparison {
  case: string;
  metric: string;
  kdp: number[];
  peer: number[];
  peerName: string;
  /** Target for the median of kdp/peer, e.g. 1.0. */
  target?: number;
  lowerIsBetter?: boolean;
  /** Other figures per side (latency percentiles…), medians over rounds. */
  detail?: Record<string, { kdp: number; peer: number }>;
}

/** A figure with no peer (start-up, reaction, scale). */
export interface Measurement {
  case: string;
  metric: string;
  unit: string;
  values: number[];
  /** The value reported against the target (median, p99…) and the target itself. */
  value?: number;
  target?: { op: '<' | '<=' | '>=' | '>'; value: number };
}

export interface RowResult {
  row: string;
  title: string;
  skipped?: string;
  comparisons: Comparison[];
  measurements: Measurement[];
  notes: string[];
}

export function emptyRow(row: string, title: string): RowResult {
  return { row, title, comparisons: [], measurements: [], notes: [] };
}

export function ratios(c: Comparison): number[] {
  const n = Math.min(c.kdp.length, c.peer.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(c.lowerIsBetter ? c.peer[i] / c.kdp[i] : c.kdp[i] / c.peer[i]);
  return out;
}

function fmt(x: number): string {
  if (!Number.isFinite(x)) return '-';
  if (Math.abs(x) >= 1000) return Math.round(x).toString();
  if (Math.abs(x) >= 100) return x.toFixed(0);
  if (Math.abs(x) >= 10) return x.toFixed(1);
  return x.toFixed(2);
}

function check(ok: boolean | undefined): string {
  return ok === undefined ? '' : ok ? ' ok' : ' MISSED';
}

export function formatTable(rows: RowResult[]): string {
  const lines: string[][] = [['row', 'case', 'metric', 'kdp', 'peer', 'kdp/peer median [min–max]', 'target']];
  for (const r of rows) {
    if (r.skipped) {
      lines.push([r.row, 'skipped (reason above)', '', '', '', '', '']);
      continue;
    }
    for (const c of r.comparisons) {
      const rs = ratios(c);
      const m = median(rs);
      const ok = c.target === undefined ? undefined : m >= c.target;
      lines.push([r.row, c.case, c.metric, fmt(median(c.kdp)), `${fmt(median(c.peer))} ${c.peerName}`, `${fmt(m)}× [${fmt(min(rs))}–${fmt(max(rs))}]`, c.target === undefined ? 'report' : `≥ ${c.target}×${check(ok)}`]);
    }
    for (const m of r.measurements) {
      const v = m.value ?? median(m.values);
      const t = m.target;
      const ok = t === undefined ? undefined : t.op === '<' ? v < t.value : t.op === '<=' ? v <= t.value : t.op === '>=' ? v >= t.value : v > t.value;
      const spread = m.values.length > 1 ? ` [${fmt(min(m.values))}–${fmt(max(m.values))}] n=${m.values.length}` : '';
      lines.push([r.row, m.case, m.metric, `${fmt(v)} ${m.unit}${spread}`, '', '', t ? `${t.op} ${t.value} ${m.unit}${check(ok)}` : 'report']);
    }
  }
  const widths = lines[0].map((_, i) => Math.max(...lines.map((l) => [...l[i]].length)));
  return lines.map((l) => l.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd()).join('\n');
}

export function machine(): Record<string, unknown> {
  let kernel = '';
  try {
    kernel = execFileSync('uname', ['-sr'], { encoding: 'utf8' }).trim();
  } catch { /* not fatal */ }
  return {
    cpu: cpus()[0]?.model,
    cores: cpus().length,
    memoryMiB: Math.round(totalmem() / 2 ** 20),
    kernel,
    node: process.version,
    loadavg: loadavg().map((x) => Math.round(x * 100) / 100),
  };
}

export function writeResults(dir: string, rows: RowResult[], meta: Record<string, unknown>): string {
  mkdirSync(dir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const doc = {
    date: new Date().toISOString(),
    ...meta,
    machine: machine(),
    rows: rows.map((r) => ({
      ...r,
      comparisons: r.comparisons.map((c) => ({ ...c, ratios: ratios(c), medianRatio: median(ratios(c)), medianKdp: median(c.kdp), medianPeer: median(c.peer) })),
      measurements: r.measurements.map((m) => ({ ...m, median: median(m.values) })),
    })),
  };
  const file = join(dir, `${stamp}-${rows.map((r) => r.row).join('+')}.json`);
  writeFileSync(file, JSON.stringify(doc, null, 2) + '\n');
  writeFileSync(join(dir, 'latest.json'), JSON.stringify(doc, null, 2) + '\n');
  return file;
}
