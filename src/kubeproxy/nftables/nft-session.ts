// A long-lived `nft -i` fed on stdin, for the incremental transactions of the nftables dataplane: a
// new `nft -f -` per sync spends most of its time starting and reading the table back into its cache
// (60–170 ms at 2,000 Services on a loaded 2-core machine), the session ~8–30 ms for the same change.
//
// One transaction is one input line (commands joined by ';', which nft runs as one batch: all or
// nothing). nft -i prints nothing on success, so each line is followed by a marker line that is a
// syntax error nft reports on stderr without touching the kernel; everything on stderr before the
// marker's own report belongs to the transaction, and an `Error:` in it means the batch failed.
import { spawn, type ChildProcess } from 'node:child_process';
import type { ToolResult } from './tools.js';

const MARK = 'kdp_sync_done_';

export class NftSession {
  private child: ChildProcess | undefined;
  private stderr = '';
  private seq = 0;
  private waiting: (() => void) | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(private readonly nft: string, private readonly timeoutMs = 10_000) {}

  /** Runs `script` (one command per line, no blocks) as one transaction. Never rejects: a dead or stuck nft gives code 125. */
  run(script: string): Promise<ToolResult> {
    const p = this.queue.then(() => this.runNow(script));
    this.queue = p.catch(() => undefined);
    return p;
  }

  close(): void {
    this.closed = true;
    this.kill();
  }

  private start(): ChildProcess {
    const child = spawn(this.nft, ['-i'], { stdio: ['pipe', 'ignore', 'pipe'] });
    child.stderr!.setEncoding('utf8').on('data', (d: string) => {
      this.stderr += d;
      this.waiting?.();
    });
    child.stdin!.on('error', () => undefined); // the exit below tells
    const onGone = () => {
      if (this.child === child) this.child = undefined;
      this.waiting?.();
    };
    child.on('error', onGone);
    child.on('exit', onGone);
    // An idle session must not keep kdp running: a transaction in flight holds its own timer.
    child.unref();
    (child.stdin as unknown as { unref?: () => void }).unref?.();
    (child.stderr as unknown as { unref?: () => void }).unref?.();
    this.child = child;
    this.stderr = '';
    return child;
  }

  private kill(): void {
    const c = this.child;
    this.child = undefined;
    if (c && c.exitCode === null) c.kill();
  }

  private async runNow(script: string): Promise<ToolResult> {
    if (this.closed) return { code: 125, stdout: '', stderr: 'nft session closed' };
    const child = this.child ?? this.start();
    const mark = `${MARK}${++this.seq}`;
    const line = script.split('\n').map((l) => l.trim()).filter(Boolean).join(' ; ');
    child.stdin!.write(`${line}\n${mark}\n`);
    const report = await new Promise<string | undefined>((resolve) => {
      const timer = setTimeout(() => done(undefined), this.timeoutMs);
      const check = () => {
        const at = this.stderr.indexOf(`\n${mark}\n`);
        if (at >= 0) {
          const text = this.stderr.slice(0, at);
          this.stderr = this.stderr.slice(at + mark.length + 2);
          return done(text);
        }
        if (this.child !== child) done(undefined);
      };
      const done = (text: string | undefined) => {
        clearTimeout(timer);
        this.waiting = undefined;
        resolve(text);
      };
      this.waiting = check;
      check();
    });
    if (report === undefined) {
      this.kill(); // stuck or gone: the next transaction starts a new one
      return { code: 125, stdout: '', stderr: 'nft -i did not answer' };
    }
    // Drop the marker's own "Error: syntax error…" line (the last one) and the caret lines (one is left from the previous marker).
    const lines = report.split('\n');
    lines.pop();
    const own = lines.filter((l) => !/^\s*\^+\s*$/.test(l)).join('\n').trim();
    const failed = /^Error:/m.test(own);
    return { code: failed ? 1 : 0, stdout: '', stderr: failed ? own : '' };
  }
}
