// Ingress: host + Prefix path with rewrite-target → 1 pod, through kdp's ingress controller (the
// registry.k8s.io/ingress-nginx/controller image), against nginx proxy_pass + rewrite with upstream
// keep-alive to the same pod. Skips, saying why, while kdp has no ingress controller.
import { join } from 'node:path';
import { BENCH } from '../lib/addresses.js';
import { startCluster, tmpDir, until, waitPodReady, type Cluster } from '../lib/cluster.js';
import { wrk, type WrkResult } from '../lib/loadgen.js';
import { nginxBackendCommand, startNginxProxy, waitTcp } from '../lib/peers.js';
import type { Proc } from '../lib/procs.js';
import { httpStatus } from '../lib/probe.js';
import { emptyRow, type RowResult } from '../lib/report.js';
import { alternate, medianOf, type RowOptions } from '../lib/row.js';

const HOST = 'bench.example';
const PREFIX = '/app';

export async function ingressRow(o: RowOptions): Promise<RowResult> {
  const row = emptyRow('ingress', 'Ingress: host + Prefix + rewrite-target → 1 pod vs nginx proxy_pass + rewrite, upstream keepalive');
  const tmp = tmpDir('kdp-bench-ingress-');
  let cluster: Cluster | undefined;
  let nginx: Proc | undefined;
  try {
    cluster = await startCluster({ nodes: 1, nodeFlags: o.nodeFlags, kdpFlags: o.kdpFlags });
    await cluster.create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'backend', labels: { app: 'backend' } }, spec: { containers: [{ name: 'nginx', image: 'debian-nginx', command: nginxBackendCommand(join(tmp.dir, 'backend'), 8080), ports: [{ containerPort: 8080 }], securityContext: { runAsUser: 0 } }] } });
    await cluster.create({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'backend' }, spec: { selector: { app: 'backend' }, ports: [{ port: 80, targetPort: 8080 }] } });
    await cluster.create({ apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name: 'nginx', annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' } }, spec: { controller: 'k8s.io/ingress-nginx' } });
    await cluster.create({
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'ingress-controller', labels: { app: 'ingress-controller' } },
      spec: { containers: [{ name: 'controller', image: 'registry.k8s.io/ingress-nginx/controller:v1.5.1', args: ['/nginx-ingress-controller', '--ingress-class=nginx', '--controller-class=k8s.io/ingress-nginx'], ports: [{ name: 'http', containerPort: 80 }, { name: 'https', containerPort: 443 }] }] },
    });
    await cluster.create({
      apiVersion: 'networking.k8s.io/v1', kind: 'Ingress',
      metadata: { name: 'bench', annotations: { 'nginx.ingress.kubernetes.io/rewrite-target': '/' } },
      spec: { ingressClassName: 'nginx', rules: [{ host: HOST, http: { paths: [{ path: PREFIX, pathType: 'Prefix', backend: { service: { name: 'backend', port: { number: 80 } } } }] } }] },
    });
    const pod = await waitPodReady(cluster, 'backend');
    let controller;
    try {
      controller = await waitPodReady(cluster, 'ingress-controller', 'default', 20_000);
    } catch (err) {
      row.skipped = `kdp's ingress controller (image registry.k8s.io/ingress-nginx/controller) is not available yet (issue 5): ${(err as Error).message.slice(0, 120)}`;
      return row;
    }
    const ctrl = `${controller.status.podIP}`;
    await waitTcp(ctrl, 80);
    // What a user types: the controller's LoadBalancer Service, on its LB IP and on the host address
    // (kdp's `localhost`; the bench's own host address here, clear of a developer's kdp up).
    await cluster.create({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'ingress-nginx-controller' }, spec: { type: 'LoadBalancer', selector: { app: 'ingress-controller' }, ports: [{ name: 'http', port: 80, targetPort: 80 }] } });
    const lbIP = await until('the controller Service to get a LoadBalancer IP', async () => {
      const { body } = await cluster!.api('GET', '/api/v1/namespaces/default/services/ingress-nginx-controller');
      return body?.status?.loadBalancer?.ingress?.[0]?.ip as string | undefined;
    }, 10_000, 50);
    await until('the Ingress route to answer 200', async () => ((await httpStatus(ctrl, 80, `${PREFIX}/x`, 1000, { host: HOST })) === 200 ? true : undefined), 15_000, 50).catch((err) => {
      row.skipped = `kdp's ingress controller does not route ${HOST}${PREFIX} yet: ${(err as Error).message}`;
    });
    if (row.skipped) return row;
    nginx = await startNginxProxy(tmp.dir, BENCH.nginxProxy, HOST, PREFIX, `${pod.status.podIP}:8080`);
    const targets = {
      kdp: `http://${ctrl}${PREFIX}/x`, 'kdp-lb': `http://${lbIP}${PREFIX}/x`, 'kdp-host': `http://${BENCH.hostAddress}${PREFIX}/x`, nginx: `http://${BENCH.nginxProxy}${PREFIX}/x`,
    };
    for (const url of Object.values(targets)) await wrk({ url, connections: 50, durationS: 1, headers: [`Host: ${HOST}`] });
    const side = (name: keyof typeof targets) => ({ name, run: () => wrk({ url: targets[name], connections: 50, durationS: o.durationS, headers: [`Host: ${HOST}`] }) });
    const res = await alternate<WrkResult>(o.rounds, [side('kdp'), side('kdp-lb'), side('kdp-host'), side('nginx')], o.log, (r) => `${Math.round(r.rps)} req/s p50 ${r.p50Ms.toFixed(2)} ms p99 ${r.p99Ms.toFixed(2)} ms non-2xx ${r.non2xx}`);
    const cases: [keyof typeof targets, string][] = [['kdp-host', `keep-alive, host address ${BENCH.hostAddress}:80 (localhost)`], ['kdp-lb', `keep-alive, LoadBalancer IP ${lbIP}`], ['kdp', 'keep-alive, controller pod IP (reference)']];
    for (const [name, label] of cases) {
      row.comparisons.push({
        case: label, metric: 'req/s', kdp: res[name].map((r) => r.rps), peer: res.nginx.map((r) => r.rps), peerName: 'nginx', target: name === 'kdp' ? undefined : 1.0,
        detail: {
          'p50 ms': { kdp: medianOf(res[name], (r) => r.p50Ms), peer: medianOf(res.nginx, (r) => r.p50Ms) },
          'p99 ms': { kdp: medianOf(res[name], (r) => r.p99Ms), peer: medianOf(res.nginx, (r) => r.p99Ms) },
          'non-2xx': { kdp: medianOf(res[name], (r) => r.non2xx), peer: medianOf(res.nginx, (r) => r.non2xx) },
        },
      });
    }
    row.notes.push(`wrk -t1 -c50 -d${o.durationS}s -H 'Host: ${HOST}' ${PREFIX}/x; kdp's controller via ${BENCH.hostAddress}:80, the LB IP and its pod ${ctrl}:80, nginx (1 worker) ${BENCH.nginxProxy}:80; all → Debian nginx pod`);
    return row;
  } finally {
    await nginx?.stop();
    await cluster?.stop();
    tmp.remove();
  }
}
