// One container of a pod, run the way the kubelet runs it: start (built-in image in-process, or a
// host process in the pod sandbox), watch it, restart it per restartPolicy with CrashLoopBackOff,
// and keep its ContainerStatus current. The worker (pod-worker.ts) turns these into Pod status.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { constants } from 'node:os';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { rfc3339 } from '../api/store.js';
import type { ObjectStore } from '../api/store.js';
import type { KObject } from '../api/types.js';
import { ContainerLog } from './container-log.js';
import { ContainerConfigError, containerArgv, expandVars, type Env } from './container-env.js';
import { declaredTcpPorts } from '../lib/image-flags.js';
import { imageId, type ImageTable } from './images/image-table.js';
import type { ImageProcess } from '../lib/image-adapter.js';
import type { ContainerState, ContainerStatus } from './pod-status.js';
import { firstClosedPort, sleep } from './readiness.js';
import { containerMainPid, inSandbox, lookPath, sandboxRoot } from './sandbox.js';
import { hasProbes, probeContainerRun } from './probes/index.js';
import type { MountSpec } from './volumes/pod-volumes.js';

export interface RunnerHost {
  pod(): KObject;
  podIP: string;
  hostIP: string;
  nodeName: string;
  /** Per-pod directory; logs go to `<dir>/<container>/<restartCount>.log`. */
  dir: string;
  images: ImageTable;
  /** Given to built-in images that talk to the API (ingress controller, webhook certgen). */
  store?: ObjectStore;
  now(): Date;
  sandbox(): Promise<number | undefined>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  env(container: any): Env;
  /** The `setpriv … --` prefix that gives a command the container's user and capabilities. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  privileges?(container: any): string[];
  changed(): void;
  event(type: 'Normal' | 'Warning', reason: string, message: string): void;
  /** Delay before restart number `level` (1-based): CrashLoopBackOff. */
  backoffMs(level: number): number;
  /** The container's volume mounts resolved to host paths (built-in images serve from them). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  volumeMounts?(container: any): MountSpec[];
}

interface Exit {
  exitCode: number;
  reason: string;
  message?: string;
  signal?: number;
}

/** `10s`, `1m20s`, `5m0s` as Go prints durations in back-off messages. */
function goDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${s % 60}s`;
}

export class ContainerRunner {
  readonly status: ContainerStatus;
  /** Why a running container is not Ready (host process not listening yet). */
  notReadyDetail: string | undefined;
  log: ContainerLog | undefined;
  /** The main process's stdin while it runs, for a container with `stdin: true` (attach writes to it). */
  stdin: Writable | undefined;
  private stopping = false;
  private looping = false;
  private readonly abort = new AbortController();
  private proc: ChildProcess | undefined;
  private builtin: ImageProcess | undefined;
  private graceMs = 30_000;
  private doneResolve!: () => void;
  readonly done = new Promise<void>((r) => (this.doneResolve = r));

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  constructor(private readonly host: RunnerHost, readonly spec: any, readonly init: boolean, resumed?: Pick<ContainerStatus, 'restartCount' | 'lastState'>) {
    this.status = {
      name: spec.name,
      image: spec.image ?? '',
      imageID: '',
      ready: false,
      started: false,
      restartCount: 0,
      state: { waiting: { reason: init ? 'PodInitializing' : 'ContainerCreating' } },
      lastState: {},
      ...resumed, // a pod found again after a restart of kdp (resume-status.ts)
    };
    mkdirSync(join(host.dir, spec.name), { recursive: true });
  }

  get running(): boolean {
    return !!this.status.state.running;
  }

  logPath(restartCount = this.status.restartCount): string {
    return join(this.host.dir, this.spec.name, `${restartCount}.log`);
  }

  /** Runs until the container ends for good (per restartPolicy) or stop() is called. */
  start(): void {
    if (this.stopping || this.looping) return;
    this.looping = true;
    void this.loop().finally(() => this.doneResolve());
  }

  private set(state: ContainerState, ready = false): void {
    this.status.state = state;
    this.status.ready = ready;
    if (!state.running) this.notReadyDetail = undefined;
    this.host.changed();
  }

  private restartPolicy(): string {
    const p: string = this.host.pod().spec?.restartPolicy ?? 'Always';
    if (this.init) return p === 'Never' ? 'Never' : 'OnFailure';
    return p;
  }

  private async loop(): Promise<void> {
    const kind = this.host.images.lookup(this.spec.image ?? '');
    const isHost = !!(this.spec.command?.length || (!kind && this.spec.args?.length));
    if (!isHost && !kind) return this.unknownImage();
    this.status.imageID = imageId(this.spec.image ?? '');
    let level = 0;
    while (!this.stopping) {
      const startedAt = this.host.now();
      const exit = isHost ? await this.runHost() : await this.runBuiltin(kind!.builtin, kind!.ref);
      if (!exit) break;
      const finishedAt = this.host.now();
      const terminated = {
        exitCode: exit.exitCode,
        ...(exit.signal ? { signal: exit.signal } : {}),
        reason: exit.reason,
        ...(exit.message ? { message: exit.message } : {}),
        startedAt: rfc3339(startedAt),
        finishedAt: rfc3339(finishedAt),
        ...(this.status.containerID ? { containerID: this.status.containerID } : {}),
      };
      this.log?.close();
      if (this.stopping) {
        this.set({ terminated });
        break;
      }
      const policy = this.restartPolicy();
      if (!(policy === 'Always' || (policy === 'OnFailure' && exit.exitCode !== 0))) {
        this.set({ terminated });
        break;
      }
      if (finishedAt.getTime() - startedAt.getTime() > 600_000) level = 0;
      const delay = level === 0 ? 0 : this.host.backoffMs(level);
      level++;
      this.status.lastState = { terminated };
      this.status.restartCount++;
      if (delay > 0) {
        const pod = this.host.pod();
        const msg = `back-off ${goDuration(delay)} restarting failed container=${this.spec.name} pod=${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})`;
        this.set({ waiting: { reason: 'CrashLoopBackOff', message: msg } });
        this.host.event('Warning', 'BackOff', `Back-off restarting failed container ${this.spec.name} in pod ${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})`);
        await sleep(delay, this.abort.signal);
      }
    }
  }

  private async unknownImage(): Promise<void> {
    const image = this.spec.image ?? '';
    const msg = `kdp runs no container images: "${image}" is not one of its built-in images (${this.host.images.names().join(', ')}). Give the container a command to run it as a host process, e.g. command: ["sleep", "infinity"]`;
    this.set({ waiting: { reason: 'ErrImagePull', message: msg } });
    this.host.event('Warning', 'Failed', `Failed to pull image "${image}": ${msg}`);
    await sleep(10_000, this.abort.signal);
    if (this.stopping) return;
    this.set({ waiting: { reason: 'ImagePullBackOff', message: `Back-off pulling image "${image}": ${msg}` } });
    this.host.event('Normal', 'BackOff', `Back-off pulling image "${image}"`);
    await sleep(2 ** 31 - 1, this.abort.signal);
  }

  /** The environment, retrying while a referenced ConfigMap/Secret is missing. */
  private async resolveEnv(): Promise<Env | undefined> {
    for (let wait = 1000; !this.stopping; wait = Math.min(wait * 2, 30_000)) {
      try {
        return this.host.env(this.spec);
      } catch (err) {
        if (!(err instanceof ContainerConfigError)) throw err;
        if (this.status.state.waiting?.message !== err.message) {
          this.set({ waiting: { reason: 'CreateContainerConfigError', message: err.message } });
          this.host.event('Warning', 'Failed', `Error: ${err.message}`);
        }
        await sleep(wait, this.abort.signal);
      }
    }
    return undefined;
  }

  private began(): void {
    this.status.containerID = `kdp://${randomBytes(32).toString('hex')}`;
    this.status.started = true;
    this.log = new ContainerLog(this.logPath(), () => this.host.now());
    if (this.status.restartCount === 0) this.host.event('Normal', 'Pulled', `Container image "${this.spec.image}" already present on machine`);
    this.host.event('Normal', 'Created', `Created container ${this.spec.name}`);
  }

  private async runBuiltin(builtin: NonNullable<ReturnType<ImageTable['lookup']>>['builtin'], ref: NonNullable<ReturnType<ImageTable['lookup']>>['ref']): Promise<Exit | undefined> {
    const env = await this.resolveEnv();
    if (!env || this.stopping) return undefined;
    this.began();
    const log = this.log!;
    try {
      this.builtin = await builtin.start({
        pod: this.host.pod(),
        container: this.spec,
        image: ref,
        podIP: this.host.podIP,
        hostIP: this.host.hostIP,
        nodeName: this.host.nodeName,
        args: (this.spec.args ?? []).map((a: unknown) => expandVars(String(a), env)),
        env,
        log: { stdout: (l) => log.line('stdout', l), stderr: (l) => log.line('stderr', l) },
        now: () => this.host.now(),
        mounts: this.host.volumeMounts?.(this.spec) ?? [],
        store: this.host.store,
      });
    } catch (err) {
      log.line('stderr', (err as Error).message);
      this.host.event('Warning', 'Failed', `Error: ${(err as Error).message}`);
      return { exitCode: (err as { exitCode?: number }).exitCode ?? 1, reason: 'Error', message: (err as Error).message };
    }
    const runAbort = new AbortController();
    if (this.stopping) await this.builtin.stop(0);
    else {
      this.host.event('Normal', 'Started', `Started container ${this.spec.name}`);
      this.set({ running: { startedAt: rfc3339(this.host.now()) } }, !this.spec.readinessProbe && !this.spec.startupProbe);
      if (hasProbes(this.spec)) this.watchProbes(runAbort.signal, true);
    }
    const code = await this.builtin.exited;
    runAbort.abort();
    this.builtin = undefined;
    return { exitCode: code, reason: code === 0 ? 'Completed' : 'Error' };
  }

  private async runHost(): Promise<Exit | undefined> {
    const env = await this.resolveEnv();
    if (!env || this.stopping) return undefined;
    const argv = containerArgv(this.spec, env);
    const holder = await this.host.sandbox();
    if (this.stopping) return undefined;
    if (!lookPath(argv[0], env.get('PATH') ?? '', sandboxRoot(holder))) {
      const message = `failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: "${argv[0]}": executable file not found in $PATH: unknown`;
      this.status.containerID = `kdp://${randomBytes(32).toString('hex')}`;
      this.host.event('Warning', 'Failed', `Error: ${message}`);
      return { exitCode: 128, reason: 'StartError', message };
    }
    this.began();
    const [cmd, args] = inSandbox(holder, [...(this.host.privileges?.(this.spec) ?? []), ...argv], this.spec.workingDir || '/');
    // `stdin: true`: the process gets an open stdin that is empty until someone attaches to it.
    const child = spawn(cmd, args, { env: Object.fromEntries(env), cwd: '/', detached: true, stdio: [this.spec.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
    this.proc = child;
    child.stdin?.on('error', () => {});
    this.stdin = child.stdin ?? undefined;
    this.log!.pipe('stdout', child.stdout!);
    this.log!.pipe('stderr', child.stderr!);
    const exited = new Promise<Exit>((resolve) => {
      child.once('error', (err) => resolve({ exitCode: 128, reason: 'StartError', message: err.message }));
      child.once('exit', (code, signal) => {
        // The container's main process is gone: as with a container, the rest of it goes too.
        if (child.pid) try { process.kill(-child.pid, 'SIGKILL'); } catch { /* none left */ }
        const signum = signal ? constants.signals[signal] : undefined;
        const exitCode = code ?? 128 + (signum ?? 9);
        resolve({ exitCode, reason: exitCode === 0 ? 'Completed' : 'Error', ...(signum ? { signal: signum } : {}) });
      });
    });
    this.host.event('Normal', 'Started', `Started container ${this.spec.name}`);
    const ports = declaredTcpPorts(this.spec);
    this.set({ running: { startedAt: rfc3339(this.host.now()) } }, ports.length === 0 && !this.spec.readinessProbe && !this.spec.startupProbe);
    const runAbort = new AbortController();
    // A readinessProbe replaces kdp's "declared ports accept connections" check.
    if (ports.length && !this.spec.readinessProbe) void this.probe(ports, runAbort.signal);
    if (hasProbes(this.spec)) this.watchProbes(runAbort.signal, ports.length === 0);
    const exit = await exited;
    this.stdin = undefined;
    runAbort.abort();
    await Promise.race([Promise.all([streamClosed(child.stdout!), streamClosed(child.stderr!)]), sleep(500)]);
    this.proc = undefined;
    return exit;
  }

  /** Ready once the pod IP accepts connections on every declared TCP port; re-checked slowly after. */
  private async probe(ports: number[], signal: AbortSignal): Promise<void> {
    let wait = 200;
    while (!signal.aborted && !this.stopping) {
      const closed = await firstClosedPort(this.host.podIP, ports);
      if (signal.aborted || !this.status.state.running) return;
      const ready = closed === undefined;
      const detail = ready ? undefined : `${this.spec.name} must listen on $POD_IP:${closed} (${this.host.podIP}:${closed}); kdp runs it as a host process on the host network`;
      if (ready !== this.status.ready || detail !== this.notReadyDetail) {
        this.status.ready = ready;
        this.notReadyDetail = detail;
        this.host.changed();
      }
      await sleep(ready ? 10_000 : (wait = Math.min(wait * 1.5, 2000)), signal);
    }
  }

  /** Runs the container's probes for this run (probes/); a liveness/startup failure ends the run. */
  private watchProbes(signal: AbortSignal, readyWhenStarted: boolean): void {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const r = this;
    const pod = this.host.pod();
    probeContainerRun(
      {
        spec: this.spec,
        status: this.status,
        podIP: this.host.podIP,
        graceMs: (pod.spec?.terminationGracePeriodSeconds ?? 30) * 1000,
        readyWhenStarted,
        sandbox: () => this.host.sandbox(),
        env: () => this.host.env(this.spec),
        privileges: () => this.host.privileges?.(this.spec) ?? [],
        event: (type, reason, message) => this.host.event(type, reason, message),
        changed: () => this.host.changed(),
        kill(graceMs) {
          if (r.builtin) void r.builtin.stop(Math.min(graceMs, 2000));
          const proc = r.proc;
          if (proc?.pid && proc.exitCode === null) {
            signalGroup(proc.pid, 'SIGTERM');
            const t = setTimeout(() => signalGroup(proc.pid!, 'SIGKILL'), graceMs);
            proc.once('exit', () => clearTimeout(t));
          }
        },
      },
      signal,
    );
  }

  /** SIGTERM (built-ins: stop accepting), SIGKILL after the grace period; resolves when ended. */
  async stop(graceMs: number): Promise<void> {
    this.graceMs = graceMs;
    if (!this.stopping) {
      this.stopping = true;
      this.abort.abort();
      if (!this.looping) this.doneResolve();
      const proc = this.proc;
      if (proc?.pid && proc.exitCode === null) {
        if (this.status.state.running) this.host.event('Normal', 'Killing', `Stopping container ${this.spec.name}`);
        signalGroup(proc.pid, 'SIGTERM');
        const t = setTimeout(() => signalGroup(proc.pid!, 'SIGKILL'), this.graceMs);
        proc.once('exit', () => clearTimeout(t));
      }
      if (this.builtin) await this.builtin.stop(graceMs);
    }
    await this.done;
    this.log?.close();
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    // SIGTERM goes to the container's command (as to a container's PID 1), SIGKILL to everything.
    const main = signal === 'SIGTERM' ? containerMainPid(pid) : undefined;
    if (main) process.kill(main, signal);
    else process.kill(-pid, signal);
  } catch {
    /* gone */
  }
}

function streamClosed(s: NodeJS.ReadableStream & { closed?: boolean }): Promise<void> {
  if (s.closed) return Promise.resolve();
  return new Promise((r) => s.once('close', () => r()));
}
