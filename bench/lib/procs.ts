// Child processes of a bench run (peers, kdp, load generators). Each runs in its own process group
// so that a peer's workers (nginx, haproxy) and kdp's host-process pods go with it; everything left
// is killed on exit, Ctrl-C included.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

export interface Proc {
  child: ChildProcess;
  name: string;
  output(): string;
  /** Resolves with the exit code (or signal name) once the process has exited. */
  exited: Promise<number | string>;
  /**
   * SIGTERM (or the given signal) to the group — or to the leader only with `leaderOnly`, for a
   * process that shuts its own children down (kdp) — SIGKILL to the group after `graceMs`.
   */
  stop(signal?: NodeJS.Signals, graceMs?: number, leaderOnly?: boolean): Promise<void>;
}

const live = new Set<Proc>();

export function startProc(name: string, cmd: string, args: string[], opts: SpawnOptions = {}): Proc {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true, ...opts });
  let out = '';
  const keep = (c: Buffer) => {
    out += c.toString();
    if (out.length > 1 << 20) out = out.slice(-(1 << 19));
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | string>((resolve) => {
    child.once('error', (err) => {
      out += `\n${err.message}`;
      resolve('error');
    });
    child.once('exit', (code, sig) => resolve(code ?? sig ?? 'unknown'));
  });
  const proc: Proc = {
    child,
    name,
    output: () => out,
    exited,
    async stop(signal = 'SIGTERM', graceMs = 5000, leaderOnly = false) {
      if (child.exitCode === null && child.signalCode === null && child.pid) {
        if (leaderOnly) child.kill(signal);
        else killGroup(child.pid, signal);
        const t = setTimeout(() => child.pid && killGroup(child.pid, 'SIGKILL'), graceMs);
        await exited;
        clearTimeout(t);
      }
      // Whatever the leader left in its group (workers, pods) goes too.
      if (child.pid) killGroup(child.pid, 'SIGKILL');
      live.delete(proc);
    },
  };
  live.add(proc);
  void exited.then(() => {
    if (child.exitCode !== null || child.signalCode !== null) live.delete(proc);
  });
  return proc;
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    /* already gone */
  }
}

/** Runs a command to completion; resolves with its code and output. */
export async function runProc(cmd: string, args: string[], opts: SpawnOptions & { timeoutMs?: number } = {}): Promise<{ code: number | string; out: string }> {
  const p = startProc(cmd, cmd, args, opts);
  const t = opts.timeoutMs ? setTimeout(() => void p.stop('SIGKILL', 0), opts.timeoutMs) : undefined;
  const code = await p.exited;
  if (t) clearTimeout(t);
  live.delete(p);
  return { code, out: p.output() };
}

/** Stops every process still running (called at the end and on signals). */
export async function stopAll(): Promise<void> {
  await Promise.all([...live].map((p) => p.stop('SIGTERM', 3000)));
}

export function killAllNow(): void {
  for (const p of live) if (p.child.pid) killGroup(p.child.pid, 'SIGKILL');
}

process.on('exit', killAllNow);
