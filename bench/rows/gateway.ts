// Gateway API: an HTTPRoute with a PathPrefix rewrite (ReplacePrefixMatch /app → /) and a 50/50
// weighted split over two Services (one nginx pod each), through kdp's Gateway, against nginx doing the
// same (`split_clients` over two upstreams, `rewrite … break`, upstream keep-alive).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parseAllDocuments } from 'yaml';
import { BENCH } from '../lib/addresses.js';
import { ROOT, startCluster, tmpDir, until, waitPodReady, type Cluster, type Obj } from '../lib/cluster.js';
import { wrk, type WrkResult } from '../lib/loadgen.js';
import { nginxBackendCommand, waitTcp } from '../lib/peers.js';
import { startProc, type Proc } from '../lib/procs.js';
import { httpStatus } from '../lib/probe.js';
import { emptyRow, type RowResult } from '../lib/report.js';
import { alternate, medianOf, type RowOptions } from '../lib/row.js';

const HOST = 'bench.example';
const PREFIX = '/app';
const CRDS = join(ROOT, 'src', 'gateway', 'addon', 'standard-install-v1.6.1.yaml.gz');

async function startSplitNginx(dir: string, listen: string, backends: [string, string]): Promise<Proc> {
  const conf = join(dir, 'split.conf');
  writeFileSync(conf, `worker_processes 1;
pid ${dir}/split.pid;
error_log ${dir}/split.error.log warn;
events { worker_connections 8192; }
http {
  access_log off;
  keepalive_requests 1000000;
  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy; fastcgi_temp_path ${dir}/fastcgi; uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
  upstream a { server ${backends[0]}; keepalive 320; }
  upstream b { server ${backends[1]}; keepalive 320; }
  split_clients "$request_id" $pool { 50% a; * b; }
  server {
    listen ${listen}:80 backlog=4096;
    server_name ${HOST};
    location ${PREFIX} {
      rewrite ^${PREFIX}/?(.*)$ /$1 break;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $remote_addr;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_pass http://$pool;
    }
  }
}
`);
  const p = startProc('nginx-split', 'nginx', ['-c', conf, '-g', 'daemon off;']);
  await waitTcp(listen, 80);
  return p;
}

export async function gatewayRow(o: RowOptions): Promise<RowResult> {
  const row = emptyRow('gateway', 'Gateway API: HTTPRoute prefix rewrite + 50/50 weighted split → 2 pods vs nginx split_clients + rewrite, upstream keepalive');
  const tmp = tmpDir('kdp-bench-gateway-');
  let cluster: Cluster | undefined;
  let nginx: Proc | undefined;
  try {
    cluster = await startCluster({ nodes: 1, nodeFlags: o.nodeFlags, kdpFlags: o.kdpFlags });
    const docs = parseAllDocuments(gunzipSync(readFileSync(CRDS)).toString('utf8')).map((d) => d.toJSON() as Obj);
    for (const crd of docs.filter((d) => d?.kind === 'CustomResourceDefinition' && /^(gatewayclasses|gateways|httproutes)\./.test(d.metadata.name))) await cluster.create(crd);
    await until('the Gateway API CRDs to be served', async () => ((await cluster!.api('GET', '/apis/gateway.networking.k8s.io/v1/httproutes')).status === 200 ? true : undefined), 10_000, 50);
    const pods: string[] = [];
    for (const name of ['backend-a', 'backend-b']) {
      await cluster.create({ apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { app: name } }, spec: { containers: [{ name: 'nginx', image: 'debian-nginx', command: nginxBackendCommand(join(tmp.dir, name), 8080), ports: [{ containerPort: 8080 }] }] } });
      await cluster.create({ apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { selector: { app: name }, ports: [{ port: 80, targetPort: 8080 }] } });
      pods.push(`${(await waitPodReady(cluster, name)).status.podIP}:8080`);
    }
    await cluster.create({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'GatewayClass', metadata: { name: 'kdp' }, spec: { controllerName: 'kdp.dev/gateway-controller' } });
    await cluster.create({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'bench' }, spec: { gatewayClassName: 'kdp', listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }] } });
    await cluster.create({
      apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'bench' },
      spec: {
        parentRefs: [{ name: 'bench' }], hostnames: [HOST],
        rules: [{
          matches: [{ path: { type: 'PathPrefix', value: PREFIX } }],
          filters: [{ type: 'URLRewrite', urlRewrite: { path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/' } } }],
          backendRefs: [{ name: 'backend-a', port: 80, weight: 50 }, { name: 'backend-b', port: 80, weight: 50 }],
        }],
      },
    });
    const address = await until('the Gateway to be programmed', async () => {
      const g = (await cluster!.api('GET', '/apis/gateway.networking.k8s.io/v1/namespaces/default/gateways/bench')).body;
      return g?.status?.addresses?.[0]?.value as string | undefined;
    }, 15_000, 50);
    await until('the HTTPRoute to answer 200', async () => ((await httpStatus(address, 80, `${PREFIX}/x`, 1000, { host: HOST })) === 200 ? true : undefined), 15_000, 50);
    nginx = await startSplitNginx(tmp.dir, BENCH.nginxProxy, [pods[0], pods[1]]);
    const targets = { kdp: `http://${address}${PREFIX}/x`, nginx: `http://${BENCH.nginxProxy}${PREFIX}/x` };
    for (const url of Object.values(targets)) await wrk({ url, connections: 50, durationS: 1, headers: [`Host: ${HOST}`] });
    const side = (name: keyof typeof targets) => ({ name, run: () => wrk({ url: targets[name], connections: 50, durationS: o.durationS, headers: [`Host: ${HOST}`] }) });
    const res = await alternate<WrkResult>(o.rounds, [side('kdp'), side('nginx')], o.log, (r) => `${Math.round(r.rps)} req/s p50 ${r.p50Ms.toFixed(2)} ms p99 ${r.p99Ms.toFixed(2)} ms non-2xx ${r.non2xx}`);
    row.comparisons.push({
      case: 'keep-alive', metric: 'req/s', kdp: res.kdp.map((r) => r.rps), peer: res.nginx.map((r) => r.rps), peerName: 'nginx', target: 1.0,
      detail: {
        'p50 ms': { kdp: medianOf(res.kdp, (r) => r.p50Ms), peer: medianOf(res.nginx, (r) => r.p50Ms) },
        'p99 ms': { kdp: medianOf(res.kdp, (r) => r.p99Ms), peer: medianOf(res.nginx, (r) => r.p99Ms) },
        'non-2xx': { kdp: medianOf(res.kdp, (r) => r.non2xx), peer: medianOf(res.nginx, (r) => r.non2xx) },
      },
    });
    row.notes.push(`wrk -t1 -c50 -d${o.durationS}s -H 'Host: ${HOST}' ${PREFIX}/x; kdp's Gateway ${address}:80, nginx (1 worker) ${BENCH.nginxProxy}:80; both → 2 Debian nginx pods, 50/50`);
    return row;
  } finally {
    await nginx?.stop();
    await cluster?.stop();
    tmp.remove();
  }
}
