// Corefile → running configuration: each server block becomes a handler chain in CoreDNS's plugin
// order (plugin.cfg: the order in the Corefile does not matter), plus the HTTP endpoints its
// `health`, `ready` and `prometheus` ask for. Any error throws, so a reload can keep the old config.
import type { InformerFactory } from '../api/informer.js';
import { CacheHandler, cacheLabels } from './cache.js';
import { CHAOS_OWNERS, ChaosHandler, trim255 } from './chaos.js';
import { VERSION } from './metrics.js';
import { ClusterRecords } from './cluster-records.js';
import { CorefileError, inZone, normalizeZone, parseCorefile, type Directive, type ServerBlock } from './corefile.js';
import { ForwardHandler, parseUpstream, type Exchange, type Upstream } from './forward.js';
import { HostsHandler } from './hosts.js';
import { KubernetesHandler } from './kubernetes.js';
import type { Collector, Metrics, ServerStats } from './metrics.js';
import { subscribeRecords } from './record-source.js';
import { MultiClusterSink } from './multicluster.js';
import { matchesLabels, parseLabelSelector, type Selector } from '../api/selectors.js';
import { nameRule, RewriteHandler, type NameRule } from './rewrite.js';
import { chain, isRaw, noFastPath, RCODE, reply, type DnsRequest, type Handler, type Next } from './types.js';

/** Execution order (CoreDNS plugin.cfg), for the plugins kdp implements or accepts. */
const ORDER = ['reload', 'bind', 'debug', 'ready', 'health', 'prometheus', 'errors', 'log', 'any', 'chaos', 'loadbalance', 'cache', 'rewrite', 'hosts', 'kubernetes', 'loop', 'forward'];
/** Accepted and without effect in kdp (see README). */
const NO_OP = new Set(['reload', 'bind', 'debug', 'loop', 'any', 'nsid', 'cancel', 'timeouts', 'bufsize', 'minimal']);
/** CoreDNS plugins kdp does not implement: a Corefile using them is refused with this reason. */
const UNSUPPORTED = ['acl', 'auto', 'autopath', 'azure', 'clouddns', 'dns64', 'dnssec', 'dnstap', 'erratic', 'etcd', 'file', 'geoip', 'grpc', 'header', 'k8s_external', 'local', 'metadata', 'pprof', 'route53', 'secondary', 'sign', 'template', 'tls', 'trace', 'transfer', 'tsig', 'view', 'whoami', 'on', 'import'];

export interface SetupEnv {
  informers: InformerFactory;
  /** The address `:PORT` listeners bind (the pod IP). */
  podIP: string;
  /** The address clients use (kube-dns ClusterIP): the `ns.dns.<zone>` record and forwarding-loop check. */
  nsAddress?: string;
  /** Nameservers listed in a resolv.conf-format file (`forward . /etc/resolv.conf`). */
  resolvConf(path: string): string[];
  readFile(path: string): string;
  exchange?: Exchange;
  log(line: string): void;
  metrics: Metrics;
  file?: string;
  /** What `chaos` answers for hostname.bind (the pod's name in a cluster); default the host's. */
  hostname?: () => string;
}

export interface HttpEndpoint {
  kind: 'health' | 'ready' | 'metrics';
  address: string;
  port: number;
}

export interface CompiledBlock {
  zone: string;
  port: number;
  /** `dns://:53`, the `server` label of the metrics. */
  server: string;
  handler: Next;
  plugins: string[];
  log: boolean;
  stats?: ServerStats;
  http: HttpEndpoint[];
  collectors: Collector[];
  /** Moves whenever an answer of this block could change without a reload (the cluster records' generations). */
  version(): number;
  dispose(): void;
}

export function compileCorefile(text: string, env: SetupEnv): CompiledBlock[] {
  const file = env.file ?? 'Corefile';
  const blocks = parseCorefile(text, file);
  const out: CompiledBlock[] = [];
  try {
    for (const b of blocks) for (const key of b.keys) out.push(compileBlock(b, key.zone, key.port, env, file));
  } catch (e) {
    for (const c of out) c.dispose();
    throw e;
  }
  return out;
}

function compileBlock(b: ServerBlock, zone: string, port: number, env: SetupEnv, file: string): CompiledBlock {
  const server = `dns://:${port}`;
  const seen = new Set<string>();
  const handlers: { order: number; h: Handler }[] = [];
  const http: HttpEndpoint[] = [];
  const collectors: Collector[] = [];
  const disposers: (() => void)[] = [];
  const records: ClusterRecords[] = [];
  let log = false;
  let stats: ServerStats | undefined;
  const fail = (d: Directive, msg: string): never => { throw new CorefileError(file, d.line, msg); };
  const add = (d: Directive, h: Handler) => handlers.push({ order: ORDER.indexOf(d.name), h });
  const httpAddr = (d: Directive, def: string, kind: HttpEndpoint['kind']) => {
    const a = d.args[0] ?? def;
    const i = a.lastIndexOf(':');
    const host = a.slice(0, i);
    const p = Number(a.slice(i + 1));
    if (i < 0 || !Number.isInteger(p) || p < 1 || p > 65535) fail(d, `plugin/${d.name}: invalid address '${a}'`);
    // In a pod, '', localhost and 0.0.0.0 all mean the pod's own address.
    const address = host === '' || host === 'localhost' || host === '0.0.0.0' || host.startsWith('127.') ? env.podIP : host;
    http.push({ kind, address, port: p });
  };
  const forwards = b.directives.filter((x) => x.name === 'forward');
  try {
    for (const d of b.directives) {
      if (UNSUPPORTED.includes(d.name)) fail(d, `plugin/${d.name}: not supported by kdp`);
      if (!ORDER.includes(d.name) && !NO_OP.has(d.name)) fail(d, `Unknown directive '${d.name}'`);
      if (seen.has(d.name) && d.name !== 'rewrite' && d.name !== 'forward') fail(d, `plugin/${d.name}: this plugin can only be used once per Server Block`);
      seen.add(d.name);
      switch (d.name) {
        case 'errors': break;
        case 'log': log = true; break;
        case 'health': httpAddr(d, ':8080', 'health'); break;
        case 'ready': httpAddr(d, ':8181', 'ready'); break;
        case 'prometheus': httpAddr(d, 'localhost:9153', 'metrics'); stats = env.metrics.serverStats(server, zone === '' ? '.' : zone + '.'); break;
        case 'loadbalance': add(d, loadbalance()); break;
        case 'chaos': add(d, chaosHandler(d, env, fail)); break;
        case 'cache': {
          const h = cacheHandler(d, zone, fail, env.metrics, server);
          collectors.push(h.collector(server));
          add(d, h);
          break;
        }
        case 'rewrite': add(d, rewriteHandler(d, fail)); break;
        case 'hosts': add(d, hostsHandler(d, zone, env, fail)); break;
        case 'kubernetes': {
          const { handler, dispose, records: r } = kubernetesHandler(d, zone, env, fail);
          disposers.push(dispose);
          records.push(...r);
          add(d, handler);
          break;
        }
        case 'forward': {
          const f = forwardHandler(d, env, port, fail, d !== forwards[forwards.length - 1]);
          disposers.push(f.dispose);
          add(d, f.handler);
          break;
        }
        default: break; // NO_OP plugins
      }
    }
  } catch (e) {
    for (const f of disposers) f();
    throw e;
  }
  // Every `rewrite` line is a rule of one rewrite plugin, applied in Corefile order.
  const rules = handlers.filter((x) => x.h instanceof RewriteHandler).flatMap((x) => (x.h as RewriteHandler).rules);
  const others = handlers.filter((x) => !(x.h instanceof RewriteHandler));
  if (rules.length) others.push({ order: ORDER.indexOf('rewrite'), h: new RewriteHandler(rules) });
  const hs = others.sort((x, y) => x.order - y.order).map((x) => x.h); // stable: Corefile order among equals
  return {
    zone, port, server, handler: chain(hs, reply(RCODE.SERVFAIL)), plugins: [...seen].sort(), log, stats, http, collectors,
    version: records.length === 1 ? () => records[0].generation : () => records.reduce((n, r) => n + r.generation, 0),
    dispose: () => { for (const f of disposers) f(); },
  };
}

type Fail = (d: Directive, msg: string) => never;

function num(d: Directive, v: string | undefined, fail: Fail, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const n = Number(v);
  if (v === undefined || !Number.isInteger(n) || n < min || n > max) fail(d, `plugin/${d.name}: invalid number ${JSON.stringify(v ?? '')}`);
  return n;
}

function zonesOf(args: string[], blockZone: string): string[] {
  return args.length ? args.map(normalizeZone) : [blockZone];
}

function kubernetesHandler(d: Directive, blockZone: string, env: SetupEnv, fail: Fail): { handler: Handler; dispose: () => void; records: ClusterRecords[] } {
  const zones = zonesOf(d.args, blockZone);
  const reverse = zones.filter((z) => z.endsWith('in-addr.arpa') || z.endsWith('ip6.arpa') || z === 'arpa');
  const forwardZones = zones.filter((z) => !reverse.includes(z));
  if (!forwardZones.length && d.args.length) fail(d, 'plugin/kubernetes: non-reverse zone name must be used');
  const zone = forwardZones[0] ?? 'cluster.local';
  let ttl = 5;
  let pods: 'insecure' | 'verified' | 'disabled' = 'disabled';
  let fallthrough: string[] | undefined;
  let namespaces: string[] | undefined;
  let endpointPodNames = false;
  let ignoreEmptyService = false;
  let noEndpoints = false;
  let zonal = false;
  let labels: Selector | undefined;
  let namespaceLabels: Selector | undefined;
  let multicluster: string[] = [];
  // The plugin's own words (plugin/kubernetes/setup.go); caddy's ArgErr for a wrong count.
  const k8s = (o: Directive, msg: string): never => fail(o, `plugin/kubernetes: ${msg}`);
  const argErr = (o: Directive): never => k8s(o, `Wrong argument count or unexpected line ending after '${o.args[o.args.length - 1] ?? o.name}'`);
  const selector = (o: Directive, what: string): Selector => {
    if (!o.args.length) argErr(o);
    const text = o.args.join(' ');
    try {
      return parseLabelSelector(text);
    } catch (e) {
      return k8s(o, `unable to parse ${what} selector value: '${text}': ${(e as Error).message}`);
    }
  };
  for (const o of d.block) {
    switch (o.name) {
      case 'ttl': {
        if (!o.args.length) argErr(o);
        const t = Number(o.args[0]);
        if (!/^[+-]?\d+$/.test(o.args[0])) k8s(o, `strconv.Atoi: parsing ${JSON.stringify(o.args[0])}: invalid syntax`);
        if (t < 0 || t > 3600) k8s(o, `ttl must be in range [0, 3600]: ${t}`);
        ttl = t;
        break;
      }
      case 'pods':
        if (o.args.length !== 1) argErr(o);
        if (!['insecure', 'verified', 'disabled'].includes(o.args[0])) k8s(o, `wrong value for pods: ${o.args[0]},  must be one of: disabled, verified, insecure`);
        pods = o.args[0] as typeof pods;
        break;
      case 'fallthrough': fallthrough = o.args.length ? o.args.map(normalizeZone) : ['']; break;
      case 'namespaces': if (!o.args.length) argErr(o); namespaces = o.args; break;
      case 'endpoint_pod_names': if (o.args.length) argErr(o); endpointPodNames = true; break;
      case 'noendpoints': if (o.args.length) argErr(o); noEndpoints = true; break;
      case 'zonal': if (o.args.length) argErr(o); zonal = true; break;
      case 'ignore':
        if (o.args.length && o.args[0] !== 'empty_service') k8s(o, `unable to parse ignore value: '${o.args[0]}'`);
        if (o.args.length) ignoreEmptyService = true;
        break;
      case 'labels': labels = selector(o, 'label'); break;
      case 'namespace_labels': namespaceLabels = selector(o, 'namespace_label'); break;
      case 'multicluster':
        multicluster = o.args.map(normalizeZone);
        for (const z of multicluster) if (!zones.includes(z)) k8s(o, `is not authoritative for the multicluster zone ${z}. (authoritative zones: [${zones.map((x) => x + '.').join(' ')}])`);
        break;
      // How to reach the API server: kdp's CoreDNS reads the cluster's own informers, in-cluster.
      case 'endpoint': case 'tls': case 'kubeconfig':
        if (!o.args.length || (o.name === 'tls' && o.args.length !== 3) || (o.name === 'kubeconfig' && o.args.length > 2)) argErr(o);
        break;
      case 'startup_timeout':
        if (!o.args.length) argErr(o);
        if (!/^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/.test(o.args[0]) && o.args[0] !== '0') k8s(o, `failed to parse startup_timeout: ${o.args[0]}, time: invalid duration ${JSON.stringify(o.args[0])}`);
        break;
      case 'apiserver_qps': case 'apiserver_burst': case 'apiserver_max_inflight': {
        if (o.args.length !== 1) argErr(o);
        const v = Number(o.args[0]);
        if (o.args[0] === '' || Number.isNaN(v) || (o.name !== 'apiserver_qps' && !Number.isInteger(v))) k8s(o, `invalid ${o.name} ${JSON.stringify(o.args[0])}`);
        if (v < 0) k8s(o, `${o.name} must be >= 0`);
        break;
      }
      default: k8s(o, `unknown property '${o.name}'`);
    }
  }
  if (namespaces && namespaceLabels) fail(d, 'plugin/kubernetes: namespaces and namespace_labels cannot both be set');
  if (zonal && noEndpoints) fail(d, 'plugin/kubernetes: zonal requires the endpoint cache; remove noendpoints');
  // One set of records per zone it answers: the cluster zone, and each multicluster zone (fed
  // ServiceImports and MCS EndpointSlices instead of Services; the cluster zone itself may be one).
  const make = (z: string, mc: boolean) => {
    const records = new ClusterRecords({
      zone: z, ttl, endpointPodNames, ignoreEmptyService, noEndpoints, multicluster: mc,
      labels: labels ? ((l) => matchesLabels(labels!, l)) : undefined,
      namespaceLabels: namespaceLabels ? ((l) => matchesLabels(namespaceLabels!, l)) : undefined,
    });
    const unsubscribe = subscribeRecords(env.informers, mc ? new MultiClusterSink(records) : records);
    const handler = new KubernetesHandler(records, {
      nsAddress: env.nsAddress, pods, reverseZones: mc && z !== zone ? [] : reverse, fallthrough, namespaces,
      zonal: zonal && !mc, namespaceLabels: !!namespaceLabels,
    });
    return { zone: z, records, unsubscribe, handler };
  };
  const served = [make(zone, multicluster.includes(zone)), ...multicluster.filter((z) => z !== zone).map((z) => make(z, true))];
  const byLength = [...served].sort((a, b) => b.zone.length - a.zone.length);
  // The kubernetes plugin answers only the zones it was given. Its answers are pure functions of
  // the question and the records: the fast path keeps them until `records.generation` moves.
  const wrapped: Handler = {
    name: 'kubernetes',
    serveDns: (req, next) => {
      if (!zones.some((z) => inZone(req.query.name, z))) return next(req);
      const h = (served.length > 1 && byLength.find((s) => inZone(req.query.name, s.zone))) || served[0];
      return tag(req, 'kubernetes', h.handler.serveDns(req, next));
    },
  };
  return { handler: wrapped, dispose: () => { for (const s of served) s.unsubscribe(); }, records: served.map((s) => s.records) };
}

function tag<T>(req: DnsRequest, name: string, r: T): T {
  req.answeredBy ??= name;
  return r;
}

const RCODE_NAMES = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED', 'YXDOMAIN', 'YXRRSET', 'NXRRSET', 'NOTAUTH', 'NOTZONE'];

function forwardHandler(d: Directive, env: SetupEnv, port: number, fail: Fail, nextIsForward: boolean): { handler: Handler; dispose: () => void } {
  if (d.args.length < 2) fail(d, 'Wrong argument count or unexpected line ending after \'forward\'');
  const from = normalizeZone(d.args[0]);
  const upstreams: Upstream[] = [];
  for (const to of d.args.slice(1)) {
    if (to.startsWith('tls://')) fail(d, `plugin/forward: ${to}: tls:// upstreams are not supported by kdp`);
    const list = to.startsWith('/') ? env.resolvConf(to) : [to];
    for (const u of list) {
      try {
        upstreams.push(parseUpstream(u));
      } catch (e) {
        fail(d, `plugin/forward: ${(e as Error).message.replace(/^coredns: forward: /, '')}`);
      }
    }
  }
  for (const u of upstreams) {
    if ((u.address === env.podIP && u.port === port) || (u.address === env.nsAddress && u.port === 53)) {
      fail(d, `plugin/forward: upstream ${u.address}:${u.port} is this server itself (a forwarding loop)`);
    }
  }
  const except: string[] = [];
  const opts: {
    policy?: 'random' | 'round_robin' | 'sequential'; forceTcp?: boolean; preferUdp?: boolean; maxConcurrent?: number; maxFails?: number;
    healthCheckMs?: number; healthCheckRecursion?: boolean; healthCheckDomain?: string; failfast?: boolean;
  } = {};
  // `next RCODE…` / `next_on_nodata`: such an answer goes to the next forward of the block instead.
  const nextRcodes: number[] = [];
  let nextOnNodata = false;
  // The plugin's words (plugin/forward/setup.go): caddy's ArgErr, strconv and time.ParseDuration errors.
  const fwd = (o: Directive, msg: string): never => fail(o, `plugin/forward: ${msg}`);
  const argErr = (o: Directive): never => fwd(o, `Wrong argument count or unexpected line ending after '${o.args[o.args.length - 1] ?? o.name}'`);
  const int = (o: Directive, v: string, fn: 'ParseUint' | 'Atoi'): number => {
    if (!/^[+-]?\d+$/.test(v) || (fn === 'ParseUint' && v.startsWith('-'))) fwd(o, `strconv.${fn}: parsing ${JSON.stringify(v)}: invalid syntax`);
    return Number(v);
  };
  const duration = (o: Directive, v: string): number => {
    const m = /^(-)?((?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h))+|0)$/.exec(v);
    if (!m) return fwd(o, `time: invalid duration ${JSON.stringify(v)}`);
    const unit: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
    let ms = 0;
    for (const [, n, u] of m[2].matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) ms += Number(n) * unit[u];
    return m[1] ? -ms : ms;
  };
  for (const o of d.block) {
    switch (o.name) {
      case 'except': if (!o.args.length) argErr(o); except.push(...o.args.map(normalizeZone)); break;
      case 'policy':
        if (!o.args.length) argErr(o);
        if (!['random', 'round_robin', 'sequential'].includes(o.args[0])) fwd(o, `unknown policy '${o.args[0]}'`);
        opts.policy = o.args[0] as typeof opts.policy;
        break;
      case 'force_tcp': if (o.args.length) argErr(o); opts.forceTcp = true; break;
      case 'prefer_udp': if (o.args.length) argErr(o); opts.preferUdp = true; break;
      case 'max_concurrent': {
        if (!o.args.length) argErr(o);
        const n = int(o, o.args[0], 'Atoi');
        if (n < 0) fwd(o, `max_concurrent can't be negative: ${n}`);
        opts.maxConcurrent = n;
        break;
      }
      case 'max_fails': if (!o.args.length) argErr(o); opts.maxFails = int(o, o.args[0], 'ParseUint'); break;
      case 'health_check': {
        if (!o.args.length) argErr(o);
        const ms = duration(o, o.args[0]);
        if (ms < 0) fwd(o, `health_check can't be negative: ${Math.round(ms * 1e6)}`);
        opts.healthCheckMs = ms;
        for (let i = 1; i < o.args.length; i++) {
          if (o.args[i] === 'no_rec') opts.healthCheckRecursion = false;
          else if (o.args[i] === 'domain') {
            const dn = o.args[++i];
            if (dn === undefined) argErr(o);
            if (!/^[A-Za-z0-9_.-]+$/.test(dn) || dn.includes('..')) fwd(o, `health_check: invalid domain name ${dn}`);
            opts.healthCheckDomain = normalizeZone(dn);
          } else fwd(o, `health_check: unknown option ${o.args[i]}`);
        }
        break;
      }
      case 'expire': case 'max_age': {
        if (!o.args.length) argErr(o);
        if (duration(o, o.args[0]) < 0) fwd(o, `${o.name} can't be negative: ${o.args[0]}`);
        break;
      }
      // Connection reuse and TLS names: kdp opens a socket per exchange and refuses tls:// upstreams.
      case 'max_idle_conns': case 'max_connect_attempts': if (!o.args.length) argErr(o); int(o, o.args[0], 'Atoi'); break;
      case 'tls_servername': if (!o.args.length) argErr(o); break;
      case 'next':
        if (!o.args.length) argErr(o);
        for (const rc of o.args) {
          const code = RCODE_NAMES.indexOf(rc.toUpperCase());
          if (code < 0) fwd(o, `${rc} is not a valid rcode`);
          nextRcodes.push(code);
        }
        break;
      case 'read_timeout': {
        if (!o.args.length) argErr(o);
        if (duration(o, o.args[0]) <= 0) fwd(o, `read_timeout must be positive: ${o.args[0]}`);
        break;
      }
      case 'doh_method': if (!o.args.length) argErr(o); if (o.args[0] !== 'POST' && o.args[0] !== 'GET') fwd(o, 'doh_method must be either POST or GET'); break;
      case 'tls': if (o.args.length > 3) argErr(o); break; // only for tls:// upstreams, which kdp refuses
      case 'next_on_nodata': if (o.args.length) argErr(o); nextOnNodata = true; break;
      case 'failfast_all_unhealthy_upstreams': if (o.args.length) argErr(o); opts.failfast = true; break;
      default: fwd(o, `unknown property '${o.name}'`);
    }
  }
  const m = env.metrics;
  const h = new ForwardHandler({
    upstreams, exchange: env.exchange, log: env.log, ...opts,
    onRequest: (to, rcode) => {
      m.forwardRequests.set(to, (m.forwardRequests.get(to) ?? 0) + 1);
      if (rcode !== undefined) {
        const k = `${to}|${['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED'][rcode] ?? rcode}`;
        m.forwardResponses.set(k, (m.forwardResponses.get(k) ?? 0) + 1);
      }
    },
  });
  const handler: Handler = {
    name: 'forward',
    serveDns: (req, next) => {
      const n = req.query.name;
      if (!inZone(n, from) || except.some((z) => inZone(n, z))) return next(req);
      noFastPath(req); // the upstream's answer, its TTLs counting down
      const res = h.serveDns(req);
      if (!nextIsForward || (!nextRcodes.length && !nextOnNodata)) return res;
      return res.then((r) => {
        const rcode = isRaw(r) ? r.raw[3] & 0x0f : r.rcode;
        const empty = isRaw(r) ? r.raw.readUInt16BE(6) === 0 : r.answer.length === 0;
        return nextRcodes.includes(rcode) || (nextOnNodata && rcode === RCODE.NOERROR && empty) ? next(req) : r;
      });
    },
  };
  return { handler, dispose: () => h.dispose() };
}

function cacheHandler(d: Directive, blockZone: string, fail: Fail, metrics: Metrics, server: string): CacheHandler {
  let maxTtl = 3600;
  let args = d.args;
  if (args[0] && /^\d+$/.test(args[0])) { maxTtl = num(d, args[0], fail, 0); args = args.slice(1); }
  const success = { capacity: 9984, maxTtl, minTtl: 5 };
  const denial = { capacity: 9984, maxTtl: Math.min(maxTtl, 1800), minTtl: 5 };
  for (const o of d.block) {
    if (o.name === 'success' || o.name === 'denial') {
      const c = o.name === 'success' ? success : denial;
      c.capacity = num(o, o.args[0], fail, 1);
      if (o.args[1] !== undefined) c.maxTtl = num(o, o.args[1], fail, 0);
      if (o.args[2] !== undefined) c.minTtl = num(o, o.args[2], fail, 0);
    } else if (!['prefetch', 'serve_stale', 'disable', 'keepttl', 'servfail'].includes(o.name)) {
      fail(o, `plugin/cache: unknown property '${o.name}'`);
    }
  }
  const zones = zonesOf(args, blockZone);
  const l = cacheLabels(server, zones);
  const counters = {
    hitsSuccess: metrics.counter('coredns_cache_hits_total', l('success')),
    hitsDenial: metrics.counter('coredns_cache_hits_total', l('denial')),
    misses: metrics.counter('coredns_cache_misses_total', l()),
  };
  return new CacheHandler({ zones, success, denial, counters });
}

function rewriteHandler(d: Directive, fail: Fail): RewriteHandler {
  let args = d.args;
  let mode: 'stop' | 'continue' = 'stop';
  if (args[0] === 'stop' || args[0] === 'continue') { mode = args[0]; args = args.slice(1); }
  if (args[0]?.toLowerCase() !== 'name') fail(d, `plugin/rewrite: only 'name' rules are supported by kdp, got '${args[0] ?? ''}'`);
  let rule: NameRule;
  try {
    rule = nameRule(args.slice(1), mode);
  } catch (e) {
    return fail(d, (e as Error).message);
  }
  return new RewriteHandler([rule]);
}

function hostsHandler(d: Directive, blockZone: string, env: SetupEnv, fail: Fail): Handler {
  const path = d.args[0] ?? '/etc/hosts';
  let text = '';
  try {
    text = env.readFile(path);
  } catch (e) {
    if (d.args[0]) fail(d, `plugin/hosts: ${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (e as Error).message}`);
  }
  let ttl = 3600;
  let noReverse = false;
  let fallthrough: string[] | undefined;
  const inline: string[] = [];
  for (const o of d.block) {
    if (o.name === 'ttl') ttl = num(o, o.args[0], fail, 0, 65535);
    else if (o.name === 'no_reverse') noReverse = true;
    else if (o.name === 'reload') continue;
    else if (o.name === 'fallthrough') fallthrough = o.args.map(normalizeZone);
    else inline.push([o.name, ...o.args].join(' '));
  }
  return new HostsHandler({ zones: zonesOf(d.args.slice(1), blockZone), text: text + '\n' + inline.join('\n'), ttl, noReverse, fallthrough });
}

/** `loadbalance`: rotates A/AAAA answers of multi-address replies (round robin, as CoreDNS's shuffle). */
function loadbalance(): Handler {
  let n = 0;
  const rotate = <T>(xs: T[]): T[] => {
    if (xs.length < 2) return xs;
    const k = n++ % xs.length;
    return [...xs.slice(k), ...xs.slice(0, k)];
  };
  return {
    name: 'loadbalance',
    serveDns: (req, next) => {
      const r = next(req);
      const fix = (x: Awaited<typeof r>) => {
        if ('raw' in x || x.answer.length < 2 || x.answer.some((a) => a.type !== 'A' && a.type !== 'AAAA')) return x;
        noFastPath(req); // the next asker gets the next rotation
        return { ...x, answer: rotate(x.answer) };
      };
      return r instanceof Promise ? r.then(fix) : fix(r);
    },
  };
}

/** `chaos [VERSION] [AUTHORS…]`: no argument → CoreDNS-<version> and the plugin's owners. */
function chaosHandler(d: Directive, env: SetupEnv, fail: Fail): Handler {
  if (d.block.length) fail(d.block[0], `plugin/chaos: unknown property '${d.block[0].name}'`);
  const [v, ...more] = d.args;
  const version = trim255(v ?? `CoreDNS-${VERSION}`);
  const authors = more.length ? [...new Set(more.map(trim255))].sort() : CHAOS_OWNERS;
  return new ChaosHandler({ version: more.length ? (v as string) : version, authors, hostname: env.hostname });
}
