// `kdp create -f`: POST every document; `deployment.apps/nginx created`, or per-document
// `Error from server (AlreadyExists): error when creating "f.yaml": deployments.apps "nginx" already exists`.
import type { Command } from 'commander';
import type { KObject } from '../api/types.js';
import { forEachDoc, readStdin, type FileFlags } from './apply.js';
import { action, withGlobalFlags, type CliIO, type Ctx } from './context.js';
import { kindName } from './discovery.js';
import { ApiStatusError } from './errors.js';
import { readManifests, type ManifestDoc } from './manifest.js';
import { targetOf } from './manifest-target.js';

export async function createOne(ctx: Ctx, doc: ManifestDoc): Promise<string> {
  const t = await targetOf(ctx, doc.object);
  const body = structuredClone(doc.object) as KObject;
  if (t.namespace) body.metadata = { ...body.metadata, namespace: t.namespace };
  try {
    const created = await ctx.client.request<KObject>('POST', t.collection, { body });
    return `${kindName(t.resource)}/${created?.metadata?.name ?? t.name} created`;
  } catch (err) {
    if (err instanceof ApiStatusError) throw new ApiStatusError({ ...err.status, message: `error when creating "${doc.source}": ${err.message}` });
    throw err;
  }
}

export function registerCreate(program: Command, io: CliIO): void {
  withGlobalFlags(program.command('create'))
    .description('Create a resource from a file or from stdin')
    .option('-f, --filename <path...>', 'Filename, directory, or - (stdin) to use to create the resource')
    .option('-R, --recursive', 'Process the directory used in -f, --filename recursively')
    .option('--validate <mode>', 'accepted for compatibility', 'strict')
    .action(action(io, async (ctx, flags: FileFlags) => {
      const docs = await readManifests(flags.filename ?? [], { recursive: flags.recursive, readStdin: () => readStdin(ctx.io) });
      return forEachDoc(ctx, docs, createOne);
    }));
}
