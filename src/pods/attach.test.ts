import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { attachSession, parseLogEntries } from './attach.js';
import { ContainerLog } from './container-log.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function newLog(): ContainerLog {
  const dir = mkdtempSync(join(tmpdir(), 'kdp-attach-'));
  dirs.push(dir);
  return new ContainerLog(join(dir, '0.log'), () => new Date('2026-01-01T00:00:00Z'));
}

function text(r: Readable): () => string {
  let s = '';
  r.on('data', (c) => (s += c));
  return () => s;
}

describe('parseLogEntries', () => {
  it('gives each CRI entry back as the bytes of its stream; P entries have no newline', () => {
    expect(parseLogEntries('2026-01-01T00:00:00Z stdout F a b\n2026-01-01T00:00:00Z stderr F oops\n2026-01-01T00:00:00Z stdout P $ \n')).toEqual([
      { stream: 'stdout', text: 'a b\n' },
      { stream: 'stderr', text: 'oops\n' },
      { stream: 'stdout', text: '$ ' },
    ]);
  });
});

describe('attachSession', () => {
  it('without stdin: true, output from now on only, split by stream; the run ending ends the session', async () => {
    const log = newLog();
    log.line('stdout', 'before');
    const s = attachSession({ spec: {}, log, stdin: undefined }, false);
    const out = text(s.stdout);
    const err = text(s.stderr!);
    log.line('stdout', 'after');
    log.line('stderr', 'bad');
    log.flush();
    expect(out()).toBe('after\n');
    expect(err()).toBe('bad\n');
    log.close();
    expect(await s.exited).toBe(0);
    expect(s.stdin).toBeUndefined();
  });

  it("a stdin: true container's first attach replays the run so far, a second one does not", async () => {
    const log = newLog();
    log.line('stdout', 'hi');
    const first = attachSession({ spec: { stdin: true }, log, stdin: undefined }, false);
    const again = attachSession({ spec: { stdin: true }, log, stdin: undefined }, false);
    const out1 = text(first.stdout);
    const out2 = text(again.stdout);
    log.line('stdout', 'more');
    log.flush();
    await new Promise((r) => setImmediate(r));
    expect(out1()).toBe('hi\nmore\n');
    expect(out2()).toBe('more\n');
    first.kill();
    again.kill();
  });

  it('replayed output is readable from the first session', async () => {
    const log = newLog();
    log.line('stdout', 'hi');
    log.close();
    const s = attachSession({ spec: { stdin: true }, log, stdin: undefined }, false);
    const chunks: string[] = [];
    for await (const c of s.stdout) chunks.push(String(c));
    expect(chunks.join('')).toBe('hi\n');
    expect(await s.exited).toBe(0);
  });

  it("stdin reaches the process; with stdinOnce the client's EOF closes it and a later session gets none", () => {
    const log = newLog();
    const pipe = new PassThrough();
    const got = text(pipe);
    let ended = false;
    pipe.on('finish', () => (ended = true));
    const s = attachSession({ spec: { stdin: true, stdinOnce: true }, log, stdin: pipe }, true);
    s.stdin!.write('abc\n');
    s.stdin!.end();
    return new Promise<void>((resolve) => {
      setImmediate(() => {
        expect(got()).toBe('abc\n');
        expect(ended).toBe(true);
        expect(attachSession({ spec: { stdin: true, stdinOnce: true }, log, stdin: pipe }, true).stdin).toBeUndefined();
        s.kill();
        resolve();
      });
    });
  });

  it('without stdinOnce the client EOF leaves stdin open; kill() detaches without ending the run', () => {
    const log = newLog();
    const pipe = new PassThrough();
    let ended = false;
    pipe.on('finish', () => (ended = true));
    const s = attachSession({ spec: { stdin: true }, log, stdin: pipe }, true);
    s.stdin!.end();
    s.kill();
    return new Promise<void>((resolve) => {
      setImmediate(() => {
        expect(ended).toBe(false);
        expect(log.ended).toBe(false);
        expect(log.listenerCount('data')).toBe(0);
        resolve();
      });
    });
  });
});
