// `kubectl attach` / `kubectl run -i` on the kubelet's side: a session on the stdio of a container's
// main process. Output comes from the container's log as it is written (stdout and stderr kept
// apart), so built-in images and host processes are attached alike; stdin goes to the process's
// stdin pipe (containers with `stdin: true`). `stdinOnce`: the first session's end closes stdin.
import { PassThrough } from 'node:stream';
import type { Writable } from 'node:stream';
import type { ExecSession } from '../api/pod-connector.js';
import { readLogFile, type ContainerLog } from './container-log.js';

/** One CRI log entry (`<time> <stream> <F|P> <text>`) as the bytes the process wrote. */
export function parseLogEntries(content: string): { stream: 'stdout' | 'stderr'; text: string }[] {
  const out: { stream: 'stdout' | 'stderr'; text: string }[] = [];
  for (const e of content.split('\n')) {
    const s1 = e.indexOf(' ');
    const s2 = e.indexOf(' ', s1 + 1);
    const s3 = e.indexOf(' ', s2 + 1);
    if (s1 < 0 || s2 < 0 || s3 < 0) continue;
    const stream = e.slice(s1 + 1, s2) === 'stderr' ? 'stderr' : 'stdout';
    out.push({ stream, text: e.slice(s3 + 1) + (e.slice(s2 + 1, s3) === 'P' ? '' : '\n') });
  }
  return out;
}

/** Runs whose output a first attach has already replayed (one ContainerLog per run). */
const replayed = new WeakSet<ContainerLog>();
/** Stdin pipes a `stdinOnce` session has already had. */
const stdinUsed = new WeakSet<Writable>();

export interface AttachTarget {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  spec: any;
  log: ContainerLog;
  stdin: Writable | undefined;
}

export function attachSession(target: AttachTarget, wantStdin: boolean): ExecSession {
  const { log, spec } = target;
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let done = false;
  let resolveExited!: (code: number) => void;
  const exited = new Promise<number>((r) => (resolveExited = r));
  const route = (content: string) => {
    for (const { stream, text } of parseLogEntries(content)) (stream === 'stderr' ? stderr : stdout).write(text);
  };
  const onData = (chunk: string) => route(chunk);
  const finish = () => {
    if (done) return;
    done = true;
    log.off('data', onData);
    log.off('end', finish);
    stdout.end();
    stderr.end();
    resolveExited(0);
  };
  // What is buffered was written before this session: flush it (to the file) first.
  log.flush();
  // A `stdin: true` container (kubectl run -i) usually prints before the client has attached: its
  // first session gets the run's output from the start, so a quick `echo hi` is not lost.
  if (spec.stdin && !replayed.has(log)) {
    replayed.add(log);
    route(readLogFile(log.path));
  }
  if (log.ended) finish();
  else {
    log.on('data', onData);
    log.once('end', finish);
  }

  let input: PassThrough | undefined;
  const pipe = target.stdin;
  if (wantStdin && pipe && !(spec.stdinOnce && stdinUsed.has(pipe))) {
    stdinUsed.add(pipe);
    input = new PassThrough();
    input.on('data', (c: Buffer) => {
      if (!pipe.writableEnded && !pipe.destroyed) pipe.write(c);
    });
    // The client closed its stdin: with stdinOnce the container's stdin closes too.
    input.on('end', () => {
      if (spec.stdinOnce) pipe.end();
    });
  }
  return {
    stdin: input,
    stdout,
    stderr,
    exited,
    kill: () => {
      // Detach: the container keeps running; a stdinOnce container's stdin is closed for good.
      if (input && spec.stdinOnce && !pipe!.writableEnded) pipe!.end();
      finish();
    },
  };
}
