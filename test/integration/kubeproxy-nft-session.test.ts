// The long-lived `nft -i` session the nftables dataplane writes its incremental transactions to:
// a transaction is all or nothing and its error is reported; a session whose nft died starts a new
// one. Needs root and nft; the table is `kdp_<vitest worker pid>_ses`, deleted at the end.
import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { NftSession } from '../../src/kubeproxy/nftables/nft-session.js';
import { findProgram } from '../../src/kubeproxy/nftables/tools.js';

const NFT = findProgram('nft');
const TABLE = `kdp_${process.pid}_ses`;
function refusal(): string {
  if (process.geteuid?.() !== 0) return 'not running as root';
  if (!NFT) return 'nft not installed (apt-get install nftables)';
  const r = spawnSync(NFT, ['-f', '-'], { input: `add table ip ${TABLE}\n`, encoding: 'utf8' });
  return r.status === 0 ? '' : `nft cannot create tables here: ${(r.stderr || `exit ${r.status}`).trim().split('\n')[0]}`;
}
const SKIP = refusal();
const chains = () => spawnSync(NFT!, ['list', 'table', 'ip', TABLE], { encoding: 'utf8' }).stdout.match(/chain \S+/g) ?? [];

describe.skipIf(!!SKIP)(`nft -i session${SKIP ? ` (skipped: ${SKIP})` : ''}`, () => {
  const session = new NftSession(NFT!);
  afterAll(() => {
    session.close();
    spawnSync(NFT!, ['delete', 'table', 'ip', TABLE]);
  });

  it('runs a multi-line transaction, and a failing one changes nothing and says why', async () => {
    expect(await session.run(`add chain ip ${TABLE} a\nadd rule ip ${TABLE} a counter\n`)).toMatchObject({ code: 0, stderr: '' });
    expect(chains()).toEqual(['chain a']);
    const bad = await session.run(`add chain ip ${TABLE} b\ndelete chain ip ${TABLE} nosuch\n`);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^Error: .*No such file or directory/m);
    expect(chains()).toEqual(['chain a']); // b was rolled back with the failed delete
    expect(await session.run(`add chain ip ${TABLE} c\n`)).toMatchObject({ code: 0 });
    expect(chains()).toEqual(['chain a', 'chain c']);
  });

  it('queued transactions run in order; after nft is killed the next one starts a new nft', async () => {
    const rs = await Promise.all([1, 2, 3].map((i) => session.run(`add chain ip ${TABLE} q${i}`)));
    expect(rs.map((r) => r.code)).toEqual([0, 0, 0]);
    const pid = (session as unknown as { child?: { pid: number } }).child?.pid;
    expect(pid).toBeGreaterThan(0);
    process.kill(pid!, 'SIGKILL');
    const r = await session.run(`add chain ip ${TABLE} after`);
    // the kill may land before or after this write reaches nft: either it ran, or it says so and the next one runs
    if (r.code !== 0) expect(await session.run(`add chain ip ${TABLE} after`)).toMatchObject({ code: 0 });
    expect(chains()).toContain('chain after');
    expect((session as unknown as { child?: { pid: number } }).child?.pid).not.toBe(pid);
  });
});
