// Registers every client verb on the `kdp` program (main.ts adds `up`).
import type { Command } from 'commander';
import { registerApiResources } from './api-resources.js';
import { registerApply } from './apply.js';
import { processIO, type CliIO } from './context.js';
import { registerCreate } from './create.js';
import { registerDelete } from './delete.js';
import { registerDescribe } from './describe.js';
import { registerExec } from './exec.js';
import { registerExpose } from './expose.js';
import { registerGet } from './get.js';
import { registerLogs } from './logs.js';
import { registerScale } from './scale.js';
import { registerVersion } from './version.js';

export function registerClientCommands(program: Command, io: CliIO = processIO()): void {
  registerGet(program, io);
  registerApply(program, io);
  registerCreate(program, io);
  registerDelete(program, io);
  registerDescribe(program, io);
  registerExpose(program, io);
  registerScale(program, io);
  registerLogs(program, io);
  registerExec(program, io);
  registerVersion(program, io);
  registerApiResources(program, io);
}
