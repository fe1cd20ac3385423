// Raises this process's open-files limit, as kube-proxy and container runtimes start with a high
// RLIMIT_NOFILE: every proxied connection in userspace mode holds two descriptors, every listener
// one, so 2,000 Services overrun Debian's default soft limit of 1024. Node has no setrlimit, so this
// runs util-linux's `prlimit` on our own pid: the soft limit up to the hard one, and as root both up
// to fs.nr_open (at most 1,048,576). Where prlimit is missing or refused, the limit stays as it was.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';

const WANT = 1 << 20;

function prlimit(args: string[]): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile('prlimit', ['--pid', String(process.pid), ...args], { timeout: 5_000 }, (err, stdout) => resolve(err ? undefined : stdout));
  });
}

/** The limits [soft, hard] after trying; undefined when prlimit cannot be run. */
export async function raiseFdLimit(log: (line: string) => void, component: string): Promise<[number, number] | undefined> {
  const read = async (): Promise<[number, number] | undefined> => {
    const out = await prlimit(['--nofile', '--noheadings', '--raw', '--output', 'SOFT,HARD']);
    const m = out && /(\d+|unlimited)\s+(\d+|unlimited)/.exec(out);
    if (!m) return undefined;
    const n = (s: string) => (s === 'unlimited' ? Infinity : Number(s));
    return [n(m[1]), n(m[2])];
  };
  const before = await read();
  if (!before) return undefined;
  let [soft, hard] = before;
  if (soft >= WANT) return before;
  let nrOpen = WANT;
  try {
    nrOpen = Number(readFileSync('/proc/sys/fs/nr_open', 'utf8').trim()) || WANT;
  } catch { /* not Linux /proc: keep WANT */ }
  const target = Math.min(WANT, nrOpen);
  if (process.getuid?.() === 0 && hard < target && (await prlimit([`--nofile=${target}:${target}`])) !== undefined) [soft, hard] = [target, target];
  else if (soft < hard && (await prlimit([`--nofile=${Math.min(hard, WANT)}:${hard}`])) !== undefined) soft = Math.min(hard, WANT);
  if (soft !== before[0]) log(`[INFO] ${component}: open files limit raised from ${before[0]} to ${soft}`);
  return [soft, hard];
}
