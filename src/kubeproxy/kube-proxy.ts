// The kube-proxy shell: informers → change trackers → sync runner → computeRoutingTable → Dataplane.
// Failures (a port that can't be bound, a Service that can't be proxied) are logged once and, for
// Services, recorded as a Warning Event; everything else keeps working.
import type { InformerFactory } from '../api/informer.js';
import type { ObjectStore } from '../api/store.js';
import { recordEvent as recordServiceEvent } from '../api/events.js';
import { GR } from '../api/types.js';
import { EndpointSliceChangeTracker, ServiceChangeTracker } from './change-tracker.js';
import type { Dataplane, FrontendFailure } from './dataplane.js';
import { raiseFdLimit } from './fd-limit.js';
import { NodeTracker } from './node-tracker.js';
import { computeRoutingTable, type TableProblem } from './routing-table.js';
import { setPortsCondition } from './service-status.js';
import { chooseDataplane, type ChosenDataplane, type ProxyMode } from './proxy-mode.js';
import { SyncRunner, type Timers } from './sync-runner.js';
import type { UserspaceDataplaneOptions } from './userspace/userspace-dataplane.js';

export interface KubeProxyOptions {
  informers: InformerFactory;
  /** Where Warning Events about unproxyable Services go; without it failures are only logged. */
  store?: ObjectStore;
  log?: (line: string) => void;
  /** A dataplane to use instead of the one `mode` picks (a ChosenDataplane also says why, for the log). */
  dataplane?: Dataplane | ChosenDataplane;
  /**
   * --proxy-mode: `userspace` (the default here), `nftables` (fails if nft can't be used), or `auto`
   * (nftables when running as root and nft works, else userspace; kdp up's default). See README.md.
   */
  mode?: ProxyMode | 'auto';
  /** Raise this process's open-files limit (fd-limit.ts); default: unless a bare Dataplane (a test's) is given. */
  raiseFdLimit?: boolean;
  userspace?: UserspaceDataplaneOptions;
  /** Sync retry backoff start (ms) after a failed bind; doubles up to 30 s. Default 1000. */
  retryMs?: number;
  /**
   * The cluster's stand-in for the host's localhost (config.hostAddress, default 127.0.0.1):
   * NodePorts and LoadBalancer ports are also served there when free.
   */
  hostAddress?: string;
  timers?: Timers;
  now?: () => Date;
}

export interface KubeProxy {
  /** Resolves once every change made before the call has been applied to the dataplane. */
  synced(): Promise<void>;
  /** The dataplane serving (`nftables` or `userspace`). */
  readonly mode: string;
  /** Frontends currently served (ip:port/protocol): kernel rules and userspace listeners. */
  listening(): string[];
  stop(): Promise<void>;
}

const COMPONENT = 'kube-proxy';

export async function startKubeProxy(opts: KubeProxyOptions): Promise<KubeProxy> {
  const log = opts.log ?? ((line: string) => console.error(line));
  const now = opts.now ?? (() => new Date());
  const given = opts.dataplane;
  const fdLimit = (opts.raiseFdLimit ?? (!given || 'dataplane' in given)) ? raiseFdLimit(log, COMPONENT) : undefined;
  const chosen: ChosenDataplane | undefined = given ? ('dataplane' in given ? given : undefined) : await chooseDataplane(opts.mode ?? 'userspace', { userspace: opts.userspace });
  const dataplane = chosen?.dataplane ?? (given as Dataplane);
  await fdLimit;
  const services = new ServiceChangeTracker();
  const slices = new EndpointSliceChangeTracker();
  const nodes = new NodeTracker();
  /** Services that carry a ports-error condition, with its messages. */
  const conditions = new Map<string, string>();
  /** frontend key or problem → the message last reported, so each is said once. */
  const reported = new Map<string, string>();
  let stopped = false;

  const sync = async (): Promise<boolean> => {
    services.takeChanges();
    slices.takeChanges();
    nodes.takeChanges();
    const table = computeRoutingTable(services.list(), slices.list(), { nodes: nodes.nodes(), hostAddress: opts.hostAddress });
    reportProblems(table.problems);
    const { failed } = await dataplane.sync(table);
    reportFailures(failed, new Set(table.frontends.keys()));
    return failed.length === 0;
  };

  const runner = new SyncRunner(sync, {
    retryMs: opts.retryMs,
    timers: opts.timers,
    onError: (err) => log(`[ERROR] ${COMPONENT}: sync failed: ${(err as Error)?.message ?? err}`),
  });

  function reportProblems(problems: TableProblem[]): void {
    const seen = new Set<string>();
    for (const p of problems) {
      const key = `problem ${p.kind} ${p.object}: ${p.message}`;
      seen.add(key);
      if (reported.has(key)) continue;
      reported.set(key, p.message);
      log(`[WARN] ${COMPONENT}: skipping ${p.kind} ${p.object}: ${p.message}`);
      if (p.kind === 'Service') recordEvent(p.object, 'FailedToProxy', p.message);
    }
    for (const key of reported.keys()) if (key.startsWith('problem ') && !seen.has(key)) reported.delete(key);
  }

  function reportFailures(failed: FrontendFailure[], current: Set<string>): void {
    const failing = new Set<string>();
    for (const f of failed) {
      const key = `frontend ${f.frontend.key}`;
      failing.add(key);
      if (reported.get(key) === f.message) continue;
      reported.set(key, f.message);
      log(`[ERROR] ${COMPONENT}: ${f.message}`);
      recordEvent(f.frontend.servicePort.split(':')[0].split('@')[0], 'FailedToBindPort', f.message);
    }
    updateConditions(failed);
    for (const key of [...reported.keys()]) {
      if (!key.startsWith('frontend ') || failing.has(key)) continue;
      reported.delete(key);
      const fk = key.slice('frontend '.length);
      if (current.has(fk)) log(`[INFO] ${COMPONENT}: now listening on ${fk}`);
    }
  }

  /** The Service status says which of its addresses can't be served, until they can. */
  function updateConditions(failed: FrontendFailure[]): void {
    if (!opts.store) return;
    const bySvc = new Map<string, string[]>();
    for (const f of failed) {
      const svc = f.frontend.servicePort.split(':')[0].split('@')[0];
      let list = bySvc.get(svc);
      if (!list) bySvc.set(svc, (list = []));
      list.push(f.message);
    }
    for (const [svc, msgs] of bySvc) {
      const text = msgs.join('\n');
      if (conditions.get(svc) === text) continue;
      conditions.set(svc, text);
      const [ns, name] = svc.split('/');
      setPortsCondition(opts.store, ns, name, msgs, now());
    }
    for (const svc of [...conditions.keys()]) {
      if (bySvc.has(svc)) continue;
      conditions.delete(svc);
      const [ns, name] = svc.split('/');
      setPortsCondition(opts.store, ns, name, [], now());
    }
  }

  function recordEvent(serviceKey: string, reason: string, message: string): void {
    if (!opts.store) return;
    const [namespace, name] = serviceKey.split('/');
    const svc = opts.store.tryGet(GR.services, namespace, name);
    if (svc) recordServiceEvent(opts.store, { component: COMPONENT }, svc, 'Warning', reason, message, now());
  }

  const onChange = (changed: boolean): void => {
    if (changed && !stopped) runner.run();
  };
  opts.informers
    .for(GR.services)
    .addHandlers({
      onAdd: (o) => onChange(services.update(undefined, o)),
      onUpdate: (o, old) => onChange(services.update(old, o)),
      onDelete: (o) => onChange(services.update(o, undefined)),
    })
    .start();
  opts.informers
    .for(GR.endpointslices)
    .addHandlers({
      onAdd: (o) => onChange(slices.update(undefined, o)),
      onUpdate: (o, old) => onChange(slices.update(old, o)),
      onDelete: (o) => onChange(slices.update(o, undefined)),
    })
    .start();

  opts.informers
    .for(GR.nodes)
    .addHandlers({
      onAdd: (o) => onChange(nodes.update(undefined, o)),
      onUpdate: (o, old) => onChange(nodes.update(old, o)),
      onDelete: (o) => onChange(nodes.update(o, undefined)),
    })
    .start();

  log(`[INFO] ${COMPONENT}: using the ${dataplane.name} dataplane${chosen ? ` (${chosen.why})` : ''}`);
  runner.run();
  await runner.idle();

  return {
    async synced() {
      // Let the store deliver pending watch events (microtasks) and the runner schedule its sync.
      await new Promise<void>((resolve) => setImmediate(resolve));
      await runner.idle();
    },
    mode: dataplane.name,
    listening() {
      return dataplane.listening?.() ?? [];
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await runner.stop();
      await dataplane.stop();
    },
  };
}
