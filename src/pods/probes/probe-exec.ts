// Exec probes: the command runs in the pod's sandbox with the container's environment (as `kdp exec`
// does), its output is kept (up to 10 KiB, the kubelet's limit) and it is killed after the timeout.
import { spawn } from 'node:child_process';
import { inSandbox } from '../sandbox.js';
import type { ExecResult } from './probe-check.js';

const MAX_OUTPUT = 10 * 1024;

export function execProbeCommand(holder: number | undefined, argv: string[], env: ReadonlyMap<string, string>, cwd: string, timeoutMs: number): Promise<ExecResult> {
  return new Promise((resolve) => {
    const [cmd, args] = inSandbox(holder, argv, cwd);
    const child = spawn(cmd, args, { env: Object.fromEntries(env), cwd: '/', detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let timedOut = false;
    const take = (c: Buffer) => {
      if (output.length < MAX_OUTPUT) output += c.toString('utf8').slice(0, MAX_OUTPUT - output.length);
    };
    child.stdout!.on('data', take);
    child.stderr!.on('data', take);
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* gone */
      }
    }, timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      resolve({ code: 126, output: err.message });
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 137, output, ...(timedOut ? { timedOut } : {}) });
    });
  });
}
