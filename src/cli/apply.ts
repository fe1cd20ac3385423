// `kdp apply -f`: client-side apply as kubectl does it. For each document: GET; if absent, POST it
// with the kubectl.kubernetes.io/last-applied-configuration annotation; otherwise PATCH (merge) the
// three-way difference between the last applied manifest, the new one and the live object.
// Prints `deployment.apps/nginx created|configured|unchanged`; server errors are printed per document
// and the rest still apply (exit 1 at the end).
import type { Command } from 'commander';
import type { KObject } from '../api/types.js';
import type { Credentials } from './client.js';
import { action, makeCtxFromServer, withGlobalFlags, processIO, type CliIO, type Ctx } from './context.js';
import { kindName } from './discovery.js';
import { ApiStatusError, describeFailure, isNotFound } from './errors.js';
import { readManifests, type ManifestDoc } from './manifest.js';
import { gvkText, gvrText, targetOf } from './manifest-target.js';
import { sortKeys } from './output.js';
import { threeWayMergePatch } from './three-way-merge.js';

export const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/** The manifest with its namespace set, and the annotation holding its own JSON. */
export function withLastApplied(obj: KObject, namespace: string | undefined): KObject {
  const modified = structuredClone(obj) as KObject;
  modified.metadata ??= {} as KObject['metadata'];
  if (namespace) modified.metadata.namespace = namespace;
  const annotations = { ...(modified.metadata.annotations ?? {}) };
  delete annotations[LAST_APPLIED];
  const forAnnotation = structuredClone(modified);
  // kubectl's annotation keeps `"annotations":{}` (the map it removed itself from), so both tools
  // write byte-identical annotations and re-applying with the other one says `unchanged`
  forAnnotation.metadata.annotations = annotations;
  modified.metadata.annotations = { ...annotations, [LAST_APPLIED]: `${JSON.stringify(sortKeys(forAnnotation))}\n` };
  return modified;
}

function parseLastApplied(live: KObject): unknown {
  const text = live.metadata?.annotations?.[LAST_APPLIED];
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export type ApplyResult = 'created' | 'configured' | 'unchanged';

/** Applies one document; throws ApiStatusError already worded for the document. */
export async function applyOne(ctx: Ctx, doc: ManifestDoc): Promise<string> {
  const t = await targetOf(ctx, doc.object);
  const modified = withLastApplied(doc.object, t.namespace);
  const label = `${kindName(t.resource)}/${t.name}`;
  let live: KObject | undefined;
  try {
    live = await ctx.client.get<KObject>(t.path);
  } catch (err) {
    if (!isNotFound(err)) {
      if (err instanceof ApiStatusError) {
        throw new ApiStatusError({ ...err.status, message: `error when retrieving current configuration of:\nResource: ${gvrText(t.resource)}, GroupVersionKind: ${gvkText(t.resource)}\nName: "${t.name}", Namespace: "${t.namespace ?? ''}"\nfrom server for: "${doc.source}": ${err.message}` });
      }
      throw err;
    }
  }
  if (!live) {
    try {
      await ctx.client.request('POST', t.collection, { body: modified });
    } catch (err) {
      if (err instanceof ApiStatusError) throw new ApiStatusError({ ...err.status, message: `error when creating "${doc.source}": ${err.message}` });
      throw err;
    }
    return `${label} created`;
  }
  const patch = threeWayMergePatch(parseLastApplied(live), modified, live);
  if (!Object.keys(patch).length) return `${label} unchanged`;
  try {
    await ctx.client.request('PATCH', t.path, { body: patch, contentType: 'application/merge-patch+json' });
  } catch (err) {
    if (err instanceof ApiStatusError) {
      throw new ApiStatusError({ ...err.status, message: `error when applying patch:\n${JSON.stringify(patch)}\nto:\nResource: ${gvrText(t.resource)}, GroupVersionKind: ${gvkText(t.resource)}\nName: "${t.name}", Namespace: "${t.namespace ?? ''}"\nfor: "${doc.source}": error when patching "${doc.source}": ${err.message}` });
    }
    throw err;
  }
  return `${label} configured`;
}

/** Runs `op` for every document, printing results and per-document errors; returns the exit code. */
export async function forEachDoc(ctx: Ctx, docs: ManifestDoc[], op: (ctx: Ctx, doc: ManifestDoc) => Promise<string | undefined>): Promise<number> {
  let failed = 0;
  for (const doc of docs) {
    try {
      const line = await op(ctx, doc);
      if (line) ctx.out(`${line}\n`);
    } catch (err) {
      failed++;
      const { message } = describeFailure(err);
      if (message) ctx.err(`${message}\n`);
    }
  }
  return failed ? 1 : 0;
}

export interface FileFlags {
  filename?: string[];
  recursive?: boolean;
}

export async function runApply(ctx: Ctx, flags: FileFlags): Promise<number> {
  const docs = await readManifests(flags.filename ?? [], { recursive: flags.recursive, readStdin: () => readStdin(ctx.io) });
  if (!docs.length) throw new Error('no objects passed to apply');
  return forEachDoc(ctx, docs, applyOne);
}

export async function readStdin(io: CliIO): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of io.stdin) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(c as string));
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * For `kdp up -f`: applies files/directories to the API at `server`, printing like `kdp apply`.
 * Resolves false when any document failed (nothing is thrown).
 */
export async function applyPaths(server: string, paths: string[], io: CliIO = processIO(), creds?: Credentials): Promise<boolean> {
  const ctx = makeCtxFromServer(io, server, {}, creds);
  try {
    const docs = await readManifests(paths);
    return (await forEachDoc(ctx, docs, applyOne)) === 0;
  } catch (err) {
    const { message } = describeFailure(err);
    if (message) ctx.err(`${message}\n`);
    return false;
  }
}

export function registerApply(program: Command, io: CliIO): void {
  withGlobalFlags(program.command('apply'))
    .description('Apply a configuration to a resource by file name or stdin')
    .option('-f, --filename <path...>', 'The files that contain the configurations to apply (file, directory or -)')
    .option('-R, --recursive', 'Process the directory used in -f, --filename recursively')
    .option('--validate <mode>', 'accepted for compatibility', 'strict')
    .action(action(io, (ctx, flags: FileFlags) => runApply(ctx, flags)));
}
