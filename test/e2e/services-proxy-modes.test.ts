// kube-proxy's two modes through a whole `kdp up`: `--proxy-mode userspace` (proxy sockets on every
// ClusterIP) keeps working now that nftables is the default, and the default mode (nftables, as
// root with nft) leaves no table behind after SIGINT or SIGTERM. Each cluster has its own ranges,
// clear of the test slots and the bench: 127.100-103.x (userspace) and 127.104-107.x (default).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findProgram } from '../../src/kubeproxy/nftables/tools.js';
import { dig } from '../support/dig.js';
import { eventually } from '../support/eventually.js';
import { rangeArgs, startKdp, type KdpCluster } from '../support/kdp.js';
import { apply, curl, deployment, getJson, getOnce, NETEXEC } from './services-helpers.js';

const NFT = findProgram('nft');
const NFT_SKIP = process.geteuid?.() !== 0 ? 'not running as root' : !NFT ? 'nft not installed (apt-get install nftables)' : '';

const ranges = rangeArgs;

const SPREAD = `${deployment('spread', 3, NETEXEC, { args: ['netexec'], ports: '[{containerPort: 8080}]' })}---
apiVersion: v1
kind: Service
metadata: {name: spread}
spec: {selector: {app: spread}, ports: [{port: 80, targetPort: 8080}]}
---
apiVersion: v1
kind: Service
metadata: {name: nobody}
spec: {selector: {app: nobody}, ports: [{port: 80}]}
`;

function nftTables(): string[] {
  return spawnSync(NFT!, ['list', 'tables'], { encoding: 'utf8' }).stdout.split('\n').map((l) => l.trim().replace(/^table ip /, '')).filter(Boolean);
}

/** The pid of the process listening on a TCP or UDP address (from `ss -p`). */
function listenerPid(addr: string, udp = false): number | undefined {
  const out = spawnSync('ss', [udp ? '-Hulnp' : '-Htlnp', `src ${addr}`], { encoding: 'utf8' }).stdout;
  const m = out.match(/pid=(\d+)/);
  return m ? Number(m[1]) : undefined;
}

describe('--proxy-mode userspace', () => {
  let k: KdpCluster;
  let tmp: string;

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'kdp-proxy-userspace-'));
    k = await startKdp({ slot: 0, extraArgs: [...ranges(100, 'e2eus'), '--proxy-mode', 'userspace'] });
  }, 60_000);
  afterAll(async () => {
    await k?.stop();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('says so at start-up, and serves ClusterIPs (TCP round robin, DNS over UDP) from kdp-owned sockets', async () => {
    expect(k.output()).toMatch(/kdp is up in \d+ ms: .*, kube-proxy userspace\n/);
    expect(k.output()).toContain('[INFO] kube-proxy: using the userspace dataplane (--proxy-mode userspace)');
    await apply(k, tmp, 'spread', SPREAD);
    await eventually(async () => {
      const slices = await getJson(k, ['endpointslices', '-l', 'kubernetes.io/service-name=spread']);
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      expect(slices.items.flatMap((s: any) => s.endpoints ?? []).filter((e: any) => e.conditions?.ready)).toHaveLength(3);
    }, { timeout: 20_000, what: '3 ready endpoints' });
    const ip = (await getJson(k, ['svc', 'spread'])).spec.clusterIP;
    const seen: string[] = [];
    await eventually(async () => expect((await getOnce(`http://${ip}/hostname`)).status).toBe(200));
    for (let i = 0; i < 30; i++) seen.push((await getOnce(`http://${ip}/hostname`)).body);
    expect(new Set(seen).size).toBe(3);
    for (let i = 3; i < 30; i++) expect(seen[i], `connection ${i}`).toBe(seen[i - 3]);

    // the ClusterIP and the cluster DNS are kdp's own listening sockets, and kdp made no nft table
    const pid = listenerPid(`${ip}:80`);
    expect(pid, 'a userspace listener on the ClusterIP').toBeGreaterThan(0);
    expect(listenerPid('127.100.0.10:53', true)).toBe(pid);
    const answer = await dig({ address: '127.100.0.10' }, 'spread.default.svc.cluster.local');
    expect(answer.answer, answer.raw).toEqual([`spread.default.svc.cluster.local. 30 IN A ${ip}`]);
    if (NFT) expect(nftTables().filter((t) => t.startsWith(`kdp_${pid}`))).toEqual([]);

    const nobody = (await getJson(k, ['svc', 'nobody'])).spec.clusterIP;
    expect((await curl(`http://${nobody}/`)).code, 'curl exit 7: refused').toBe(7);
  }, 60_000);
});

describe.skipIf(!!NFT_SKIP)(`the default mode, as root with nft: nftables${NFT_SKIP ? ` (skipped: ${NFT_SKIP})` : ''}`, () => {
  it('says so at start-up, DNATs in its own table, and deletes the table on SIGINT and on SIGTERM', async () => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      const k = await startKdp({ slot: 0, extraArgs: ranges(104, 'e2enft') });
      try {
        expect(k.output()).toMatch(/kdp is up in \d+ ms: .*, kube-proxy nftables\n/);
        const table = k.output().match(/using the nftables dataplane \(table ip (kdp_(\d+))/);
        expect(table, k.output()).toBeTruthy();
        expect(nftTables()).toContain(table![1]);
        // the cluster DNS answers through the DNAT to the CoreDNS pod: nothing listens on its ClusterIP
        const answer = await dig({ address: '127.104.0.10' }, 'kubernetes.default.svc.cluster.local');
        expect(answer.answer, answer.raw).toEqual(['kubernetes.default.svc.cluster.local. 30 IN A 127.104.0.1']);
        expect(listenerPid('127.104.0.10:53', true)).toBeUndefined();
        process.kill(Number(table![2]), signal);
        await eventually(() => expect(k.output()).toContain('kdp stopped.'), { what: `kdp stopped after ${signal}` });
        await eventually(() => expect(nftTables()).not.toContain(table![1]), { timeout: 2000, what: 'table deleted' });
      } finally {
        await k.stop();
      }
    }
  }, 60_000);
});
