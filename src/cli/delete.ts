// `kdp delete -f FILE | TYPE NAME… | TYPE -l sel | TYPE --all`: prints `pod "x" deleted` and, like
// kubectl's default --wait=true, waits until the objects are really gone (pods finish their graceful
// termination). --grace-period, --force, --cascade=background|orphan|foreground, --ignore-not-found.
import type { Command } from 'commander';
import type { KObject } from '../api/types.js';
import { readStdin } from './apply.js';
import { action, withGlobalFlags, type CliIO, type Ctx } from './context.js';
import { kindName, qualifiedResource, resourcePath, type ApiResource } from './discovery.js';
import { ApiStatusError, CliError, isNotFound } from './errors.js';
import { readManifests } from './manifest.js';
import { targetOf } from './manifest-target.js';
import { parseResourceArgs, resolveRequests } from './resource-args.js';

interface DeleteFlags {
  filename?: string[];
  recursive?: boolean;
  selector?: string;
  fieldSelector?: string;
  all?: boolean;
  wait?: string;
  timeout?: string;
  gracePeriod?: string;
  force?: boolean;
  cascade?: string;
  ignoreNotFound?: boolean;
  now?: boolean;
}

interface Victim {
  resource: ApiResource;
  namespace?: string;
  name: string;
  source?: string;
}

export function propagationPolicy(cascade: string | undefined, warn: (s: string) => void): 'Background' | 'Foreground' | 'Orphan' {
  switch ((cascade ?? 'background').toLowerCase()) {
    case 'background': return 'Background';
    case 'foreground': return 'Foreground';
    case 'orphan': return 'Orphan';
    case 'true':
      warn('warning: --cascade=true is deprecated (boolean value) and can be replaced with --cascade=background.\n');
      return 'Background';
    case 'false':
      warn('warning: --cascade=false is deprecated (boolean value) and can be replaced with --cascade=orphan.\n');
      return 'Orphan';
    default:
      throw new CliError(`invalid cascade value (${cascade}). Must be "background", "foreground", or "orphan"`);
  }
}

/** kubectl's grace-period rules: --force means 0 unless given; --grace-period=0 without --force means 1. */
export function gracePeriodOf(flags: { gracePeriod?: string; force?: boolean; now?: boolean }): number | undefined {
  let grace = flags.gracePeriod !== undefined ? Number(flags.gracePeriod) : -1;
  if (!Number.isInteger(grace)) throw new CliError(`invalid argument "${flags.gracePeriod}" for "--grace-period" flag`);
  if (flags.now) grace = 1;
  if (grace === 0 && !flags.force) grace = 1;
  if (flags.force && grace < 0) grace = 0;
  return grace >= 0 ? grace : undefined;
}

async function victimsFromArgs(ctx: Ctx, args: string[], flags: DeleteFlags): Promise<Victim[]> {
  const parsed = parseResourceArgs(args);
  const requests = await resolveRequests(ctx.discovery, parsed);
  const out: Victim[] = [];
  for (const req of requests) {
    const ns = req.resource.namespaced ? (ctx.allNamespaces ? undefined : ctx.namespace) : undefined;
    if (req.names.length) {
      if (flags.all || flags.selector) throw new CliError('name cannot be provided when a selector is specified');
      for (const name of req.names) out.push({ resource: req.resource, namespace: ns, name });
      continue;
    }
    if (!flags.all && !flags.selector && !flags.fieldSelector) {
      throw new CliError('resource(s) were provided, but no name was specified');
    }
    const list = await ctx.client.get<{ items?: KObject[] }>(resourcePath(req.resource, ns), { labelSelector: flags.selector, fieldSelector: flags.fieldSelector });
    for (const o of list?.items ?? []) out.push({ resource: req.resource, namespace: o.metadata.namespace, name: o.metadata.name });
  }
  return out;
}

async function waitGone(ctx: Ctx, victims: { v: Victim; uid?: string }[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let pending = victims;
  while (pending.length) {
    const still: typeof pending = [];
    for (const p of pending) {
      try {
        const o = await ctx.client.get<KObject>(resourcePath(p.v.resource, p.v.namespace, p.v.name));
        if (!p.uid || o?.metadata?.uid === p.uid) still.push(p);
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
    pending = still;
    if (!pending.length) return;
    if (Date.now() > deadline) {
      const p = pending[0];
      throw new CliError(`timed out waiting for the condition on ${qualifiedResource(p.v.resource)}/${p.v.name}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

export async function runDelete(ctx: Ctx, args: string[], flags: DeleteFlags): Promise<number> {
  let victims: Victim[];
  if (flags.filename?.length) {
    if (args.length) throw new CliError('when paths, URLs, or stdin is provided as input, you may not specify resource arguments as well');
    const docs = await readManifests(flags.filename, { recursive: flags.recursive, readStdin: () => readStdin(ctx.io) });
    victims = [];
    for (const d of docs) {
      const t = await targetOf(ctx, d.object);
      victims.push({ resource: t.resource, namespace: t.namespace, name: t.name, source: d.source });
    }
  } else {
    if (!args.length) throw new CliError('You must provide one or more resources by argument or filename.');
    victims = await victimsFromArgs(ctx, args, flags);
  }
  if (!victims.length) {
    ctx.err('No resources found\n');
    return 0;
  }
  const policy = propagationPolicy(flags.cascade, ctx.err);
  const grace = gracePeriodOf(flags);
  if (grace === 0 && flags.force) {
    ctx.err('Warning: Immediate deletion does not wait for confirmation that the running resource has been terminated. The resource may continue to run on the cluster indefinitely.\n');
  }
  const body: Record<string, unknown> = { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: policy };
  if (grace !== undefined) body.gracePeriodSeconds = grace;
  let failed = 0;
  const deleted: { v: Victim; uid?: string }[] = [];
  for (const v of victims) {
    try {
      const res = await ctx.client.request<KObject>('DELETE', resourcePath(v.resource, v.namespace, v.name), { body });
      // A Status answer (the object went at once) names the uid in details, as kubectl reads it.
      const uid = res?.kind === 'Status' ? (res as { details?: { uid?: string } }).details?.uid : res?.metadata?.uid;
      deleted.push({ v, uid });
      ctx.out(`${kindName(v.resource)} "${v.name}" ${flags.force && grace === 0 ? 'force deleted' : 'deleted'}\n`);
    } catch (err) {
      if (isNotFound(err) && flags.ignoreNotFound) continue;
      failed++;
      if (err instanceof ApiStatusError) ctx.err(`${err.format(v.source ? `error when deleting "${v.source}": ` : '')}\n`);
      else throw err;
    }
  }
  const wait = String(flags.wait ?? 'true') !== 'false';
  if (wait && deleted.length && !(flags.force && grace === 0)) {
    const timeout = parseDuration(flags.timeout) ?? 7 * 24 * 3600 * 1000;
    await waitGone(ctx, deleted, timeout);
  }
  return failed ? 1 : 0;
}

/** `30s`, `2m`, `1h`, `0` (= the default, effectively forever). */
export function parseDuration(text: string | undefined): number | undefined {
  if (!text || text === '0' || text === '0s') return undefined;
  const m = text.match(/^(\d+(?:\.\d+)?)(ms|s|m|h)?$/);
  if (!m) throw new CliError(`invalid argument "${text}" for "--timeout" flag: time: invalid duration "${text}"`);
  const n = Number(m[1]);
  const unit = m[2] ?? 's';
  return n * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[unit]!;
}

export function registerDelete(program: Command, io: CliIO): void {
  withGlobalFlags(program.command('delete'))
    .description('Delete resources by file names, stdin, resources and names, or by resources and label selector')
    .argument('[resources...]', 'TYPE NAME… | TYPE/NAME… | TYPE -l selector | TYPE --all')
    .option('-f, --filename <path...>', 'containing the resource to delete')
    .option('-R, --recursive', 'Process the directory used in -f, --filename recursively')
    .option('-l, --selector <selector>', 'Selector (label query) to filter on')
    .option('--field-selector <selector>', 'Selector (field query) to filter on')
    .option('--all', 'Delete all resources, in the namespace of the specified resource types')
    .option('--wait [bool]', 'If true, wait for resources to be gone before returning', 'true')
    .option('--timeout <duration>', 'The length of time to wait before giving up on a delete, zero means wait forever')
    .option('--grace-period <seconds>', 'Period of time in seconds given to the resource to terminate gracefully')
    .option('--now', 'If true, resources are signaled for immediate shutdown (same as --grace-period=1)')
    .option('--force', 'If true, immediately remove resources from API and bypass graceful deletion')
    .option('--cascade <strategy>', 'background, orphan or foreground', 'background')
    .option('--ignore-not-found', 'Treat "resource not found" as a successful delete')
    .action(action(io, (ctx, args: string[], flags: DeleteFlags) => runDelete(ctx, args, flags)));
}
