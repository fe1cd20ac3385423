// DNS: an A query for a ClusterIP Service name at the kube-dns address, against dnsmasq serving the
// same record; dnsperf -c1 (one socket, up to 100 queries in flight) and -c = cores, over UDP and TCP.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BENCH } from '../lib/addresses.js';
import { startCluster, tmpDir, until, type Cluster } from '../lib/cluster.js';
import { dnsperf, type DnsperfResult } from '../lib/loadgen.js';
import { startDnsmasq } from '../lib/peers.js';
import type { Proc } from '../lib/procs.js';
import { emptyRow, type RowResult } from '../lib/report.js';
import { alternate, medianOf, type RowOptions } from '../lib/row.js';
import { Resolver } from 'node:dns/promises';
import { availableParallelism } from 'node:os';

const NAME = 'bench.default.svc.cluster.local';

export async function dnsRow(o: RowOptions): Promise<RowResult> {
  const row = emptyRow('dns', 'DNS: A query for a ClusterIP name at the kube-dns address vs dnsmasq with the same record');
  const tmp = tmpDir('kdp-bench-dns-');
  let cluster: Cluster | undefined;
  let dnsmasq: Proc | undefined;
  try {
    cluster = await startCluster({ nodes: 1, nodeFlags: o.nodeFlags, kdpFlags: o.kdpFlags });
    const svc = await cluster.create({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'bench' }, spec: { selector: { app: 'bench' }, ports: [{ name: 'http', port: 80 }] } });
    const ip: string = svc.spec.clusterIP;
    const r = new Resolver({ timeout: 500, tries: 1 });
    r.setServers([BENCH.dnsAddress]);
    await until(`${NAME} at ${BENCH.dnsAddress}`, async () => ((await r.resolve4(NAME)).includes(ip) ? true : undefined), 10_000, 20);
    dnsmasq = await startDnsmasq(BENCH.dnsmasq, NAME, ip);
    // The CoreDNS pod itself, without kube-proxy's hop from the kube-dns ClusterIP (a reference).
    const { body: dnsPods } = await cluster.api('GET', '/api/v1/namespaces/kube-system/pods?labelSelector=k8s-app%3Dkube-dns');
    const podIP: string | undefined = dnsPods?.items?.find((p: { status?: { podIP?: string } }) => p.status?.podIP)?.status?.podIP;
    const queries = join(tmp.dir, 'queries.txt');
    writeFileSync(queries, `${NAME} A\n`);
    const servers: Record<string, string> = { kdp: BENCH.dnsAddress, dnsmasq: BENCH.dnsmasq };
    if (podIP && podIP !== BENCH.dnsAddress) servers['coredns-pod'] = podIP;
    for (const server of Object.values(servers)) await dnsperf({ server, queryFile: queries, durationS: 1 });
    const cores = availableParallelism();
    const loads: { mode: 'udp' | 'tcp'; clients: number }[] = [{ mode: 'udp', clients: 1 }, { mode: 'tcp', clients: 1 }];
    if (cores > 1) loads.splice(1, 0, { mode: 'udp', clients: cores }), loads.push({ mode: 'tcp', clients: cores });
    for (const { mode, clients } of loads) {
      // the pod (no kube-proxy hop) as a reference for the first load only
      const names = Object.keys(servers).filter((n) => n !== 'coredns-pod' || (mode === 'udp' && clients === 1));
      const side = (name: string) => ({ name, run: () => dnsperf({ server: servers[name], queryFile: queries, durationS: o.durationS, clients, mode }) });
      o.log(`dns ${mode} -c${clients}`);
      const res = await alternate<DnsperfResult>(o.rounds, names.map(side), o.log, (x) => `${Math.round(x.qps)} qps avg ${x.avgLatencyMs.toFixed(3)} ms lost ${x.lost}`);
      row.comparisons.push({
        case: `A ${NAME}, ${mode.toUpperCase()} -c${clients}`, metric: 'qps', kdp: res.kdp.map((x) => x.qps), peer: res.dnsmasq.map((x) => x.qps), peerName: 'dnsmasq', target: 1.0,
        detail: {
          'avg latency ms': { kdp: medianOf(res.kdp, (x) => x.avgLatencyMs), peer: medianOf(res.dnsmasq, (x) => x.avgLatencyMs) },
          lost: { kdp: medianOf(res.kdp, (x) => x.lost), peer: medianOf(res.dnsmasq, (x) => x.lost) },
        },
      });
      if (res['coredns-pod']) {
        row.comparisons.push({ case: `A ${NAME}, UDP -c1, at the CoreDNS pod ${servers['coredns-pod']} (no kube-proxy hop)`, metric: 'qps', kdp: res['coredns-pod'].map((x) => x.qps), peer: res.dnsmasq.map((x) => x.qps), peerName: 'dnsmasq' });
      }
    }
    row.notes.push(`dnsperf -q100 -l${o.durationS}, -c1 and -c${cores} (cores), UDP and TCP (-m tcp); ${o.rounds} alternating rounds; kdp at ${BENCH.dnsAddress}:53, dnsmasq at ${BENCH.dnsmasq}:53`);
    return row;
  } finally {
    await dnsmasq?.stop();
    await cluster?.stop();
    tmp.remove();
  }
}
