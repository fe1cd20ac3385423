// `kdp wait --for=condition=complete job/pi [--timeout=60s]`, `--for=delete pod/x`,
// `--for=jsonpath='{.status.phase}'=Running`, with `-l` / `--all`: polls the objects until the
// condition holds, printing `job.batch/pi condition met`; on timeout kubectl's
// `error: timed out waiting for the condition on jobs/pi` and exit 1.
import type { Command } from 'commander';
import type { KObject } from '../api/types.js';
import { action, withGlobalFlags, type CliIO, type Ctx } from './context.js';
import { kindName, resourcePath } from './discovery.js';
import { CliError, isNotFound } from './errors.js';
import { jsonpath } from './jsonpath.js';
import { parseResourceArgs, resolveRequests } from './resource-args.js';

interface WaitFlags {
  for?: string;
  timeout?: string;
  selector?: string;
  all?: boolean;
}

type Check = { kind: 'delete' } | { kind: 'condition'; type: string; value: string } | { kind: 'jsonpath'; path: string; value?: string };

export function parseFor(spec: string | undefined): Check {
  if (!spec) throw new CliError('--for must be set');
  if (spec.toLowerCase() === 'delete') return { kind: 'delete' };
  if (spec.toLowerCase().startsWith('condition=')) {
    const [type, value = 'true'] = spec.slice('condition='.length).split('=');
    if (!type) throw new CliError(`unrecognized condition: "${spec}"`);
    return { kind: 'condition', type, value };
  }
  if (spec.startsWith('jsonpath=')) {
    const rest = spec.slice('jsonpath='.length);
    const m = /^(\{.*\})(?:=(.*))?$/.exec(rest) ?? /^([^=]+)(?:=(.*))?$/.exec(rest);
    if (!m) throw new CliError(`unrecognized jsonpath: "${spec}"`);
    const path = m[1].startsWith('{') ? m[1] : `{${m[1]}}`;
    return { kind: 'jsonpath', path, value: m[2] };
  }
  throw new CliError(`unrecognized condition: "${spec}"`);
}

/** Go's time.ParseDuration for the simple forms kubectl users type (`30s`, `2m`, `1m30s`, `500ms`); bare numbers are seconds. */
export function parseTimeout(s: string | undefined): number {
  if (s === undefined) return 30_000;
  if (/^-?\d+$/.test(s)) return Number(s) < 0 ? 7 * 86_400_000 : Number(s) * 1000;
  let ms = 0;
  const re = /(\d+(?:\.\d+)?)(ms|h|m|s)/g;
  let m: RegExpExecArray | null;
  let consumed = 0;
  while ((m = re.exec(s))) {
    ms += Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ms']!;
    consumed += m[0].length;
  }
  if (!consumed || consumed !== s.length) throw new CliError(`invalid argument "${s}" for "--timeout" flag: time: invalid duration "${s}"`);
  return ms;
}

export function conditionMet(obj: KObject, check: Check): boolean {
  if (check.kind === 'condition') {
    return (obj.status?.conditions ?? []).some((c: { type: string; status: string }) =>
      c.type.toLowerCase() === check.type.toLowerCase() && c.status.toLowerCase() === check.value.toLowerCase());
  }
  if (check.kind === 'jsonpath') {
    const got = jsonpath(check.path, obj);
    return check.value === undefined ? got !== '' : got === check.value;
  }
  return false;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runWait(ctx: Ctx, args: string[], flags: WaitFlags): Promise<number> {
  const check = parseFor(flags.for);
  const deadline = Date.now() + parseTimeout(flags.timeout);
  const requests = await resolveRequests(ctx.discovery, parseResourceArgs(args));
  for (const req of requests) {
    const r = req.resource;
    const ns = r.namespaced ? ctx.namespace : undefined;
    let names = req.names;
    if (!names.length) {
      if (!flags.selector && !flags.all) throw new CliError('resource(s) were provided, but no name was specified');
      const list = await ctx.client.get<{ items?: KObject[] }>(resourcePath(r, ns), { labelSelector: flags.selector });
      names = (list?.items ?? []).map((o) => o.metadata.name);
      if (!names.length) throw new CliError(`no matching resources found`);
    }
    for (const name of names) {
      const what = `${kindName(r)}/${name}`;
      let uid: string | undefined;
      for (;;) {
        let obj: KObject | undefined;
        try {
          obj = await ctx.client.get<KObject>(resourcePath(r, ns, name));
        } catch (err) {
          if (!isNotFound(err)) throw err;
          if (check.kind !== 'delete') {
            if (uid === undefined) throw err;
          }
        }
        if (check.kind === 'delete' && (!obj || (uid && obj.metadata.uid !== uid))) break;
        uid ??= obj?.metadata.uid;
        if (obj && conditionMet(obj, check)) break;
        if (Date.now() >= deadline) {
          ctx.err(`error: timed out waiting for the condition on ${r.resource}/${name}\n`);
          return 1;
        }
        await sleep(Math.min(200, Math.max(0, deadline - Date.now())));
      }
      ctx.out(`${what} condition met\n`);
    }
  }
  return 0;
}

export function registerWait(program: Command, io: CliIO): void {
  withGlobalFlags(program.command('wait'))
    .description('Experimental: Wait for a specific condition on one or many resources')
    .argument('<resource...>', 'TYPE/NAME or TYPE NAME…')
    .option('--for <condition>', "The condition to wait on: [delete|condition=condition-name[=condition-value]|jsonpath='{JSONPath expression}'=[JSONPath value]]")
    .option('--timeout <duration>', 'The length of time to wait before giving up. Zero means check once and don\'t wait, negative means wait for a week.', '30s')
    .option('-l, --selector <selector>', 'Selector (label query) to filter on')
    .option('--all', 'Select all resources in the namespace of the specified resource types')
    .action(action(io, (ctx, resources: string[], flags: WaitFlags) => runWait(ctx, resources, flags)));
}
