// `kdp describe TYPE NAME…` (or TYPE/NAME, or TYPE -l sel): kubectl-like descriptions for pods,
// services, deployments and nodes, a generic `Key: value` dump for everything else, and the Events.
import type { Command } from 'commander';
import type { KObject } from '../api/types.js';
import { action, withGlobalFlags, type CliIO, type Ctx } from './context.js';
import { resourcePath } from './discovery.js';
import { ApiStatusError } from './errors.js';
import { eventsSection } from './describe-format.js';
import { describeDeployment, describeGeneric, describeNode, describePod, describeService } from './describers.js';
import { parseResourceArgs, resolveRequests } from './resource-args.js';

async function eventsFor(ctx: Ctx, obj: KObject): Promise<KObject[]> {
  const ns = obj.metadata.namespace;
  const path = ns ? `/api/v1/namespaces/${encodeURIComponent(ns)}/events` : '/api/v1/events';
  const fieldSelector = [`involvedObject.name=${obj.metadata.name}`, ns ? `involvedObject.namespace=${ns}` : '', `involvedObject.kind=${obj.kind}`].filter(Boolean).join(',');
  try {
    const list = await ctx.client.get<{ items?: KObject[] }>(path, { fieldSelector });
    return (list?.items ?? []).filter((e) => e.involvedObject?.name === obj.metadata.name && e.involvedObject?.kind === obj.kind && (!obj.metadata.uid || !e.involvedObject?.uid || e.involvedObject.uid === obj.metadata.uid));
  } catch {
    return [];
  }
}

export async function describeObject(ctx: Ctx, obj: KObject, now: Date): Promise<string> {
  let text: string;
  switch (obj.kind) {
    case 'Pod': text = describePod(obj, now); break;
    case 'Service': text = await describeService(ctx, obj); break;
    case 'Deployment': text = await describeDeployment(ctx, obj, now); break;
    case 'Node': text = await describeNode(ctx, obj, now); break;
    default: text = describeGeneric(obj);
  }
  const events = await eventsFor(ctx, obj);
  if (!events.length) {
    // `Events:\t<none>` joins the last aligned block of kubectl's tabwriter
    const last = text.trimEnd().split('\n').at(-1) ?? '';
    const m = last.match(/^(\S[^\t]*?:)( {2,})\S/);
    return `${text}${'Events:'.padEnd(m ? Math.max(m[1].length + m[2].length, 9) : 9)}<none>\n`;
  }
  return text + eventsSection(events, now);
}

export async function runDescribe(ctx: Ctx, args: string[], flags: { selector?: string }): Promise<number> {
  const requests = await resolveRequests(ctx.discovery, parseResourceArgs(args));
  const now = ctx.io.now?.() ?? new Date();
  const outputs: string[] = [];
  let failed = 0;
  for (const req of requests) {
    const ns = req.resource.namespaced ? (ctx.allNamespaces ? undefined : ctx.namespace) : undefined;
    let objects: KObject[] = [];
    if (req.names.length) {
      for (const name of req.names) {
        try {
          objects.push(await ctx.client.get<KObject>(resourcePath(req.resource, ns, name)));
        } catch (err) {
          if (!(err instanceof ApiStatusError)) throw err;
          failed++;
          ctx.err(`${err.format()}\n`);
        }
      }
    } else {
      const list = await ctx.client.get<{ items?: KObject[] }>(resourcePath(req.resource, ns), { labelSelector: flags.selector });
      const apiVersion = req.resource.group ? `${req.resource.group}/${req.resource.version}` : req.resource.version;
      objects = (list?.items ?? []).map((o) => ({ ...o, apiVersion, kind: req.resource.kind }));
    }
    for (const o of objects) {
      o.kind ??= req.resource.kind;
      outputs.push(await describeObject(ctx, o, now));
    }
  }
  if (!outputs.length && !failed) ctx.err(`No resources found in ${ctx.namespace} namespace.\n`);
  ctx.out(outputs.join('\n\n'));
  return failed ? 1 : 0;
}

export function registerDescribe(program: Command, io: CliIO): void {
  withGlobalFlags(program.command('describe'))
    .description('Show details of a specific resource or group of resources')
    .argument('<resources...>', 'TYPE [NAME…] or TYPE/NAME…')
    .option('-l, --selector <selector>', 'Selector (label query) to filter on')
    .action(action(io, (ctx, args: string[], flags: { selector?: string }) => runDescribe(ctx, args, flags)));
}
