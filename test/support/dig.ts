// Runs the real `dig` and splits its answer into the parts DNS tests assert on.
import { run } from './kdp.js';

export interface Dig {
  status: string;
  flags: string[];
  answer: string[];
  authority: string[];
  raw: string;
}

export async function dig(server: { address: string; port?: number }, name: string, type = 'A', extra: string[] = []): Promise<Dig> {
  const port = server.port && server.port !== 53 ? ['-p', String(server.port)] : [];
  const r = await run('dig', [`@${server.address}`, ...port, '+time=2', '+tries=1', ...extra, name, type], { timeout: 10_000 });
  const out = r.stdout;
  const section = (title: string) => {
    const m = new RegExp(`;; ${title} SECTION:\\n([\\s\\S]*?)(?:\\n\\n|$)`).exec(out);
    return m ? m[1].split('\n').filter(Boolean).map((l) => l.replace(/\s+/g, ' ').trim()) : [];
  };
  return {
    status: /status: (\w+)/.exec(out)?.[1] ?? `no answer (exit ${r.code}): ${out}${r.stderr}`,
    flags: (/;; flags: ([a-z ]+);/.exec(out)?.[1] ?? '').split(' '),
    answer: section('ANSWER'),
    authority: section('AUTHORITY'),
    raw: out,
  };
}
