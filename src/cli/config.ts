// `kdp up`'s configuration: every flag parsed and checked in one place, before anything starts, with
// errors in kubectl's (pflag's) frame: `invalid argument "abc" for "--api-port" flag: strconv.ParseInt:
// parsing "abc": invalid syntax`. The rest of the code gets a typed, frozen ClusterConfig.
//
// Checks beyond syntax (ARCHITECTURE.md's address plan): every range and node address inside
// 127.0.0.0/8; the Service, pod and LoadBalancer ranges disjoint; the cluster DNS address inside the
// Service range (and not the `kubernetes` Service's); node IPs outside the Service, pod and LB ranges;
// room in the pod range for a /24 per node; ports 0..65535.
import { isIP } from 'node:net';
import { defaultConfig, type ClusterConfig } from '../api/config.js';
import { isDNS1123Label, isDNS1123Subdomain } from '../api/strategies/validation.js';
import { isProxyMode, PROXY_MODES } from '../kubeproxy/index.js';
import { cidrContains, cidrsOverlap, ipv4ToNumber, isIPv4, LOOPBACK, numberToIPv4, parseIPv4Cidr, type Ipv4Cidr } from '../lib/ipv4.js';

/** A flag value kdp cannot use; the message is pflag's `invalid argument "v" for "--flag" flag: why`. */
export class FlagError extends Error {
  constructor(readonly flag: string, readonly value: string, readonly reason: string) {
    super(`invalid argument "${value}" for "--${flag}" flag: ${reason}`);
    this.name = 'FlagError';
  }
}

/** The options commander hands `kdp up`'s action, by camelCase flag name. */
export type UpFlags = Record<string, string | undefined>;

export type FrozenClusterConfig = Readonly<ClusterConfig>;

/** Go's strconv.ParseInt, as pflag's int flags report it. */
function parseInt10(flag: string, v: string): number {
  if (!/^[+-]?\d+$/.test(v)) throw new FlagError(flag, v, `strconv.ParseInt: parsing "${v}": invalid syntax`);
  const n = Number(v);
  if (!Number.isSafeInteger(n) || Math.abs(n) > 2 ** 31 - 1) throw new FlagError(flag, v, `strconv.ParseInt: parsing "${v}": value out of range`);
  return n;
}

function port(flag: string, v: string): number {
  const n = parseInt10(flag, v);
  if (n < 0 || n > 65535) throw new FlagError(flag, v, 'must be between 0 and 65535, inclusive');
  return n;
}

/** pflag's IP flag: `invalid string being converted to IP address: x`; kdp is IPv4-only. */
function ipv4(flag: string, v: string): string {
  if (!isIPv4(v)) throw new FlagError(flag, v, isIP(v) ? 'kdp is IPv4-only: give an IPv4 address' : `invalid string being converted to IP address: ${v}`);
  return v;
}

function loopbackIp(flag: string, v: string): string {
  ipv4(flag, v);
  if (!cidrContains(LOOPBACK, v)) throw new FlagError(flag, v, 'must be inside 127.0.0.0/8: kdp binds loopback addresses only');
  return v;
}

/** Go's net.ParseCIDR wording for bad syntax; then loopback only. */
function loopbackCidr(flag: string, v: string): Ipv4Cidr {
  const c = parseIPv4Cidr(v);
  if (!c) throw new FlagError(flag, v, `invalid CIDR address: ${v}`);
  if (c.prefix < 8 || !cidrContains(LOOPBACK, numberToIPv4(c.base))) throw new FlagError(flag, v, 'must be inside 127.0.0.0/8: kdp binds loopback addresses only');
  return c;
}

function portRange(flag: string, v: string): { min: number; max: number } {
  const m = /^(\d+)-(\d+)$/.exec(v);
  const min = m ? Number(m[1]) : NaN;
  const max = m ? Number(m[2]) : NaN;
  if (!m || min < 1 || max > 65535 || min > max) throw new FlagError(flag, v, 'must be a port range min-max within 1-65535, e.g. 30000-32767');
  return { min, max };
}

/** `ip` or `ip:port` (IPv4), or an IPv6 address, bracketed with a port or bare. */
function upstream(flag: string, whole: string, u: string): string {
  const v4 = /^([^:]+)(?::(\d+))?$/.exec(u);
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(u);
  const ok = (v4 && isIPv4(v4[1]) && (v4[2] === undefined || Number(v4[2]) <= 65535))
    || (v6 && isIP(v6[1]) === 6 && (v6[2] === undefined || Number(v6[2]) <= 65535))
    || isIP(u) === 6;
  if (!ok) throw new FlagError(flag, whole, `"${u}" is not an IP address or IP:port`);
  return u;
}

function dnsName(flag: string, v: string, check: (s: string) => string[]): string {
  const errs = check(v);
  if (errs.length) throw new FlagError(flag, v, errs[0]);
  return v;
}

function deepFreeze<T>(o: T): T {
  for (const v of Object.values(o as object)) if (v && typeof v === 'object') deepFreeze(v);
  return Object.freeze(o);
}

/** Parses and checks `kdp up`'s flags; throws FlagError on the first bad one. */
export function parseConfigFlags(o: UpFlags): FrozenClusterConfig {
  const overrides: Partial<ClusterConfig> = {};
  const given = (key: string) => (o[key] !== undefined && o[key] !== '' ? o[key] : undefined);
  let v: string | undefined;
  if ((v = given('apiAddress'))) overrides.apiAddress = ipv4('api-address', v);
  if ((v = given('apiPort'))) overrides.apiPort = port('api-port', v);
  if ((v = given('serviceCidr'))) overrides.serviceCidr = v;
  if ((v = given('podCidr'))) overrides.podCidr = v;
  if ((v = given('nodeIpStart'))) overrides.nodeIpStart = v;
  if ((v = given('nodes'))) {
    const n = parseInt10('nodes', v);
    if (n < 1) throw new FlagError('nodes', v, 'must be at least 1');
    overrides.nodes = n;
  }
  if ((v = given('name'))) overrides.clusterName = dnsName('name', v, isDNS1123Label);
  if ((v = given('dnsAddress'))) overrides.dnsAddress = v;
  if ((v = given('dnsPort'))) overrides.dnsPort = port('dns-port', v);
  if ((v = given('clusterDomain'))) overrides.clusterDomain = dnsName('cluster-domain', v.replace(/\.$/, ''), isDNS1123Subdomain);
  if ((v = given('nodePortRange'))) overrides.nodePortRange = portRange('node-port-range', v);
  if ((v = given('lbPool'))) overrides.loadBalancerPool = v;
  if ((v = given('externalIpCidr'))) overrides.externalIPCidr = v;
  if ((v = given('hostAddress'))) overrides.hostAddress = loopbackIp('host-address', v);
  if ((v = given('stateDir'))) overrides.stateDir = v;
  if ((v = given('dashboardPort'))) overrides.dashboardPort = port('dashboard-port', v);
  if (o.proxyMode !== undefined) {
    if (!isProxyMode(o.proxyMode)) throw new FlagError('proxy-mode', o.proxyMode, `must be one of ${PROXY_MODES.join(', ')}`);
    overrides.proxyMode = o.proxyMode;
  }
  if (o.upstreamDns !== undefined) {
    const whole = o.upstreamDns;
    overrides.upstreamDns = whole.split(',').map((s) => s.trim()).filter(Boolean).map((u) => upstream('upstream-dns', whole, u));
  }
  const config = defaultConfig(overrides);
  checkAddressPlan(config);
  return deepFreeze(config);
}

/** The checks across flags: ranges on loopback and disjoint, DNS in the Service range, node IPs free. */
export function checkAddressPlan(c: ClusterConfig): void {
  const service = loopbackCidr('service-cidr', c.serviceCidr);
  const pod = loopbackCidr('pod-cidr', c.podCidr);
  const pool = loopbackCidr('lb-pool', c.loadBalancerPool);
  const external = loopbackCidr('external-ip-cidr', c.externalIPCidr);
  if (pod.prefix > 24) throw new FlagError('pod-cidr', c.podCidr, 'too small: each node gets a /24 of it, so it must be a /24 or larger');
  if (service.prefix > 30) throw new FlagError('service-cidr', c.serviceCidr, 'too small: must be a /30 or larger');
  if (pool.prefix > 30) throw new FlagError('lb-pool', c.loadBalancerPool, 'too small: must be a /30 or larger');
  const ranges: [string, string, Ipv4Cidr][] = [
    ['service-cidr', c.serviceCidr, service], ['pod-cidr', c.podCidr, pod], ['lb-pool', c.loadBalancerPool, pool], ['external-ip-cidr', c.externalIPCidr, external],
  ];
  for (let i = 0; i < ranges.length; i++) {
    for (let j = 0; j < i; j++) {
      const [flag, value, r] = ranges[i];
      const [other, otherValue, o] = ranges[j];
      if (cidrsOverlap(r, o)) throw new FlagError(flag, value, `overlaps --${other} ${otherValue}`);
    }
  }

  loopbackIp('dns-address', c.dnsAddress);
  if (!cidrContains(service, c.dnsAddress)) throw new FlagError('dns-address', c.dnsAddress, `must be inside --service-cidr ${c.serviceCidr} (the kube-dns Service's ClusterIP)`);
  const dns = ipv4ToNumber(c.dnsAddress);
  if (dns === service.base || dns === service.base + service.size - 1) throw new FlagError('dns-address', c.dnsAddress, `is the network or broadcast address of --service-cidr ${c.serviceCidr}`);
  if (dns === service.base + 1) throw new FlagError('dns-address', c.dnsAddress, `is the kubernetes Service's ClusterIP (the first address of --service-cidr ${c.serviceCidr})`);

  const room = 2 ** (24 - pod.prefix);
  if (c.nodes > room) throw new FlagError('nodes', String(c.nodes), `--pod-cidr ${c.podCidr} has room for ${room} node(s) (a /24 each)`);

  loopbackIp('node-ip-start', c.nodeIpStart);
  const first = ipv4ToNumber(c.nodeIpStart);
  for (let i = 0; i < c.nodes; i++) {
    const n = first + i;
    const ip = numberToIPv4(n);
    if (n >= LOOPBACK.base + LOOPBACK.size) throw new FlagError('node-ip-start', c.nodeIpStart, `${c.nodes} node IPs from here leave 127.0.0.0/8`);
    for (const [flag, value, r] of ranges) {
      if (cidrContains(r, ip)) throw new FlagError('node-ip-start', c.nodeIpStart, `node IP ${ip} is inside --${flag} ${value}`);
    }
  }
  for (const [flag, value, r] of ranges) {
    if (flag !== 'lb-pool' && flag !== 'external-ip-cidr' && cidrContains(r, c.hostAddress)) throw new FlagError('host-address', c.hostAddress, `is inside --${flag} ${value}`);
  }
}

/** Where a client verb's API address came from, for the error message. */
export type ServerSource = 'flag' | 'env' | 'kubeconfig';

/**
 * The API server URL a client verb uses (`--server`, else $KDP_SERVER, else the kubeconfig's current
 * cluster), checked: an http(s) URL with a host. A bare `host:port` gets `https://`, as client-go
 * defaults a scheme-less server when it has TLS settings (kdp's API is HTTPS only). Errors name the source: `error: invalid argument "x" for "--server"
 * flag: …`, `error: invalid KDP_SERVER "x": …`, `error: invalid server "x" in kubeconfig f: …`.
 */
export function parseServerUrl(value: string, source: ServerSource, kubeconfigPath?: string): string {
  const fail = (why: string): never => {
    if (source === 'flag') throw new Error(`error: ${new FlagError('server', value, why).message}`);
    if (source === 'env') throw new Error(`error: invalid KDP_SERVER "${value}": ${why}`);
    throw new Error(`error: invalid server "${value}" in kubeconfig ${kubeconfigPath ?? ''}: ${why}`.replace(' : ', ': '));
  };
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `https://${value}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    return fail(`parse "${value}": invalid URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return fail(`unsupported scheme "${url.protocol.slice(0, -1)}": want http or https`);
  if (!url.hostname) return fail('no host in the URL');
  return withScheme;
}
