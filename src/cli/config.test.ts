import { describe, expect, it } from 'vitest';
import { FlagError, parseConfigFlags, parseServerUrl } from './config.js';

// What commander hands the action with every default in place (as `kdp up` with no flags).
const DEFAULTS = {
  nodes: '2', apiAddress: '127.0.0.1', apiPort: '6443', serviceCidr: '127.96.0.0/12', podCidr: '127.244.0.0/16',
  nodeIpStart: '127.18.0.2', dnsAddress: '127.96.0.10', dnsPort: '53', clusterDomain: 'cluster.local',
  nodePortRange: '30000-32767', lbPool: '127.200.0.0/16', hostAddress: '127.0.0.1', upstreamDns: '127.0.0.53', stateDir: '/tmp/kdp-config-test',
};
const parse = (o: Record<string, string | undefined>) => parseConfigFlags({ ...DEFAULTS, ...o });
const error = (o: Record<string, string | undefined>) => {
  try {
    parse(o);
  } catch (err) {
    expect(err).toBeInstanceOf(FlagError);
    return (err as Error).message;
  }
  throw new Error('expected a FlagError');
};

describe('kdp up flags', () => {
  it('--dashboard-port: 0 (any free port) by default, a port, or a precise error', () => {
    expect(parse({ dashboardPort: '0' }).dashboardPort).toBe(0);
    expect(parse({ dashboardPort: '8443' }).dashboardPort).toBe(8443);
    expect(error({ dashboardPort: '70000' })).toBe('invalid argument "70000" for "--dashboard-port" flag: must be between 0 and 65535, inclusive');
    expect(error({ dashboardPort: 'x' })).toMatch(/^invalid argument "x" for "--dashboard-port" flag/);
  });
  it('gives the default address plan, typed and frozen', () => {
    const c = parse({});
    expect(c).toMatchObject({ apiPort: 6443, dnsPort: 53, nodes: 2, nodePortRange: { min: 30000, max: 32767 }, upstreamDns: ['127.0.0.53'] });
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.nodePortRange)).toBe(true);
    expect(Object.isFrozen(c.upstreamDns)).toBe(true);
    expect(() => ((c as { apiPort: number }).apiPort = 1)).toThrow(TypeError);
  });

  it('takes custom ranges that keep the plan consistent', () => {
    const c = parse({ serviceCidr: '127.120.0.0/16', podCidr: '127.140.0.0/16', nodeIpStart: '127.170.0.2', lbPool: '127.190.0.0/24', hostAddress: '127.190.1.1', dnsAddress: '127.120.0.10', apiPort: '0', dnsPort: '0', upstreamDns: '' });
    expect(c).toMatchObject({ serviceCidr: '127.120.0.0/16', apiPort: 0, dnsPort: 0, upstreamDns: [] });
  });

  it('rejects a port that is not a number, as pflag does', () => {
    expect(error({ apiPort: 'abc' })).toBe('invalid argument "abc" for "--api-port" flag: strconv.ParseInt: parsing "abc": invalid syntax');
    expect(error({ dnsPort: '5.3' })).toBe('invalid argument "5.3" for "--dns-port" flag: strconv.ParseInt: parsing "5.3": invalid syntax');
  });

  it('rejects ports outside 0..65535', () => {
    expect(error({ apiPort: '65536' })).toBe('invalid argument "65536" for "--api-port" flag: must be between 0 and 65535, inclusive');
    expect(error({ dnsPort: '-1' })).toBe('invalid argument "-1" for "--dns-port" flag: must be between 0 and 65535, inclusive');
    expect(error({ apiPort: '99999999999' })).toMatch(/value out of range$/);
  });

  it('rejects a bad node count and node-port range', () => {
    expect(error({ nodes: 'two' })).toBe('invalid argument "two" for "--nodes" flag: strconv.ParseInt: parsing "two": invalid syntax');
    expect(error({ nodes: '0' })).toBe('invalid argument "0" for "--nodes" flag: must be at least 1');
    expect(error({ nodes: '3', podCidr: '127.244.0.0/23' })).toBe('invalid argument "3" for "--nodes" flag: --pod-cidr 127.244.0.0/23 has room for 2 node(s) (a /24 each)');
    expect(error({ nodePortRange: '32767-30000' })).toMatch(/^invalid argument "32767-30000" for "--node-port-range" flag: must be a port range min-max/);
    expect(error({ nodePortRange: 'abc' })).toMatch(/for "--node-port-range" flag/);
  });

  it('rejects malformed addresses and CIDRs', () => {
    expect(error({ dnsAddress: 'x.y' })).toBe('invalid argument "x.y" for "--dns-address" flag: invalid string being converted to IP address: x.y');
    expect(error({ apiAddress: '127.0.0.256' })).toMatch(/for "--api-address" flag: invalid string being converted to IP address/);
    expect(error({ serviceCidr: '127.96.0.0' })).toBe('invalid argument "127.96.0.0" for "--service-cidr" flag: invalid CIDR address: 127.96.0.0');
    expect(error({ podCidr: '127.244.0.0/33' })).toBe('invalid argument "127.244.0.0/33" for "--pod-cidr" flag: invalid CIDR address: 127.244.0.0/33');
    expect(error({ upstreamDns: '127.0.0.53,resolver' })).toBe('invalid argument "127.0.0.53,resolver" for "--upstream-dns" flag: "resolver" is not an IP address or IP:port');
  });

  it('accepts upstream resolvers off loopback (they are the host\'s), with or without a port', () => {
    expect(parse({ upstreamDns: '127.0.0.53:5353, 127.0.0.1' }).upstreamDns).toEqual(['127.0.0.53:5353', '127.0.0.1']);
  });

  it.each([
    ['serviceCidr', '10.96.0.0/12', '--service-cidr'],
    ['podCidr', '192.168.0.0/16', '--pod-cidr'],
    ['lbPool', '0.0.0.0/0', '--lb-pool'],
    ['serviceCidr', '126.0.0.0/7', '--service-cidr'],
  ])('keeps --%s ranges on loopback: %s', (key, value, flag) => {
    expect(error({ [key]: value })).toBe(`invalid argument "${value}" for "${flag}" flag: must be inside 127.0.0.0/8: kdp binds loopback addresses only`);
  });

  it('keeps node and host addresses on loopback', () => {
    expect(error({ nodeIpStart: '172.18.0.2' })).toBe('invalid argument "172.18.0.2" for "--node-ip-start" flag: must be inside 127.0.0.0/8: kdp binds loopback addresses only');
    expect(error({ hostAddress: '0.0.0.0' })).toBe('invalid argument "0.0.0.0" for "--host-address" flag: must be inside 127.0.0.0/8: kdp binds loopback addresses only');
  });

  it('rejects overlapping Service, pod and LoadBalancer ranges', () => {
    expect(error({ podCidr: '127.96.0.0/16' })).toBe('invalid argument "127.96.0.0/16" for "--pod-cidr" flag: overlaps --service-cidr 127.96.0.0/12');
    expect(error({ lbPool: '127.244.5.0/24' })).toBe('invalid argument "127.244.5.0/24" for "--lb-pool" flag: overlaps --pod-cidr 127.244.0.0/16');
    expect(error({ lbPool: '127.0.0.0/8' })).toBe('invalid argument "127.0.0.0/8" for "--lb-pool" flag: overlaps --service-cidr 127.96.0.0/12');
  });

  it('wants the DNS address inside the Service range, and not the kubernetes Service\'s', () => {
    expect(error({ dnsAddress: '127.53.0.10' })).toBe('invalid argument "127.53.0.10" for "--dns-address" flag: must be inside --service-cidr 127.96.0.0/12 (the kube-dns Service\'s ClusterIP)');
    expect(error({ dnsAddress: '127.96.0.1' })).toMatch(/for "--dns-address" flag: is the kubernetes Service's ClusterIP/);
    expect(error({ dnsAddress: '127.96.0.0' })).toMatch(/for "--dns-address" flag: is the network or broadcast address/);
  });

  it('wants node IPs outside the pod, Service and LoadBalancer ranges', () => {
    expect(error({ nodeIpStart: '127.244.0.2' })).toBe('invalid argument "127.244.0.2" for "--node-ip-start" flag: node IP 127.244.0.2 is inside --pod-cidr 127.244.0.0/16');
    // the second node's IP runs into the pod range
    expect(error({ nodeIpStart: '127.243.255.255' })).toBe('invalid argument "127.243.255.255" for "--node-ip-start" flag: node IP 127.244.0.0 is inside --pod-cidr 127.244.0.0/16');
    expect(error({ nodeIpStart: '127.96.0.2' })).toMatch(/node IP 127\.96\.0\.2 is inside --service-cidr/);
    expect(error({ nodeIpStart: '127.255.255.255' })).toMatch(/2 node IPs from here leave 127\.0\.0\.0\/8/);
  });

  it('rejects a pod range too small for a /24 per node', () => {
    expect(error({ podCidr: '127.244.0.0/25' })).toBe('invalid argument "127.244.0.0/25" for "--pod-cidr" flag: too small: each node gets a /24 of it, so it must be a /24 or larger');
  });

  it('checks the proxy mode, cluster name and domain', () => {
    expect(error({ proxyMode: 'ipvs' })).toBe('invalid argument "ipvs" for "--proxy-mode" flag: must be one of nftables, userspace');
    expect(error({ name: 'My_Cluster' })).toMatch(/^invalid argument "My_Cluster" for "--name" flag: a lowercase RFC 1123 label/);
    expect(error({ clusterDomain: 'Cluster..local' })).toMatch(/^invalid argument "Cluster..local" for "--cluster-domain" flag: a lowercase RFC 1123 subdomain/);
  });
});

describe('the API address client verbs read', () => {
  it('passes http(s) URLs through and gives a bare host:port https:// (the API is HTTPS)', () => {
    expect(parseServerUrl('http://127.0.0.1:6443', 'flag')).toBe('http://127.0.0.1:6443');
    expect(parseServerUrl('https://127.0.0.1:6443/', 'env')).toBe('https://127.0.0.1:6443/');
    expect(parseServerUrl('127.0.0.1:6443', 'env')).toBe('https://127.0.0.1:6443');
  });

  it('names where a bad address came from', () => {
    expect(() => parseServerUrl('ftp://127.0.0.1', 'flag')).toThrow('error: invalid argument "ftp://127.0.0.1" for "--server" flag: unsupported scheme "ftp": want http or https');
    expect(() => parseServerUrl('http://[::1', 'env')).toThrow('error: invalid KDP_SERVER "http://[::1": parse "http://[::1": invalid URL');
    expect(() => parseServerUrl('http://', 'kubeconfig', '/tmp/kc')).toThrow(/^error: invalid server "http:\/\/" in kubeconfig \/tmp\/kc: /);
  });
});

