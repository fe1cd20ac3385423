// `kdp dashboard`: prints the dashboard URL (with its token) that `kdp up` wrote to
// <state-dir>/dashboard-url (mode 0600), as `jupyter server list` does.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import type { CliIO } from './context.js';

export function registerDashboard(program: Command, io: CliIO): void {
  program
    .command('dashboard')
    .description('Print the URL of the dashboard of the cluster `kdp up` runs (open it in a browser)')
    .option('--state-dir <dir>', 'the state dir `kdp up` used (default ~/.kdp)')
    .action((flags: { stateDir?: string }) => {
      const source = join(flags.stateDir ?? join(io.env.HOME ?? homedir(), '.kdp'), 'dashboard-url');
      if (!existsSync(source)) {
        io.stderr.write(`error: no dashboard URL at ${source}: start the cluster with "kdp up" (and the same --state-dir)\n`);
        io.setExitCode(1);
        return;
      }
      io.stdout.write(`${readFileSync(source, 'utf8').trim()}\n`);
    });
}
