// Starts `node bin/kdp.js up` on the bench's loopback ranges (as test/support/kdp.ts does for tests)
// and talks to its API with fetch: create, get, delete, wait.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { BENCH } from './addresses.js';
import { startProc, type Proc } from './procs.js';
import { readFileSync } from 'node:fs';
import { Agent, fetch as undiciFetch } from 'undici';
import { parse as parseYaml } from 'yaml';

export const ROOT = resolve(import.meta.dirname, '..', '..', '..');
export const KDP_BIN = join(ROOT, 'bin', 'kdp.js');

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Obj = any;

export interface Cluster {
  apiUrl: string;
  proc: Proc;
  stateDir: string;
  /** ms from spawn to the "Ctrl-C stops everything" line. */
  upMs: number;
  /** kube-proxy's mode as `kdp up` reported it (nftables, userspace). */
  proxyMode: string;
  api<T = Obj>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>;
  create(obj: Obj): Promise<Obj>;
  stop(): Promise<void>;
}

export interface ClusterOptions {
  files?: string[];
  nodes?: number;
  /** Extra node flags, e.g. ['--cpu-prof', '--cpu-prof-dir=…']. */
  nodeFlags?: string[];
  /** Extra `kdp up` flags, e.g. ['--proxy-mode', 'userspace']. */
  kdpFlags?: string[];
  timeoutMs?: number;
  /** Run on this state dir (a restart: it is kept on stop) instead of a new temporary one. */
  stateDir?: string;
}

export async function startCluster(opts: ClusterOptions = {}): Promise<Cluster> {
  const { dir: stateDir, remove: removeStateDir } = opts.stateDir ? { dir: opts.stateDir, remove: () => undefined } : tmpDir('kdp-bench-');
  const args = [
    ...(opts.nodeFlags ?? []),
    KDP_BIN, 'up',
    '--api-address', '127.0.0.1', '--api-port', '0',
    '--service-cidr', BENCH.serviceCidr,
    '--dns-address', BENCH.dnsAddress,
    '--pod-cidr', BENCH.podCidr,
    '--node-ip-start', BENCH.nodeIpStart,
    '--lb-pool', BENCH.lbPool,
    '--host-address', BENCH.hostAddress,
    '--name', 'bench',
    '--nodes', String(opts.nodes ?? 2),
    '--upstream-dns', '',
    '--state-dir', stateDir,
    ...(opts.kdpFlags ?? []),
  ];
  for (const f of opts.files ?? []) args.push('-f', f);
  const started = performance.now();
  const proc = startProc('kdp', process.execPath, args, { cwd: ROOT });
  const apiUrl = await new Promise<string>((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`kdp up did not start within ${opts.timeoutMs ?? 30_000} ms:\n${proc.output()}`)), opts.timeoutMs ?? 30_000);
    const check = () => {
      const m = proc.output().match(/API (https?:\/\/[0-9.]+:\d+)/);
      if (m && /Ctrl-C stops everything/.test(proc.output())) {
        clearTimeout(timer);
        proc.child.stdout!.off('data', check);
        resolvePromise(m[1]);
      }
    };
    proc.child.stdout!.on('data', check);
    void proc.exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`kdp up exited with ${code}:\n${proc.output()}`));
    });
  });
  const upMs = performance.now() - started;
  const proxyMode = proc.output().match(/kube-proxy (\w+)/)?.[1] ?? 'unknown';
  const adminFetch = kubeconfigFetch(join(stateDir, 'kubeconfig'));
  const api = async <T = Obj>(method: string, path: string, body?: unknown) => {
    const res = await adminFetch(apiUrl + path, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
  };
  return {
    apiUrl,
    proc,
    stateDir,
    upMs,
    proxyMode,
    api,
    async create(obj: Obj) {
      const r = await api('POST', collectionPath(obj), obj);
      if (r.status >= 300) throw new Error(`create ${obj.kind} ${obj.metadata?.name}: ${r.status} ${r.body?.message ?? ''}`);
      return r.body;
    },
    async stop() {
      // A profiled kdp writes its .cpuprofile on exit: give a big cluster time to stop.
      await proc.stop('SIGINT', opts.nodeFlags?.some((f) => f.startsWith('--cpu-prof')) ? 180_000 : 30_000, true);
      removeStateDir();
    },
  };
}

/** fetch with the CA and admin client certificate embedded in the kubeconfig `kdp up` wrote. */
export function kubeconfigFetch(path: string): (url: string, init?: RequestInit) => Promise<Response> {
  const doc = parseYaml(readFileSync(path, 'utf8'));
  const pem = (b64: string) => Buffer.from(b64, 'base64').toString('utf8');
  const user = doc.users[0].user;
  const dispatcher = new Agent({ connect: { ca: pem(doc.clusters[0].cluster['certificate-authority-data']), cert: pem(user['client-certificate-data']), key: pem(user['client-key-data']) } });
  return (url, init) => undiciFetch(url, { ...(init as object), dispatcher } as Parameters<typeof undiciFetch>[1]) as unknown as Promise<Response>;
}

const PLURAL: Record<string, string> = {
  Pod: 'pods', Service: 'services', Deployment: 'deployments', ConfigMap: 'configmaps',
  Ingress: 'ingresses', IngressClass: 'ingressclasses', EndpointSlice: 'endpointslices', Namespace: 'namespaces',
};

export function collectionPath(obj: Obj): string {
  const [group, version] = String(obj.apiVersion).includes('/') ? String(obj.apiVersion).split('/') : ['', obj.apiVersion];
  const base = group ? `/apis/${group}/${version}` : `/api/${version}`;
  const plural = PLURAL[obj.kind] ?? `${String(obj.kind).toLowerCase()}s`;
  const clusterScoped = obj.kind === 'IngressClass' || obj.kind === 'Namespace';
  return clusterScoped ? `${base}/${plural}` : `${base}/namespaces/${obj.metadata?.namespace ?? 'default'}/${plural}`;
}

/** Polls `fn` every `everyMs` until it returns a value (not undefined) or the deadline passes. */
export async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 30_000, everyMs = 20): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  let lastErr: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (err) {
      if ((err as { fatal?: boolean }).fatal) throw err;
      lastErr = err;
    }
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastErr ? `: ${(lastErr as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Waits until the pod is Ready and returns it; fails early with its waiting reason (ErrImagePull…). */
export async function waitPodReady(c: Cluster, name: string, ns = 'default', timeoutMs = 30_000): Promise<Obj> {
  return until(`pod ${ns}/${name} to be Ready`, async () => {
    const { body: pod } = await c.api('GET', `/api/v1/namespaces/${ns}/pods/${name}`);
    const ready = pod?.status?.conditions?.find((x: Obj) => x.type === 'Ready')?.status === 'True';
    if (ready && pod.status.podIP) return pod;
    for (const cs of pod?.status?.containerStatuses ?? []) {
      const w = cs.state?.waiting;
      if (w && /ErrImagePull|ImagePullBackOff|CrashLoopBackOff|CreateContainerConfigError/.test(w.reason)) {
        throw Object.assign(new Error(`pod ${name}: ${w.reason}: ${w.message ?? ''}`), { fatal: true });
      }
    }
    return undefined;
  }, timeoutMs);
}

export async function podsOf(c: Cluster, selector: string, ns = 'default'): Promise<Obj[]> {
  const { body } = await c.api('GET', `/api/v1/namespaces/${ns}/pods?labelSelector=${encodeURIComponent(selector)}`);
  return body?.items ?? [];
}

const scratch = new Set<string>();
// Whatever a row did not remove (Ctrl-C, a crash) goes when the bench exits.
process.on('exit', () => {
  for (const d of scratch) rmSync(d, { recursive: true, force: true });
});

export function tmpDir(prefix: string): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  scratch.add(dir);
  return {
    dir,
    remove: () => {
      rmSync(dir, { recursive: true, force: true });
      scratch.delete(dir);
    },
  };
}
