// Start-up: `kdp up -f examples/seed` → the first 200 from the nginx Service, found by its DNS name
// at the cluster DNS (as a pod's curl would), timed from spawning the process.
import { join } from 'node:path';
import { BENCH } from '../lib/addresses.js';
import { ROOT, startCluster } from '../lib/cluster.js';
import { httpStatus, resolveA, resolver, sleep } from '../lib/probe.js';
import { emptyRow, type RowResult } from '../lib/report.js';
import type { RowOptions } from '../lib/row.js';

const NAME = 'nginx.default.svc.cluster.local';

export async function startupRow(o: RowOptions): Promise<RowResult> {
  const row = emptyRow('startup', 'Start-up: kdp up -f examples/seed → first 200 through the Service DNS name');
  const runs = Number(o.args.runs ?? (o.quick ? 2 : 5));
  const first200: number[] = [];
  const upLine: number[] = [];
  const r = resolver(BENCH.dnsAddress, 100);
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const starting = startCluster({ files: [join(ROOT, 'examples', 'seed')], nodeFlags: o.nodeFlags, kdpFlags: o.kdpFlags });
    let done = false;
    let failed: unknown;
    starting.catch((err) => {
      failed = err;
    });
    let t: number | undefined;
    while (!done && failed === undefined && performance.now() - t0 < 30_000) {
      const ip = await resolveA(r, NAME);
      if (ip && (await httpStatus(ip, 80, '/', 200)) === 200) {
        t = performance.now() - t0;
        done = true;
      } else await sleep(5);
    }
    const cluster = await starting;
    const m = cluster.proc.output().match(/kdp is up in (\d+) ms/);
    await cluster.stop();
    if (t === undefined) throw new Error(`no 200 from ${NAME} within 30 s`);
    first200.push(t);
    if (m) upLine.push(Number(m[1]));
    o.log(`  run ${i + 1}/${runs}: first 200 after ${t.toFixed(0)} ms (kdp says "up in ${m?.[1] ?? '?'} ms")`);
  }
  row.measurements.push({ case: 'spawn → first 200 via DNS name', metric: 'wall clock', unit: 'ms', values: first200, target: { op: '<', value: 1000 } });
  row.measurements.push({ case: '"kdp is up in" (components started)', metric: 'wall clock', unit: 'ms', values: upLine });
  row.notes.push(`${runs} runs; node ${process.version} starting bin/kdp.js is included; the client resolves ${NAME} at ${BENCH.dnsAddress} and GETs / every 5 ms`);
  return row;
}
