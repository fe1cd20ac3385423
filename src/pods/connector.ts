// The kubelet's streaming side: `attach` joins the main process's stdio (attach.ts), `exec` runs a command inside the pod's sandbox (nsenter into the
// holder's mount+UTS namespaces, with the container's environment), `logs` reads the container's
// log files. Error texts are the apiserver's/kubelet's.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { constants } from 'node:os';
import { PassThrough, type Readable } from 'node:stream';
import { errors } from '../api/errors.js';
import type { AttachOptions, ExecOptions, ExecSession, LogOptions, PodConnector } from '../api/pod-connector.js';
import { attachSession } from './attach.js';
import type { KObject } from '../api/types.js';
import { formatLog, readLogFile } from './container-log.js';
import type { ContainerRunner } from './container-runner.js';
import { DEFAULT_PATH, type Env } from './container-env.js';
import type { PodWorker } from './pod-worker.js';
import { containerMainPid, inSandbox, lookPath, sandboxRoot, shellQuote } from './sandbox.js';

export interface WorkerLookup {
  worker(pod: KObject): PodWorker | undefined;
  now(): Date;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function names(list: any[] | undefined): string[] {
  return (list ?? []).map((c) => c.name);
}

function defaultContainer(pod: KObject): string | undefined {
  const annotated = pod.metadata.annotations?.['kubectl.kubernetes.io/default-container'];
  if (annotated && names(pod.spec?.containers).includes(annotated)) return annotated;
  return undefined;
}

function validate(pod: KObject, name: string): void {
  if (![...names(pod.spec?.containers), ...names(pod.spec?.initContainers)].includes(name)) {
    throw errors.badRequest(`container ${name} is not valid for pod ${pod.metadata.name}`);
  }
}

export class RuntimeConnector implements PodConnector {
  constructor(private readonly runtime: WorkerLookup) {}

  private runner(pod: KObject, name: string): ContainerRunner | undefined {
    return this.runtime.worker(pod)?.allRunners().find((r) => r.spec.name === name);
  }

  async exec(pod: KObject, opts: ExecOptions): Promise<ExecSession> {
    const name = opts.container || defaultContainer(pod) || pod.spec?.containers?.[0]?.name;
    if (!pod.spec?.nodeName) throw errors.badRequest(`pod ${pod.metadata.name} does not have a host assigned`);
    const phase = pod.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') throw errors.badRequest(`cannot exec into a container in a completed pod; current phase is ${phase}`);
    validate(pod, name);
    if (!opts.command.length) throw errors.badRequest('you must specify at least one command for the container');
    const worker = this.runtime.worker(pod);
    const runner = this.runner(pod, name);
    if (!worker || !runner || !runner.running) throw errors.badRequest(`unable to upgrade connection: container not found ("${name}")`);

    let env: Env;
    try {
      env = worker.env(runner.spec);
    } catch {
      env = new Map([['PATH', DEFAULT_PATH]]);
    }
    if (opts.tty) env.set('TERM', env.get('TERM') ?? 'xterm');
    const holder = await worker.sandbox?.ensure();
    // The program is looked up in the pod's own root: a file `kubectl cp`'d there runs too.
    if (!lookPath(opts.command[0], env.get('PATH') ?? '', sandboxRoot(holder))) {
      throw errors.internal(`error executing command in container: failed to exec in container: failed to start exec "${runner.status.containerID?.slice(6, 70) ?? ''}": OCI runtime exec failed: exec failed: unable to start container process: exec: "${opts.command[0]}": executable file not found in $PATH: unknown`);
    }
    // exec runs as the container's user, with its capabilities, as in Kubernetes.
    let user: string[];
    try {
      user = worker.privileges(runner.spec);
    } catch (err) {
      throw errors.internal(`error executing command in container: ${(err as Error).message}`);
    }
    // A tty without a native addon: util-linux `script` allocates the pty and runs the command in it.
    const argv = [...user, ...(opts.tty ? ['script', '-q', '-e', '-c', shellQuote(opts.command), '/dev/null'] : opts.command)];
    const [cmd, args] = inSandbox(holder, argv, runner.spec.workingDir || '/');
    const child = spawn(cmd, args, { env: Object.fromEntries(env), cwd: '/', detached: true, stdio: [opts.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
    worker.execs.add(child);
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    child.stdout!.pipe(stdout);
    if (opts.tty) child.stderr!.pipe(stdout, { end: false });
    else child.stderr!.pipe(stderr);
    child.stdin?.on('error', () => {});
    const exited = new Promise<number>((resolve) => {
      child.once('error', (err) => {
        stderr.end(`${err.message}\n`);
        stdout.end();
        resolve(126);
      });
      child.once('exit', (code, signal) => {
        worker.execs.delete(child);
        const rc = code ?? 128 + (signal ? constants.signals[signal] ?? 9 : 9);
        // A background process may still hold the pipes: give output a moment, then cut it.
        const t = setTimeout(() => {
          child.stdout?.destroy();
          child.stderr?.destroy();
          stdout.end();
          stderr.end();
        }, 1000);
        let open = 2;
        const closed = () => {
          if (--open === 0) {
            clearTimeout(t);
            stderr.end();
            resolve(rc);
          }
        };
        if (child.stdout!.readableEnded || child.stdout!.destroyed) closed();
        else child.stdout!.once('close', closed);
        if (child.stderr!.readableEnded || child.stderr!.destroyed) closed();
        else child.stderr!.once('close', closed);
        t.unref();
        setTimeout(() => resolve(rc), 1100).unref();
      });
    });
    return {
      stdin: child.stdin ?? undefined,
      stdout,
      stderr: opts.tty ? undefined : stderr,
      exited,
      resize: opts.tty ? (cols, rows) => resizePty(child.pid, cols, rows) : undefined,
      kill: () => {
        if (child.pid && child.exitCode === null) {
          try {
            process.kill(-child.pid, 'SIGKILL');
          } catch {
            /* gone */
          }
        }
      },
    };
  }

  async attach(pod: KObject, opts: AttachOptions): Promise<ExecSession> {
    const name = opts.container || defaultContainer(pod) || pod.spec?.containers?.[0]?.name;
    if (!pod.spec?.nodeName) throw errors.badRequest(`pod ${pod.metadata.name} does not have a host assigned`);
    const phase = pod.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') throw errors.badRequest(`cannot attach a container in a completed pod; current phase is ${phase}`);
    validate(pod, name);
    const runner = this.runner(pod, name);
    if (!runner?.log) throw errors.badRequest(`unable to upgrade connection: container not found ("${name}")`);
    return attachSession({ spec: runner.spec, log: runner.log, stdin: runner.stdin }, opts.stdin);
  }

  async logs(pod: KObject, opts: LogOptions, signal: AbortSignal): Promise<Readable> {
    const containers = names(pod.spec?.containers);
    let name = opts.container || (containers.length === 1 ? containers[0] : defaultContainer(pod));
    if (!name) {
      const inits = names(pod.spec?.initContainers);
      throw errors.badRequest(`a container name must be specified for pod ${pod.metadata.name}, choose one of: [${containers.join(' ')}]${inits.length ? ` or one of the init containers: [${inits.join(' ')}]` : ''}`);
    }
    validate(pod, name);
    const runner = this.runner(pod, name);
    const waiting = (reason: string) => errors.badRequest(`container "${name}" in pod "${pod.metadata.name}" is waiting to start: ${reason}`);
    if (!runner) {
      const st = [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? [])].find((c: { name: string }) => c.name === name);
      throw waiting(st?.state?.waiting?.reason ?? 'ContainerCreating');
    }
    const since = opts.sinceSeconds ? new Date(this.runtime.now().getTime() - opts.sinceSeconds * 1000) : undefined;
    const fmt = { timestamps: opts.timestamps, tailLines: opts.tailLines, since };
    const out = new PassThrough();
    if (opts.previous) {
      if (runner.status.restartCount === 0) throw errors.badRequest(`previous terminated container "${name}" in pod "${pod.metadata.name}" not found`);
      out.end(formatLog(readLogFile(runner.logPath(runner.status.restartCount - 1)), fmt));
      return out;
    }
    const log = runner.log;
    if (!log) {
      const reason = runner.status.state.waiting?.reason ?? 'ContainerCreating';
      throw waiting(reason === 'ErrImagePull' || reason === 'ImagePullBackOff' ? 'trying and failing to pull image' : reason);
    }
    log.flush();
    out.write(formatLog(readLogFile(log.path), fmt));
    if (!opts.follow || log.ended) {
      out.end();
      return out;
    }
    const onData = (chunk: string) => out.write(formatLog(chunk, { timestamps: opts.timestamps }));
    const finish = () => {
      log.off('data', onData);
      log.off('end', finish);
      signal.removeEventListener('abort', finish);
      out.end();
    };
    log.on('data', onData);
    log.once('end', finish);
    signal.addEventListener('abort', finish, { once: true });
    out.once('close', finish);
    return out;
  }
}

/**
 * Best-effort terminal resize: set the window size of the pty `script` opened for its child
 * (`stty -F /dev/pts/N`; the kernel then signals SIGWINCH). Right after the start the child may not
 * exist yet, so it retries briefly.
 */
function resizePty(scriptPid: number | undefined, cols: number, rows: number, attempt = 0): void {
  if (!scriptPid || !(cols > 0) || !(rows > 0)) return;
  try {
    // In a pod's own PID namespace `script` is the child of nsenter (sandbox.ts).
    const sp = containerMainPid(scriptPid) ?? scriptPid;
    const pids = readdirSync(`/proc/${sp}/task`).flatMap((t) => readFileSync(`/proc/${sp}/task/${t}/children`, 'utf8').trim().split(/\s+/).filter(Boolean));
    for (const pid of pids) {
      const tty = readlinkSync(`/proc/${pid}/fd/0`);
      if (!tty.startsWith('/dev/pts/')) continue;
      const p = spawn('stty', ['-F', tty, 'cols', String(Math.floor(cols)), 'rows', String(Math.floor(rows))], { stdio: 'ignore' });
      p.on('error', () => {});
      return;
    }
  } catch {
    return; // the process is gone or /proc is not readable
  }
  if (attempt < 20) setTimeout(() => resizePty(scriptPid, cols, rows, attempt + 1), 50).unref();
}
