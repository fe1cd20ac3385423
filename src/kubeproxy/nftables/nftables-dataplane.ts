// The nftables Dataplane (kube-proxy's --proxy-mode nftables): frontends the kernel can serve exactly
// become DNAT rules in this process's own table (`ip kdp_<pid>`), hostAddress ones too while a
// userspace listener holds their port; the rest (ClientIP affinity, internalTrafficPolicy Local) are
// delegated to a UserspaceDataplane. Each sync is
// one transaction: the whole table the first time (`nft -f -`), only the changes afterwards, written
// to a long-lived `nft -i` (nft-session.ts) so that a change costs neither a process start nor
// reading the table back.
import { spawnSync } from 'node:child_process';
import type { Dataplane, DataplaneSyncResult } from '../dataplane.js';
import type { Frontend, RoutingTable } from '../routing-table.js';
import { UserspaceDataplane, type UserspaceDataplaneOptions } from '../userspace/userspace-dataplane.js';
import { conntrackArgs, conntrackFlushes, udpState, type UdpState } from './conntrack.js';
import { fullRuleset, incrementalRuleset, kernelState, parseTableList, splitTable, tableOwner, type KernelState } from './ruleset.js';
import { NftSession } from './nft-session.js';
import { findProgram, runTool, type ToolRunner } from './tools.js';

export interface NftablesDataplaneOptions {
  /** The table's name (family ip). Default `kdp_<pid>`; another instance in one process needs `kdp_<pid>_<suffix>`. */
  table?: string;
  userspace?: UserspaceDataplaneOptions;
  /** Path of nft; default: found on PATH or in /usr/sbin, /sbin. */
  nft?: string;
  /** Path of conntrack; default: found likewise; null = never flush conntrack entries. */
  conntrack?: string | null;
  /** Runs nft and conntrack (tests pass a fake). */
  run?: ToolRunner;
  /** Incremental transactions through a long-lived `nft -i`; default: when `run` is not given. */
  session?: boolean;
  /** Whether a process id is alive (stale-table cleanup). */
  isAlive?: (pid: number) => boolean;
}

/** nftables cannot be used here; the message says why, in words for the start-up line. */
export class NftablesUnavailableError extends Error {
  readonly code = 'NFTABLES_UNAVAILABLE';
}

const EMPTY: KernelState = { chains: new Map(), elements: new Map() };
/** conntrack processes run at once after a sync. */
const CONNTRACK_PARALLEL = 8;

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // alive, someone else's
  }
}

export class NftablesDataplane implements Dataplane {
  readonly name = 'nftables';
  readonly table: string;
  private readonly userspace: UserspaceDataplane;
  private readonly run: ToolRunner;
  private readonly session: NftSession | undefined;
  /** What the kernel holds now; undefined = unknown, the next sync writes the whole table. */
  private applied: KernelState | undefined = EMPTY;
  private udp: UdpState = new Map();
  /** conntrack flushes still running in the background. */
  private background: Promise<void> = Promise.resolve();
  private kernelFrontends: string[] = [];
  /** hostAddress frontends the kernel serves now (their port held by a userspace listener). */
  private heldServed = new Set<string>();
  private stopped = false;
  /** Tables of dead kdp processes that start() deleted. */
  staleRemoved: string[] = [];

  private constructor(
    private readonly nft: string,
    private readonly conntrack: string | undefined,
    opts: NftablesDataplaneOptions,
  ) {
    this.table = opts.table ?? `kdp_${process.pid}`;
    this.userspace = new UserspaceDataplane(opts.userspace);
    this.run = opts.run ?? runTool;
    if (opts.session ?? opts.run === undefined) this.session = new NftSession(nft);
  }

  /**
   * Checks that nftables works here by creating this process's (empty) table, in the same
   * transaction that deletes the tables of kdp processes that are gone (a SIGKILLed kdp leaves its
   * table behind). Rejects with NftablesUnavailableError saying why when it can't.
   */
  static async start(opts: NftablesDataplaneOptions = {}): Promise<NftablesDataplane> {
    const nft = opts.nft ?? findProgram('nft');
    if (!nft) throw new NftablesUnavailableError('nft not found (apt-get install nftables)');
    const conntrack = opts.conntrack === null ? undefined : (opts.conntrack ?? findProgram('conntrack'));
    const dp = new NftablesDataplane(nft, conntrack, opts);
    const isAlive = opts.isAlive ?? pidAlive;
    const listed = await dp.run(nft, ['list', 'tables']);
    if (listed.code !== 0) throw new NftablesUnavailableError(`nft list tables failed: ${firstLine(listed.stderr) || `exit code ${listed.code}`}`);
    const stale = parseTableList(listed.stdout).filter((name) => {
      const pid = tableOwner(name);
      return name !== dp.table && pid !== undefined && pid !== process.pid && !isAlive(pid);
    });
    // add-then-delete: deleting a table another kdp removed a moment ago must not fail the transaction
    const cleanup = stale.map((name) => `add table ip ${name}\ndelete table ip ${name}\n`).join('');
    const created = await dp.run(nft, ['-f', '-'], cleanup + fullRuleset(dp.table, EMPTY));
    if (created.code !== 0) throw new NftablesUnavailableError(`cannot create the nftables table ${dp.table}: ${firstLine(created.stderr) || `exit code ${created.code}`}`);
    dp.staleRemoved = stale;
    process.once('exit', dp.onExit);
    return dp;
  }

  /** A process that exits without stop() (process.exit on a fatal error) still removes its table. */
  private readonly onExit = (): void => {
    if (!this.stopped) spawnSync(this.nft, ['delete', 'table', 'ip', this.table], { stdio: 'ignore' });
  };

  /** Frontends served: by the kernel (DNAT or drop) and by userspace listeners. */
  listening(): string[] {
    return [...new Set([...this.kernelFrontends, ...this.userspace.listening()])].sort();
  }

  /**
   * The kernel's part first; then the userspace listeners, which also hold the hostAddress ports;
   * then the hostAddress frontends whose port is now held join the kernel's part (a second, small
   * transaction, only when that set changed). One whose port another program has stays a reported
   * bind failure with no rule, as in userspace mode.
   */
  async sync(table: RoutingTable): Promise<DataplaneSyncResult> {
    if (this.stopped) return { failed: [] };
    const { kernel, userspace, held } = splitTable(table);
    let served = [...kernel, ...held.filter((fe) => this.heldServed.has(fe.key))];
    let error: Error | undefined;
    try {
      await this.apply(kernelState(table, served));
    } catch (err) {
      error = err as Error;
    }
    const result = await this.userspace.sync(userspace);
    const bound = new Set(this.userspace.listening());
    const nowHeld = held.filter((fe) => bound.has(fe.key));
    try {
      if (error) throw error;
      if (nowHeld.length !== served.length - kernel.length || nowHeld.some((fe) => !this.heldServed.has(fe.key))) {
        served = [...kernel, ...nowHeld];
        this.heldServed = new Set();
        await this.apply(kernelState(table, served));
      }
      this.heldServed = new Set(nowHeld.map((fe) => fe.key));
      const nextUdp = udpState(table, served);
      const flushes = conntrackFlushes(this.udp, nextUdp);
      this.udp = nextUdp;
      this.kernelFrontends = served.map((fe: Frontend) => fe.key);
      if (this.conntrack && flushes.length) {
        // Flows to a removed endpoint must have moved when the sync is done; a new frontend's flush
        // (entries from before its rule existed) need not hold up the next sync: conntrack walks
        // the whole table, tens of ms on a busy host.
        const later = flushes.filter((f) => f.newFrontend).map(conntrackArgs);
        if (later.length) this.background = this.background.then(() => this.flushConntrack(later));
        await this.flushConntrack(flushes.filter((f) => !f.newFrontend).map(conntrackArgs));
      }
    } catch (err) {
      error = err as Error;
    }
    if (error) throw error;
    return result;
  }

  /** Writes `next`: the changes since the last sync, or the whole table when that is unknown or fails. */
  private async apply(next: KernelState): Promise<void> {
    if (this.applied) {
      const text = incrementalRuleset(this.table, this.applied, next);
      if (!text) return;
      const r = this.session ? await this.session.run(text) : await this.run(this.nft, ['-f', '-'], text);
      if (r.code === 0) {
        this.applied = next;
        return;
      }
      this.applied = undefined; // someone changed the table under us: rewrite it whole
    }
    const r = await this.run(this.nft, ['-f', '-'], fullRuleset(this.table, next));
    if (r.code !== 0) throw new Error(`nft: cannot update table ip ${this.table}: ${firstLine(r.stderr) || `exit code ${r.code}`}`);
    this.applied = next;
  }

  private async flushConntrack(calls: string[][]): Promise<void> {
    if (!calls.length) return;
    const queue = [...calls];
    const worker = async () => {
      // exit 1 = no entry matched, the usual case; other failures are not worth a sync retry
      for (let args = queue.shift(); args; args = queue.shift()) await this.run(this.conntrack!, args);
    };
    await Promise.all(Array.from({ length: Math.min(CONNTRACK_PARALLEL, queue.length) }, worker));
  }

  /** Deletes the table and closes every userspace listener and connection. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    process.off('exit', this.onExit);
    this.session?.close();
    this.kernelFrontends = [];
    this.heldServed.clear();
    const [r] = await Promise.all([this.run(this.nft, ['delete', 'table', 'ip', this.table]), this.userspace.stop(), this.background]);
    if (r.code !== 0 && !/No such file or directory/.test(r.stderr)) throw new Error(`nft: cannot delete table ip ${this.table}: ${firstLine(r.stderr)}`);
  }
}

function firstLine(s: string): string {
  return s.trim().split('\n')[0] ?? '';
}
