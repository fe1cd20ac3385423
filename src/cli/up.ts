// `kdp up`: runs the whole cluster in this process, in the foreground, until SIGINT/SIGTERM.
// Start order follows a real cluster's: API + store, controllers, kubelet (pod runtime),
// kube-proxy, CoreDNS; then the manifests given with -f are applied through the API, as a client.
import { chmodSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { bootstrapKubernetesService, bootstrapNamespaces, firstServiceIP } from '../api/bootstrap.js';
import { apiServingNames, ensureClusterPki } from '../api/pki.js';
import { bootstrapRbac } from '../api/authz/default-roles.js';
import { Authenticator } from '../api/authn.js';
import { ServiceAccountTokens } from '../api/serviceaccounts/tokens.js';
import { writeFileAtomic } from '../lib/atomic-write.js';
import type { Credentials } from './client.js';
import type { ClusterConfig } from '../api/config.js';
import { InformerFactory } from '../api/informer.js';
import { startApiServer } from '../api/server.js';
import { ObjectStore } from '../api/store.js';
import { registerStrategies } from '../api/strategies/index.js';
import { startControllers } from '../controllers/index.js';
import { createCoreDnsAddon } from '../coredns/index.js';
import { startDashboard } from '../dashboard/index.js';
import { startGatewayController } from '../gateway/index.js';
import { chooseDataplane, startKubeProxy } from '../kubeproxy/index.js';
import { startPodRuntime } from '../pods/index.js';
import { explainBindError, isBindError } from '../lib/bind-errors.js';
import { MetricsRegistry } from '../lib/metrics-registry.js';
import { TrafficCounters } from '../lib/traffic-counters.js';
import { clusterImages } from './cluster-images.js';
import { kubeconfigYaml } from './kubeconfig.js';
import { openState, type StateOptions } from './state-dir.js';

export interface Stoppable {
  stop(): Promise<void>;
}

export interface RunningCluster {
  config: ClusterConfig;
  apiUrl: string;
  /** The admin's credentials (what the kubeconfig holds): the CA to trust, the client certificate. */
  credentials: Credentials;
  store: ObjectStore;
  /** The kube-proxy dataplane serving Services: `nftables` or `userspace`. */
  proxyMode: string;
  /** `http://127.0.0.1:PORT/?token=…`, also in <state-dir>/dashboard-url (0600). */
  dashboardUrl: string;
  /** Objects found in the state dir's storage at start (0: a new cluster); durable = state.db, not --ephemeral. */
  resumed: { objects: number; durable: boolean };
  stop(): Promise<void>;
}

/** Starts every component; on any failure, stops what already started and rethrows. */
export async function startCluster(config: ClusterConfig, stateOptions: StateOptions = {}): Promise<RunningCluster> {
  const stack: Stoppable[] = [];
  const stopAll = async () => {
    for (const s of stack.reverse()) {
      try {
        await s.stop();
      } catch (err) {
        console.error(`[WARN] kdp: stopping a component failed: ${(err as Error).message}`);
      }
    }
    stack.length = 0;
  };
  // kube-proxy's dataplane is chosen (nft probed, its table created) while the other components start.
  // Connections per endpoint: kube-proxy records, the dashboard reads (neither imports the other).
  const traffic = new TrafficCounters();
  const metrics = new MetricsRegistry(); // what components count (CoreDNS's), for the dashboard's /metrics
  const proxyDataplane = chooseDataplane(config.proxyMode ?? 'auto', { userspace: { counters: traffic } });
  proxyDataplane.catch(() => undefined); // awaited below; a failure before then must not go unhandled
  stack.push({ stop: async () => (await proxyDataplane.catch(() => undefined))?.dataplane.stop() });
  try {
    if (!isLoopback(config.apiAddress)) {
      console.error(`[WARN] kdp: the API listens on ${config.apiAddress}, which is not a loopback address: anyone who can reach it from another machine can try to authenticate; kdp's defaults keep everything on 127.0.0.0/8`);
    }
    // Nothing in the state dir is for other users: the CA key, the kubeconfig, pod volumes.
    mkdirSync(config.stateDir, { recursive: true, mode: 0o700 });
    chmodSync(config.stateDir, 0o700);
    // The state dir's lock (one cluster per state dir) and its storage, before anything reads objects.
    const state = openState(config.stateDir, stateOptions);
    stack.push({ stop: async () => state.close() });
    const pki = await ensureClusterPki(join(config.stateDir, 'pki'), apiServingNames({ apiAddress: config.apiAddress, kubernetesServiceIp: firstServiceIP(config.serviceCidr), clusterDomain: config.clusterDomain }));
    const store = new ObjectStore({ storage: state.storage });
    registerStrategies(store, config, { serviceAccountTokens: true });
    bootstrapNamespaces(store);
    bootstrapRbac(store); // the default ClusterRoles and bindings, as kube-apiserver's bootstrap policy
    const tokens = new ServiceAccountTokens(store, pki.serviceAccountKey, config.clusterDomain);
    const informers = new InformerFactory(store);
    stack.push({ stop: async () => informers.stop() });

    stack.push(await startControllers({ store, informers, config, rootCA: pki.ca.cert }));
    const runtime = await startPodRuntime({ store, informers, config, images: clusterImages({ metrics }), tokens });
    stack.push(runtime);
    const kubeProxy = await startKubeProxy({ store, informers, hostAddress: config.hostAddress, dataplane: await proxyDataplane });
    stack.push(kubeProxy);
    stack.push(await startGatewayController({ store, loadBalancerPool: config.loadBalancerPool, hostAddress: config.hostAddress })); // Gateway API
    const coreDns = createCoreDnsAddon({ store, config }); // kube-system coredns Deployment, kube-dns Service, Corefile
    stack.push(coreDns);
    const authenticator = new Authenticator({ clientCA: pki.ca.cert, tokens: [tokens] });
    const api = await startApiServer({ store, connector: runtime.connector, host: config.apiAddress, port: config.apiPort, tls: { cert: pki.apiserver.cert, key: pki.apiserver.key, ca: pki.ca.cert, authenticator, tokens } });
    stack.push({ stop: () => api.close() });
    bootstrapKubernetesService(store, config, api.address.address, api.address.port);
    if (!(await coreDns.ready(5000))) console.error(`[WARN] coredns: the cluster DNS ${config.dnsAddress}:${config.dnsPort} does not answer yet (kdp get pods -n kube-system -l k8s-app=kube-dns)`);

    const dashboard = await startDashboard({ informers, traffic, metrics, port: config.dashboardPort ?? 0 });
    stack.push(dashboard);
    // Its token dies with this process: the file goes too (stopped before the dashboard, stack order).
    const dashboardUrlFile = join(config.stateDir, 'dashboard-url');
    writeFileAtomic(dashboardUrlFile, `${dashboard.url}\n`, 0o600);
    stack.push({ stop: async () => rmSync(dashboardUrlFile, { force: true }) });

    // Written whole (temp file + rename) before `kdp up` prints its ready line, so a script waiting for the line can use it.
    const credentials = { ca: pki.ca.cert, cert: pki.admin.cert, key: pki.admin.key };
    writeFileAtomic(join(config.stateDir, 'kubeconfig'), kubeconfigYaml(api.url, 'kdp', credentials), 0o600);
    return { config, apiUrl: api.url, credentials, store, proxyMode: kubeProxy.mode, dashboardUrl: dashboard.url, resumed: { objects: store.loaded, durable: state.durable }, stop: stopAll };
  } catch (err) {
    await stopAll();
    throw explainStartError(err as NodeJS.ErrnoException, config);
  }
}

function isLoopback(ip: string): boolean {
  return /^127\./.test(ip) || ip === '::1' || ip === 'localhost';
}

/** Bind failures say which address, why, and what to do (src/lib/bind-errors.ts has the words). */
export function explainStartError(err: NodeJS.ErrnoException & { address?: string; port?: number }, _config?: ClusterConfig): Error {
  if (!isBindError(err)) return err;
  const where = err.address ? `${err.address}:${err.port}` : '';
  const hint = err.code === 'EADDRINUSE' ? ". Is another 'kdp up' running? Stop it, or pick other addresses (kdp up --help)." : '';
  return new Error(`cannot bind ${where}: ${explainBindError(err, { ip: err.address, port: err.port })}${hint}`);
}
