// kube-proxy's --proxy-mode: which Dataplane serves the routing table. `auto` (kdp up's default) is
// nftables when kdp runs as root and nft can create a table here, else userspace, saying why.
import type { Dataplane } from './dataplane.js';
import { NftablesDataplane, NftablesUnavailableError, type NftablesDataplaneOptions } from './nftables/nftables-dataplane.js';
import { UserspaceDataplane, type UserspaceDataplaneOptions } from './userspace/userspace-dataplane.js';

export const PROXY_MODES = ['nftables', 'userspace'] as const;
export type ProxyMode = (typeof PROXY_MODES)[number];

export function isProxyMode(s: unknown): s is ProxyMode {
  return (PROXY_MODES as readonly unknown[]).includes(s);
}

export interface ChosenDataplane {
  dataplane: Dataplane;
  /** Why this one, for the start-up log line (e.g. "table ip kdp_4242", "not running as root"). */
  why: string;
}

export interface ChooseOptions {
  userspace?: UserspaceDataplaneOptions;
  nftables?: Omit<NftablesDataplaneOptions, 'userspace'>;
  /** Effective uid (default process.geteuid()). */
  uid?: number;
}

export async function chooseDataplane(mode: ProxyMode | 'auto', opts: ChooseOptions = {}): Promise<ChosenDataplane> {
  if (mode === 'userspace') return { dataplane: new UserspaceDataplane(opts.userspace), why: '--proxy-mode userspace' };
  const uid = opts.uid ?? process.geteuid?.() ?? 0;
  try {
    if (uid !== 0) throw new NftablesUnavailableError('not running as root (nftables rules need CAP_NET_ADMIN)');
    const dp = await NftablesDataplane.start({ ...opts.nftables, userspace: opts.userspace });
    const stale = dp.staleRemoved.length ? `; removed the tables of stopped kdp processes: ${dp.staleRemoved.join(', ')}` : '';
    return { dataplane: dp, why: `table ip ${dp.table}${stale}` };
  } catch (err) {
    const reason = (err as Error).message;
    if (mode === 'nftables') throw new Error(`kube-proxy: --proxy-mode nftables is not possible here: ${reason}`, { cause: err });
    return { dataplane: new UserspaceDataplane(opts.userspace), why: `nftables is not usable: ${reason}` };
  }
}
