// Finds the real kubectl binaries on this machine and runs them against one kdp cluster — always with
// that cluster's own kubeconfig and a private cache dir, never the user's ~/.kube.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually } from './eventually.js';
import { run, type RunResult } from './kdp.js';

export interface Kubectl {
  /** e.g. `1.33`, `1.20`, `dispatcher` */
  label: string;
  bin: string;
  /** minor version of the client, e.g. 33; for the dispatcher the one it picks for kdp's /version */
  minor: number;
}

const SDK = '/usr/lib/google-cloud-sdk/bin';

function clientMinor(bin: string): number | undefined {
  try {
    const out = execFileSync(bin, ['version', '--client', '-o', 'json'], { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'ignore'] });
    return Number(JSON.parse(out).clientVersion.minor.replace(/\D/g, ''));
  } catch {
    return undefined;
  }
}

/**
 * Every kubectl we can test: the Google Cloud SDK's kubectl.1.NN (27..33), Debian's kubernetes-client
 * (1.20: /usr/bin/kubectl when it is Debian's, or unpacked under /opt/kubernetes-client, or
 * $KDP_KUBECTL_1_20), and the /usr/bin/kubectl dispatcher. `skipped` says why a version is missing.
 */
export function findKubectls(): { found: Kubectl[]; skipped: string[] } {
  const found: Kubectl[] = [];
  const skipped: string[] = [];
  for (let minor = 33; minor >= 27; minor--) {
    const bin = join(SDK, `kubectl.1.${minor}`);
    if (existsSync(bin)) found.push({ label: `1.${minor}`, bin, minor });
    else skipped.push(`kubectl 1.${minor}: ${bin} not installed`);
  }
  const debian = [process.env.KDP_KUBECTL_1_20, '/opt/kubernetes-client/usr/bin/kubectl', '/usr/bin/kubectl'].filter((b): b is string => !!b && existsSync(b));
  const old = debian.find((b) => clientMinor(b) === 20);
  if (old) found.push({ label: '1.20', bin: old, minor: 20 });
  else skipped.push("kubectl 1.20: Debian's kubernetes-client is not installed (apt-get download kubernetes-client && dpkg -x kubernetes-client_*.deb /opt/kubernetes-client)");
  if (existsSync(join(SDK, 'kubectl')) && existsSync('/usr/bin/kubectl') && clientMinor('/usr/bin/kubectl') !== 20) {
    found.push({ label: 'dispatcher', bin: '/usr/bin/kubectl', minor: 0 });
  }
  return { found, skipped };
}

export interface KubectlRunner {
  (args: string[], opts?: { input?: string; timeout?: number }): Promise<RunResult>;
  kubectl: Kubectl;
  /** A long-running kubectl (get -w, logs -f): its output so far, and stop() (SIGTERM, then wait). */
  spawn(args: string[]): { output: () => string; stop: () => Promise<void> };
  /** The runner, expecting exit code 0: resolves with stdout, else throws with the command and its output. */
  ok(args: string[], input?: string): Promise<string>;
  /** Removes the private HOME (discovery cache) this runner made. */
  dispose(): void;
}

/** Runs `kubectl --kubeconfig <stateDir>/kubeconfig --cache-dir <private>` with a scrubbed environment. */
export function kubectlFor(k: Kubectl, stateDir: string): KubectlRunner {
  const home = mkdtempSync(join(tmpdir(), `kdp-kubectl-${k.label}-`));
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, LANG: 'C.UTF-8' };
  const fn = ((args: string[], opts: { input?: string; timeout?: number } = {}) =>
    run(k.bin, ['--kubeconfig', join(stateDir, 'kubeconfig'), '--cache-dir', join(home, 'cache'), ...args], { ...opts, env, timeout: opts.timeout ?? 60_000 })) as KubectlRunner;
  fn.kubectl = k;
  fn.ok = async (args, input) => {
    const r = await fn(args, { input });
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} exited ${r.code}: ${r.stderr}${r.stdout}`);
    return r.stdout;
  };
  fn.dispose = () => rmSync(home, { recursive: true, force: true });
  fn.spawn = (args) => {
    const child = spawn(k.bin, ['--kubeconfig', join(stateDir, 'kubeconfig'), '--cache-dir', join(home, 'cache'), ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (out += c));
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    return {
      output: () => out,
      stop: async () => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
        await exited;
      },
    };
  };
  return fn;
}

/** The local port a running `kubectl port-forward … :REMOTE` prints that it forwards from. */
export function forwardedPort(pf: { output: () => string }, remote: number): Promise<string> {
  const re = new RegExp(`Forwarding from 127\\.0\\.0\\.1:(\\d+) -> ${remote}`);
  return eventually(() => {
    const m = re.exec(pf.output());
    if (!m) throw new Error(`no forwarding yet: ${pf.output()}`);
    return m[1];
  }, { what: 'port-forward listening' });
}

/** Drops the AGE column (and anything after it lines up differently by a second) for comparisons. */
export function withoutAge(table: string): string {
  const lines = table.trimEnd().split('\n');
  const at = lines[0].indexOf('AGE');
  if (at < 0) return table;
  return lines.map((l) => l.slice(0, at).trimEnd()).join('\n');
}
