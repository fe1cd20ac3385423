// API: durable (state.db, the default) against in-memory (`kdp up --ephemeral`) — creates/s with
// concurrent clients, the latency from a create's request to its watch event, and how long `kdp up`
// takes to resume a state dir holding those objects.
import { join } from 'node:path';
import { kubeconfigFetch, startCluster, tmpDir, type Cluster } from '../lib/cluster.js';
import { emptyRow, type RowResult } from '../lib/report.js';
import { alternate, medianOf, type RowOptions } from '../lib/row.js';
import { percentile } from '../lib/stats.js';

interface ApiRound {
  createsPerS: number;
  watchP50: number;
  watchP99: number;
}

const cm = (name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' }, data: { key: `value of ${name}`.repeat(8) } });

async function createsPerSecond(c: Cluster, n: number, concurrency: number, prefix: string): Promise<number> {
  let i = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (i < n) await c.create(cm(`${prefix}-${i++}`));
  }));
  return n / ((performance.now() - t0) / 1000);
}

/** ms from sending each create (one at a time) to its ADDED event on an open watch. */
async function watchLatencies(c: Cluster, n: number): Promise<number[]> {
  const fetch = kubeconfigFetch(join(c.stateDir, 'kubeconfig'));
  const ac = new AbortController();
  const res = await fetch(`${c.apiUrl}/api/v1/namespaces/default/configmaps?watch=true&labelSelector=probe%3Dwatch`, { signal: ac.signal });
  const waiting = new Map<string, () => void>();
  const reader = res.body!.getReader();
  const dec = new TextDecoder();
  let buf = '';
  const pump = (async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buf += dec.decode(value, { stream: true });
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (line) waiting.get(JSON.parse(line).object?.metadata?.name)?.();
      }
    }
  })().catch(() => undefined);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const name = `watch-${i}`;
    const seen = new Promise<void>((r) => waiting.set(name, r));
    const t0 = performance.now();
    await c.create({ ...cm(name), metadata: { name, namespace: 'default', labels: { probe: 'watch' } } });
    await seen;
    out.push(performance.now() - t0);
  }
  ac.abort();
  await pump;
  return out;
}

export async function apiRow(o: RowOptions): Promise<RowResult> {
  const row = emptyRow('api', 'API: durable state (SQLite) against in-memory — creates/s, create → watch event, resume');
  const creates = Number(o.args.creates ?? (o.quick ? 500 : 3000));
  const concurrency = Number(o.args.concurrency ?? 16);
  const probes = Number(o.args.probes ?? (o.quick ? 50 : 300));
  const side = (name: string, flags: string[]) => ({
    name,
    run: async (): Promise<ApiRound> => {
      const c = await startCluster({ nodes: 1, nodeFlags: o.nodeFlags, kdpFlags: [...o.kdpFlags, ...flags] });
      try {
        const createsPerS = await createsPerSecond(c, creates, concurrency, 'bulk');
        const lat = await watchLatencies(c, probes);
        return { createsPerS, watchP50: percentile(lat, 50), watchP99: percentile(lat, 99) };
      } finally {
        await c.stop();
      }
    },
  });
  const r = await alternate(o.rounds, [side('durable', []), side('in-memory', ['--ephemeral'])], o.log, (v) => `${v.createsPerS.toFixed(0)} creates/s, watch p50 ${v.watchP50.toFixed(2)} ms p99 ${v.watchP99.toFixed(2)} ms`);
  const d = r.durable;
  const m = r['in-memory'];
  row.comparisons.push({ case: `${creates} ConfigMap creates, ${concurrency} clients`, metric: 'creates/s', kdp: d.map((x) => x.createsPerS), peer: m.map((x) => x.createsPerS), peerName: 'in-memory (--ephemeral)', target: 0.67 });
  row.comparisons.push({
    case: 'create → its watch event', metric: 'p50 ms', kdp: d.map((x) => x.watchP50), peer: m.map((x) => x.watchP50), peerName: 'in-memory (--ephemeral)', lowerIsBetter: true, target: 0.67,
    detail: { 'p99 ms': { kdp: medianOf(d, (x) => x.watchP99), peer: medianOf(m, (x) => x.watchP99) } },
  });

  // Resume: a state dir with `creates` ConfigMaps, stopped and started again.
  const { dir, remove } = tmpDir('kdp-bench-resume-');
  try {
    let c = await startCluster({ nodes: 1, nodeFlags: o.nodeFlags, kdpFlags: o.kdpFlags, stateDir: dir });
    await createsPerSecond(c, creates, concurrency, 'kept');
    await c.stop();
    const ups: number[] = [];
    for (let i = 0; i < Math.max(1, o.rounds); i++) {
      c = await startCluster({ nodes: 1, nodeFlags: o.nodeFlags, kdpFlags: o.kdpFlags, stateDir: dir });
      const upLine = Number(c.proc.output().match(/kdp is up in (\d+) ms/)?.[1] ?? NaN);
      const objects = Number(c.proc.output().match(/resumed (\d+) objects/)?.[1] ?? NaN);
      if (!(objects >= creates)) throw new Error(`resume found ${objects} objects, want at least ${creates}`);
      ups.push(upLine);
      o.log(`  resume ${i + 1}: ${objects} objects, up in ${upLine} ms`);
      await c.stop();
    }
    row.measurements.push({ case: `kdp up resuming ${creates}+ objects`, metric: '"kdp is up in"', unit: 'ms', values: ups });
  } finally {
    remove();
  }
  return row;
}
