// Experiment (not part of the default run): proxy techniques in a stand-alone Node process against
// HAProxy (mode tcp, 1 thread), all in front of one Debian nginx on loopback — to choose what
// src/kubeproxy should do, with numbers. See experiments/proxy-variant.ts.
import { join } from 'node:path';
import { BENCH } from '../lib/addresses.js';
import { ROOT, tmpDir } from '../lib/cluster.js';
import { wrk, type WrkResult } from '../lib/loadgen.js';
import { nginxBackendCommand, startHaproxy, waitTcp } from '../lib/peers.js';
import { runProc, startProc, type Proc } from '../lib/procs.js';
import { findTool } from '../lib/tools.js';
import { emptyRow, type RowResult } from '../lib/report.js';
import { alternate, type RowOptions } from '../lib/row.js';

const BACKEND_IP = '127.234.0.10';
const VARIANTS = ['pipe', 'data', 'inproc'] as const;
const NFT_TABLE = 'kdp_bench';
const NFT_VIP = '127.234.2.1';

/** Kernel mode, as a later kube-proxy backend would do it: an nftables DNAT of a VIP to the backend. */
async function addDnat(backend: string): Promise<boolean> {
  if (!findTool('nft')) return false;
  const rules = `table ip ${NFT_TABLE} {
  chain output { type nat hook output priority -100; ip daddr ${NFT_VIP} tcp dport 80 dnat to ${backend}; }
}
`;
  const r = await runProc('sh', ['-c', `nft delete table ip ${NFT_TABLE} 2>/dev/null; printf '%s' "$0" | nft -f -`, rules]);
  return r.code === 0;
}

export async function l4VariantsRow(o: RowOptions): Promise<RowResult> {
  const row = emptyRow('l4-variants', 'Experiment: Node splice techniques vs HAProxy, same nginx backend');
  const tmp = tmpDir('kdp-bench-variants-');
  const procs: Proc[] = [];
  try {
    const cmd = nginxBackendCommand(join(tmp.dir, 'backend'), 8080);
    const backend = startProc('nginx-backend', cmd[0], cmd.slice(1), { env: { ...process.env, POD_IP: BACKEND_IP } });
    procs.push(backend);
    await waitTcp(BACKEND_IP, 8080);
    procs.push(await startHaproxy(tmp.dir, BENCH.haproxy, `${BACKEND_IP}:8080`));
    const script = join(ROOT, 'dist', 'bench', 'experiments', 'proxy-variant.js');
    const targets: Record<string, string> = { haproxy: `http://${BENCH.haproxy}/` };
    VARIANTS.forEach((v, i) => {
      const ip = `127.234.1.${i + 1}`;
      procs.push(startProc(`proxy-${v}`, process.execPath, [...o.nodeFlags, script, v, ip, '80', `${BACKEND_IP}:8080`]));
      targets[v] = `http://${ip}/`;
    });
    for (const url of Object.values(targets)) await waitTcp(new URL(url).hostname, 80);
    if (await addDnat(`${BACKEND_IP}:8080`)) targets['nft-dnat'] = `http://${NFT_VIP}/`;
    else row.notes.push('nft missing or not permitted: no kernel DNAT variant');
    targets.direct = `http://${BACKEND_IP}:8080/`;
    for (const close of [false, true]) {
      const mode = close ? 'Connection: close' : 'keep-alive';
      for (const url of Object.values(targets)) await wrk({ url, connections: 50, durationS: 1, close });
      const sides = Object.keys(targets).map((name) => ({ name, run: () => wrk({ url: targets[name], connections: 50, durationS: o.durationS, close }) }));
      const res = await alternate<WrkResult>(o.rounds, sides, o.log, (r) => `${Math.round(r.rps)} req/s p99 ${r.p99Ms.toFixed(2)} ms${r.errors ? ` errors ${r.errors}` : ''}`);
      for (const v of [...VARIANTS, 'nft-dnat', 'direct']) if (res[v]) row.comparisons.push({ case: `${mode}: ${v}`, metric: 'req/s', kdp: res[v].map((r) => r.rps), peer: res.haproxy.map((r) => r.rps), peerName: 'haproxy' });
    }
    row.notes.push('"inproc" answers from a Node http.Server in the proxy process (the built-in image case), so it is not the same backend: it shows what skipping the second socket is worth');
    return row;
  } finally {
    await runProc('nft', ['delete', 'table', 'ip', NFT_TABLE]).catch(() => undefined);
    for (const p of procs.reverse()) await p.stop();
    tmp.remove();
  }
}
