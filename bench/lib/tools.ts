// Finds the load generators and peers (Debian packages) and installs the missing ones with apt-get
// when running as root; otherwise says how.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const TOOLS: Record<string, { pkg: string; paths: string[] }> = {
  wrk: { pkg: 'wrk', paths: ['/usr/bin/wrk'] },
  dnsperf: { pkg: 'dnsperf', paths: ['/usr/bin/dnsperf'] },
  haproxy: { pkg: 'haproxy', paths: ['/usr/sbin/haproxy'] },
  nginx: { pkg: 'nginx', paths: ['/usr/sbin/nginx'] },
  dnsmasq: { pkg: 'dnsmasq-base', paths: ['/usr/sbin/dnsmasq'] },
  curl: { pkg: 'curl', paths: ['/usr/bin/curl'] },
};

export function findTool(name: string): string | undefined {
  const t = TOOLS[name];
  for (const p of t?.paths ?? []) if (existsSync(p)) return p;
  try {
    return execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

/** Returns the path of every tool asked for, installing missing ones; throws with the fix otherwise. */
export function ensureTools(names: string[]): Record<string, string> {
  const missing = names.filter((n) => !findTool(n));
  if (missing.length) {
    const pkgs = [...new Set(missing.map((n) => TOOLS[n]?.pkg ?? n))];
    const how = `apt-get install -y ${pkgs.join(' ')}`;
    if (process.getuid?.() !== 0) throw new Error(`missing ${missing.join(', ')}: install with \`sudo ${how}\``);
    console.log(`installing ${pkgs.join(' ')} (${how})…`);
    try {
      execFileSync('apt-get', ['install', '-y', '-qq', ...pkgs], { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    } catch {
      throw new Error(`could not install ${pkgs.join(' ')}; run \`apt-get update && ${how}\` and try again`);
    }
  }
  const found: Record<string, string> = {};
  for (const n of names) {
    const p = findTool(n);
    if (!p) throw new Error(`${n} is still missing after installing ${TOOLS[n]?.pkg ?? n}`);
    found[n] = p;
  }
  return found;
}

export const TOOL_PACKAGES: Record<string, string> = Object.fromEntries(Object.entries(TOOLS).map(([k, v]) => [k, v.pkg]));

/** Debian package versions (`dpkg-query`), for the results file. */
export function packageVersions(pkgs: string[]): Record<string, string> {
  if (!pkgs.length) return {};
  const r = spawnSync('dpkg-query', ['-W', '-f', '${Package} ${Version}\\n', ...pkgs], { encoding: 'utf8' });
  const out: Record<string, string> = {};
  for (const line of (r.stdout ?? '').split('\n')) {
    const [p, v] = line.trim().split(' ');
    if (p && v) out[p] = v;
  }
  return out;
}
