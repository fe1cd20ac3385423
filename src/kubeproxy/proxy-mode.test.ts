import { describe, expect, it } from 'vitest';
import { NftablesDataplane } from './nftables/nftables-dataplane.js';
import type { ToolRunner } from './nftables/tools.js';
import { chooseDataplane } from './proxy-mode.js';

/** A fake nft: answers `list tables` with `tables`, and fails or accepts `-f -`; records the calls. */
function fakeNft(opts: { tables?: string; refuse?: string } = {}) {
  const calls: string[] = [];
  const run: ToolRunner = async (_file, args, stdin) => {
    calls.push(`${args.join(' ')}${stdin ? `\n${stdin}` : ''}`);
    if (opts.refuse) return { code: 1, stdout: '', stderr: `${opts.refuse}\n` };
    return { code: 0, stdout: args[0] === 'list' ? (opts.tables ?? '') : '', stderr: '' };
  };
  return { run, calls };
}

describe('chooseDataplane', () => {
  it('userspace when asked, without touching nft', async () => {
    const nft = fakeNft();
    const c = await chooseDataplane('userspace', { uid: 0, nftables: { nft: '/usr/sbin/nft', run: nft.run } });
    expect([c.dataplane.name, c.why]).toEqual(['userspace', '--proxy-mode userspace']);
    expect(nft.calls).toEqual([]);
  });

  it('auto: nftables as root when nft can create the table', async () => {
    const nft = fakeNft();
    const c = await chooseDataplane('auto', { uid: 0, nftables: { nft: '/usr/sbin/nft', run: nft.run, table: 'kdp_1_t' } });
    expect([c.dataplane.name, c.why]).toEqual(['nftables', 'table ip kdp_1_t']);
    expect(nft.calls[0]).toBe('list tables');
    expect(nft.calls[1]).toMatch(/^-f -\nadd table ip kdp_1_t\ndelete table ip kdp_1_t\ntable ip kdp_1_t \{/);
    await c.dataplane.stop();
    expect(nft.calls[2]).toBe('delete table ip kdp_1_t');
  });

  it('auto: userspace, saying why, when not root or when nft refuses', async () => {
    const nft = fakeNft();
    const notRoot = await chooseDataplane('auto', { uid: 1000, nftables: { nft: '/usr/sbin/nft', run: nft.run } });
    expect([notRoot.dataplane.name, notRoot.why]).toEqual(['userspace', 'nftables is not usable: not running as root (nftables rules need CAP_NET_ADMIN)']);
    expect(nft.calls).toEqual([]);
    const refused = await chooseDataplane('auto', { uid: 0, nftables: { nft: '/usr/sbin/nft', run: fakeNft({ refuse: 'Error: Operation not permitted' }).run } });
    expect([refused.dataplane.name, refused.why]).toEqual(['userspace', 'nftables is not usable: nft list tables failed: Error: Operation not permitted']);
  });

  it('--proxy-mode nftables fails start-up when nftables is not usable', async () => {
    await expect(chooseDataplane('nftables', { uid: 1000 })).rejects.toThrow('kube-proxy: --proxy-mode nftables is not possible here: not running as root');
  });
});

describe('NftablesDataplane.start', () => {
  it('deletes the tables of dead kdp processes in the transaction that creates its own, and nothing else', async () => {
    const nft = fakeNft({ tables: 'table ip kdp_100\ntable ip kdp_200_x\ntable ip kdp_300\ntable inet kdp_400\ntable ip kdp_bench\ntable ip nat\n' });
    const dp = await NftablesDataplane.start({ nft: '/usr/sbin/nft', run: nft.run, table: 'kdp_9_t', isAlive: (pid) => pid === 300 });
    expect(dp.staleRemoved).toEqual(['kdp_100', 'kdp_200_x']);
    expect(nft.calls[1]).toMatch(/^-f -\nadd table ip kdp_100\ndelete table ip kdp_100\nadd table ip kdp_200_x\ndelete table ip kdp_200_x\nadd table ip kdp_9_t\n/);
    await dp.stop();
  });
});
