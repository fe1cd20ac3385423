// Registers every client verb on the `kdp` program (main.ts adds `up`).
import type { Command } from 'commander';
import { registerAddons } from './addons.js';
import { registerApiResources } from './api-resources.js';
import { registerApply } from './apply.js';
import { registerBench } from './bench.js';
import { processIO, type CliIO } from './context.js';
import { registerCreate } from './create.js';
import { registerCreateJob } from './create-job.js';
import { registerDelete } from './delete.js';
import { registerDescribe } from './describe.js';
import { registerExec } from './exec.js';
import { registerExpose } from './expose.js';
import { registerGet } from './get.js';
import { registerKubeconfig } from './kubeconfig-command.js';
import { registerDashboard } from './dashboard-command.js';
import { registerLogs } from './logs.js';
import { registerNodes } from './nodes.js';
import { registerScale } from './scale.js';
import { registerSetImage } from './set-image.js';
import { registerVersion } from './version.js';
import { registerShell } from './shell.js';
import { registerDns } from './dns.js';
import { registerDoctor } from './doctor.js';
import { registerWait } from './wait.js';

export function registerClientCommands(program: Command, io: CliIO = processIO()): void {
  // As kubectl: the global flags work before the verb too (`kdp -n NS get all`, `kdp --kubeconfig F get pods`).
  program
    .option('-n, --namespace <namespace>', 'the namespace for the verb that follows (kubectl -n NS get all)')
    .option('--kubeconfig <path>', 'the kubeconfig for the verb that follows')
    .option('--server <url>', 'the API server for the verb that follows');
  registerGet(program, io);
  registerApply(program, io);
  registerCreate(program, io);
  registerCreateJob(program, io);
  registerDelete(program, io);
  registerDescribe(program, io);
  registerExpose(program, io);
  registerScale(program, io);
  registerSetImage(program, io);
  registerLogs(program, io);
  registerExec(program, io);
  registerVersion(program, io);
  registerShell(program, io);
  registerDns(program, io);
  registerApiResources(program, io);
  registerKubeconfig(program, io);
  registerDashboard(program, io);
  registerNodes(program, io);
  registerWait(program, io);
  registerAddons(program, io);
  registerBench(program, io);
  registerDoctor(program, io);
}
