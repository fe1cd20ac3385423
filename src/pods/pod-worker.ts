// One pod on one node: the kubelet's pod worker. Gives the pod an IP and a sandbox, runs its init
// containers then its containers, writes Pod status through the API, and on deletion stops
// everything within the grace period, frees the IP and deletes the Pod for good.
import type { ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { ClusterConfig } from '../api/config.js';
import { ApiError } from '../api/errors.js';
import { recordEvent } from '../api/events.js';
import type { ObjectStore } from '../api/store.js';
import { GR, type KObject } from '../api/types.js';
import { containerEnv, DEFAULT_PATH, type Env } from './container-env.js';
import { ContainerRunner, type RunnerHost } from './container-runner.js';
import type { PodIpAllocator } from './ip-allocator.js';
import type { ImageTable } from './images/image-table.js';
import { buildPodStatus } from './pod-status.js';
import { containerUser, hostPrimaryGid, PodSandbox } from './sandbox.js';
import { homeFor, resolveSecurityContext, type ResolvedSecurity } from './security-context.js';
import { hostsFile, podHostname, resolvConf } from './sandbox-files.js';
import type { ServiceLinks } from './service-links.js';
import { containerMounts } from './volumes/pod-volumes.js';
import { podMounts, waitForVolumes } from './volumes/volume-manager.js';
import type { PodTokenSource } from './volumes/pod-volumes.js';
import { applyVolumeOwnership } from './volumes/volume-ownership.js';

export interface WorkerDeps {
  store: ObjectStore;
  tokens?: PodTokenSource;
  config: ClusterConfig;
  images: ImageTable;
  allocator: PodIpAllocator;
  /** The Services as link variables, kept by the runtime from its Service informer. */
  serviceLinks: ServiceLinks;
  runDir: string;
  now(): Date;
  backoffMs(level: number): number;
  log(level: 'INFO' | 'WARN' | 'ERROR', msg: string): void;
  /** Called once the pod is gone from the store (or the runtime stops): forget the worker. */
  forget(w: PodWorker): void;
}

export function internalIP(node: KObject): string | undefined {
  return node.status?.addresses?.find((a: { type: string }) => a.type === 'InternalIP')?.address;
}

export class PodWorker {
  pod: KObject;
  readonly uid: string;
  readonly nodeName: string;
  hostIP = '';
  podIP = '';
  private cidr: string | undefined;
  private ipAllocated = false;
  readonly dir: string;
  sandbox: PodSandbox | undefined;
  initRunners: ContainerRunner[] = [];
  runners: ContainerRunner[] = [];
  private initState = { done: false, failed: false };
  private readonly startTime: Date;
  terminating = false;
  finished = false;
  private syncScheduled = false;
  private retryTimer: NodeJS.Timeout | undefined;
  readonly execs = new Set<ChildProcess>();
  /** Volume name → host path, once set up (volumes/). */
  volumes = new Map<string, string>();
  private readonly volumeAbort = new AbortController();

  constructor(pod: KObject, private readonly node: KObject, private readonly deps: WorkerDeps) {
    this.pod = pod;
    this.uid = pod.metadata.uid!;
    this.nodeName = pod.spec.nodeName;
    this.startTime = pod.status?.startTime ? new Date(pod.status.startTime) : deps.now();
    this.dir = join(deps.runDir, 'pods', `${pod.metadata.namespace}_${pod.metadata.name}_${this.uid}`);
  }

  get key(): string {
    return `${this.pod.metadata.namespace}/${this.pod.metadata.name}`;
  }

  /** Every container (init first), for exec/logs lookups. */
  allRunners(): ContainerRunner[] {
    return [...this.initRunners, ...this.runners];
  }

  async start(): Promise<void> {
    if (this.terminating) return;
    const pod = this.pod;
    this.hostIP = internalIP(this.node) ?? '';
    if (pod.spec.hostNetwork) {
      this.podIP = this.hostIP;
    } else {
      this.cidr = this.node.spec?.podCIDR;
      const ip = this.cidr ? this.deps.allocator.allocate(this.cidr, pod.status?.podIP) : undefined;
      if (!ip) {
        const why = this.cidr ? `failed to allocate for range 0: no IP addresses available in range set: ${this.cidr}` : `node ${this.nodeName} has no spec.podCIDR`;
        this.event('Warning', 'FailedCreatePodSandBox', `Failed to create pod sandbox: plugin type="host-local" failed (add): ${why}`);
        this.deps.log('WARN', `pod ${this.key}: ${why}`);
        this.retryTimer = setTimeout(() => void this.start(), 5000);
        this.retryTimer.unref();
        return;
      }
      this.podIP = ip;
      this.ipAllocated = true;
    }
    // Root's only: no other pod's user reaches its volumes, Secrets, layer or sandbox files.
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    chmodSync(this.dir, 0o700);
    this.sandbox = new PodSandbox(
      this.dir,
      {
        resolvConf: resolvConf(pod, this.deps.config),
        hosts: hostsFile(pod, this.podIP, this.deps.config.clusterDomain),
        hostname: pod.spec.hostNetwork ? this.nodeName : podHostname(pod),
      },
      (msg) => this.deps.log('WARN', msg),
      { readOnlyRoot: readOnlyRoot(pod), hostPID: pod.spec.hostPID === true, hostIPC: pod.spec.hostIPC === true },
    );
    const host = this.runnerHost();
    this.initRunners = (pod.spec.initContainers ?? []).map((c: unknown) => new ContainerRunner(host, c, true));
    this.runners = (pod.spec.containers ?? []).map((c: unknown) => new ContainerRunner(host, c, false));
    this.initState.done = this.initRunners.length === 0;
    this.scheduleSync();
    const volumes = await waitForVolumes({ pod: () => this.pod, dir: this.dir, store: this.deps.store, tokens: this.deps.tokens, event: (t, r, m) => this.event(t, r, m), signal: this.volumeAbort.signal });
    if (!volumes || this.terminating) return;
    this.volumes = volumes;
    const { store } = this.deps;
    applyVolumeOwnership(pod, volumes, this.dir, (msg) => this.deps.log('WARN', `pod ${this.key}: ${msg}`), (v) => {
      const pvc = store.tryGet('/persistentvolumeclaims', pod.metadata.namespace, v.persistentVolumeClaim.claimName);
      return pvc?.spec?.volumeName ? store.tryGet('/persistentvolumes', undefined, pvc.spec.volumeName) : undefined;
    });
    this.sandbox.setMounts(podMounts(pod, volumes));

    for (const r of this.initRunners) {
      r.start();
      await r.done;
      if (this.terminating) return;
      if (r.status.state.terminated?.exitCode !== 0) {
        this.initState.failed = true;
        return this.finish();
      }
    }
    this.initState.done = true;
    for (const r of this.runners) r.start();
    this.scheduleSync();
    await Promise.all(this.runners.map((r) => r.done));
    if (!this.terminating) await this.finish();
  }

  /** The pod ran to completion (Succeeded/Failed): tear the sandbox down, keep logs until deletion. */
  private async finish(): Promise<void> {
    this.finished = true;
    this.syncNow();
    this.killExecs();
    await this.sandbox?.stop();
    this.releaseIP();
  }

  private runnerHost(): RunnerHost {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const w = this;
    return {
      pod: () => w.pod,
      get podIP() {
        return w.podIP;
      },
      get hostIP() {
        return w.hostIP;
      },
      nodeName: this.nodeName,
      dir: this.dir,
      images: this.deps.images,
      store: this.deps.store,
      now: this.deps.now,
      sandbox: () => w.sandbox?.ensure() ?? Promise.resolve(undefined),
      env: (c) => w.env(c),
      privileges: (c) => w.privileges(c),
      changed: () => w.scheduleSync(),
      event: (type, reason, message) => w.event(type, reason, message),
      backoffMs: this.deps.backoffMs,
      volumeMounts: (c) => containerMounts(c, w.volumes),
    };
  }

  /** The container's uid, groups and capabilities; throws SecurityContextError (runAsNonRoot). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  security(container: any): ResolvedSecurity {
    return resolveSecurityContext(this.pod, container, { primaryGid: hostPrimaryGid });
  }

  /** The `setpriv … --` prefix that runs a command as the container's user (container-runner, exec, probes). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  privileges(container: any): string[] {
    return containerUser(this.security(container), (msg) => this.deps.log('WARN', msg));
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  env(container: any): Env {
    const { store } = this.deps;
    const sec = this.security(container);
    return containerEnv({
      pod: this.pod,
      container,
      podIP: this.podIP,
      hostIP: this.hostIP,
      serviceLinks: this.deps.serviceLinks,
      configMap: (n, name) => store.tryGet(GR.configmaps, n, name),
      secret: (n, name) => store.tryGet(GR.secrets, n, name),
      path: DEFAULT_PATH,
      home: homeFor(sec),
    });
  }

  update(pod: KObject): void {
    this.pod = pod;
    if (pod.metadata.deletionTimestamp && !this.terminating) void this.terminate();
  }

  /** Graceful deletion: stop within the grace period, free the IP, then the kubelet's final delete. */
  async terminate(): Promise<void> {
    this.terminating = true;
    const grace = this.pod.metadata.deletionGracePeriodSeconds ?? this.pod.spec.terminationGracePeriodSeconds ?? 30;
    await this.shutdown(grace * 1000);
    try {
      this.deps.store.delete(GR.pods, this.pod.metadata.namespace, this.pod.metadata.name, { gracePeriodSeconds: 0, preconditions: { uid: this.uid } });
    } catch (err) {
      if (!(err instanceof ApiError && (err.code === 404 || err.code === 409))) this.deps.log('WARN', `deleting pod ${this.key}: ${(err as Error).message}`);
    }
    this.dispose();
  }

  /** Stops every container (SIGTERM, SIGKILL after graceMs) and the sandbox; frees the IP. */
  async shutdown(graceMs: number): Promise<void> {
    this.terminating = true;
    clearTimeout(this.retryTimer);
    this.volumeAbort.abort();
    this.killExecs();
    await Promise.all(this.allRunners().map((r) => r.stop(graceMs)));
    await this.sandbox?.stop();
    this.releaseIP();
  }

  /** Forget the pod: remove its files (logs included). */
  dispose(): void {
    this.releaseIP();
    rmSync(this.dir, { recursive: true, force: true });
    this.deps.forget(this);
  }

  private releaseIP(): void {
    if (this.ipAllocated && this.cidr) this.deps.allocator.release(this.cidr, this.podIP);
    this.ipAllocated = false;
  }

  private killExecs(): void {
    for (const p of this.execs) {
      if (p.pid) {
        try {
          process.kill(-p.pid, 'SIGKILL');
        } catch {
          /* gone */
        }
      }
    }
    this.execs.clear();
  }

  scheduleSync(): void {
    if (this.syncScheduled) return;
    this.syncScheduled = true;
    setImmediate(() => {
      this.syncScheduled = false;
      this.syncNow();
    });
  }

  /** Writes the pod's status when it changed; re-reads and retries on a conflict. */
  syncNow(): void {
    if (this.terminating) return;
    const { store } = this.deps;
    for (let attempt = 0; attempt < 3; attempt++) {
      const current = store.tryGet(GR.pods, this.pod.metadata.namespace, this.pod.metadata.name);
      if (!current || current.metadata.uid !== this.uid) return;
      const notReady = this.runners.map((r) => r.notReadyDetail).filter(Boolean).join('; ');
      const status = buildPodStatus({
        prev: current.status,
        restartPolicy: this.pod.spec.restartPolicy ?? 'Always',
        hostIP: this.hostIP,
        podIP: this.podIP || undefined,
        startTime: this.startTime,
        init: this.initState,
        initStatuses: this.initRunners.map((r) => r.status),
        statuses: this.runners.map((r) => r.status),
        notReadyDetail: notReady || undefined,
        now: this.deps.now(),
      });
      status.qosClass = current.status?.qosClass ?? qosClass(this.pod);
      if (JSON.stringify(status) === JSON.stringify(current.status)) return;
      const next = structuredClone(current) as KObject;
      next.status = status;
      try {
        store.update(GR.pods, next, { subresource: 'status' });
        return;
      } catch (err) {
        if (err instanceof ApiError && err.code === 409) continue;
        if (err instanceof ApiError && err.code === 404) return;
        this.deps.log('WARN', `updating status of pod ${this.key}: ${(err as Error).message}`);
        return;
      }
    }
  }

  event(type: 'Normal' | 'Warning', reason: string, message: string): void {
    recordEvent(this.deps.store, { component: 'kubelet', host: this.nodeName }, this.pod, type, reason, message, this.deps.now());
  }
}

/** readOnlyRootFilesystem: one root filesystem per pod, so every container must ask (admission checks they agree). */
function readOnlyRoot(pod: KObject): boolean {
  const cs = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
  return cs.length > 0 && cs.every((c) => c?.securityContext?.readOnlyRootFilesystem === true);
}

/** status.qosClass from the containers' requests and limits. */
export function qosClass(pod: KObject): string {
  const cs = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])];
  const any = cs.some((c) => Object.keys(c.resources?.requests ?? {}).length || Object.keys(c.resources?.limits ?? {}).length);
  if (!any) return 'BestEffort';
  const guaranteed = cs.every((c) => {
    const l = c.resources?.limits ?? {};
    const r = c.resources?.requests ?? l;
    return l.cpu && l.memory && String(r.cpu ?? l.cpu) === String(l.cpu) && String(r.memory ?? l.memory) === String(l.memory);
  });
  return guaranteed ? 'Guaranteed' : 'Burstable';
}
