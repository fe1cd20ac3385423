// kube-proxy's nftables dataplane with real DNAT rules and real loopback sockets, driven through a
// bare ObjectStore. Nodes on 127.76.0.x, backends ("pods") on 127.76.1.x, Service VIPs on
// 127.76.100.x, hostAddress 127.76.200.1; random high ports. Needs root and nft; the table is
// `kdp_<vitest worker pid>_it`, deleted by stop() (which the tests check).
import { execFile, spawnSync } from 'node:child_process';
import dgram from 'node:dgram';
import http from 'node:http';
import net from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { InformerFactory } from '../../src/api/informer.js';
import { ObjectStore } from '../../src/api/store.js';
import { GR, type KObject } from '../../src/api/types.js';
import { NftablesDataplane, startKubeProxy, type KubeProxy } from '../../src/kubeproxy/index.js';
import { pidAlive } from '../../src/kubeproxy/nftables/nftables-dataplane.js';
import { tableOwner } from '../../src/kubeproxy/nftables/ruleset.js';
import { findProgram } from '../../src/kubeproxy/nftables/tools.js';
import { getOnce, nodeObject } from '../support/proxy-clients.js';

const NFT = findProgram('nft');
const CONNTRACK = findProgram('conntrack');
const ROOT = process.geteuid?.() === 0;
/** Root with nft is not enough inside some sandboxes (no CAP_NET_ADMIN): try a table, and say why not. */
function nftRefusal(): string {
  const probe = `kdp_${process.pid}_probe`;
  const r = spawnSync(NFT!, ['-f', '-'], { input: `add table ip ${probe}\ndelete table ip ${probe}\n`, encoding: 'utf8' });
  return r.status === 0 ? '' : `nft cannot create tables here: ${(r.stderr || r.error?.message || `exit ${r.status}`).trim().split('\n')[0]}`;
}
const SKIP = !ROOT ? 'not running as root' : !NFT ? 'nft not installed (apt-get install nftables)' : nftRefusal();
const TABLE = `kdp_${process.pid}_it`;

const PORT = 20000 + Math.floor(Math.random() * 20000);
const BACKEND_PORT = PORT + 1;
const NODE_PORT = PORT + 2;
const HOST = '127.76.200.1';
const NODES = [
  { name: 'n1', ip: '127.76.0.2', cidr: '127.76.1.0/26' },
  { name: 'n2', ip: '127.76.0.3', cidr: '127.76.1.64/26' },
];
const BACKENDS = ['127.76.1.1', '127.76.1.2', '127.76.1.3']; // on n1
const OTHER_NODE_BACKEND = '127.76.1.65'; // on n2

type Ep = { ip: string; node?: string; ready?: boolean };

function service(name: string, clusterIP: string, spec: Record<string, unknown> = {}): KObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' }, spec: { clusterIP, clusterIPs: [clusterIP], ports: [{ port: PORT }], ...spec } };
}

function slice(svc: string, eps: Ep[], protocol = 'TCP'): KObject {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: `${svc}-abcde`, namespace: 'default', labels: { 'kubernetes.io/service-name': svc } },
    addressType: 'IPv4',
    ports: [{ name: '', port: BACKEND_PORT, protocol }],
    endpoints: eps.map((e) => ({ addresses: [e.ip], nodeName: e.node ?? 'n1', conditions: { ready: e.ready ?? true, serving: e.ready ?? true, terminating: false } })),
  };
}

const node = nodeObject;

/** One request on a fresh connection; resolves with the body (the backend's IP). */
const get = (ip: string, port = PORT): Promise<string> => getOnce(ip, port);

/** curl's exit code: 0 answered, 7 refused, 28 timed out (dropped). */
function curl(url: string, maxTime = 1): Promise<number> {
  return new Promise((resolve) => {
    execFile('curl', ['-s', '-o', '/dev/null', '-m', String(maxTime), '--noproxy', '*', url], (err) => resolve(err ? Number((err as { code?: number }).code ?? 1) : 0));
  });
}

/** A UDP client on one fixed source port (one conntrack flow): sends `msg`, resolves the reply. */
class UdpClient {
  private readonly sock = dgram.createSocket('udp4');
  private waiting?: (s: string) => void;
  constructor() {
    this.sock.on('message', (m) => this.waiting?.(String(m)));
    this.sock.on('error', () => this.waiting?.('ERROR'));
  }
  async open(): Promise<this> {
    await new Promise<void>((r) => this.sock.bind(0, '127.0.0.1', () => r()));
    return this;
  }
  ask(ip: string, port: number, msg = 'ping', timeoutMs = 1000): Promise<string> {
    return new Promise((resolve) => {
      const t = setTimeout(() => resolve('TIMEOUT'), timeoutMs);
      this.waiting = (s) => {
        clearTimeout(t);
        this.waiting = undefined;
        resolve(s);
      };
      this.sock.send(msg, port, ip);
    });
  }
  close(): void {
    this.sock.close();
  }
}

function nftTables(): string[] {
  const r = spawnSync(NFT!, ['list', 'tables'], { encoding: 'utf8' });
  return r.stdout.split('\n').map((l) => l.trim().replace(/^table ip /, '')).filter(Boolean);
}

function servicesMap(): string {
  return spawnSync(NFT!, ['list', 'map', 'ip', TABLE, 'services'], { encoding: 'utf8' }).stdout;
}

async function eventuallyTrue(f: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!f()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

const close = (s: net.Server | dgram.Socket) => new Promise<void>((r) => s.close(() => r()));

describe.skipIf(!!SKIP)(`kube-proxy nftables dataplane${SKIP ? ` (skipped: ${SKIP})` : ''}`, () => {
  let store: ObjectStore;
  let informers: InformerFactory;
  let proxy: KubeProxy;
  let dataplane: NftablesDataplane;
  let logs: string[];
  const servers: (net.Server | dgram.Socket)[] = [];

  beforeAll(async () => {
    for (const ip of [...BACKENDS, OTHER_NODE_BACKEND]) {
      const srv = http.createServer((_req, res) => res.end(ip));
      await new Promise<void>((r) => srv.listen(BACKEND_PORT, ip, () => r()));
      servers.push(srv);
      const udp = dgram.createSocket('udp4');
      udp.on('message', (m, from) => udp.send(`${ip}:${m}`, from.port, from.address));
      await new Promise<void>((r) => udp.bind(BACKEND_PORT, ip, () => r()));
      servers.push(udp);
    }
  });
  afterAll(async () => {
    await Promise.all(servers.map(close));
  });

  beforeEach(async () => {
    store = new ObjectStore();
    store.create(GR.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } });
    for (const n of NODES) store.create(GR.nodes, node(n.name, n.ip, n.cidr));
    informers = new InformerFactory(store);
    logs = [];
    dataplane = await NftablesDataplane.start({ table: TABLE });
    proxy = await startKubeProxy({ informers, store, dataplane, hostAddress: HOST, log: (l) => logs.push(l), retryMs: 50 });
  });
  afterEach(async () => {
    await proxy.stop();
    informers.stop();
  });

  it('DNATs a ClusterIP to its endpoints in exact round robin, with no listener of its own', async () => {
    store.create(GR.services, service('web', '127.76.100.1'));
    store.create(GR.endpointslices, slice('web', BACKENDS.map((ip) => ({ ip }))));
    await proxy.synced();
    expect(proxy.mode).toBe('nftables');
    expect(proxy.listening()).toEqual([`127.76.100.1:${PORT}/TCP`]);
    expect(spawnSync('ss', ['-Htln', `src 127.76.100.1:${PORT}`], { encoding: 'utf8' }).stdout).toBe(''); // the kernel serves it
    const seen: string[] = [];
    for (let i = 0; i < 30; i++) seen.push(await get('127.76.100.1'));
    expect(seen.slice(0, 3).sort()).toEqual(BACKENDS);
    for (let i = 3; i < 30; i++) expect(seen[i], `connection ${i}`).toBe(seen[i - 3]);
    const rules = spawnSync(NFT!, ['list', 'table', 'ip', TABLE], { encoding: 'utf8' }).stdout;
    expect(rules).toContain(`127.76.100.1 . tcp . ${PORT} : goto sp_default/web_`);
    expect(rules).toContain('numgen inc mod 3 map');
  });

  it('stops sending to a removed or unready endpoint at once, and refuses (RST) when none is left', async () => {
    store.create(GR.services, service('web', '127.76.100.2'));
    const s = store.create(GR.endpointslices, slice('web', BACKENDS.map((ip) => ({ ip }))));
    await proxy.synced();
    const s2 = store.update(GR.endpointslices, { ...slice('web', [{ ip: BACKENDS[0] }, { ip: BACKENDS[1], ready: false }, { ip: BACKENDS[2] }]), metadata: { ...s.metadata } });
    await proxy.synced();
    const seen = new Set<string>();
    for (let i = 0; i < 10; i++) seen.add(await get('127.76.100.2'));
    expect([...seen].sort()).toEqual([BACKENDS[0], BACKENDS[2]]);
    store.update(GR.endpointslices, { ...slice('web', []), metadata: { ...s2.metadata } });
    await proxy.synced();
    expect(proxy.listening()).toEqual([]);
    expect(await curl(`http://127.76.100.2:${PORT}/`)).toBe(7);
    expect(await curl(`http://127.76.100.3:${PORT}/`)).toBe(7); // no Service at all
  });

  it('UDP: DNAT per flow, round robin over flows; a removed endpoint loses its flows (conntrack)', async () => {
    store.create(GR.services, service('dns', '127.76.100.4', { ports: [{ port: PORT, protocol: 'UDP' }] }));
    const s = store.create(GR.endpointslices, slice('dns', BACKENDS.slice(0, 2).map((ip) => ({ ip })), 'UDP'));
    await proxy.synced();
    expect(proxy.listening()).toEqual([`127.76.100.4:${PORT}/UDP`]);
    const clients = await Promise.all([0, 1, 2, 3].map(() => new UdpClient().open()));
    try {
      const first = await Promise.all(clients.map((c) => c.ask('127.76.100.4', PORT, 'a')));
      // every flow answered, by both endpoints, and a flow keeps its endpoint
      expect(first.map((r) => r.split(':')[0]).sort()).toEqual([BACKENDS[0], BACKENDS[0], BACKENDS[1], BACKENDS[1]]);
      for (const [i, c] of clients.entries()) expect(await c.ask('127.76.100.4', PORT, 'b')).toBe(`${first[i].split(':')[0]}:b`);

      store.update(GR.endpointslices, { ...slice('dns', [{ ip: BACKENDS[1] }], 'UDP'), metadata: { ...s.metadata } });
      await proxy.synced();
      if (CONNTRACK) {
        // the flows that went to the removed endpoint now go to the one left
        for (const c of clients) expect(await c.ask('127.76.100.4', PORT, 'c')).toBe(`${BACKENDS[1]}:c`);
      }
      const fresh = await new UdpClient().open();
      expect(await fresh.ask('127.76.100.4', PORT, 'd')).toBe(`${BACKENDS[1]}:d`);
      fresh.close();
    } finally {
      for (const c of clients) c.close();
    }
  });

  it('NodePorts on node IPs are kernel-served; Local drops on a node without an endpoint; hostAddress is kernel-served with its port held; ClientIP stays in userspace', async () => {
    store.create(GR.services, service('np', '127.76.100.5', { type: 'NodePort', externalTrafficPolicy: 'Local', ports: [{ port: PORT, nodePort: NODE_PORT }] }));
    store.create(GR.endpointslices, slice('np', [{ ip: OTHER_NODE_BACKEND, node: 'n2' }]));
    store.create(GR.services, service('sticky', '127.76.100.6', { sessionAffinity: 'ClientIP' }));
    store.create(GR.endpointslices, slice('sticky', BACKENDS.map((ip) => ({ ip }))));
    await proxy.synced();
    expect(proxy.listening()).toEqual([`127.76.0.2:${NODE_PORT}/TCP`, `127.76.0.3:${NODE_PORT}/TCP`, `127.76.100.5:${PORT}/TCP`, `127.76.100.6:${PORT}/TCP`, `${HOST}:${NODE_PORT}/TCP`]);
    // userspace listeners exist only for the hostAddress (holding the port) and the ClientIP Service
    const ss = spawnSync('ss', ['-Htln'], { encoding: 'utf8' }).stdout;
    expect(ss).toContain(`${HOST}:${NODE_PORT}`);
    expect(ss).toContain(`127.76.100.6:${PORT}`);
    expect(ss).not.toContain(`127.76.0.3:${NODE_PORT}`);
    // the hostAddress frontend has a DNAT element; the ClientIP one has none
    const map = servicesMap();
    expect(map).toContain(`${HOST} . tcp . ${NODE_PORT}`);
    expect(map).not.toContain('127.76.100.6');

    expect(await get('127.76.0.3', NODE_PORT)).toBe(OTHER_NODE_BACKEND);
    expect(await get(HOST, NODE_PORT)).toBe(OTHER_NODE_BACKEND);
    expect(await curl(`http://127.76.0.2:${NODE_PORT}/`), 'curl exit: 28 = timed out (dropped), 7 would be refused').toBe(28);
    const sticky = new Set<string>();
    for (let i = 0; i < 6; i++) sticky.add(await get('127.76.100.6'));
    expect(sticky.size).toBe(1);
  });

  it('a hostAddress port another program holds is reported as in userspace mode and never captured', async () => {
    const other = net.createServer((s) => s.end('other\n'));
    await new Promise<void>((r) => other.listen(NODE_PORT, HOST, () => r()));
    try {
      store.create(GR.services, service('np', '127.76.100.5', { type: 'NodePort', ports: [{ port: PORT, nodePort: NODE_PORT }] }));
      store.create(GR.endpointslices, slice('np', [{ ip: BACKENDS[0] }]));
      await proxy.synced();
      expect(logs.join('\n')).toMatch(new RegExp(`${HOST.replace(/\./g, '\\.')}:${NODE_PORT}.*address already in use`, 'i'));
      expect(servicesMap()).not.toContain(`${HOST} . tcp . ${NODE_PORT}`);
      expect(servicesMap()).toContain(`127.76.0.2 . tcp . ${NODE_PORT}`);
      const body = await new Promise<string>((resolve, reject) => {
        const c = net.connect(NODE_PORT, HOST);
        let d = '';
        c.on('data', (x) => (d += x)).on('end', () => resolve(d)).on('error', reject);
      });
      expect(body).toBe('other\n'); // still the other program's
    } finally {
      await close(other);
    }
    // once the port is free, kdp's retry binds it and the kernel serves it
    await eventuallyTrue(() => servicesMap().includes(`${HOST} . tcp . ${NODE_PORT}`));
    expect(await get(HOST, NODE_PORT)).toBe(BACKENDS[0]);
  });

  it('stop() deletes the table; start() deletes the tables of dead kdp processes and nothing else', async () => {
    expect(nftTables()).toContain(TABLE);
    await proxy.stop();
    expect(nftTables()).not.toContain(TABLE);

    // A kdp that died (SIGKILL) left its table. Other kdp processes starting meanwhile may clean a
    // truly dead pid's table first, so the exact check uses a pid only this start() sees as dead.
    const dead = spawnSync('true').pid!; // exited: its pid is free (unless reused at once)
    const stale = `kdp_${dead}`;
    const staleForUs = `kdp_${process.ppid}_gone`;
    const alive = `kdp_${process.pid}_other`;
    const foreign = `kdp_test_${process.pid}`;
    const mine = [stale, staleForUs, alive, foreign];
    const setup = mine.map((t) => `table ip ${t} {\n  chain output { type nat hook output priority -100; }\n}`).join('\n');
    expect(spawnSync(NFT!, ['-f', '-'], { input: setup }).status).toBe(0);
    try {
      const dp = await NftablesDataplane.start({ table: TABLE, isAlive: (pid) => pid !== process.ppid && pidAlive(pid) });
      try {
        expect(dp.staleRemoved).toContain(staleForUs);
        // anything else it removed belonged to a dead process too (another test's SIGKILLed kdp)
        for (const t of dp.staleRemoved.filter((x) => x !== staleForUs)) expect(pidAlive(tableOwner(t)!), t).toBe(false);
        const tables = nftTables();
        expect(tables).not.toContain(stale);
        expect(tables).not.toContain(staleForUs);
        expect(tables).toEqual(expect.arrayContaining([alive, foreign, TABLE]));
      } finally {
        await dp.stop();
      }
    } finally {
      for (const t of mine) spawnSync(NFT!, ['delete', 'table', 'ip', t], { stdio: 'ignore' });
    }
    expect(nftTables().filter((t) => t.includes(String(process.pid)))).toEqual([]);
  });
});
