// The pod sandbox: what the pause container and the CNI/DNS setup are for a real kubelet. One
// holder process per pod runs in a private mount + UTS + PID namespace (`unshare --mount --uts
// --pid --fork --propagation private`) in which the pod's resolv.conf, hosts and hostname files and
// its volumes are bind-mounted; containers and `exec` join it with `nsenter --target <holder>
// --mount --uts --pid=…`. The namespaces die with the holder (PID 1 of the pod), so nothing is left
// mounted and no process of the pod survives it. The holder reads its stdin from kdp and carries
// PR_SET_PDEATHSIG: if kdp dies, however, the holder and with it the whole pod go.
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, readFileSync, readlinkSync, statSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { acquireMountPoints, createdMountPoints, mountScript, releaseMountPoints } from './volumes/bind-mounts.js';
import type { MountSpec } from './volumes/pod-volumes.js';

/** The file in a pod's dir listing the mount points kdp created on the host for it. */
export const CREATED_MOUNT_POINTS = 'created-mount-points';

const HOLDER_SCRIPT = [
  'set -e',
  'mount --bind "$1/resolv.conf" /etc/resolv.conf',
  'mount --bind "$1/hosts" /etc/hosts',
  'if [ -f /etc/hostname ]; then mount --bind "$1/hostname" /etc/hostname; fi',
  'cat "$1/hostname" > /proc/sys/kernel/hostname',
  'if [ -f "$1/volumes.sh" ]; then . "$1/volumes.sh"; fi',
  'echo ready',
  'read -r _ || true',
].join('\n');

export interface SandboxFiles {
  resolvConf: string;
  hosts: string;
  hostname: string;
}

export class PodSandbox {
  private holder: ChildProcess | undefined;
  private starting: Promise<number | undefined> | undefined;
  private stopped = false;
  private mounts: MountSpec[] = [];
  private mountPoints: string[] = [];

  constructor(readonly dir: string, files: SandboxFiles, private readonly warn: (msg: string) => void = () => {}) {
    writeFileSync(join(dir, 'resolv.conf'), files.resolvConf);
    writeFileSync(join(dir, 'hosts'), files.hosts);
    writeFileSync(join(dir, 'hostname'), files.hostname + '\n');
  }

  /** Volumes to bind-mount when the holder starts (set before the first container runs). */
  setMounts(mounts: MountSpec[]): void {
    this.mounts = mounts;
    writeFileSync(join(this.dir, 'volumes.sh'), mountScript(mounts));
  }

  get pid(): number | undefined {
    return this.holder?.exitCode === null && !this.holder.signalCode ? this.holder.pid : undefined;
  }

  /** The holder's pid, starting it on first use; undefined when namespaces are unavailable here. */
  ensure(): Promise<number | undefined> {
    if (this.stopped) return Promise.resolve(undefined);
    if (this.pid !== undefined) return Promise.resolve(this.pid);
    this.starting ??= this.start().finally(() => (this.starting = undefined));
    return this.starting;
  }

  private start(): Promise<number | undefined> {
    if (this.mounts.length && !this.mountPoints.length) {
      this.mountPoints = acquireMountPoints(this.mounts);
      // for the next kdp up, should this one be killed before it removes them (state-dir.ts)
      writeFileSync(join(this.dir, CREATED_MOUNT_POINTS), createdMountPoints().join('\n'));
    }
    return this.spawnHolder(true);
  }

  /** Starts the holder; without its own PID namespace (older kernels, restricted hosts) if that fails. */
  private spawnHolder(pidNamespace: boolean): Promise<number | undefined> {
    return new Promise((resolve) => {
      const [cmd, args] = holderArgv(this.dir, pidNamespace);
      const child = spawn(cmd, args, {
        stdio: ['pipe', 'pipe', 'pipe'],
        detached: true,
        cwd: '/',
      });
      let stderr = '';
      let out = '';
      let ready = false;
      const fail = (why: string) => {
        if (pidNamespace) return resolve(this.spawnHolder(false));
        this.warn(`cannot create the pod sandbox (unshare --mount --uts): ${why.trim()}; processes run without the pod's /etc/resolv.conf and /etc/hosts`);
        resolve(undefined);
      };
      child.on('error', (err) => fail(err.message));
      child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        if (!ready && out.includes('ready\n')) {
          ready = true;
          child.stdout!.destroy();
          child.stderr!.destroy();
          (child.stdin as unknown as { unref?(): void }).unref?.();
          child.unref();
          this.holder = child;
          if (this.stopped) this.kill();
          resolve(child.pid);
        }
      });
      child.on('exit', (code, signal) => {
        if (!ready) fail(stderr || `exit ${code ?? signal}`);
      });
    });
  }

  private kill(): void {
    const h = this.holder;
    this.holder = undefined;
    if (!h?.pid) return;
    h.stdin?.destroy();
    try {
      process.kill(-h.pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }

  /** Ends the holder; containers still inside keep the namespaces until they exit. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.starting;
    this.kill();
    releaseMountPoints(this.mountPoints);
    this.mountPoints = [];
  }
}

let setprivPath: string | undefined | null = null;
/** `setpriv --pdeathsig KILL`, when util-linux's setpriv is installed: the process dies with kdp. */
function dieWithKdp(): string[] {
  if (setprivPath === null) setprivPath = lookPath('setpriv', process.env.PATH ?? '/usr/bin:/bin');
  return setprivPath ? [setprivPath, '--pdeathsig', 'KILL'] : [];
}

/**
 * The holder: pid 1 of the pod's own PID namespace (`--pid --fork --mount-proc`), so that when it
 * ends — pod deleted, or kdp gone, even by SIGKILL (`setpriv --pdeathsig`, `--kill-child`, stdin
 * closed) — the kernel kills every process of the pod, whole process trees included.
 */
export function holderArgv(dir: string, pidNamespace = true): [string, string[]] {
  const pid = pidNamespace ? ['--pid', '--fork', '--kill-child', '--mount-proc'] : [];
  const argv = [...dieWithKdp(), 'unshare', '--mount', '--uts', ...pid, '--propagation', 'private', 'sh', '-c', HOLDER_SCRIPT, 'kdp-pod-sandbox', dir];
  return [argv[0], argv.slice(1)];
}

/** True when the holder made its own PID namespace (its children's differs from ours). */
function hasOwnPidNamespace(pid: number): boolean {
  try {
    return readlinkSync(`/proc/${pid}/ns/pid_for_children`) !== readlinkSync('/proc/self/ns/pid');
  } catch {
    return false;
  }
}

/** argv that runs `argv` inside the sandbox of holder `pid` (or directly without a sandbox). */
export function inSandbox(pid: number | undefined, argv: string[], cwd = '/'): [string, string[]] {
  if (pid === undefined) {
    const all = [...dieWithKdp(), 'sh', '-c', 'cd "$1" && shift && exec "$@"', 'sh', cwd, ...argv];
    return [all[0], all.slice(1)];
  }
  // nsenter forks to enter the PID namespace; it waits for that child and exits as it does.
  const pidns = hasOwnPidNamespace(pid) ? [`--pid=/proc/${pid}/ns/pid_for_children`] : [];
  return ['nsenter', [`--target=${pid}`, '--mount', '--uts', ...pidns, `--wd=${cwd}`, '--', ...argv]];
}

/**
 * The process a container's SIGTERM is for: nsenter's child (the container's command) rather than
 * nsenter itself, which would die at once and end the grace period early. Undefined: signal `pid`.
 */
export function containerMainPid(pid: number): number | undefined {
  try {
    if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() !== 'nsenter') return undefined;
    const child = Number(readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/)[0]);
    return child > 0 ? child : undefined;
  } catch {
    return undefined;
  }
}

/** Go's exec.LookPath: the program a container command names, found in PATH; undefined if missing. */
export function lookPath(file: string, path: string): string | undefined {
  const isExec = (p: string) => {
    try {
      if (!statSync(p).isFile()) return false;
      accessSync(p, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  };
  if (file.includes('/')) return isExec(file) ? file : undefined;
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const p = join(dir, file);
    if (isExec(p)) return p;
  }
  return undefined;
}

/** POSIX shell quoting, for `script -c`. */
export function shellQuote(args: string[]): string {
  return args.map((a) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}
