// `npm run bench [-- ROW… --quick --rounds N --duration S --cpu-prof --proxy-mode M --services N --pods N]`
// Runs the rows of shared/BENCHMARKS.md, kdp and a real peer alternating, prints the table of median
// ratios and writes bench/results/<date>-<rows>.json (and latest.json).
import { join } from 'node:path';
import { ROOT } from './lib/cluster.js';
import { killAllNow, stopAll } from './lib/procs.js';
import { emptyRow, formatTable, writeResults, type RowResult } from './lib/report.js';
import type { RowOptions } from './lib/row.js';
import { ensureTools, packageVersions, TOOL_PACKAGES } from './lib/tools.js';
import { apiRow } from './rows/api.js';
import { dnsRow } from './rows/dns.js';
import { gatewayRow } from './rows/gateway.js';
import { ingressRow } from './rows/ingress.js';
import { l4Row } from './rows/l4.js';
import { l4VariantsRow } from './rows/l4-variants.js';
import { reactionRow } from './rows/reaction.js';
import { scaleRow } from './rows/scale.js';
import { startupRow } from './rows/startup.js';

interface RowDef {
  tools: string[];
  experiment?: boolean;
  run(o: RowOptions): Promise<RowResult>;
}

const ROWS: Record<string, RowDef> = {
  l4: { tools: ['wrk', 'haproxy', 'nginx'], run: (o) => l4Row(o, false) },
  'l4-builtin': { tools: ['wrk', 'haproxy'], run: (o) => l4Row(o, true) },
  dns: { tools: ['dnsperf', 'dnsmasq'], run: dnsRow },
  ingress: { tools: ['wrk', 'nginx'], run: ingressRow },
  gateway: { tools: ['wrk', 'nginx'], run: gatewayRow },
  startup: { tools: [], run: startupRow },
  reaction: { tools: [], run: reactionRow },
  scale: { tools: ['wrk', 'dnsperf'], run: scaleRow },
  api: { tools: [], run: apiRow },
  // Experiments, run only when named.
  'l4-variants': { tools: ['wrk', 'haproxy', 'nginx'], run: l4VariantsRow, experiment: true },
};

const USAGE = `usage: npm run bench [-- [ROW…] [--quick] [--rounds N] [--duration SECONDS] [--cpu-prof] [--proxy-mode nftables|userspace] [--ephemeral] [--services N --pods N --sync-timeout S] [--creates N --concurrency N --probes N]]
rows: ${Object.keys(ROWS).join(', ')} (default: all but the experiments: l4-variants)`;

function parseArgs(argv: string[]): { rows: string[]; flags: Record<string, string> } {
  const rows: string[] = [];
  const flags: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a.startsWith('--')) {
      const [k, v] = a.slice(2).split('=', 2);
      if (v !== undefined) flags[k] = v;
      else if (argv[i + 1] !== undefined && !argv[i + 1].startsWith('--')) flags[k] = argv[++i];
      else flags[k] = 'true';
    } else rows.push(a);
  }
  return { rows, flags };
}

async function main(): Promise<number> {
  const { rows: asked, flags } = parseArgs(process.argv.slice(2));
  if (flags.help) {
    console.log(USAGE);
    return 0;
  }
  const names = asked.length ? asked : Object.keys(ROWS).filter((n) => !ROWS[n].experiment);
  const unknown = names.filter((n) => !ROWS[n]);
  if (unknown.length) {
    console.error(`error: unknown row(s) ${unknown.join(', ')}\n${USAGE}`);
    return 2;
  }
  const quick = flags.quick === 'true';
  const profDir = join(ROOT, 'bench', 'results', 'profiles');
  const opts: RowOptions = {
    quick,
    rounds: Number(flags.rounds ?? (quick ? 1 : 3)),
    durationS: Number(flags.duration ?? (quick ? 2 : 5)),
    nodeFlags: flags['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : [],
    kdpFlags: [...(flags['proxy-mode'] ? ['--proxy-mode', flags['proxy-mode']] : []), ...(flags.ephemeral ? ['--ephemeral'] : [])],
    args: flags,
    log: (l) => console.log(l),
  };
  const tools = ensureTools([...new Set(names.flatMap((n) => ROWS[n].tools))]);
  const versions = packageVersions([...new Set(Object.keys(tools).map((t) => TOOL_PACKAGES[t] ?? t))]);

  const results: RowResult[] = [];
  for (const name of names) {
    console.log(`\n== ${name}${quick ? ' (quick)' : ''}`);
    const t0 = performance.now();
    let r: RowResult;
    try {
      r = await ROWS[name].run(opts);
    } catch (err) {
      r = emptyRow(name, name);
      r.skipped = `failed: ${(err as Error).message.split('\n')[0]}`;
      console.error(`[ERROR] bench: ${name}: ${(err as Error).stack ?? err}`);
      await stopAll();
    }
    if (r.skipped) console.log(`  skipped: ${r.skipped}`);
    for (const n of r.notes) console.log(`  note: ${n}`);
    console.log(`  (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
    results.push(r);
  }
  console.log(`\n${formatTable(results)}`);
  const file = writeResults(join(ROOT, 'bench', 'results'), results, {
    command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(),
    quick,
    rounds: opts.rounds,
    durationS: opts.durationS,
    tools: versions,
  });
  console.log(`\nresults: ${file}`);
  return results.some((r) => r.skipped?.startsWith('failed')) ? 1 : 0;
}

const onSignal = () => {
  void stopAll().finally(() => process.exit(130));
  setTimeout(() => {
    killAllNow();
    process.exit(130);
  }, 20_000).unref();
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

main().then(
  async (code) => {
    await stopAll();
    process.exit(code);
  },
  async (err) => {
    console.error(`error: ${(err as Error).message}`);
    await stopAll();
    process.exit(1);
  },
);
