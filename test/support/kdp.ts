// Starts a whole kdp cluster (`node bin/kdp.js up`) on its own loopback ranges, so e2e files run in
// parallel with each other and with a developer's `kdp up`; runs CLI commands against it.
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { tlsFetch } from '../../src/cli/client.js';
import { loadConnection } from '../../src/cli/context.js';

export const ROOT = resolve(import.meta.dirname, '..', '..');
export const KDP_BIN = join(ROOT, 'bin', 'kdp.js');

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface KdpCluster {
  apiUrl: string;
  /** The `kdp up` process. */
  pid: number;
  /** `127.(120+slot).0.10` */
  dnsAddress: string;
  serviceCidr: string;
  /** This cluster's stand-in for 127.0.0.1/localhost (NodePorts, LoadBalancer ports): 127.(190+slot).1.1 */
  hostAddress: string;
  stateDir: string;
  /** `<stateDir>/kubeconfig`: the admin credentials `kdp up` wrote. */
  kubeconfig: string;
  /** The environment the CLI runs with against this cluster (KDP_SERVER, KUBECONFIG). */
  env: NodeJS.ProcessEnv;
  /** fetch() on the API with the admin's client certificate; `path` is relative to apiUrl. */
  fetch(path: string, init?: RequestInit): Promise<Response>;
  output: () => string;
  kdp(args: string[], opts?: { input?: string; timeout?: number }): Promise<RunResult>;
  /** kdp(), expecting exit code 0: resolves with stdout, else throws with the command and its output. */
  ok(args: string[], opts?: { input?: string; timeout?: number }): Promise<string>;
  /** SIGINT, as Ctrl-C; waits for exit. Leaves the state dir for inspection. */
  halt(): Promise<void>;
  /** halt() and remove the state dir. */
  stop(): Promise<void>;
  /** SIGKILL, as a crash (kill -9); waits for exit. Leaves the state dir for a restart. */
  crash(): Promise<void>;
}

export interface StartOptions {
  /**
   * 1..9, unique per test file: services 127.(120+slot).0.0/16, pods 127.(140+slot).0.0/16, nodes
   * 127.(170+slot).0.x, load balancers 127.(190+slot).0.0/24 — clear of kdp's defaults (127.96.0.0/12,
   * 127.244.0.0/16, 127.18.0.x, 127.200.0.0/16), so tests run beside a developer's `kdp up`.
   */
  slot: number;
  files?: string[];
  nodes?: number;
  upstreamDns?: string[];
  extraArgs?: string[];
  /** An existing state dir to run on (a restart); default: a new temporary one. */
  stateDir?: string;
}

/**
 * `kdp up` flags for a cluster on its own ranges from 127.<a>.0.0 to 127.<a+3>.x (services, pods,
 * nodes, load balancers + host address), for files that need ranges clear of the numbered slots.
 */
export function rangeArgs(a: number, name: string): string[] {
  return [
    '--service-cidr', `127.${a}.0.0/16`, '--dns-address', `127.${a}.0.10`, '--pod-cidr', `127.${a + 1}.0.0/16`,
    '--node-ip-start', `127.${a + 2}.0.2`, '--lb-pool', `127.${a + 3}.0.0/24`, '--host-address', `127.${a + 3}.1.1`,
    '--external-ip-cidr', `127.${a + 3}.2.0/24`, '--name', name,
  ];
}

export function run(cmd: string, args: string[], opts: { input?: string; timeout?: number; env?: NodeJS.ProcessEnv } = {}): Promise<RunResult> {
  return new Promise((resolvePromise) => {
    const child = execFile(cmd, args, { timeout: opts.timeout ?? 30_000, env: opts.env ?? process.env, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as NodeJS.ErrnoException).code === 'number' ? Number((err as NodeJS.ErrnoException).code) : (child.exitCode ?? 1)) : 0;
      resolvePromise({ code, stdout: String(stdout), stderr: String(stderr) });
    });
    if (opts.input !== undefined) child.stdin?.end(opts.input);
    else child.stdin?.end();
  });
}

/** A fetch that authenticates with the client certificate of a kubeconfig kdp wrote (and trusts its CA). */
export function adminFetch(kubeconfigPath: string): (url: string, init?: RequestInit) => Promise<Response> {
  return tlsFetch(loadConnection({}, kubeconfigPath));
}

export async function startKdp(opts: StartOptions): Promise<KdpCluster> {
  const s = opts.slot;
  const stateDir = opts.stateDir ?? mkdtempSync(join(tmpdir(), `kdp-e2e-${s}-`));
  const serviceCidr = `127.${120 + s}.0.0/16`;
  const dnsAddress = `127.${120 + s}.0.10`;
  const args = [
    KDP_BIN, 'up',
    '--api-address', '127.0.0.1', '--api-port', '0',
    '--service-cidr', serviceCidr,
    '--dns-address', dnsAddress,
    '--pod-cidr', `127.${140 + s}.0.0/16`,
    '--node-ip-start', `127.${170 + s}.0.2`,
    '--lb-pool', `127.${190 + s}.0.0/24`,
    '--host-address', `127.${190 + s}.1.1`,
    '--external-ip-cidr', `127.${190 + s}.2.0/24`,
    '--name', `e2e${s}`,
    '--nodes', String(opts.nodes ?? 2),
    '--upstream-dns', (opts.upstreamDns ?? []).join(','),
    '--state-dir', stateDir,
    ...(opts.extraArgs ?? []),
  ];
  for (const f of opts.files ?? []) args.push('-f', f);
  const child: ChildProcess = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (c) => (out += c));
  child.stderr!.on('data', (c) => (out += c));
  const apiUrl = await new Promise<string>((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`kdp up did not start within 20 s:\n${out}`)), 20_000);
    const check = () => {
      const m = out.match(/API (https?:\/\/[0-9.]+:\d+)/);
      if (m && /Ctrl-C stops everything/.test(out)) {
        clearTimeout(timer);
        resolvePromise(m[1]);
      }
    };
    child.stdout!.on('data', check);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`kdp up exited with ${code}:\n${out}`));
    });
  });
  child.removeAllListeners('exit');
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const kubeconfig = join(stateDir, 'kubeconfig');
  const env = { ...process.env, KDP_SERVER: apiUrl, KUBECONFIG: kubeconfig };
  const kdp: KdpCluster['kdp'] = (cliArgs, o = {}) => run(process.execPath, [KDP_BIN, ...cliArgs], { ...o, env });
  const admin = adminFetch(kubeconfig);
  const cluster: KdpCluster = {
    apiUrl,
    pid: child.pid!,
    dnsAddress,
    serviceCidr,
    hostAddress: `127.${190 + s}.1.1`,
    stateDir,
    kubeconfig,
    env,
    fetch: (path, init) => admin(`${apiUrl}${path}`, init),
    output: () => out,
    kdp,
    async ok(cliArgs, o = {}) {
      const r = await kdp(cliArgs, o);
      if (r.code !== 0) throw new Error(`kdp ${cliArgs.join(' ')} exited ${r.code}: ${r.stderr}${r.stdout}`);
      return r.stdout;
    },
    async halt() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGINT');
        const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(t);
      }
    },
    async crash() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await exited;
      }
    },
    async stop() {
      await cluster.halt();
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
  return cluster;
}
