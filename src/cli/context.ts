// What every client verb needs: the API address, the namespace flags, discovery, and I/O (injectable
// so tests can capture output). Global flags (`--server`, `-n`, `-A`, `--kubeconfig`) are added to
// every verb, and are also read from the root program when it defines them.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Command } from 'commander';
import { DEFAULT_CONFIG } from '../api/config.js';
import { parseServerUrl } from './config.js';
import { currentContext, type Connection } from './kubeconfig.js';
import { KubeClient, type Credentials, type FetchLike } from './client.js';
import { Discovery } from './discovery.js';
import { describeFailure } from './errors.js';

export const DEFAULT_SERVER = `https://${DEFAULT_CONFIG.apiAddress}:${DEFAULT_CONFIG.apiPort}`;

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
    .option('--kubeconfig <path>', 'Path to the kubeconfig file to use (default $KUBECONFIG, else ~/.kdp/kubeconfig); --server and KDP_SERVER override its address');
}

export function makeCtx(io: CliIO, cmd: Command): Ctx {
  const flags = cmd.optsWithGlobals() as GlobalFlags;
  const conn = loadConnection(io.env, flags.kubeconfig);
  return makeCtxFromServer(io, chooseServer(flags, io.env, conn), flags, conn, conn.namespace);
}

/** `--server`, else $KDP_SERVER, else the kubeconfig's current server, else the default; checked (config.ts). */
function chooseServer(flags: GlobalFlags, env: CliIO['env'], conn: Connection): string {
  if (flags.server) return parseServerUrl(flags.server, 'flag');
  if (env.KDP_SERVER) return parseServerUrl(env.KDP_SERVER, 'env');
  return conn.server ? parseServerUrl(conn.server, 'kubeconfig', flags.kubeconfig) : DEFAULT_SERVER;
}

/**
 * The kubeconfig's current context, found as kubectl finds it: `--kubeconfig`, else $KUBECONFIG (a
 * colon-separated list, merged), else the default state dir's kubeconfig (~/.kdp/kubeconfig, which
 * `kdp up` writes). `--server`/KDP_SERVER override only the address, not the credentials.
 */
export function loadConnection(env: Record<string, string | undefined>, kubeconfigFlag?: string): Connection {
  let paths: string[];
  if (kubeconfigFlag) {
    if (!existsSync(kubeconfigFlag)) throw new Error(`error: stat ${kubeconfigFlag}: no such file or directory`);
    paths = [kubeconfigFlag];
  } else if (env.KUBECONFIG) {
    paths = env.KUBECONFIG.split(':').filter((p) => p && existsSync(p));
  } else {
    const fallback = join(env.HOME ?? homedir(), '.kdp', 'kubeconfig');
    paths = existsSync(fallback) ? [fallback] : [];
  }
  const read = (path: string) => {
    try {
      return readFileSync(path, 'utf8');
    } catch (err) {
      throw new Error(`error: error loading config file "${path}": ${(err as NodeJS.ErrnoException).code === 'EACCES' ? `open ${path}: permission denied` : (err as Error).message}`);
    }
  };
  return currentContext(paths.map((p) => ({ text: read(p), dir: dirname(p) })), read);
}

export function makeCtxFromServer(io: CliIO, server: string, flags: GlobalFlags = {}, creds?: Credentials, contextNamespace?: string): Ctx {
  const client = new KubeClient(server, io.fetch, creds);
  return {
    io,
    client,
    discovery: new Discovery(client),
    namespace: flags.namespace || contextNamespace || 'default',
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
