// L4 service proxy: wrk → ClusterIP → one pod, against HAProxy (mode tcp, 1 thread) → the same pod,
// with direct-to-pod as the ceiling. Two variants: a host-process pod running Debian's nginx (`l4`),
// and kdp's in-process nginx image (`l4-builtin`).
import { join } from 'node:path';
import { BENCH } from '../lib/addresses.js';
import { startCluster, tmpDir, until, waitPodReady, type Cluster } from '../lib/cluster.js';
import { wrk, type WrkResult } from '../lib/loadgen.js';
import { nginxBackendCommand, startHaproxy, waitTcp } from '../lib/peers.js';
import type { Proc } from '../lib/procs.js';
import { emptyRow, type RowResult } from '../lib/report.js';
import { alternate, medianOf, type RowOptions } from '../lib/row.js';

export async function l4Row(o: RowOptions, builtin: boolean): Promise<RowResult> {
  const row = emptyRow(builtin ? 'l4-builtin' : 'l4', builtin ? 'L4, built-in image: ClusterIP → in-process nginx pod vs HAProxy → same pod' : 'L4 service proxy: ClusterIP → host-process Debian nginx pod vs HAProxy mode tcp → same pod');
  const tmp = tmpDir('kdp-bench-l4-');
  let cluster: Cluster | undefined;
  let haproxy: Proc | undefined;
  try {
    cluster = await startCluster({ nodes: 1, nodeFlags: o.nodeFlags, kdpFlags: o.kdpFlags });
    const port = builtin ? 80 : 8080;
    const container = builtin
      ? { name: 'nginx', image: 'nginx:stable', ports: [{ containerPort: 80 }] }
      : { name: 'nginx', image: 'debian-nginx', command: nginxBackendCommand(join(tmp.dir, 'backend'), 8080, [BENCH.backendForHaproxy, BENCH.backendDirect]), ports: [{ containerPort: 8080 }], securityContext: { runAsUser: 0 } };
    await cluster.create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'backend', labels: { app: 'backend' } }, spec: { containers: [container] } });
    const svc = await cluster.create({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'backend' }, spec: { selector: { app: 'backend' }, ports: [{ port: 80, targetPort: port }] } });
    // Each side reaches the backend at its own address, so that with short connections no side reuses
    // another's TIME_WAIT tuples (a DNATed client's TCP timestamps differ from a direct one's, and the
    // server would drop its SYNs: PAWS). The host-process nginx listens on two more addresses; the
    // in-process image listens only on its pod IP, so HAProxy and direct get a twin pod each (same
    // image, same kdp process, outside the Service).
    if (builtin) {
      for (const twin of ['backend-haproxy', 'backend-direct']) {
        await cluster.create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: twin, labels: { app: twin } }, spec: { containers: [container] } });
      }
    }
    const pod = await waitPodReady(cluster, 'backend');
    const podAddr = `${pod.status.podIP}:${port}`;
    const haproxyBackend = builtin ? `${(await waitPodReady(cluster, 'backend-haproxy')).status.podIP}:${port}` : `${BENCH.backendForHaproxy}:${port}`;
    const directAddr = builtin ? `${(await waitPodReady(cluster, 'backend-direct')).status.podIP}:${port}` : `${BENCH.backendDirect}:${port}`;
    const clusterIP: string = svc.spec.clusterIP;
    await waitTcp(clusterIP, 80);
    await until('the ClusterIP to answer', async () => ((await fetch(`http://${clusterIP}/`)).ok ? true : undefined), 10_000);
    haproxy = await startHaproxy(tmp.dir, BENCH.haproxy, haproxyBackend);
    o.log(`  kdp ClusterIP ${clusterIP}:80 → pod ${podAddr}; HAProxy ${BENCH.haproxy}:80 → ${haproxyBackend}; direct ${directAddr}`);

    const targets = { kdp: `http://${clusterIP}/`, haproxy: `http://${BENCH.haproxy}/`, direct: `http://${directAddr}/` };
    for (const close of [false, true]) {
      const mode = close ? 'Connection: close' : 'keep-alive';
      // Warm-up: JIT, connection pools, listen backlogs.
      for (const url of Object.values(targets)) await wrk({ url, connections: 50, durationS: 1, close });
      const side = (name: keyof typeof targets) => ({ name, run: () => wrk({ url: targets[name], connections: 50, durationS: o.durationS, close }) });
      const res = await alternate<WrkResult>(o.rounds, [side('kdp'), side('haproxy'), side('direct')], o.log, (r) => `${Math.round(r.rps)} req/s p50 ${r.p50Ms.toFixed(2)} ms p99 ${r.p99Ms.toFixed(2)} ms${r.errors ? ` errors ${r.errors}` : ''}`);
      const detail = (peer: WrkResult[]) => ({
        'p50 ms': { kdp: medianOf(res.kdp, (r) => r.p50Ms), peer: medianOf(peer, (r) => r.p50Ms) },
        'p99 ms': { kdp: medianOf(res.kdp, (r) => r.p99Ms), peer: medianOf(peer, (r) => r.p99Ms) },
        errors: { kdp: medianOf(res.kdp, (r) => r.errors), peer: medianOf(peer, (r) => r.errors) },
      });
      row.comparisons.push({ case: mode, metric: 'req/s', kdp: res.kdp.map((r) => r.rps), peer: res.haproxy.map((r) => r.rps), peerName: 'haproxy', target: builtin ? undefined : 1.0, detail: detail(res.haproxy) });
      // BENCHMARKS.md's "L4, kernel mode" row: the nftables DNAT against a direct connection, ≥ 0.95×.
      const kernel = cluster.proxyMode === 'nftables' && !builtin;
      row.comparisons.push({ case: `${mode} (vs direct)`, metric: 'req/s', kdp: res.kdp.map((r) => r.rps), peer: res.direct.map((r) => r.rps), peerName: 'direct', target: kernel ? 0.95 : undefined, detail: detail(res.direct) });
    }
    row.notes.push(`kube-proxy ${cluster.proxyMode}; wrk -t1 -c50 -d${o.durationS}s [-H 'Connection: close']; ${o.rounds} alternating rounds; backend ${builtin ? "kdp's built-in nginx image (in the kdp process; a twin pod per side)" : "Debian's nginx, 1 worker, as a host-process pod (one address per side)"}`);
    return row;
  } finally {
    await haproxy?.stop();
    await cluster?.stop();
    tmp.remove();
  }
}
