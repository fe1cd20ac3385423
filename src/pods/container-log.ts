// Container logs in the CRI logging format the kubelet reads (`<RFC3339 time> <stream> <F|P> <text>`),
// one file per container run (`<container>/<restartCount>.log`), written in batches so a busy nginx
// does not write once per request. Followers get new lines as they are flushed.
import { EventEmitter } from 'node:events';
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import type { Readable } from 'node:stream';

export type LogStream = 'stdout' | 'stderr';

const FLUSH_MS = 100;
const MAX_BUFFERED = 64 * 1024;

export class ContainerLog extends EventEmitter {
  private fd: number | undefined;
  private pending: string[] = [];
  private pendingBytes = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly partial: Record<LogStream, string> = { stdout: '', stderr: '' };
  ended = false;

  constructor(readonly path: string, private readonly now: () => Date = () => new Date()) {
    super();
    this.setMaxListeners(0); // one listener per `logs -f` client
    this.fd = openSync(path, 'a');
  }

  /** One complete line (without its newline). */
  line(stream: LogStream, text: string): void {
    if (this.ended) return;
    const entry = `${this.now().toISOString()} ${stream} F ${text}\n`;
    this.pending.push(entry);
    this.pendingBytes += entry.length;
    if (this.pendingBytes >= MAX_BUFFERED) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), FLUSH_MS);
  }

  /** Raw output of a process: split into lines, keeping an unfinished line until its newline. */
  chunk(stream: LogStream, data: Buffer | string): void {
    const text = this.partial[stream] + data.toString();
    const lines = text.split('\n');
    this.partial[stream] = lines.pop() ?? '';
    for (const l of lines) this.line(stream, l);
    if (this.partial[stream].length > 16 * 1024) {
      this.line(stream, this.partial[stream]);
      this.partial[stream] = '';
    }
  }

  pipe(stream: LogStream, from: Readable): void {
    from.on('data', (d: Buffer) => this.chunk(stream, d));
    from.on('end', () => this.endPartial(stream));
  }

  private endPartial(stream: LogStream): void {
    if (this.partial[stream]) this.line(stream, this.partial[stream]);
    this.partial[stream] = '';
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.pending.length || this.fd === undefined) return;
    const data = this.pending.join('');
    this.pending = [];
    this.pendingBytes = 0;
    try {
      writeSync(this.fd, data);
    } catch {
      // the run dir went away (runtime stopping): drop the output
    }
    this.emit('data', data);
  }

  /** The run ended: write what is left and tell followers. */
  close(): void {
    if (this.ended) return;
    this.endPartial('stdout');
    this.endPartial('stderr');
    this.flush();
    this.ended = true;
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    this.emit('end');
  }
}

export interface FormatOptions {
  timestamps?: boolean;
  tailLines?: number;
  /** Only entries at or after this time. */
  since?: Date;
}

/** CRI log entries → what `kubectl logs` prints. */
export function formatLog(content: string, opts: FormatOptions = {}): string {
  let entries = content.split('\n').filter((l) => l.length);
  if (opts.since) {
    const since = opts.since.getTime();
    entries = entries.filter((e) => Date.parse(e.slice(0, e.indexOf(' '))) >= since);
  }
  if (opts.tailLines !== undefined && opts.tailLines >= 0) entries = opts.tailLines === 0 ? [] : entries.slice(-opts.tailLines);
  let out = '';
  for (const e of entries) {
    const s1 = e.indexOf(' ');
    const s2 = e.indexOf(' ', s1 + 1);
    const s3 = e.indexOf(' ', s2 + 1);
    if (s1 < 0 || s2 < 0 || s3 < 0) continue;
    const full = e.slice(s2 + 1, s3) !== 'P';
    const text = e.slice(s3 + 1) + (full ? '\n' : '');
    out += opts.timestamps ? `${e.slice(0, s1)} ${text}` : text;
  }
  return out;
}

export function readLogFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}
