// The kubelet of every node at once: watches Pods bound to any Node (spec.nodeName), realises
// each with a PodWorker, and serves exec/logs through the RuntimeConnector.
import { mkdirSync, mkdtempSync, rmdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { ClusterConfig } from '../api/config.js';
import { ApiError } from '../api/errors.js';
import type { InformerFactory } from '../api/informer.js';
import type { PodConnector } from '../api/pod-connector.js';
import type { ObjectStore } from '../api/store.js';
import { GR, type KObject } from '../api/types.js';
import { RuntimeConnector } from './connector.js';
import { PodIpAllocator } from './ip-allocator.js';
import { BUILTIN_IMAGES, ImageTable } from './images/image-table.js';
import { PodWorker } from './pod-worker.js';
import { ServiceLinks } from './service-links.js';
import type { PodTokenSource } from './volumes/pod-volumes.js';

export interface PodRuntimeOptions {
  store: ObjectStore;
  informers: InformerFactory;
  config: ClusterConfig;
  /** Where per-pod sandbox files and logs go; default a fresh dir under config.stateDir, removed on stop. */
  runDir?: string;
  now?: () => Date;
  /**
   * The images realised in-process, by repository. The runtime knows images only through this table
   * (ImageAdapter): the composition root (`kdp up`) adds the components' own images (CoreDNS, the
   * ingress-nginx controller). Default: the runtime's own images only (BUILTIN_IMAGES).
   */
  images?: ImageTable;
  /** CrashLoopBackOff: first delay and cap (Kubernetes: 10 s doubling to 5 min). */
  restartBackoff?: { initialMs: number; maxMs: number };
  /** Where projected serviceAccountToken volumes get their tokens (the kubelet's TokenRequest). */
  tokens?: PodTokenSource;
}

export interface PodRuntime {
  stop(): Promise<void>;
  connector: PodConnector;
}

function log(level: string, msg: string): void {
  (level === 'INFO' ? console.log : console.error)(`[${level}] pods: ${msg}`);
}

export async function startPodRuntime(opts: PodRuntimeOptions): Promise<PodRuntime> {
  const { store, informers, config } = opts;
  const now = opts.now ?? (() => new Date());
  let runDir: string;
  let ownRunDir = false;
  if (opts.runDir) {
    runDir = opts.runDir;
    mkdirSync(runDir, { recursive: true });
  } else {
    mkdirSync(join(config.stateDir, 'run'), { recursive: true });
    runDir = mkdtempSync(join(config.stateDir, 'run', 'pods-'));
    ownRunDir = true;
  }
  const backoff = opts.restartBackoff ?? { initialMs: 10_000, maxMs: 300_000 };
  const images = opts.images ?? new ImageTable(BUILTIN_IMAGES);
  const allocator = new PodIpAllocator();
  const serviceLinks = new ServiceLinks();
  const workers = new Map<string, PodWorker>();
  let stopped = false;

  const deps = {
    store,
    tokens: opts.tokens,
    config,
    images,
    allocator,
    serviceLinks,
    runDir,
    now,
    backoffMs: (level: number) => Math.min(backoff.initialMs * 2 ** (level - 1), backoff.maxMs),
    log,
    forget: (w: PodWorker) => {
      if (workers.get(w.uid) === w) workers.delete(w.uid);
    },
  };

  const nodes = informers.for(GR.nodes);
  const pods = informers.for(GR.pods);
  // Containers get the Service links of their namespace as the informer shows the Services when
  // they start (the kubelet reads its Service informer too).
  informers.for(GR.services).addHandlers({
    onAdd: (s) => serviceLinks.upsert(s),
    onUpdate: (s) => serviceLinks.upsert(s),
    onDelete: (s) => serviceLinks.remove(s),
  }).start();

  /** The kubelet's final delete for a pod nothing runs (e.g. finished before a restart of kdp). */
  const finalDelete = (pod: KObject) => {
    try {
      store.delete(GR.pods, pod.metadata.namespace, pod.metadata.name, { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid } });
    } catch (err) {
      if (!(err instanceof ApiError)) log('WARN', `deleting pod ${pod.metadata.namespace}/${pod.metadata.name}: ${(err as Error).message}`);
    }
  };

  const onPod = (pod: KObject) => {
    if (stopped || !pod.spec?.nodeName) return;
    const w = workers.get(pod.metadata.uid!);
    if (w) return w.update(pod);
    if (pod.metadata.deletionTimestamp) return finalDelete(pod);
    if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') return;
    const node = nodes.get(undefined, pod.spec.nodeName);
    if (!node) return; // no such node: the pod stays Pending, as with a node that never joined
    const worker = new PodWorker(pod, node, deps);
    workers.set(worker.uid, worker);
    worker.start().catch((err) => log('ERROR', `pod ${worker.key}: ${(err as Error).stack ?? err}`));
  };

  const onPodDelete = (pod: KObject) => {
    const w = workers.get(pod.metadata.uid!);
    if (!w) return;
    // Force-deleted (grace 0) while running: stop it now.
    void w.shutdown(0).then(() => w.dispose());
  };

  nodes
    .addHandlers({
      onAdd: (node) => {
        for (const p of pods.list()) if (p.spec?.nodeName === node.metadata.name && !workers.has(p.metadata.uid!)) onPod(p);
      },
    })
    .start();
  pods.addHandlers({ onAdd: onPod, onUpdate: onPod, onDelete: onPodDelete }).start();
  log('INFO', `kubelet running for every node; pod files in ${runDir}`);

  const connector = new RuntimeConnector({
    worker: (pod) => {
      const w = workers.get(pod.metadata.uid ?? '');
      if (w) return w;
      for (const x of workers.values()) if (x.pod.metadata.namespace === pod.metadata.namespace && x.pod.metadata.name === pod.metadata.name) return x;
      return undefined;
    },
    now,
  });

  return {
    connector,
    async stop() {
      if (stopped) return;
      stopped = true;
      const all = [...workers.values()];
      await Promise.all(all.map((w) => w.shutdown(500)));
      workers.clear();
      if (ownRunDir) {
        rmSync(runDir, { recursive: true, force: true });
        // the shared parent goes too once no other runtime uses it
        try {
          rmdirSync(join(config.stateDir, 'run'));
        } catch {
          /* not empty: another kdp shares this state dir */
        }
      }
      else rmSync(join(runDir, 'pods'), { recursive: true, force: true });
    },
  };
}
