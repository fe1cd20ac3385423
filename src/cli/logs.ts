// `kdp logs POD|TYPE/NAME [CONTAINER] [-c C] [-f] [--tail N]`: streams the pod's log subresource.
import type { Command } from 'commander';
import { action, withGlobalFlags, type CliIO, type Ctx } from './context.js';
import { CliError } from './errors.js';
import { defaultContainer, podPath, resolvePod } from './pod-select.js';

interface LogsFlags {
  container?: string;
  follow?: boolean;
  tail?: string;
  previous?: boolean;
  timestamps?: boolean;
  sinceSeconds?: string;
}

export async function runLogs(ctx: Ctx, target: string, containerArg: string | undefined, flags: LogsFlags): Promise<number> {
  const pod = await resolvePod(ctx, target);
  const container = defaultContainer(ctx, pod, flags.container ?? containerArg);
  const tail = flags.tail !== undefined ? Number(flags.tail) : -1;
  if (!Number.isInteger(tail)) throw new CliError(`invalid argument "${flags.tail}" for "--tail" flag`);
  const abort = new AbortController();
  const stop = () => abort.abort();
  process.once('SIGINT', stop);
  ctx.io.signal?.addEventListener('abort', stop, { once: true });
  try {
    const stream = await ctx.client.stream(podPath(pod.metadata.namespace ?? ctx.namespace, pod.metadata.name, 'log'), {
      container,
      follow: flags.follow ? 'true' : undefined,
      tailLines: tail >= 0 ? tail : undefined,
      previous: flags.previous ? 'true' : undefined,
      timestamps: flags.timestamps ? 'true' : undefined,
      sinceSeconds: flags.sinceSeconds,
    }, abort.signal);
    for await (const chunk of stream) ctx.io.stdout.write(chunk);
  } catch (err) {
    if (!abort.signal.aborted) throw err;
  } finally {
    process.removeListener('SIGINT', stop);
  }
  return 0;
}

export function registerLogs(program: Command, io: CliIO): void {
  withGlobalFlags(program.command('logs'))
    .description('Print the logs for a container in a pod')
    .argument('<pod>', 'POD or TYPE/NAME')
    .argument('[container]', 'container name')
    .option('-c, --container <name>', 'Print the logs of this container')
    .option('-f, --follow', 'Specify if the logs should be streamed')
    .option('--tail <lines>', 'Lines of recent log file to display. Defaults to -1, showing all log lines')
    .option('-p, --previous', 'Print the logs for the previous instance of the container')
    .option('--timestamps', 'Include timestamps on each line in the log output')
    .option('--since-seconds <n>', 'Only return logs newer than this many seconds')
    .action(action(io, (ctx, pod: string, container: string | undefined, flags: LogsFlags) => runLogs(ctx, pod, container, flags)));
}
