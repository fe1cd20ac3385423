// The `kdp` command. `kdp up` runs the cluster; every other verb is a client of its API.
import { Command } from 'commander';
import { join } from 'node:path';
import { registerClientCommands } from './commands.js';
import { FlagError, parseConfigFlags } from './config.js';
import { startCluster } from './up.js';
import { applyPaths } from './apply.js';
import { DEFAULT_CONFIG as D } from '../api/config.js';
import { GR } from '../api/types.js';
import { tryHints } from './up-hints.js';

const program = new Command();
program
  .name('kdp')
  .description('A Kubernetes network dataplane on one Linux machine: apply manifests, real sockets answer.')
  .showHelpAfterError(false);

program
  .command('up')
  .description('Run the cluster in the foreground until Ctrl-C')
  .option('-f, --filename <path...>', 'manifests (files or directories) to apply once the cluster is up')
  .option('--nodes <n>', 'number of nodes', String(D.nodes))
  .option('--name <name>', 'cluster name (node names are <name>-control-plane, <name>-worker…)')
  .option('--api-address <ip>', 'API server address', D.apiAddress)
  .option('--api-port <port>', 'API server port', String(D.apiPort))
  .option('--service-cidr <cidr>', 'Service ClusterIP range', D.serviceCidr)
  .option('--pod-cidr <cidr>', 'pod IP range (a /24 per node)', D.podCidr)
  .option('--node-ip-start <ip>', 'first node IP', D.nodeIpStart)
  .option('--dns-address <ip>', 'cluster DNS address', D.dnsAddress)
  .option('--dns-port <port>', 'cluster DNS port', String(D.dnsPort))
  .option('--cluster-domain <domain>', 'cluster DNS domain', D.clusterDomain)
  .option('--node-port-range <min-max>', 'NodePort range', `${D.nodePortRange.min}-${D.nodePortRange.max}`)
  .option('--lb-pool <cidr>', 'LoadBalancer address pool', D.loadBalancerPool)
  .option('--external-ip-cidr <cidr>', "where Services' externalIPs may come from (besides the LoadBalancer pool)", D.externalIPCidr)
  .option('--host-address <ip>', "the host's address where NodePorts and LoadBalancer ports are also served (localhost)", D.hostAddress)
  .option('--upstream-dns <ip[:port],…>', 'resolvers for names outside the cluster (default: /etc/resolv.conf)')
  .option('--proxy-mode <mode>', 'kube-proxy mode: nftables (kernel DNAT rules, needs root and nft) or userspace (proxy sockets); default: nftables when it works here, else userspace')
  .option('--dashboard-port <port>', 'the dashboard on 127.0.0.1 (kdp dashboard prints its URL); 0 = any free port', '0')
  .option('--state-dir <dir>', 'where kdp keeps its objects (state.db), kubeconfig, logs and volumes (default ~/.kdp)')
  .option('--fresh', "wipe the state dir's cluster (objects, volumes, certificates) and start a new one")
  .option('--ephemeral', 'keep objects in memory only: nothing is written to state.db, a restart starts empty')
  .action(async (o: Record<string, string | undefined> & { filename?: string[]; fresh?: boolean; ephemeral?: boolean }) => {
    let config;
    try {
      config = parseConfigFlags(o);
    } catch (err) {
      // kubectl's flag errors: the message, then where to read about the flags.
      console.error(`error: ${(err as Error).message}${err instanceof FlagError ? "\nSee 'kdp up --help' for usage." : ''}`);
      process.exit(1);
    }
    const started = Date.now();
    let cluster: Awaited<ReturnType<typeof startCluster>>;
    try {
      cluster = await startCluster(config, { fresh: !!o.fresh, ephemeral: !!o.ephemeral });
    } catch (err) {
      console.error(`error: ${(err as Error).message}`);
      process.exit(1);
    }
    let stopping = false;
    const shutdown = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      console.log(`\n${signal}: stopping kdp…`);
      await cluster.stop();
      console.log('kdp stopped.');
      process.exit(0);
    };
    process.on('SIGINT', () => void shutdown('SIGINT'));
    process.on('SIGTERM', () => void shutdown('SIGTERM'));
    process.on('SIGHUP', () => void shutdown('SIGHUP'));

    const dns = config.dnsPort === 53 ? config.dnsAddress : `${config.dnsAddress}:${config.dnsPort}`;
    const { resumed } = cluster;
    // A restart on an existing state dir says so, as a node coming back after a reboot.
    const how = resumed.objects ? `; resumed ${resumed.objects} objects from ${join(config.stateDir, 'state.db')}` : '';
    console.log(`kdp is up in ${Date.now() - started} ms: ${config.nodes} node(s), API ${cluster.apiUrl}, DNS ${dns} (zone ${config.clusterDomain}), kube-proxy ${cluster.proxyMode}${how}`);
    console.log(`kubeconfig: export KUBECONFIG=${join(config.stateDir, 'kubeconfig')}`);
    console.log(`dashboard: ${cluster.dashboardUrl}`);
    if (o.filename?.length) {
      const ok = await applyPaths(cluster.apiUrl, o.filename, undefined, cluster.credentials);
      if (!ok) console.log('some manifests failed to apply (see above); the cluster keeps running.');
    }
    const { store } = cluster;
    const contents = { services: store.list(GR.services).items, pods: store.list(GR.pods).items, ingresses: store.list(GR.ingresses).items };
    for (const line of tryHints(contents, config)) console.log(line);
  });

registerClientCommands(program);

program.parseAsync(process.argv).catch((err) => {
  console.error(`error: ${(err as Error).message}`);
  process.exit(1);
});
