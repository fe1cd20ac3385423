// What every row gets: run options, a scratch dir, a logger, and the A/B alternation.
import { median } from './stats.js';

export interface RowOptions {
  quick: boolean;
  rounds: number;
  durationS: number;
  /** Extra node flags for kdp (e.g. --cpu-prof). */
  nodeFlags: string[];
  /** Extra `kdp up` flags (e.g. --proxy-mode userspace). */
  kdpFlags: string[];
  /** Row-specific settings from the command line (`--services 500` …). */
  args: Record<string, string>;
  log(line: string): void;
}

export interface Side<T> {
  name: string;
  run(): Promise<T>;
}

/** Runs each side once per round, alternating A B (C) A B (C) …; returns the values per side. */
export async function alternate<T>(rounds: number, sides: Side<T>[], log: (l: string) => void, show: (v: T) => string): Promise<Record<string, T[]>> {
  const out: Record<string, T[]> = {};
  for (const s of sides) out[s.name] = [];
  for (let r = 0; r < rounds; r++) {
    for (const s of r % 2 ? [...sides].reverse() : sides) {
      const v = await s.run();
      out[s.name].push(v);
      log(`  round ${r + 1}/${rounds} ${s.name}: ${show(v)}`);
    }
  }
  return out;
}

export function medianOf<T>(xs: T[], f: (x: T) => number): number {
  return median(xs.map(f));
}
