// `kdp exec [-i] [-t] POD|TYPE/NAME [-c C] -- CMD ARGS…`: a WebSocket client of the pod's exec
// subresource (v5.channel.k8s.io, falling back to v4). The remote command's exit code becomes kdp's
// (`command terminated with exit code 3` on stderr, as kubectl prints it).
import type { Command } from 'commander';
import WebSocket from 'ws';
import type { KObject } from '../api/types.js';
import { buildQuery, tlsOptions } from './client.js';
import { action, withGlobalFlags, type CliIO, type Ctx } from './context.js';
import { ApiStatusError, CliError, ExitError, type StatusBody } from './errors.js';
import { CHANNEL, closeFrame, decodeFrame, EXEC_PROTOCOLS, parseExecStatus, resizeFrame, stdinFrame, type ExecOutcome } from './exec-protocol.js';
import { defaultContainer, podPath, resolvePod } from './pod-select.js';

interface ExecFlags {
  stdin?: boolean;
  tty?: boolean;
  container?: string;
  quiet?: boolean;
}

/** The exec URL (ws://…/exec?command=…&stdin=true…). */
export function execUrl(server: string, pod: KObject, command: string[], o: { container?: string; stdin: boolean; tty: boolean }): string {
  const base = server.replace(/^http/, 'ws');
  const query = buildQuery({
    command, container: o.container, stdin: o.stdin ? 'true' : undefined, stdout: 'true',
    stderr: o.tty ? undefined : 'true', tty: o.tty ? 'true' : undefined,
  });
  return `${base}${podPath(pod.metadata.namespace ?? 'default', pod.metadata.name, 'exec')}${query}`;
}

/** Runs the session; resolves with the outcome once the server closes the stream. */
export function runExecSession(ctx: Ctx, url: string, opts: { stdin: boolean; tty: boolean }): Promise<ExecOutcome> {
  const io = ctx.io;
  return new Promise<ExecOutcome>((resolve, reject) => {
    const ws = new WebSocket(url, [...EXEC_PROTOCOLS], { perMessageDeflate: false, headers: ctx.client.authHeaders(), ...tlsOptions(ctx.client.credentials) });
    let outcome: ExecOutcome | undefined;
    let rawMode = false;
    const onStdinData = (chunk: Buffer | string) => ws.readyState === WebSocket.OPEN && ws.send(stdinFrame(chunk));
    const onStdinEnd = () => {
      if (ws.readyState === WebSocket.OPEN && ws.protocol === 'v5.channel.k8s.io') ws.send(closeFrame(CHANNEL.stdin));
    };
    const sendResize = () => {
      const out = process.stdout;
      if (ws.readyState === WebSocket.OPEN && out.columns && out.rows) ws.send(resizeFrame(out.columns, out.rows));
    };
    const cleanup = () => {
      if (opts.stdin) {
        io.stdin.removeListener('data', onStdinData);
        io.stdin.removeListener('end', onStdinEnd);
        io.stdin.pause();
      }
      if (rawMode) io.stdin.setRawMode?.(false);
      if (opts.tty) process.removeListener('SIGWINCH', sendResize);
    };

    ws.on('unexpected-response', (_req, res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        let status: StatusBody | undefined;
        try {
          status = JSON.parse(text);
        } catch {
          status = undefined;
        }
        cleanup();
        reject(status?.kind === 'Status' ? new ApiStatusError({ ...status, code: status.code ?? res.statusCode }) : new CliError(`unable to upgrade connection: ${text.trim() || res.statusMessage}`));
      });
    });
    ws.on('open', () => {
      if (opts.tty) {
        if (io.stdin.setRawMode) {
          io.stdin.setRawMode(true);
          rawMode = true;
        }
        sendResize();
        process.on('SIGWINCH', sendResize);
      }
      if (opts.stdin) {
        io.stdin.on('data', onStdinData);
        io.stdin.on('end', onStdinEnd);
        io.stdin.resume();
      }
    });
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      const buf = isBinary ? data : Buffer.from(data);
      const f = decodeFrame(buf);
      if (!f) return;
      if (f.channel === CHANNEL.stdout) io.stdout.write(f.payload);
      else if (f.channel === CHANNEL.stderr) io.stderr.write(f.payload);
      else if (f.channel === CHANNEL.error) outcome = parseExecStatus(f.payload);
    });
    ws.on('error', (err: Error & { code?: string }) => {
      cleanup();
      if (err.code === 'ECONNREFUSED') reject(new CliError(`The connection to the server ${new URL(url).host} was refused - did you specify the right host or port?`));
      else reject(new CliError(err.message));
    });
    ws.on('close', () => {
      cleanup();
      resolve(outcome ?? { exitCode: 0 });
    });
  });
}

export async function runExec(ctx: Ctx, target: string, command: string[], flags: ExecFlags): Promise<number> {
  if (!command.length) throw new CliError('you must specify at least one command for the container');
  const pod = await resolvePod(ctx, target);
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') {
    throw new CliError(`cannot exec into a container in a completed pod; current phase is ${phase}`);
  }
  const container = defaultContainer(ctx, pod, flags.container);
  const stdin = !!flags.stdin;
  let tty = !!flags.tty;
  if (tty && !stdin) {
    if (!flags.quiet) ctx.err('Unable to use a TTY - input is not a terminal or the right kind of file\n');
    tty = false;
  } else if (tty && !ctx.io.stdin.isTTY) {
    if (!flags.quiet) ctx.err('Unable to use a TTY - input is not a terminal or the right kind of file\n');
    tty = false;
  }
  const outcome = await runExecSession(ctx, execUrl(ctx.client.server, pod, command, { container, stdin, tty }), { stdin, tty });
  if (outcome.error) throw new CliError(outcome.error);
  if (outcome.exitCode !== 0) {
    ctx.err(`command terminated with exit code ${outcome.exitCode}\n`);
    throw new ExitError(outcome.exitCode);
  }
  return 0;
}

export function registerExec(program: Command, io: CliIO): void {
  withGlobalFlags(program.command('exec'))
    .description('Execute a command in a container')
    .argument('<pod>', 'POD or TYPE/NAME')
    .argument('[command...]', 'the command and its arguments, after --')
    .option('-i, --stdin', 'Pass stdin to the container')
    .option('-t, --tty', 'Stdin is a TTY')
    .option('-c, --container <name>', 'Container name. If omitted, the first container in the pod will be chosen')
    .option('-q, --quiet', 'Only print output from the remote session')
    .action(action(io, (ctx, pod: string, command: string[], flags: ExecFlags) => runExec(ctx, pod, command, flags)));
}
