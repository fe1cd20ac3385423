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
import { acquireMountPoints, mountScript, releaseMountPoints } from './volumes/bind-mounts.js';
import type { MountSpec } from './volumes/pod-volumes.js';
import { ALL_CAPS, capsFromMask, setprivArgv, type ResolvedSecurity } from './security-context.js';

// $1: the pod's directory; $2: `layer` (an overlay of the host's root with the pod's own upper dir
// becomes the pod's root, pivot_root) or `host` (the host's tree, as it is); $3: `ro` or `rw` root.
const HOLDER_SCRIPT = [
  'set -e',
  'D="$1"; O=""',
  // One bind mount of a volume (volumes.sh): the mount point is made inside the pod's own layer.
  'kdp_mount() {',
  '  if [ -n "$O" ]; then if [ -d "$O$1" ]; then mkdir -p "$2"; else mkdir -p "$(dirname "$2")"; [ -e "$2" ] || : > "$2"; fi; fi',
  '  mount --bind "$O$1" "$2"',
  '  if [ "$3" = ro ]; then mount -o remount,bind,ro "$2"; fi',
  '}',
  'if [ "$2" = layer ]; then',
  '  mkdir -p "$D/layer/upper" "$D/layer/work" "$D/rootfs"',
  '  kdp_layer() { mount -t overlay kdp-pod -o "lowerdir=/,upperdir=$D/layer/upper,workdir=$D/layer/work" "$D/rootfs"; }',
  // The upper dir on the state dir's filesystem; where that cannot be an overlay's upper layer
  // (kdp itself in a container, on overlayfs), on a tmpfs of the pod's own.
  '  kdp_layer 2>/dev/null || { mount -t tmpfs -o mode=0700 kdp-layer "$D/layer" && mkdir -p "$D/layer/upper" "$D/layer/work" && kdp_layer; } || { echo "kdp: no overlay of /" >&2; exit 3; }',
  '  mount --rbind /dev "$D/rootfs/dev"',
  '  mount -t tmpfs -o nosuid,nodev,mode=1777 shm "$D/rootfs/dev/shm"',
  '  mount --rbind /sys "$D/rootfs/sys"',
  '  cd "$D/rootfs"',
  '  mkdir -p mnt',
  '  pivot_root . mnt',
  '  cd /',
  '  O=/mnt',
  '  if [ "$$" = 1 ]; then mount -t proc proc /proc; else mount --rbind /mnt/proc /proc; fi',
  'fi',
  'mount --bind "$O$D/resolv.conf" /etc/resolv.conf',
  'mount --bind "$O$D/hosts" /etc/hosts',
  'if [ -f /etc/hostname ]; then mount --bind "$O$D/hostname" /etc/hostname; fi',
  'cat "$O$D/hostname" > /proc/sys/kernel/hostname',
  'if [ -f "$O$D/volumes.sh" ]; then . "$O$D/volumes.sh"; fi',
  'if [ -n "$O" ]; then umount -l /mnt; fi',
  'if [ "$3" = ro ]; then mount -o remount,bind,ro /; fi',
  'echo ready',
  'read -r _ || true',
].join('\n');

export interface SandboxFiles {
  resolvConf: string;
  hosts: string;
  hostname: string;
}

export interface SandboxOptions {
  /** readOnlyRootFilesystem: the pod's root (its layer, or the host's tree) is mounted read-only. */
  readOnlyRoot?: boolean;
  /** spec.hostPID: the pod's processes live in the host's PID namespace (no PID namespace of its own). */
  hostPID?: boolean;
  /** spec.hostIPC: the host's IPC namespace (SysV IPC, POSIX message queues) instead of the pod's own. */
  hostIPC?: boolean;
}

/** Whether the last holder could mount an overlay of the host's root; false after one could not. */
let layersWork = true;

export class PodSandbox {
  private holder: ChildProcess | undefined;
  private starting: Promise<number | undefined> | undefined;
  private stopped = false;
  private mounts: MountSpec[] = [];
  private mountPoints: string[] = [];
  /** How the running holder was made: `layer` (the pod's own root: an overlay of the host's) or `host`. */
  root: 'layer' | 'host' | undefined;

  constructor(readonly dir: string, files: SandboxFiles, private readonly warn: (msg: string) => void = () => {}, private readonly opts: SandboxOptions = {}) {
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
    return this.spawnHolder(!this.opts.hostPID, layersWork ? 'layer' : 'host');
  }

  /**
   * Starts the holder: with the pod's own root layer and PID namespace; where the kernel refuses an
   * overlay of the host's root, on the host's tree (mount points created on the host); without a PID
   * namespace of its own (older kernels, restricted hosts) if that fails too.
   */
  private spawnHolder(pidNamespace: boolean, root: 'layer' | 'host'): Promise<number | undefined> {
    if (root === 'host' && this.mounts.length && !this.mountPoints.length) this.mountPoints = acquireMountPoints(this.mounts);
    return new Promise((resolve) => {
      const [cmd, args] = holderArgv(this.dir, pidNamespace, root, !!this.opts.readOnlyRoot, !this.opts.hostIPC);
      const child = spawn(cmd, args, {
        stdio: ['pipe', 'pipe', 'pipe'],
        detached: true,
        cwd: '/',
      });
      let stderr = '';
      let out = '';
      let ready = false;
      const fail = (why: string) => {
        if (root === 'layer') {
          if (!why.includes('kdp: no overlay of /')) return resolve(this.spawnHolder(pidNamespace, 'host'));
          layersWork = false;
          this.warn(`cannot give the pod a root layer of its own (an overlay of the host's /): ${why.trim()}; it writes to the host's tree`);
          return resolve(this.spawnHolder(pidNamespace, 'host'));
        }
        if (pidNamespace) return resolve(this.spawnHolder(false, 'host'));
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
          this.root = root;
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
export function holderArgv(dir: string, pidNamespace = true, root: 'layer' | 'host' = 'layer', readOnlyRoot = false, ipcNamespace = true): [string, string[]] {
  const pid = pidNamespace ? ['--pid', '--fork', '--kill-child', '--mount-proc'] : [];
  const argv = [...dieWithKdp(), 'unshare', '--mount', '--uts', ...(ipcNamespace ? ['--ipc'] : []), ...pid, '--propagation', 'private', 'sh', '-c', HOLDER_SCRIPT, 'kdp-pod-sandbox', dir, root, readOnlyRoot ? 'ro' : 'rw'];
  return [argv[0], argv.slice(1)];
}

/** True when the holder made its own namespace `ns` (for pid: its children's differs from ours). */
function hasOwnNamespace(pid: number, ns: 'pid' | 'ipc'): boolean {
  try {
    return readlinkSync(`/proc/${pid}/ns/${ns === 'pid' ? 'pid_for_children' : ns}`) !== readlinkSync(`/proc/self/ns/${ns}`);
  } catch {
    return false;
  }
}

/** Where a pod's programs are, seen from kdp: its holder's root (the pod's layer), or kdp's own. */
export function sandboxRoot(pid: number | undefined): string {
  return pid === undefined ? '' : `/proc/${pid}/root`;
}

/** argv that runs `argv` inside the sandbox of holder `pid` (or directly without a sandbox). */
export function inSandbox(pid: number | undefined, argv: string[], cwd = '/'): [string, string[]] {
  if (pid === undefined) {
    const all = [...dieWithKdp(), 'sh', '-c', 'cd "$1" && shift && exec "$@"', 'sh', cwd, ...argv];
    return [all[0], all.slice(1)];
  }
  // nsenter forks to enter the PID namespace; it waits for that child and exits as it does.
  const pidns = hasOwnNamespace(pid, 'pid') ? [`--pid=/proc/${pid}/ns/pid_for_children`] : [];
  const ipcns = hasOwnNamespace(pid, 'ipc') ? ['--ipc'] : [];
  return ['nsenter', [`--target=${pid}`, '--mount', '--uts', ...ipcns, ...pidns, `--wdns=${cwd}`, '--', ...argv]];
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

/**
 * Go's exec.LookPath: the program a container command names, found in PATH; undefined if missing.
 * `root`: look in that root instead of kdp's (a pod's: `/proc/<holder>/root`, its own layer).
 */
export function lookPath(file: string, path: string, root = ''): string | undefined {
  const isExec = (p: string) => {
    try {
      if (!statSync(root + p).isFile()) return false;
      accessSync(root + p, constants.X_OK);
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

let kdpCaps: Set<string> | undefined;
let warnedIdentity = false;
/**
 * The argv prefix that runs a container's command (or an exec in it) as its securityContext says:
 * `setpriv --reuid --regid --groups|--clear-groups --bounding-set --ambient-caps [--no-new-privs] --`.
 * Empty when kdp itself is not root (it cannot change users; a warning says so once).
 */
export function containerUser(sec: ResolvedSecurity, warn: (msg: string) => void = () => {}): string[] {
  if (setprivPath === null) setprivPath = lookPath('setpriv', process.env.PATH ?? '/usr/bin:/bin');
  if (process.getuid?.() !== 0 || !setprivPath) {
    if (!warnedIdentity) warn(`pods run as kdp's own user: ${setprivPath ? 'kdp is not root' : "util-linux's setpriv is not installed"}, so it cannot give them the uid, groups and capabilities of their securityContext`);
    warnedIdentity = true;
    return [];
  }
  if (!kdpCaps) {
    const m = /^CapBnd:\s*([0-9a-f]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    kdpCaps = m ? capsFromMask(m[1]) : new Set(ALL_CAPS);
  }
  return setprivArgv(setprivPath, sec, kdpCaps);
}

let passwd: Map<number, number> | undefined;
/** The primary group of `uid` in the host's /etc/passwd (the "image's" user database). */
export function hostPrimaryGid(uid: number): number | undefined {
  if (!passwd) {
    passwd = new Map();
    try {
      for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
        const f = line.split(':');
        if (f.length >= 4 && /^\d+$/.test(f[2]) && /^\d+$/.test(f[3])) passwd.set(Number(f[2]), Number(f[3]));
      }
    } catch {
      /* no passwd: the defaults apply */
    }
  }
  return passwd.get(uid);
}
