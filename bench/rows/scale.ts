// Scale: S Services, each with a Deployment, P pods in all (built-in nginx image). Per point of the
// curve: time to create and to converge (every pod Ready, every endpoint in a slice, the last Service
// answering), kdp's memory, DNS qps/latency over all the names, proxy throughput/latency on one
// Service, and the reaction time of one more Service at that size.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BENCH } from '../lib/addresses.js';
import { startCluster, tmpDir, until, type Cluster, type Obj } from '../lib/cluster.js';
import { dnsperf, wrk } from '../lib/loadgen.js';
import { httpStatus } from '../lib/probe.js';
import { emptyRow, type RowResult } from '../lib/report.js';
import type { RowOptions } from '../lib/row.js';
import { median } from '../lib/stats.js';
import { applyToFirst200, deployment, service } from './reaction.js';

function lastLines(out: string): string {
  const lines = out.trim().split('\n');
  const fatal = lines.findIndex((l) => /FATAL ERROR|heap out of memory|Error:/.test(l));
  return (fatal >= 0 ? lines.slice(fatal, fatal + 3) : lines.slice(-3)).join(' | ');
}

function rssMiB(pid: number): { rss: number; hwm: number } {
  const s = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k: string) => Number(s.match(new RegExp(`${k}:\\s+(\\d+) kB`))?.[1] ?? NaN);
  return { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024 };
}

async function pool<T>(items: T[], concurrency: number, fn: (x: T) => Promise<unknown>): Promise<void> {
  let i = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (i < items.length) await fn(items[i++]);
  }));
}

async function readyEndpoints(c: Cluster): Promise<number> {
  const { body } = await c.api('GET', '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices');
  let n = 0;
  for (const s of body?.items ?? []) for (const e of s.endpoints ?? []) if (e.conditions?.ready !== false) n++;
  return n;
}

export async function scaleRow(o: RowOptions): Promise<RowResult> {
  const row = emptyRow('scale', 'Scale: Services × pods — memory, sync time, DNS and proxy latency');
  const points: [number, number][] = o.args.services
    ? [[Number(o.args.services), Number(o.args.pods ?? Math.round(Number(o.args.services) * 2.5))]]
    : o.quick ? [[40, 100]] : [[200, 500], [1000, 2500], [2000, 5000]];
  for (const [services, pods] of points) {
    const label = `${services} svc / ${pods} pods`;
    // The scheduler keeps to 110 pods per node (allocatable pods, as the kubelet's default).
    const nodes = Math.max(2, Math.ceil(pods / 100) + 1);
    const tmp = tmpDir('kdp-bench-scale-');
    const cluster = await startCluster({ nodes, nodeFlags: o.nodeFlags, kdpFlags: o.kdpFlags, timeoutMs: 60_000 });
    let exit: string | undefined;
    void cluster.proc.exited.then((code) => {
      exit = `kdp exited (${code}) during this point: ${lastLines(cluster.proc.output())}`;
    });
    try {
      const idle = rssMiB(cluster.proc.child.pid!);
      const objs: Obj[] = [];
      for (let i = 0; i < services; i++) {
        const replicas = Math.floor(pods / services) + (i < pods % services ? 1 : 0);
        objs.push(service(`s${i}`), deployment(`s${i}`, replicas));
      }
      const t0 = performance.now();
      await pool(objs, 16, (x) => cluster.create(x));
      const created = performance.now() - t0;
      o.log(`  ${label}: ${objs.length} objects created in ${(created / 1000).toFixed(1)} s`);
      const last = objs[objs.length - 2];
      const lastSvc = await cluster.api('GET', `/api/v1/namespaces/default/services/${last.metadata.name}`);
      let lastLog = 0;
      let ready = 0;
      const syncTimeoutS = Number(o.args['sync-timeout'] ?? 180);
      const synced = await until(`${pods} ready endpoints`, async () => {
        ready = await readyEndpoints(cluster);
        if (performance.now() - lastLog > 10_000) {
          lastLog = performance.now();
          o.log(`    ${ready}/${pods} endpoints ready after ${((performance.now() - t0) / 1000).toFixed(1)} s`);
        }
        return ready >= pods ? true : undefined;
        // Listing every slice is work for kdp too: poll gently.
      }, syncTimeoutS * 1000, 2000).catch(() => false);
      if (!synced) {
        const mem = rssMiB(cluster.proc.child.pid!);
        row.measurements.push({ case: label, metric: 'create objects (API)', unit: 's', values: [created / 1000] });
        row.measurements.push({ case: label, metric: `NOT synced: ready endpoints after ${syncTimeoutS} s`, unit: `of ${pods}`, values: [ready] });
        row.measurements.push({ case: label, metric: 'kdp RSS at that point', unit: 'MiB', values: [mem.rss] });
        o.log(`  ${label}: only ${ready}/${pods} endpoints ready after ${syncTimeoutS} s; RSS ${mem.rss.toFixed(0)} MiB — giving up on this point`);
        continue;
      }
      await until('the last Service to answer', async () => ((await httpStatus(lastSvc.body.spec.clusterIP)) === 200 ? true : undefined), 120_000, 20);
      const converged = performance.now() - t0;
      const mem = rssMiB(cluster.proc.child.pid!);
      o.log(`  ${label}: converged in ${(converged / 1000).toFixed(1)} s; RSS ${mem.rss.toFixed(0)} MiB (idle ${idle.rss.toFixed(0)}, peak ${mem.hwm.toFixed(0)})`);

      const queries = join(tmp.dir, 'queries.txt');
      writeFileSync(queries, Array.from({ length: services }, (_, i) => `s${i}.default.svc.cluster.local A`).join('\n') + '\n');
      const dns = await dnsperf({ server: BENCH.dnsAddress, queryFile: queries, durationS: o.durationS });
      const mid = `s${Math.floor(services / 2)}`;
      const midSvc = await cluster.api('GET', `/api/v1/namespaces/default/services/${mid}`);
      const proxy = await wrk({ url: `http://${midSvc.body.spec.clusterIP}/`, connections: 50, durationS: o.durationS });
      const proxy1 = await wrk({ url: `http://${midSvc.body.spec.clusterIP}/`, connections: 1, durationS: Math.max(1, Math.round(o.durationS / 2)) });
      const react: number[] = [];
      for (let i = 0; i < 3; i++) react.push(await applyToFirst200(cluster, `extra${i}`, 1));
      o.log(`  ${label}: DNS ${Math.round(dns.qps)} qps avg ${dns.avgLatencyMs.toFixed(3)} ms; proxy ${Math.round(proxy.rps)} req/s p50 ${proxy.p50Ms} ms p99 ${proxy.p99Ms} ms, c1 p50 ${proxy1.p50Ms} ms; one more Service → 200 in ${react.map((x) => x.toFixed(0)).join(', ')} ms`);

      const m = (metric: string, unit: string, values: number[]) => row.measurements.push({ case: label, metric, unit, values });
      m('create objects (API)', 's', [created / 1000]);
      m('sync: created → all endpoints ready + last Service answers', 's', [converged / 1000]);
      m('kdp RSS after sync', 'MiB', [mem.rss]);
      m('kdp RSS idle (empty cluster)', 'MiB', [idle.rss]);
      m('DNS qps (all names, dnsperf -c1)', 'qps', [dns.qps]);
      m('DNS avg latency', 'ms', [dns.avgLatencyMs]);
      m('proxy req/s (one Service, wrk -c50)', 'req/s', [proxy.rps]);
      m('proxy p99 (wrk -c50)', 'ms', [proxy.p99Ms]);
      m('proxy p50 (wrk -c1)', 'ms', [proxy1.p50Ms]);
      m('one more Service + pod → first 200', 'ms', [median(react)]);
    } catch (err) {
      // One point failing (kdp out of memory…) keeps the points already measured.
      await new Promise((r) => setTimeout(r, 200));
      const why = exit ?? (err as Error).message;
      row.measurements.push({ case: label, metric: `FAILED: ${why.slice(0, 300)}`, unit: '', values: [NaN] });
      o.log(`  ${label}: FAILED: ${why}`);
    } finally {
      await cluster.stop();
      tmp.remove();
    }
  }
  row.notes.push(`built-in nginx pods, ${o.durationS} s per load run; nodes = pods / 100 + 1 (110 pods per node at most); memory is the kdp process's VmRSS`);
  return row;
}
