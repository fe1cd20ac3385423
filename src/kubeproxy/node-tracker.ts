// Node change tracker: kube-proxy serves NodePorts on every Node's InternalIP, so Nodes added or
// removed at runtime (`kdp node add`) open or close listeners. Only name, InternalIP and podCIDR matter.
import type { KObject } from '../api/types.js';
import type { NodeInfo } from './routing-table.js';

export function nodeInfo(node: KObject): NodeInfo | undefined {
  const ip = node.status?.addresses?.find((a: { type?: string }) => a.type === 'InternalIP')?.address;
  if (!node.metadata?.name || typeof ip !== 'string') return undefined;
  const info: NodeInfo = { name: node.metadata.name, ip };
  const cidr = node.spec?.podCIDR ?? node.spec?.podCIDRs?.[0];
  if (typeof cidr === 'string') info.podCIDR = cidr;
  return info;
}

export class NodeTracker {
  private readonly byName = new Map<string, NodeInfo>();
  private changed = false;

  /** Records an add (prev undefined), update, or delete (cur undefined); true when it matters. */
  update(prev: KObject | undefined, cur: KObject | undefined): boolean {
    const name = (cur ?? prev)?.metadata?.name;
    if (!name) return false;
    const before = this.byName.get(name);
    const after = cur ? nodeInfo(cur) : undefined;
    if (after) this.byName.set(name, after);
    else this.byName.delete(name);
    const differs = JSON.stringify(before) !== JSON.stringify(after);
    this.changed ||= differs;
    return differs;
  }

  nodes(): NodeInfo[] {
    return [...this.byName.values()];
  }

  takeChanges(): boolean {
    const c = this.changed;
    this.changed = false;
    return c;
  }
}
