// `kdp scale deployment|rs|statefulset NAME --replicas N` (or TYPE/NAME): PATCH the scale
// subresource, falling back to the object's spec.replicas; prints `deployment.apps/nginx scaled`.
import type { Command } from 'commander';
import { action, withGlobalFlags, type CliIO, type Ctx } from './context.js';
import { kindName, resourcePath } from './discovery.js';
import { ApiStatusError, CliError, describeFailure } from './errors.js';
import { parseResourceArgs, resolveRequests } from './resource-args.js';

interface ScaleFlags {
  replicas?: string;
  currentReplicas?: string;
}

export async function runScale(ctx: Ctx, args: string[], flags: ScaleFlags): Promise<number> {
  if (flags.replicas === undefined) throw new CliError('required flag(s) "replicas" not set');
  const replicas = Number(flags.replicas);
  if (!Number.isInteger(replicas) || replicas < 0) throw new CliError('The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0');
  const requests = await resolveRequests(ctx.discovery, parseResourceArgs(args));
  let failed = 0;
  for (const req of requests) {
    if (!req.names.length) throw new CliError('resource(s) were provided, but no name was specified');
    for (const name of req.names) {
      const ns = req.resource.namespaced ? ctx.namespace : undefined;
      const patch = { spec: { replicas } };
      try {
        if (flags.currentReplicas !== undefined) {
          const cur = await ctx.client.get<{ spec?: { replicas?: number } }>(resourcePath(req.resource, ns, name));
          if ((cur?.spec?.replicas ?? 1) !== Number(flags.currentReplicas)) {
            throw new CliError(`Expected replicas to be ${flags.currentReplicas}, was ${cur?.spec?.replicas ?? 1}`);
          }
        }
        try {
          await ctx.client.request('PATCH', resourcePath(req.resource, ns, name, 'scale'), { body: patch, contentType: 'application/merge-patch+json' });
        } catch (err) {
          // No scale subresource on this server/kind: patch the object itself.
          const objectMissing = err instanceof ApiStatusError && err.message.includes(`"${name}" not found`);
          if (!(err instanceof ApiStatusError) || (err.code !== 404 && err.code !== 405) || objectMissing) throw err;
          await ctx.client.request('PATCH', resourcePath(req.resource, ns, name), { body: patch, contentType: 'application/merge-patch+json' });
        }
        ctx.out(`${kindName(req.resource)}/${name} scaled\n`);
      } catch (err) {
        failed++;
        if (!(err instanceof ApiStatusError || err instanceof CliError)) throw err;
        ctx.err(`${describeFailure(err).message}\n`);
      }
    }
  }
  return failed ? 1 : 0;
}

export function registerScale(program: Command, io: CliIO): void {
  withGlobalFlags(program.command('scale'))
    .description('Set a new size for a deployment, replica set, or stateful set')
    .argument('<resources...>', 'TYPE NAME or TYPE/NAME')
    .option('--replicas <count>', 'The new desired number of replicas. Required.')
    .option('--current-replicas <count>', 'Precondition for current size')
    .action(action(io, (ctx, args: string[], flags: ScaleFlags) => runScale(ctx, args, flags)));
}
