// One contract for every kube-proxy backend (userspace sockets, nftables DNAT, any later one): given
// the same routing table — computed by the pure core from Services, EndpointSlices and Nodes — each
// must serve it the same way over real loopback sockets: round robin over ready endpoints on the
// ClusterIP and the NodePort, UDP, connection refused for a Service without endpoints, endpoint and
// frontend changes for the next connection, and nothing left once stopped. Addresses 127.75.x; the
// nftables run needs root and nft (its table `kdp_<pid>_contract` is removed by stop()).
import { execFile, spawnSync } from 'node:child_process';
import dgram from 'node:dgram';
import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KObject } from '../../src/api/types.js';
import type { Dataplane } from '../../src/kubeproxy/dataplane.js';
import { NftablesDataplane, UserspaceDataplane } from '../../src/kubeproxy/index.js';
import { computeRoutingTable } from '../../src/kubeproxy/routing-table.js';
import { findProgram } from '../../src/kubeproxy/nftables/tools.js';
import { getOnce } from '../support/proxy-clients.js';

const NFT = findProgram('nft');
function nftSkip(): string {
  if (process.geteuid?.() !== 0) return 'not running as root';
  if (!NFT) return 'nft not installed (apt-get install nftables)';
  const probe = `kdp_${process.pid}_cprobe`;
  const r = spawnSync(NFT, ['-f', '-'], { input: `add table ip ${probe}\ndelete table ip ${probe}\n`, encoding: 'utf8' });
  return r.status === 0 ? '' : `nft cannot create tables here: ${(r.stderr || `exit ${r.status}`).trim().split('\n')[0]}`;
}

const PORT = 20000 + Math.floor(Math.random() * 20000);
const BACKEND_PORT = PORT + 1;
const NODE_PORT = 30000 + Math.floor(Math.random() * 2000);
const NODE = { name: 'n1', ip: '127.75.0.2', podCIDR: '127.75.1.0/24' };
const BACKENDS = ['127.75.1.1', '127.75.1.2', '127.75.1.3'];
const VIP = '127.75.100.1';
const EMPTY_VIP = '127.75.100.2';
const UDP_VIP = '127.75.100.3';

function service(name: string, clusterIP: string, ports: object[]): KObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' }, spec: { clusterIP, clusterIPs: [clusterIP], type: 'ClusterIP', ports } };
}

function slice(svc: string, ips: string[], protocol = 'TCP'): KObject {
  return {
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
    metadata: { name: `${svc}-x`, namespace: 'default', labels: { 'kubernetes.io/service-name': svc } },
    addressType: 'IPv4', ports: [{ name: '', port: BACKEND_PORT, protocol }],
    endpoints: ips.map((ip) => ({ addresses: [ip], nodeName: 'n1', conditions: { ready: true, serving: true, terminating: false } })),
  };
}

/** The table for: web (ClusterIP + NodePort, the given endpoints), empty (no endpoints), dns (UDP). */
function table(webEndpoints: string[], withEmpty = true) {
  const web = service('web', VIP, [{ port: PORT, targetPort: BACKEND_PORT, protocol: 'TCP', nodePort: NODE_PORT }]);
  (web.spec as { type: string }).type = 'NodePort';
  const services = [web, service('dns', UDP_VIP, [{ port: PORT, targetPort: BACKEND_PORT, protocol: 'UDP' }])];
  if (withEmpty) services.push(service('empty', EMPTY_VIP, [{ port: PORT, targetPort: BACKEND_PORT, protocol: 'TCP' }]));
  const slices = [slice('web', webEndpoints), slice('dns', [BACKENDS[0]], 'UDP')];
  return computeRoutingTable(services as never[], slices as never[], { nodes: [NODE] });
}

/** curl's exit code: 0 answered, 7 refused, 28 timed out. */
function curl(url: string): Promise<number> {
  return new Promise((resolve) => execFile('curl', ['-s', '-o', '/dev/null', '-m', '2', '--noproxy', '*', url], (err) => resolve(err ? Number((err as { code?: number }).code ?? 1) : 0)));
}

function udpAsk(ip: string, port: number, msg: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = dgram.createSocket('udp4');
    const t = setTimeout(() => { s.close(); reject(new Error('no UDP answer')); }, 2000);
    s.on('message', (m) => { clearTimeout(t); s.close(); resolve(m.toString()); });
    s.send(msg, port, ip);
  });
}

let servers: (http.Server | dgram.Socket)[] = [];

beforeAll(async () => {
  for (const ip of BACKENDS) {
    const srv = http.createServer((_q, r) => r.end(ip));
    srv.keepAliveTimeout = 1;
    await new Promise<void>((resolve) => srv.listen(BACKEND_PORT, ip, resolve));
    servers.push(srv);
  }
  const udp = dgram.createSocket('udp4');
  udp.on('message', (m, from) => udp.send(`${BACKENDS[0]}:${m}`, from.port, from.address));
  await new Promise<void>((resolve) => udp.bind(BACKEND_PORT, BACKENDS[0], resolve));
  servers.push(udp);
});

afterAll(async () => {
  for (const s of servers) await new Promise<void>((resolve) => ('listen' in s ? (s as http.Server).close(() => resolve()) : (s as dgram.Socket).close(() => resolve())));
  servers = [];
});

const BACKENDS_UNDER_TEST: [string, () => Promise<Dataplane>, string][] = [
  ['userspace', async () => new UserspaceDataplane({ connectTimeoutMs: 300 }), ''],
  ['nftables', () => NftablesDataplane.start({ table: `kdp_${process.pid}_contract` }), nftSkip()],
];

describe.each(BACKENDS_UNDER_TEST)('the %s dataplane serves a routing table as the contract says', (_name, make, skip) => {
  let dp: Dataplane | undefined;

  beforeAll(async () => {
    if (skip) return;
    dp = await make();
    expect((await dp.sync(table(BACKENDS))).failed).toEqual([]);
  });

  afterAll(async () => {
    await dp?.stop();
  });

  it.skipIf(!!skip)('round-robins fresh connections over every ready endpoint on the ClusterIP', async () => {
    const seen = new Map<string, number>();
    for (let i = 0; i < 30; i++) {
      const who = await getOnce(VIP, PORT);
      seen.set(who, (seen.get(who) ?? 0) + 1);
    }
    expect(Object.fromEntries(seen)).toEqual(Object.fromEntries(BACKENDS.map((b) => [b, 10])));
  });

  it.skipIf(!!skip)('serves the NodePort on the node IP with the same endpoints', async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 6; i++) seen.add(await getOnce(NODE.ip, NODE_PORT));
    expect([...seen].sort()).toEqual(BACKENDS);
  });

  it.skipIf(!!skip)('proxies UDP datagrams to the endpoint and the replies back', async () => {
    expect(await udpAsk(UDP_VIP, PORT, 'ping')).toBe(`${BACKENDS[0]}:ping`);
  });

  it.skipIf(!!skip)('refuses connections to a Service without endpoints (the client sees connection refused)', async () => {
    expect(await curl(`http://${EMPTY_VIP}:${PORT}/`)).toBe(7);
  });

  it.skipIf(!!skip)('applies an endpoint change to the next connection, and a removed frontend stops being served', async () => {
    expect((await dp!.sync(table([BACKENDS[2]], false))).failed).toEqual([]);
    for (let i = 0; i < 5; i++) expect(await getOnce(VIP, PORT)).toBe(BACKENDS[2]);
    expect(await curl(`http://${EMPTY_VIP}:${PORT}/`)).toBe(7);
    expect((await dp!.sync(table(BACKENDS))).failed).toEqual([]);
    const seen = new Set<string>();
    for (let i = 0; i < 6; i++) seen.add(await getOnce(VIP, PORT));
    expect([...seen].sort()).toEqual(BACKENDS);
  });

  it.skipIf(!!skip)('serves nothing once stopped', async () => {
    await dp!.stop();
    dp = undefined;
    expect(await curl(`http://${VIP}:${PORT}/`)).toBe(7);
    const c = net.connect(NODE_PORT, NODE.ip);
    const refused = await new Promise<boolean>((resolve) => { c.once('connect', () => { c.destroy(); resolve(false); }); c.once('error', () => resolve(true)); });
    expect(refused).toBe(true);
  });
});
