// `kdp create job NAME --from=cronjob/NAME`: runs a CronJob's job template now, as kubectl does
// (annotation `cronjob.kubernetes.io/instantiate: manual`, owned by the CronJob); prints
// `job.batch/NAME created`. A subcommand of `create`, which keeps `create -f`.
import type { Command } from 'commander';
import type { KObject } from '../api/types.js';
import { jobFromCronJob } from '../controllers/index.js';
import { action, withGlobalFlags, type CliIO, type Ctx } from './context.js';
import { CliError } from './errors.js';

export async function runCreateJob(ctx: Ctx, name: string, flags: { from?: string; image?: string }, command: string[]): Promise<number> {
  const ns = encodeURIComponent(ctx.namespace);
  let job: KObject;
  if (flags.from) {
    const [type, src] = flags.from.split('/');
    if (!src || !['cronjob', 'cronjobs', 'cj', 'cronjob.batch'].includes(type.toLowerCase())) {
      throw new CliError(`from must be an existing cronjob: ${flags.from}`);
    }
    const cj = await ctx.client.get<KObject>(`/apis/batch/v1/namespaces/${ns}/cronjobs/${encodeURIComponent(src)}`);
    job = jobFromCronJob(cj, 'manual', name);
  } else if (flags.image) {
    const container: Record<string, unknown> = { name, image: flags.image };
    if (command.length) container.command = command;
    job = { apiVersion: 'batch/v1', kind: 'Job', metadata: { name, namespace: ctx.namespace }, spec: { template: { spec: { restartPolicy: 'Never', containers: [container] } } } };
  } else {
    throw new CliError('either --image or --from must be specified');
  }
  const created = await ctx.client.request<KObject>('POST', `/apis/batch/v1/namespaces/${ns}/jobs`, { body: job });
  ctx.out(`job.batch/${created?.metadata?.name ?? name} created\n`);
  return 0;
}

export function registerCreateJob(program: Command, io: CliIO): void {
  const create = program.commands.find((c) => c.name() === 'create');
  if (!create) throw new Error('create-job: register `create` first');
  withGlobalFlags(create.command('job'))
    .description('Create a job with the specified name')
    .argument('<name>')
    .argument('[command...]', 'command to run (with --image)')
    .option('--from <resource>', 'The name of the resource to create a Job from (only cronjob is supported)')
    .option('--image <image>', 'Image name to run')
    .action(action(io, (ctx, name: string, command: string[], flags: { from?: string; image?: string }) => runCreateJob(ctx, name, flags, command)));
}
