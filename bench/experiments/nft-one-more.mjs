// kube-proxy's share of "one more Service → first 200" at S Services, nftables mode, without the
// rest of kdp: S ClusterIP Services × 3 endpoints (one real HTTP backend behind all of them) in an
// ObjectStore, then N times one more Service + EndpointSlice → time until its ClusterIP answers 200.
// Alternates the long-lived `nft -i` session with a new `nft -f -` per sync (session: false).
// Root + nft. `npm run build && node bench/experiments/nft-one-more.mjs [S=2000] [N=10]`
// Addresses: Services 127.240.0.0/16, backend 127.241.0.1:18080 (clear of the bench's and tests').
import http from 'node:http';
import { InformerFactory } from '../../dist/api/informer.js';
import { ObjectStore } from '../../dist/api/store.js';
import { GR } from '../../dist/api/types.js';
import { NftablesDataplane, startKubeProxy } from '../../dist/kubeproxy/index.js';

const S = Number(process.argv[2] ?? 2000);
const N = Number(process.argv[3] ?? 10);
const BACKEND = '127.241.0.1';
const BPORT = 18080;
const ip = (i) => `127.240.${i >> 8}.${i & 255}`;
const svc = (i) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: `s${i}`, namespace: 'default' }, spec: { clusterIP: ip(i), clusterIPs: [ip(i)], ports: [{ port: 80 }] } });
const slice = (i) => ({
  apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', addressType: 'IPv4',
  metadata: { name: `s${i}-x`, namespace: 'default', labels: { 'kubernetes.io/service-name': `s${i}` } },
  ports: [{ name: '', port: BPORT, protocol: 'TCP' }],
  endpoints: [BACKEND, '127.241.0.2', '127.241.0.3'].slice(0, i >= S ? 1 : 3).map((a) => ({ addresses: [a], nodeName: 'n1', conditions: { ready: true, serving: true, terminating: false } })),
});
const get = (host) => new Promise((resolve) => {
  const r = http.get({ host, port: 80, path: '/', agent: false, timeout: 1000 }, (res) => { res.resume(); res.on('end', () => resolve(res.statusCode)); });
  r.on('error', () => resolve(0));
  r.on('timeout', () => r.destroy());
});

const backend = http.createServer((_q, s) => s.end('ok'));
await new Promise((r) => backend.listen(BPORT, BACKEND, r));
const results = { session: [], 'nft -f': [] };
for (const mode of ['session', 'nft -f', 'session', 'nft -f']) {
  const store = new ObjectStore();
  store.create(GR.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } });
  store.create(GR.nodes, { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' }, status: { addresses: [{ type: 'InternalIP', address: '127.241.1.1' }], conditions: [{ type: 'Ready', status: 'True' }] }, spec: { podCIDR: '127.241.0.0/24' } });
  for (let i = 0; i < S; i++) { store.create(GR.services, svc(i)); store.create(GR.endpointslices, slice(i)); }
  const informers = new InformerFactory(store);
  const dataplane = await NftablesDataplane.start({ table: `kdp_${process.pid}_xp`, session: mode === 'session' });
  const dpSync = dataplane.sync.bind(dataplane);
  let lastDp = 0;
  dataplane.sync = async (t) => { const a = performance.now(); try { return await dpSync(t); } finally { lastDp = performance.now() - a; } };
  const t0 = performance.now();
  const proxy = await startKubeProxy({ informers, store, dataplane, log: () => undefined });
  await proxy.synced();
  const first = performance.now() - t0;
  const times = [];
  const dps = [];
  for (let k = 0; k < N; k++) {
    const i = S + k;
    const t = performance.now();
    store.create(GR.services, svc(i));
    store.create(GR.endpointslices, slice(i));
    while ((await get(ip(i))) !== 200) { /* until it answers: the first attempts are refused */ }
    times.push(performance.now() - t);
    dps.push(lastDp);
  }
  await proxy.stop();
  informers.stop();
  results[mode].push(...times);
  const sorted = [...times].sort((a, b) => a - b);
  console.log(`${mode}: first sync ${first.toFixed(0)} ms; one more Service → 200: median ${sorted[N >> 1].toFixed(1)} ms [${sorted[0].toFixed(1)}–${sorted[N - 1].toFixed(1)}]; dataplane.sync ${dps.map((d) => d.toFixed(0)).join(' ')} ms`);
}
backend.close();
for (const [m, t] of Object.entries(results)) { t.sort((a, b) => a - b); console.log(`${m}: median ${t[t.length >> 1].toFixed(1)} ms over ${t.length}`); }
