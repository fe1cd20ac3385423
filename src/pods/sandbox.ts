// The pod sandbox: what the pause container and the CNI/DNS setup are for a real kubelet. One
// holder process per pod runs in a private mount + UTS namespace (`unshare --mount --uts
// --propagation private`) in which the pod's resolv.conf, hosts and hostname files are bind-mounted
// over /etc; containers and `exec` join it with `nsenter --target <holder> --mount --uts`. The
// namespaces die with their last process, so nothing is left mounted on the host. The holder reads
// its stdin from kdp: if kdp dies, the pipe closes and the holder exits.
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, statSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';

const HOLDER_SCRIPT = [
  'set -e',
  'mount --bind "$1/resolv.conf" /etc/resolv.conf',
  'mount --bind "$1/hosts" /etc/hosts',
  'if [ -f /etc/hostname ]; then mount --bind "$1/hostname" /etc/hostname; fi',
  'cat "$1/hostname" > /proc/sys/kernel/hostname',
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

  constructor(readonly dir: string, files: SandboxFiles, private readonly warn: (msg: string) => void = () => {}) {
    writeFileSync(join(dir, 'resolv.conf'), files.resolvConf);
    writeFileSync(join(dir, 'hosts'), files.hosts);
    writeFileSync(join(dir, 'hostname'), files.hostname + '\n');
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
    return new Promise((resolve) => {
      const child = spawn('unshare', ['--mount', '--uts', '--propagation', 'private', 'sh', '-c', HOLDER_SCRIPT, 'kdp-pod-sandbox', this.dir], {
        stdio: ['pipe', 'pipe', 'pipe'],
        detached: true,
        cwd: '/',
      });
      let stderr = '';
      let out = '';
      let ready = false;
      const fail = (why: string) => {
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
  }
}

/** argv that runs `argv` inside the sandbox of holder `pid` (or directly without a sandbox). */
export function inSandbox(pid: number | undefined, argv: string[], cwd = '/'): [string, string[]] {
  if (pid === undefined) return ['sh', ['-c', 'cd "$1" && shift && exec "$@"', 'sh', cwd, ...argv]];
  return ['nsenter', [`--target=${pid}`, '--mount', '--uts', `--wd=${cwd}`, '--', ...argv]];
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
