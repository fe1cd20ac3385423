// `kdp bench svc/NAME [--connections N] [--duration D] [--port P] [--path /p] [--close] [-o json]`:
// drives HTTP load at a Service's ClusterIP — the address a pod's client uses — and reports
// throughput, latency percentiles and how the requests were spread over the ready endpoints. The
// pod that answered is recognised in the response body (echo images print their pod name or IP:
// traefik/whoami, agnhost netexec /hostname, echoserver, ealen/echo-server); a keep-alive connection
// stays on one endpoint (L4), so connections are counted per pod too.
import http from 'node:http';
import type { Command } from 'commander';
import { action, withGlobalFlags, type CliIO, type Ctx } from './context.js';
import { CliError } from './errors.js';
import { TabWriter } from './table-printer.js';

interface BenchFlags {
  connections?: string;
  duration?: string;
  port?: string;
  path?: string;
  close?: boolean;
  output?: string;
}

export interface EndpointPod {
  pod: string;
  ip: string;
}

/** `10s`, `500ms`, `2m`, `1h`, or plain seconds (wrk's form) → milliseconds. */
export function parseDuration(s: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(s.trim());
  if (!m) throw new CliError(`invalid duration "${s}": use e.g. 10s, 500ms, 2m`);
  const n = Number(m[1]) * ({ ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const)[(m[2] ?? 's') as 'ms' | 's' | 'm' | 'h'];
  if (n <= 0) throw new CliError(`invalid duration "${s}": must be greater than 0`);
  return n;
}

/** `svc/web`, `service/web`, `services/web`, or `svc web` → the Service name. */
export function serviceName(args: string[]): string {
  const [a, b] = args;
  if (!a) throw new CliError('a Service is required: kdp bench svc/NAME');
  const [type, name] = a.includes('/') ? a.split('/', 2) : [a, b];
  if (!['svc', 'service', 'services'].includes(type.toLowerCase())) throw new CliError(`kdp bench works on Services (svc/NAME), not "${type}"`);
  if (!name) throw new CliError('a Service name is required: kdp bench svc/NAME');
  return name;
}

/** Finds which pod wrote a response body: its name, else its IP as a whole token. */
export class PodMatcher {
  private readonly names: [Buffer, string][];
  private readonly ips: [Buffer, string][];

  constructor(pods: EndpointPod[]) {
    this.names = pods.filter((p) => p.pod).sort((x, y) => y.pod.length - x.pod.length).map((p) => [Buffer.from(p.pod), p.pod]);
    this.ips = pods.map((p) => [Buffer.from(p.ip), p.pod || p.ip]);
  }

  match(body: Buffer): string | undefined {
    // One endpoint: whatever answered through the ClusterIP was it.
    if (this.ips.length === 1) return this.ips[0][1];
    for (const [needle, pod] of this.names) if (body.includes(needle)) return pod;
    for (const [needle, pod] of this.ips) {
      for (let i = body.indexOf(needle); i >= 0; i = body.indexOf(needle, i + 1)) {
        const next = body[i + needle.length];
        const prev = i > 0 ? body[i - 1] : undefined;
        if (!isIpChar(next) && !isIpChar(prev)) return pod;
      }
    }
    return undefined;
  }
}

function isIpChar(c: number | undefined): boolean {
  return c !== undefined && ((c >= 0x30 && c <= 0x39) || c === 0x2e);
}

export function percentile(sorted: Float64Array, p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export interface BenchResult {
  service: string;
  target: string;
  connections: number;
  durationSeconds: number;
  keepAlive: boolean;
  requests: number;
  requestsPerSecond: number;
  errors: number;
  non2xx: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  endpoints: { pod: string; ip: string; requests: number; connections: number }[];
  unidentified: number;
}

interface LoadOptions {
  host: string;
  port: number;
  path: string;
  connections: number;
  durationMs: number;
  keepAlive: boolean;
  matcher: PodMatcher;
  signal?: AbortSignal;
}

interface LoadCounts {
  requests: number;
  errors: number;
  non2xx: number;
  latencies: Float64Array;
  perPod: Map<string, number>;
  connsPerPod: Map<string, number>;
  unidentified: number;
  elapsedMs: number;
}

const SOCKET_POD = Symbol('kdp.bench.pod');
const HEADERS = { 'user-agent': 'kdp-bench' };
const CLOSE_HEADERS = { 'user-agent': 'kdp-bench', connection: 'close' };

/** N client loops, each sending the next request when the previous answer has been read. */
export async function runLoad(o: LoadOptions): Promise<LoadCounts> {
  const agent = new http.Agent({ keepAlive: o.keepAlive, maxSockets: o.connections, maxFreeSockets: o.connections });
  const c: LoadCounts = { requests: 0, errors: 0, non2xx: 0, latencies: new Float64Array(1 << 16), perPod: new Map(), connsPerPod: new Map(), unidentified: 0, elapsedMs: 0 };
  const record = (ms: number) => {
    if (c.requests === c.latencies.length) {
      const bigger = new Float64Array(c.latencies.length * 2);
      bigger.set(c.latencies);
      c.latencies = bigger;
    }
    c.latencies[c.requests++] = ms;
  };
  const start = performance.now();
  const end = start + o.durationMs;
  const one = () =>
    new Promise<void>((resolve) => {
      const t0 = performance.now();
      // --close: no agent at all (an agent hands a finished socket to a queued request even without keep-alive).
      const req = http.get({ host: o.host, port: o.port, path: o.path, agent: o.keepAlive ? agent : false, headers: o.keepAlive ? HEADERS : CLOSE_HEADERS }, (res) => {
        // The socket is handed back to the agent before 'end': take it now.
        const sock = res.socket as (typeof res.socket & { [SOCKET_POD]?: string }) | null;
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (d: Buffer) => {
          if (size < 65536) chunks.push(d);
          size += d.length;
        });
        res.once('end', () => {
          record(performance.now() - t0);
          if ((res.statusCode ?? 0) >= 400) c.non2xx++;
          const pod = o.matcher.match(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)) ?? sock?.[SOCKET_POD];
          if (pod) {
            c.perPod.set(pod, (c.perPod.get(pod) ?? 0) + 1);
            if (sock && sock[SOCKET_POD] === undefined) {
              sock[SOCKET_POD] = pod;
              c.connsPerPod.set(pod, (c.connsPerPod.get(pod) ?? 0) + 1);
            }
          } else c.unidentified++;
          resolve();
        });
        res.once('error', () => {
          c.errors++;
          resolve();
        });
      });
      req.setTimeout(5000, () => req.destroy(new Error('timeout')));
      req.once('error', () => {
        c.errors++;
        resolve();
      });
    });
  const loop = async () => {
    while (performance.now() < end && !o.signal?.aborted) {
      await one();
      // A connection that keeps failing must not spin: errors back off a little.
      if (c.errors > c.requests && c.errors % 100 === 0) await new Promise((r) => setTimeout(r, 10));
    }
  };
  await Promise.all(Array.from({ length: o.connections }, loop));
  c.elapsedMs = performance.now() - start;
  agent.destroy();
  return c;
}

export function summarize(service: string, target: string, o: Pick<LoadOptions, 'connections' | 'keepAlive'>, pods: EndpointPod[], c: LoadCounts): BenchResult {
  const lat = c.latencies.slice(0, c.requests).sort();
  const names = new Set([...pods.map((p) => p.pod || p.ip), ...c.perPod.keys()]);
  const ipOf = new Map(pods.map((p) => [p.pod || p.ip, p.ip]));
  return {
    service,
    target,
    connections: o.connections,
    durationSeconds: Math.round(c.elapsedMs) / 1000,
    keepAlive: o.keepAlive,
    requests: c.requests,
    requestsPerSecond: c.requests / (c.elapsedMs / 1000),
    errors: c.errors,
    non2xx: c.non2xx,
    latencyMs: { p50: percentile(lat, 50), p90: percentile(lat, 90), p99: percentile(lat, 99), max: lat.length ? lat[lat.length - 1] : NaN },
    endpoints: [...names].sort().map((pod) => ({ pod, ip: ipOf.get(pod) ?? '', requests: c.perPod.get(pod) ?? 0, connections: c.connsPerPod.get(pod) ?? 0 })),
    unidentified: c.unidentified,
  };
}

const ms = (x: number) => (Number.isFinite(x) ? `${x < 10 ? x.toFixed(2) : x.toFixed(1)}ms` : '-');

export function formatResult(r: BenchResult): string {
  const lines = [
    `  ${r.requests} requests in ${r.durationSeconds.toFixed(2)}s, ${r.requestsPerSecond.toFixed(1)} req/s, ${r.errors} errors, ${r.non2xx} non-2xx/3xx`,
    `  Latency  p50 ${ms(r.latencyMs.p50)}  p90 ${ms(r.latencyMs.p90)}  p99 ${ms(r.latencyMs.p99)}  max ${ms(r.latencyMs.max)}`,
    '',
  ];
  const total = r.requests || 1;
  const rows = r.endpoints.map((e) => [e.pod, e.ip || '<none>', String(e.requests), `${((100 * e.requests) / total).toFixed(1)}%`, String(e.connections)]);
  if (r.unidentified) rows.push(['<unidentified>', '', String(r.unidentified), `${((100 * r.unidentified) / total).toFixed(1)}%`, '']);
  lines.push(new TabWriter().format([['POD', 'IP', 'REQUESTS', 'SHARE', 'CONNECTIONS'], ...rows]).trimEnd());
  if (r.unidentified && r.unidentified === r.requests) {
    lines.push('', 'The responses do not name the pod that answered, so the spread is unknown. An echo image reports it',
      '(traefik/whoami, registry.k8s.io/echoserver, ealen/echo-server, or agnhost netexec with --path /hostname).');
  }
  return lines.join('\n') + '\n';
}

interface ServicePort {
  name?: string;
  port: number;
  protocol?: string;
  targetPort?: number | string;
}

export async function runBench(ctx: Ctx, args: string[], flags: BenchFlags): Promise<number> {
  const name = serviceName(args);
  const connections = Number(flags.connections ?? 10);
  if (!Number.isInteger(connections) || connections < 1) throw new CliError(`invalid --connections "${flags.connections}": must be a positive integer`);
  const durationMs = parseDuration(flags.duration ?? '10s');
  const path = flags.path ?? '/';
  if (!path.startsWith('/')) throw new CliError(`invalid --path "${path}": must start with /`);
  if (flags.output && flags.output !== 'json') throw new CliError(`unable to match a printer suitable for the output format "${flags.output}", allowed formats are: json`);
  const ns = ctx.namespace;
  const svc = await ctx.client.get<{ spec?: { clusterIP?: string; type?: string; ports?: ServicePort[] } }>(`/api/v1/namespaces/${ns}/services/${name}`);
  const clusterIP = svc.spec?.clusterIP;
  if (svc.spec?.type === 'ExternalName') throw new CliError(`service "${name}" is of type ExternalName: it has no ClusterIP to benchmark`);
  if (!clusterIP || clusterIP === 'None') throw new CliError(`service "${name}" is headless (clusterIP: None): it has no ClusterIP to benchmark`);
  const tcp = (svc.spec?.ports ?? []).filter((p) => (p.protocol ?? 'TCP') === 'TCP');
  const port = flags.port === undefined ? tcp[0] : tcp.find((p) => p.name === flags.port || String(p.port) === flags.port);
  if (!port) throw new CliError(flags.port === undefined ? `service "${name}" has no TCP port` : `service "${name}" has no TCP port "${flags.port}"`);

  const slices = await ctx.client.get<{ items?: { ports?: { name?: string }[]; endpoints?: { addresses?: string[]; conditions?: { ready?: boolean }; targetRef?: { name?: string } }[] }[] }>(
    `/apis/discovery.k8s.io/v1/namespaces/${ns}/endpointslices`,
    { labelSelector: `kubernetes.io/service-name=${name}` },
  );
  const pods: EndpointPod[] = [];
  for (const s of slices.items ?? []) {
    if (!(s.ports ?? []).some((p) => (p.name ?? '') === (port.name ?? ''))) continue;
    for (const e of s.endpoints ?? []) {
      if (e.conditions?.ready === false || !e.addresses?.[0]) continue;
      if (!pods.some((p) => p.ip === e.addresses![0])) pods.push({ pod: e.targetRef?.name ?? '', ip: e.addresses[0] });
    }
  }
  if (!pods.length) throw new CliError(`service "${name}" has no ready endpoints on port ${port.port}: nothing would answer (see kdp get endpointslices -l kubernetes.io/service-name=${name})`);

  const keepAlive = !flags.close;
  const target = `http://${clusterIP}:${port.port}${path}`;
  const json = flags.output === 'json';
  if (!json) {
    ctx.out(`Running ${(durationMs / 1000).toFixed(durationMs % 1000 ? 1 : 0)}s test @ ${target} (service/${name}, ${pods.length} ready endpoint${pods.length === 1 ? '' : 's'})\n`);
    ctx.out(`  ${connections} connection${connections === 1 ? '' : 's'}, ${keepAlive ? 'keep-alive' : 'a new connection per request'}; load from this host, as a pod's client sees the ClusterIP\n`);
  }
  const counts = await runLoad({ host: clusterIP, port: port.port, path, connections, durationMs, keepAlive, matcher: new PodMatcher(pods), signal: ctx.io.signal });
  const result = summarize(name, target, { connections, keepAlive }, pods, counts);
  ctx.out(json ? `${JSON.stringify(result, null, 2)}\n` : formatResult(result));
  return result.requests === 0 ? 1 : 0;
}

export function registerBench(program: Command, io: CliIO): void {
  withGlobalFlags(program.command('bench'))
    .description("Load a Service's ClusterIP with HTTP requests: throughput, latency percentiles, spread over its pods")
    .argument('<service...>', 'svc/NAME')
    .option('-c, --connections <n>', 'concurrent connections', '10')
    .option('-d, --duration <duration>', 'how long to run (10s, 500ms, 2m)', '10s')
    .option('--port <port>', 'Service port name or number (default: the first TCP port)')
    .option('--path <path>', 'request path', '/')
    .option('--close', 'a new connection per request (Connection: close), to see per-connection balancing')
    .option('-o, --output <format>', 'json')
    .action(action(io, (ctx, args: string[], flags: BenchFlags) => runBench(ctx, args, flags)));
}
