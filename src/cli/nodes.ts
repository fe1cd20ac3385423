// Node verbs: `kdp node add [NAME]` / `kdp node remove NAME` (kdp's own: a kind cluster would add a
// container; here the Node object is created and kdp up's node lifecycle controller gives it an IP,
// a pod CIDR and Ready status), and kubectl's `kdp cordon|uncordon NODE`.
import type { Command } from 'commander';
import type { KObject } from '../api/types.js';
import { action, withGlobalFlags, type CliIO, type Ctx } from './context.js';
import { CliError } from './errors.js';

const NODES = '/api/v1/nodes';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The next kind-style worker name: `<cluster>-worker`, `<cluster>-worker2`, … not yet taken. */
export function nextNodeName(existing: string[]): string {
  const cp = existing.find((n) => n.endsWith('-control-plane'));
  const prefix = cp ? cp.slice(0, -'-control-plane'.length) : (existing[0]?.replace(/-worker\d*$/, '') ?? 'kdp');
  for (let i = 1; ; i++) {
    const name = `${prefix}-worker${i === 1 ? '' : i}`;
    if (!existing.includes(name)) return name;
  }
}

const internalIP = (n: KObject) => n.status?.addresses?.find((a: { type: string }) => a.type === 'InternalIP')?.address;

export async function runNodeAdd(ctx: Ctx, name: string | undefined, labels: string[] = []): Promise<number> {
  const list = await ctx.client.get<{ items?: KObject[] }>(NODES);
  const nodeName = name ?? nextNodeName((list?.items ?? []).map((n) => n.metadata.name));
  const lbl: Record<string, string> = {};
  for (const l of labels) {
    const [k, v = ''] = l.split('=');
    lbl[k] = v;
  }
  await ctx.client.request('POST', NODES, { body: { apiVersion: 'v1', kind: 'Node', metadata: { name: nodeName, ...(labels.length ? { labels: lbl } : {}) } } });
  // The lifecycle controller joins it: wait (briefly) to report its addresses.
  for (let i = 0; i < 50; i++) {
    const node = await ctx.client.get<KObject>(`${NODES}/${encodeURIComponent(nodeName)}`);
    if (node?.spec?.podCIDR && internalIP(node)) {
      ctx.out(`node/${nodeName} added: InternalIP ${internalIP(node)}, pod CIDR ${node.spec.podCIDR}\n`);
      return 0;
    }
    await sleep(100);
  }
  ctx.out(`node/${nodeName} created\n`);
  return 0;
}

export async function runNodeRemove(ctx: Ctx, names: string[]): Promise<number> {
  for (const n of names) {
    await ctx.client.request('DELETE', `${NODES}/${encodeURIComponent(n)}`);
    ctx.out(`node "${n}" deleted\n`);
  }
  return 0;
}

export async function runCordon(ctx: Ctx, names: string[], unschedulable: boolean): Promise<number> {
  if (!names.length) throw new CliError('error: USAGE: cordon NODE [flags]');
  const verb = unschedulable ? 'cordoned' : 'uncordoned';
  for (const n of names) {
    const node = await ctx.client.get<KObject>(`${NODES}/${encodeURIComponent(n)}`);
    if (!!node.spec?.unschedulable === unschedulable) {
      ctx.out(`node/${n} already ${verb}\n`);
      continue;
    }
    await ctx.client.request('PATCH', `${NODES}/${encodeURIComponent(n)}`, {
      body: { spec: { unschedulable: unschedulable ? true : null } }, contentType: 'application/merge-patch+json',
    });
    ctx.out(`node/${n} ${verb}\n`);
  }
  return 0;
}

export function registerNodes(program: Command, io: CliIO): void {
  const node = program.command('node').description('Add or remove nodes of the running kdp cluster');
  withGlobalFlags(node.command('add'))
    .description('Add a node (next free InternalIP and pod CIDR); it gets its DaemonSet pods')
    .argument('[name]', 'node name (default: the next <cluster>-workerN)')
    .option('--label <key=value...>', 'labels for the new node')
    .action(action(io, (ctx, name: string | undefined, flags: { label?: string[] }) => runNodeAdd(ctx, name, flags.label)));
  withGlobalFlags(node.command('remove').alias('delete'))
    .description('Remove nodes; their pods are deleted')
    .argument('<names...>', 'node names')
    .action(action(io, (ctx, names: string[]) => runNodeRemove(ctx, names)));
  withGlobalFlags(program.command('cordon'))
    .description('Mark node as unschedulable')
    .argument('<node...>')
    .action(action(io, (ctx, names: string[]) => runCordon(ctx, names, true)));
  withGlobalFlags(program.command('uncordon'))
    .description('Mark node as schedulable')
    .argument('<node...>')
    .action(action(io, (ctx, names: string[]) => runCordon(ctx, names, false)));
}
