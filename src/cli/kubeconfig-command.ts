// `kdp kubeconfig [--merge]`: prints the kubeconfig `kdp up` wrote to <state-dir>/kubeconfig, or with
// --merge adds its cluster, user and context `kdp` to $KUBECONFIG's first file (default
// ~/.kube/config) and makes it the current context — only when asked, as kind does.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Command } from 'commander';
import type { CliIO } from './context.js';
import { mergeKubeconfig } from './kubeconfig.js';

export function registerKubeconfig(program: Command, io: CliIO): void {
  program
    .command('kubeconfig')
    .description('Print the kubeconfig for the cluster `kdp up` runs (context "kdp"); --merge adds it to ~/.kube/config')
    .option('--state-dir <dir>', 'the state dir `kdp up` used (default ~/.kdp)')
    .option('--merge', 'merge into $KUBECONFIG (first file) or ~/.kube/config and switch to context "kdp"')
    .action((flags: { stateDir?: string; merge?: boolean }) => {
      const source = join(flags.stateDir ?? join(io.env.HOME ?? homedir(), '.kdp'), 'kubeconfig');
      if (!existsSync(source)) {
        io.stderr.write(`error: no kubeconfig at ${source}: start the cluster with "kdp up" (and the same --state-dir)\n`);
        io.setExitCode(1);
        return;
      }
      const kdp = readFileSync(source, 'utf8');
      if (!flags.merge) {
        io.stdout.write(kdp);
        return;
      }
      const target = (io.env.KUBECONFIG ?? '').split(':').find(Boolean) ?? join(io.env.HOME ?? homedir(), '.kube', 'config');
      if (target === source) {
        io.stdout.write(`${target} is kdp's own kubeconfig; nothing to merge\n`);
        return;
      }
      const existing = existsSync(target) ? readFileSync(target, 'utf8') : undefined;
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, mergeKubeconfig(existing, kdp), { mode: 0o600 });
      io.stdout.write(`Merged context "kdp" into ${target}; it is now the current context (kubectl config use-context kdp)\n`);
    });
}
