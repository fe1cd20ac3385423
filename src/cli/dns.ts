// `kdp dns setup [--apply]`: split DNS for the host's own resolver. Where systemd-resolved runs, it
// prints the commands that send `*.<cluster domain>` to the cluster DNS (a dummy link carrying the
// route, see src/coredns/dns-setup.ts); `--apply` runs them, and `kdp up` removes the link when it stops.
import type { Command } from 'commander';
import { applyDnsSetup, dnsSetupCommands, dnsUndoCommand, systemdResolvedActive } from '../coredns/dns-setup.js';
import { shellQuote } from '../pods/sandbox.js';
import { clusterDns } from './cluster-dns.js';
import { action, withGlobalFlags, type CliIO, type Ctx } from './context.js';

async function runDnsSetup(ctx: Ctx, flags: { apply?: boolean }, resolved = systemdResolvedActive()): Promise<number> {
  const dns = await clusterDns(ctx);
  const cmds = dnsSetupCommands(dns.address, dns.domain);
  if (!resolved) {
    ctx.err(`systemd-resolved is not running on this host, so there is no split-DNS route to add.\n`);
    ctx.err(`Use \`kdp shell\` for a terminal that resolves ${dns.domain} names, or ask the cluster DNS directly: dig @${dns.address} kubernetes.default.svc.${dns.domain}\n`);
    ctx.out(`# with systemd-resolved, kdp would run:\n${cmds.map((c) => shellQuote(c)).join('\n')}\n`);
    return flags.apply ? 1 : 0;
  }
  if (!flags.apply) {
    ctx.out(`# route ${dns.domain} to the cluster DNS ${dns.address} (kdp dns setup --apply runs these):\n`);
    ctx.out(cmds.map((c) => shellQuote(c)).join('\n') + '\n');
    ctx.out(`# undo: ${shellQuote(dnsUndoCommand(dns.address))}\n`);
    return 0;
  }
  applyDnsSetup(dns.address, dns.domain);
  ctx.out(`${dns.domain} now resolves through ${dns.address} on this host; \`kdp up\` removes the route when it stops (or: ${shellQuote(dnsUndoCommand(dns.address))}).\n`);
  return 0;
}

export function registerDns(program: Command, io: CliIO): void {
  const dns = program.command('dns').description("Connect this host's resolver to the cluster DNS");
  withGlobalFlags(dns.command('setup'))
    .description('Print (or --apply) the systemd-resolved split-DNS route for the cluster domain')
    .option('--apply', 'run the commands (needs root); `kdp up` undoes them when it stops')
    .action(action(io, (ctx, flags: { apply?: boolean }) => runDnsSetup(ctx, flags)));
}
