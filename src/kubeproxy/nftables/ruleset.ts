// The pure part of the nftables dataplane: which frontends the kernel serves, and the nft text that
// makes it serve them. No processes, no clock.
//
// One table per kdp process (`ip kdp_<pid>`):
//
//   map services   ip daddr . l4proto . dport → goto <service port chain> | drop
//   chain output   type nat hook output priority -100: ip daddr . meta l4proto . th dport vmap @services
//   chain sp_…     one per service port: dnat to numgen inc mod N map { 0 : ep0 . port, 1 : … }
//
// Several frontends of one service port jump to its one chain, so they share one round robin, as
// they share one RoundRobin in userspace. A frontend with no endpoints has no element: nothing
// listens on its address, so the kernel refuses (TCP RST, ICMP port unreachable).
import { createHash } from 'node:crypto';
import type { Frontend, RoutingTable, ServicePortInfo, ServicePortName } from '../routing-table.js';

/** What the kernel is asked to hold: chain name → its one rule, vmap key → verdict. */
export interface KernelState {
  chains: Map<string, string>;
  elements: Map<string, string>;
}

export interface SplitTable {
  /** Frontends served by nft rules (with endpoints, or dropping). */
  kernel: Frontend[];
  /** The rest of the table, for the userspace dataplane: every service port, the other frontends. */
  userspace: RoutingTable;
  /**
   * hostAddress frontends (in `userspace` too) the kernel serves once kdp's own listener holds
   * their port: the listener keeps bind semantics (a port another program has is reported, and
   * never captured), the DNAT rule carries the traffic.
   */
  held: Frontend[];
}

/**
 * Why a frontend is left to the userspace dataplane, or undefined when the kernel serves it exactly:
 * hostAddress ("served when the port is free": bind semantics), ClientIP affinity, and a ClusterIP
 * with internalTrafficPolicy Local (the client's node decides per connection).
 */
export function userspaceReason(fe: Frontend, sp: ServicePortInfo | undefined): string | undefined {
  if (fe.hostAddress) return 'hostAddress';
  if (fe.clientNodeLocal) return 'internalTrafficPolicy Local';
  if (sp?.sessionAffinity.type === 'ClientIP') return 'sessionAffinity ClientIP';
  return undefined;
}

/** Splits the table between the kernel and userspace. Frontends without endpoints go to neither. */
export function splitTable(table: RoutingTable): SplitTable {
  const kernel: Frontend[] = [];
  const held: Frontend[] = [];
  const frontends = new Map<string, Frontend>();
  for (const [key, fe] of table.frontends) {
    const sp = table.servicePorts.get(fe.servicePort);
    const served = sp !== undefined && (sp.endpoints.length > 0 || sp.drop);
    const reason = userspaceReason(fe, sp);
    if (reason === undefined) {
      if (served) kernel.push(fe);
      continue;
    }
    frontends.set(key, fe);
    if (reason === 'hostAddress' && served && !fe.clientNodeLocal && sp.sessionAffinity.type !== 'ClientIP') held.push(fe);
  }
  return { kernel, userspace: { ...table, frontends }, held };
}

/** A valid, unique nft chain name for a service port: readable part + a short hash of the name. */
export function chainName(spn: ServicePortName): string {
  const readable = spn.replace(/:/g, '.').replace(/@/g, '_').replace(/[^A-Za-z0-9_./-]/g, '-').slice(0, 200);
  const hash = createHash('sha1').update(spn).digest('hex').slice(0, 8);
  return `sp_${readable}_${hash}`;
}

/** `127.96.0.20 . tcp . 80`, the services map key of a frontend. */
export function elementKey(fe: Pick<Frontend, 'ip' | 'port' | 'protocol'>): string {
  return `${fe.ip} . ${fe.protocol.toLowerCase()} . ${fe.port}`;
}

/** The one rule of a service port's chain: DNAT round robin over its endpoints. */
export function chainRule(sp: ServicePortInfo): string {
  const proto = `meta l4proto ${sp.protocol.toLowerCase()}`;
  const eps = sp.endpoints;
  if (eps.length === 1) return `${proto} dnat ip to ${eps[0].ip}:${eps[0].port}`;
  return `${proto} dnat ip to numgen inc mod ${eps.length} map { ${eps.map((e, i) => `${i} : ${e.ip} . ${e.port}`).join(', ')} }`;
}

/**
 * A service port's chain name and rule. computeRoutingTable reuses the (frozen) ServicePortInfo of
 * an unchanged Service from sync to sync, so each is hashed and written once, not at every sync.
 */
const chainOf = new WeakMap<ServicePortInfo, { name: string; rule: string }>();
function chainFor(sp: ServicePortInfo): { name: string; rule: string } {
  let c = chainOf.get(sp);
  if (!c) {
    c = { name: chainName(sp.name), rule: chainRule(sp) };
    if (Object.isFrozen(sp)) chainOf.set(sp, c);
  }
  return c;
}

/** The chains and map elements that serve `kernel` frontends. */
export function kernelState(table: RoutingTable, kernel: readonly Frontend[]): KernelState {
  const chains = new Map<string, string>();
  const elements = new Map<string, string>();
  for (const fe of kernel) {
    const sp = table.servicePorts.get(fe.servicePort);
    if (!sp) continue;
    if (sp.endpoints.length === 0) {
      if (sp.drop) elements.set(elementKey(fe), 'drop');
      continue;
    }
    const chain = chainFor(sp);
    chains.set(chain.name, chain.rule);
    elements.set(elementKey(fe), `goto ${chain.name}`);
  }
  return { chains, elements };
}

export const NAT_HOOK = 'type nat hook output priority -100; policy accept;';
export const DISPATCH_RULE = 'ip daddr . meta l4proto . th dport vmap @services';
const MAP_TYPE = 'type ipv4_addr . inet_proto . inet_service : verdict;';

/**
 * The whole table from scratch, as one transaction: creating-then-deleting the table first makes the
 * delete succeed whether or not it existed, and the new table replaces it atomically.
 */
export function fullRuleset(tableName: string, state: KernelState): string {
  const lines = [`add table ip ${tableName}`, `delete table ip ${tableName}`, `table ip ${tableName} {`];
  lines.push('  map services {', `    ${MAP_TYPE}`);
  if (state.elements.size) lines.push(`    elements = { ${[...state.elements].map(([k, v]) => `${k} : ${v}`).join(',\n      ')} }`);
  lines.push('  }');
  for (const [chain, rule] of state.chains) lines.push(`  chain ${chain} {`, `    ${rule}`, '  }');
  lines.push('  chain output {', `    ${NAT_HOOK}`, `    ${DISPATCH_RULE}`, '  }', '}', '');
  return lines.join('\n');
}

/**
 * The changes that turn `prev` into `next`, as one transaction, or '' when nothing changed. Order
 * matters inside it: chains exist before elements jump to them, and elements are gone before the
 * chains they jumped to are deleted. A changed chain is flushed and refilled (its round robin restarts).
 */
export function incrementalRuleset(tableName: string, prev: KernelState, next: KernelState): string {
  const t = `ip ${tableName}`;
  const lines: string[] = [];
  for (const [chain, rule] of next.chains) {
    const old = prev.chains.get(chain);
    if (old === rule) continue;
    lines.push(old === undefined ? `add chain ${t} ${chain}` : `flush chain ${t} ${chain}`, `add rule ${t} ${chain} ${rule}`);
  }
  const removed: string[] = [];
  const added: string[] = [];
  for (const [key, verdict] of prev.elements) {
    const now = next.elements.get(key);
    if (now !== verdict) removed.push(key);
  }
  for (const [key, verdict] of next.elements) if (prev.elements.get(key) !== verdict) added.push(`${key} : ${verdict}`);
  if (removed.length) lines.push(`delete element ${t} services { ${removed.join(', ')} }`);
  if (added.length) lines.push(`add element ${t} services { ${added.join(', ')} }`);
  for (const chain of prev.chains.keys()) if (!next.chains.has(chain)) lines.push(`delete chain ${t} ${chain}`);
  return lines.length ? `${lines.join('\n')}\n` : '';
}

/** The kdp table names that belong to a process (`kdp_<pid>` or `kdp_<pid>_<suffix>`), with that pid. */
export function tableOwner(name: string): number | undefined {
  const m = /^kdp_(\d+)(?:_[A-Za-z0-9]+)?$/.exec(name);
  return m ? Number(m[1]) : undefined;
}

/** `table ip kdp_123` lines of `nft list tables` → the ip-family table names. */
export function parseTableList(text: string): string[] {
  const names: string[] = [];
  for (const line of text.split('\n')) {
    const m = /^table ip (\S+)$/.exec(line.trim());
    if (m) names.push(m[1]);
  }
  return names;
}
