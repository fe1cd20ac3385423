// `kdp version`: the client's version and the server's /version, as kubectl prints them.
import type { Command } from 'commander';
import { action, withGlobalFlags, type CliIO } from './context.js';
import { toJson, toYaml } from './output.js';

// kubectl reports the Go it was built with (`goVersion`); kdp reports the Node.js it runs on.
export const CLIENT_VERSION = {
  major: '1',
  minor: '30',
  gitVersion: 'v1.30.0-kdp.0.1.0',
  nodeVersion: process.version,
  platform: `${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}`,
};

export function registerVersion(program: Command, io: CliIO): void {
  withGlobalFlags(program.command('version'))
    .description('Print the client and server version information')
    .option('--client', 'If true, shows client version only (no server required)')
    .option('-o, --output <format>', 'One of yaml or json')
    .action(action(io, async (ctx, flags: { client?: boolean; output?: string }) => {
      let server: { gitVersion?: string } | undefined;
      let failure: unknown;
      if (!flags.client) {
        try {
          server = await ctx.client.get('/version');
        } catch (err) {
          failure = err;
        }
      }
      if (flags.output === 'json' || flags.output === 'yaml') {
        const doc: Record<string, unknown> = { clientVersion: CLIENT_VERSION };
        if (server) doc.serverVersion = server;
        ctx.out(flags.output === 'json' ? toJson(doc) : toYaml(doc));
      } else {
        ctx.out(`Client Version: ${CLIENT_VERSION.gitVersion}\n`);
        ctx.out(`Node.js Version: ${CLIENT_VERSION.nodeVersion}\n`);
        if (server) ctx.out(`Server Version: ${server.gitVersion ?? 'unknown'}\n`);
      }
      if (failure) throw failure;
    }));
}
