// The two programs the nftables dataplane runs: `nft` (rules, one transaction per sync, on stdin)
// and `conntrack` (forgetting UDP flows to a removed endpoint). Both are found once, on PATH or in
// the sbin directories a non-login root shell may leave out of it.
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

export interface ToolResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a program with optional stdin; never rejects (a missing program gives code 127). */
export type ToolRunner = (file: string, args: string[], stdin?: string) => Promise<ToolResult>;

export const runTool: ToolRunner = (file, args, stdin) =>
  new Promise((resolve) => {
    const child = spawn(file, args, { stdio: [stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr!.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.on('error', (err: NodeJS.ErrnoException) => resolve({ code: err.code === 'ENOENT' ? 127 : 126, stdout, stderr: stderr || err.message }));
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr }));
    if (stdin !== undefined) {
      child.stdin!.on('error', () => undefined); // the exit code tells what went wrong
      child.stdin!.end(stdin);
    }
  });

const SBIN = ['/usr/sbin', '/sbin', '/usr/local/sbin'];

/** The absolute path of `name` on PATH or in the sbin directories, or undefined. */
export function findProgram(name: string, path = process.env.PATH ?? ''): string | undefined {
  for (const dir of [...path.split(delimiter).filter(Boolean), ...SBIN]) {
    const file = join(dir, name);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return undefined;
}
