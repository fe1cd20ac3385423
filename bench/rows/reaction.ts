// Reaction: a Service with pods applied → its first 200 through the ClusterIP; a pod deleted → its
// endpoint out of rotation (not ready in the EndpointSlice) and gone. p50/p99 over many tries.
import { startCluster, until, type Cluster, type Obj } from '../lib/cluster.js';
import { httpStatus, sleep } from '../lib/probe.js';
import { emptyRow, type RowResult } from '../lib/report.js';
import type { RowOptions } from '../lib/row.js';
import { percentile } from '../lib/stats.js';

export function deployment(name: string, replicas: number, image = 'nginx:stable'): Obj {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name },
    spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'web', image, ports: [{ containerPort: 80 }] }] } } },
  };
}

export function service(name: string): Obj {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, labels: { app: name } }, spec: { selector: { app: name }, ports: [{ name: 'http', port: 80, targetPort: 80 }] } };
}

/** Creates a Deployment + Service and returns ms until the ClusterIP answers 200. */
export async function applyToFirst200(c: Cluster, name: string, replicas: number, timeoutMs = 30_000): Promise<number> {
  const t0 = performance.now();
  const [, svc] = await Promise.all([c.create(deployment(name, replicas)), c.create(service(name))]);
  const ip: string = svc.spec.clusterIP;
  while (performance.now() - t0 < timeoutMs) {
    if ((await httpStatus(ip, 80, '/', 200)) === 200) return performance.now() - t0;
    await sleep(1);
  }
  throw new Error(`service ${name} (${ip}) gave no 200 within ${timeoutMs} ms`);
}

async function endpointState(c: Cluster, svc: string, ip: string): Promise<'ready' | 'not-ready' | 'gone'> {
  const { body } = await c.api('GET', `/apis/discovery.k8s.io/v1/namespaces/default/endpointslices?labelSelector=${encodeURIComponent(`kubernetes.io/service-name=${svc}`)}`);
  for (const s of body?.items ?? []) {
    for (const e of s.endpoints ?? []) if (e.addresses?.includes(ip)) return e.conditions?.ready === false ? 'not-ready' : 'ready';
  }
  return 'gone';
}

export async function reactionRow(o: RowOptions): Promise<RowResult> {
  const row = emptyRow('reaction', 'Reaction: Service + pods applied → first 200; pod deleted → out of endpoints');
  const tries = Number(o.args.tries ?? (o.quick ? 5 : 30));
  const replicas = Number(o.args.replicas ?? 2);
  const cluster = await startCluster({ nodes: 2, nodeFlags: o.nodeFlags, kdpFlags: o.kdpFlags });
  const toFirst200: number[] = [];
  const toNotReady: number[] = [];
  const toGone: number[] = [];
  try {
    for (let i = 0; i < tries; i++) {
      const name = `web${i}`;
      const t = await applyToFirst200(cluster, name, replicas);
      toFirst200.push(t);
      const pod: Obj = await until(`a ready pod of ${name}`, async () => {
        const { body } = await cluster.api('GET', `/api/v1/namespaces/default/pods?labelSelector=app%3D${name}`);
        const p = (body?.items ?? []).find((x: Obj) => x.status?.podIP && x.status?.conditions?.some((k: Obj) => k.type === 'Ready' && k.status === 'True'));
        return p && (await endpointState(cluster, name, p.status.podIP)) === 'ready' ? p : undefined;
      }, 10_000, 5);
      const ip: string = pod.status.podIP;
      const t0 = performance.now();
      const del = await cluster.api('DELETE', `/api/v1/namespaces/default/pods/${pod.metadata.name}`);
      if (del.status >= 300) throw new Error(`delete pod: ${del.status}`);
      let notReady: number | undefined;
      for (;;) {
        const st = await endpointState(cluster, name, ip);
        const dt = performance.now() - t0;
        if (st !== 'ready' && notReady === undefined) notReady = dt;
        if (st === 'gone') {
          toGone.push(dt);
          break;
        }
        if (dt > 30_000) throw new Error(`pod ${pod.metadata.name} still in ${name}'s endpoints after 30 s`);
        await sleep(2);
      }
      toNotReady.push(notReady!);
      o.log(`  ${i + 1}/${tries}: apply → first 200 ${t.toFixed(1)} ms; delete → not ready ${notReady!.toFixed(1)} ms, gone ${toGone[toGone.length - 1].toFixed(1)} ms`);
      await cluster.api('DELETE', `/apis/apps/v1/namespaces/default/deployments/${name}`);
      await cluster.api('DELETE', `/api/v1/namespaces/default/services/${name}`);
    }
  } finally {
    await cluster.stop();
  }
  for (const [label, xs, targeted] of [['apply Service + Deployment → first 200', toFirst200, true], ['pod deleted → endpoint not ready (out of rotation)', toNotReady, true], ['pod deleted → endpoint gone from the slice', toGone, false]] as const) {
    row.measurements.push({ case: label, metric: 'p50', unit: 'ms', values: xs, value: percentile(xs, 50), target: targeted ? { op: '<', value: 50 } : undefined });
    row.measurements.push({ case: label, metric: 'p99', unit: 'ms', values: xs, value: percentile(xs, 99), target: targeted ? { op: '<', value: 200 } : undefined });
  }
  row.notes.push(`${tries} tries, ${replicas} replicas of the built-in nginx image; API calls from the bench process (no CLI start-up); HTTP polled every 1 ms, EndpointSlices every 2 ms; with ${tries} tries p99 is the maximum`);
  return row;
}
