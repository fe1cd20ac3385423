// `kdp set image (-f FILE | TYPE NAME | TYPE/NAME) CONTAINER=IMAGE ...`, as `kubectl set image`:
// updates the image of the named containers (`*` = every container) in a pod or a workload's pod
// template, and prints `deployment.apps/nginx image updated`. A Deployment then rolls out.
import type { Command } from 'commander';
import { action, withGlobalFlags, type CliIO, type Ctx } from './context.js';
import { kindName, resourcePath } from './discovery.js';
import { ApiStatusError, CliError, describeFailure } from './errors.js';
import { parseResourceArgs, resolveRequests } from './resource-args.js';

/* eslint-disable @typescript-eslint/no-explicit-any */

/** Splits `TYPE NAME… c=img…` into resource args and container=image pairs. */
export function splitImageArgs(args: string[]): { resources: string[]; images: Map<string, string> } {
  const resources: string[] = [];
  const images = new Map<string, string>();
  for (const a of args) {
    const i = a.indexOf('=');
    if (i > 0) images.set(a.slice(0, i), a.slice(i + 1));
    else resources.push(a);
  }
  return { resources, images };
}

/** Applies `images` to a pod spec; returns the container names it did not find. */
export function setImages(podSpec: any, images: Map<string, string>): string[] {
  const containers: any[] = [...(podSpec?.initContainers ?? []), ...(podSpec?.containers ?? [])];
  const missing: string[] = [];
  for (const [name, image] of images) {
    const hit = name === '*' ? containers : containers.filter((c) => c.name === name);
    if (!hit.length) missing.push(name);
    for (const c of hit) c.image = image;
  }
  return missing;
}

export async function runSetImage(ctx: Ctx, args: string[]): Promise<number> {
  const { resources, images } = splitImageArgs(args);
  if (!images.size) throw new CliError('at least one image update is required');
  if (!resources.length) throw new CliError('one or more resources must be specified as <resource> <name> or <resource>/<name>');
  const requests = await resolveRequests(ctx.discovery, parseResourceArgs(resources));
  let failed = 0;
  for (const req of requests) {
    if (!req.names.length) throw new CliError('resource(s) were provided, but no name was specified');
    for (const name of req.names) {
      const ns = req.resource.namespaced ? ctx.namespace : undefined;
      const path = resourcePath(req.resource, ns, name);
      try {
        const obj = await ctx.client.get<any>(path);
        const podSpec = obj.kind === 'Pod' ? obj.spec : obj.kind === 'CronJob' ? obj.spec?.jobTemplate?.spec?.template?.spec : obj.spec?.template?.spec;
        if (!podSpec) throw new CliError(`${kindName(req.resource)}/${name} has no pod template`);
        const missing = setImages(podSpec, images);
        if (missing.length) throw new CliError(`unable to find container named "${missing[0]}"`);
        await ctx.client.request('PUT', path, { body: obj });
        ctx.out(`${kindName(req.resource)}/${name} image updated\n`);
      } catch (err) {
        failed++;
        if (!(err instanceof ApiStatusError || err instanceof CliError)) throw err;
        ctx.err(`${describeFailure(err).message}\n`);
      }
    }
  }
  return failed ? 1 : 0;
}

export function registerSetImage(program: Command, io: CliIO): void {
  const set = program.commands.find((c) => c.name() === 'set') ?? program.command('set').description('Set specific features on objects');
  withGlobalFlags(set.command('image'))
    .description('Update the image of a pod template')
    .argument('<args...>', 'TYPE NAME or TYPE/NAME, then CONTAINER_NAME_1=CONTAINER_IMAGE_1 ...')
    .action(action(io, (ctx, args: string[]) => runSetImage(ctx, args)));
}
