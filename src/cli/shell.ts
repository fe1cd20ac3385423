// `kdp shell [-n NS] [-- CMD ARGS…]`: the user's shell (or a command) on the host, in the sandbox a
// pod gets (src/pods/sandbox.ts): a private mount namespace whose /etc/resolv.conf points at the
// cluster DNS with the pod search path and ndots:5. So `curl nginx` and `dig nginx` work from a real
// terminal, as `kubectl run -it --rm debug --image=…` gives a debug pod in a real cluster.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { clusterSearch } from '../pods/sandbox-files.js';
import { inSandbox, PodSandbox } from '../pods/sandbox.js';
import { clusterDns } from './cluster-dns.js';
import { action, withGlobalFlags, type CliIO, type Ctx } from './context.js';

export function shellResolvConf(dnsAddress: string, namespace: string, domain: string): string {
  return `nameserver ${dnsAddress}\nsearch ${clusterSearch(namespace, domain).join(' ')}\noptions ndots:5\n`;
}

async function runShell(ctx: Ctx, command: string[]): Promise<number> {
  const dns = await clusterDns(ctx);
  const ns = ctx.namespace;
  const dir = mkdtempSync(join(tmpdir(), 'kdp-shell-'));
  let hosts = '127.0.0.1\tlocalhost\n';
  try {
    hosts = readFileSync('/etc/hosts', 'utf8');
  } catch {
    /* keep the minimal one */
  }
  const warnings: string[] = [];
  const sandbox = new PodSandbox(dir, { resolvConf: shellResolvConf(dns.address, ns, dns.domain), hosts, hostname: hostname() }, (m) => warnings.push(m));
  try {
    const pid = await sandbox.ensure();
    if (pid === undefined) {
      ctx.err(`error: kdp shell needs mount namespaces (run as root, with unshare and nsenter): ${warnings.join('; ')}\n`);
      return 1;
    }
    const argv = command.length ? command : [ctx.io.env.SHELL || '/bin/sh'];
    if (!command.length) ctx.err(`kdp shell: cluster DNS ${dns.address}, search ${clusterSearch(ns, dns.domain).join(' ')}; exit to leave\n`);
    const [cmd, args] = inSandbox(pid, argv, process.cwd());
    const ignore = () => { /* the shell handles Ctrl-C itself */ };
    process.on('SIGINT', ignore);
    try {
      return await new Promise<number>((resolve) => {
        const child = spawn(cmd, args, { stdio: 'inherit', env: { ...process.env, KDP_NAMESPACE: ns } });
        child.on('error', (e) => { ctx.err(`error: ${e.message}\n`); resolve(1); });
        child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 + 15 : 1)));
      });
    } finally {
      process.off('SIGINT', ignore);
    }
  } finally {
    await sandbox.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

export function registerShell(program: Command, io: CliIO): void {
  withGlobalFlags(program.command('shell'))
    .description("Open your shell (or run a command) on this host with a pod's DNS: the cluster resolv.conf and search path")
    .argument('[command...]', 'a command to run instead of $SHELL, after --')
    .action(action(io, (ctx, command: string[]) => runShell(ctx, command)));
}
