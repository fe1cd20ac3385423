// What every client verb needs: the API address, the namespace flags, discovery, and I/O (injectable
// so tests can capture output). Global flags (`--server`, `-n`, `-A`, `--kubeconfig`) are added to
// every verb, and are also read from the root program when it defines them.
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { DEFAULT_CONFIG } from '../api/config.js';
import { parseServerUrl } from './config.js';
import { currentServer } from './kubeconfig.js';
import { KubeClient, type FetchLike } from './client.js';
import { Discovery } from './discovery.js';
import { describeFailure } from './errors.js';

export const DEFAULT_SERVER = `http://${DEFAULT_CONFIG.apiAddress}:${DEFAULT_CONFIG.apiPort}`;

export interface Output {
  write(chunk: string | Uint8Array): unknown;
}

export interface CliIO {
  stdout: Output;
  stderr: Output;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
  env: Record<string, string | undefined>;
  fetch?: FetchLike;
  /** Sets the process exit code (tests capture it). */
  setExitCode(code: number): void;
  now?: () => Date;
  /** Ends long-running verbs (get -w, logs -f) like Ctrl-C does; tests use it. */
  signal?: AbortSignal;
}

export function processIO(): CliIO {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    setExitCode: (code) => {
      process.exitCode = code;
    },
  };
}

export interface GlobalFlags {
  server?: string;
  namespace?: string;
  allNamespaces?: boolean;
  kubeconfig?: string;
}

export interface Ctx {
  io: CliIO;
  client: KubeClient;
  discovery: Discovery;
  /** The namespace to use (`-n`, else `default`). */
  namespace: string;
  /** True when `-n` was given. */
  explicitNamespace: boolean;
  allNamespaces: boolean;
  out(text: string): void;
  err(text: string): void;
}

/** Adds the global flags to a verb. */
export function withGlobalFlags(cmd: Command): Command {
  return cmd
    .option('--server <url>', 'The address and port of the Kubernetes API server (env KDP_SERVER)')
    .option('-n, --namespace <namespace>', 'If present, the namespace scope for this CLI request')
    .option('-A, --all-namespaces', 'If present, list the requested object(s) across all namespaces')
    .option('--kubeconfig <path>', "Path to a kubeconfig file: its current context's server is used (after --server and KDP_SERVER)");
}

export function makeCtx(io: CliIO, cmd: Command): Ctx {
  const flags = cmd.optsWithGlobals() as GlobalFlags;
  return makeCtxFromServer(io, chooseServer(flags, io.env), flags);
}

/** `--server`, else $KDP_SERVER, else the kubeconfig's current server, else the default; checked (config.ts). */
function chooseServer(flags: GlobalFlags, env: CliIO['env']): string {
  if (flags.server) return parseServerUrl(flags.server, 'flag');
  if (env.KDP_SERVER) return parseServerUrl(env.KDP_SERVER, 'env');
  const fromKubeconfig = kubeconfigServer(flags.kubeconfig);
  return fromKubeconfig ? parseServerUrl(fromKubeconfig, 'kubeconfig', flags.kubeconfig) : DEFAULT_SERVER;
}

function kubeconfigServer(path: string | undefined): string | undefined {
  if (!path) return undefined;
  try {
    return currentServer(readFileSync(path, 'utf8'));
  } catch {
    throw new Error(`error: stat ${path}: no such file or directory`);
  }
}

export function makeCtxFromServer(io: CliIO, server: string, flags: GlobalFlags = {}): Ctx {
  const client = new KubeClient(server, io.fetch ?? fetch);
  return {
    io,
    client,
    discovery: new Discovery(client),
    namespace: flags.namespace || 'default',
    explicitNamespace: !!flags.namespace,
    allNamespaces: !!flags.allNamespaces,
    out: (text) => io.stdout.write(text),
    err: (text) => io.stderr.write(text),
  };
}

/** Wraps a verb's action: builds the context, prints failures kubectl-style, sets the exit code. */
export function action<A extends unknown[]>(io: CliIO, fn: (ctx: Ctx, ...args: A) => Promise<number | void>) {
  return async (...args: unknown[]): Promise<void> => {
    const cmd = args[args.length - 1] as Command;
    let ctx: Ctx;
    try {
      ctx = makeCtx(io, cmd);
    } catch (err) {
      io.stderr.write(`${(err as Error).message}\n`);
      io.setExitCode(1);
      return;
    }
    try {
      const code = await fn(ctx, ...(args.slice(0, -1) as A));
      if (code) io.setExitCode(code);
    } catch (err) {
      const { message, exitCode } = describeFailure(err);
      if (message) io.stderr.write(`${message}\n`);
      io.setExitCode(exitCode);
    }
  };
}
