// `kdp api-resources`: NAME SHORTNAMES APIVERSION NAMESPACED KIND, from discovery.
import type { Command } from 'commander';
import { action, withGlobalFlags, type CliIO } from './context.js';
import { TabWriter } from './table-printer.js';

export function registerApiResources(program: Command, io: CliIO): void {
  withGlobalFlags(program.command('api-resources'))
    .description('Print the supported API resources on the server')
    .option('--namespaced [bool]', 'If false, non-namespaced resources will be returned')
    .option('--api-group <group>', 'Limit to resources in the specified API group')
    .option('-o, --output <format>', 'wide or name')
    .option('--no-headers', "Don't print headers")
    .action(action(io, async (ctx, flags: { namespaced?: string | boolean; apiGroup?: string; output?: string; headers?: boolean }) => {
      let list = await ctx.discovery.resources();
      if (flags.namespaced !== undefined) {
        const want = String(flags.namespaced) !== 'false';
        list = list.filter((r) => r.namespaced === want);
      }
      if (flags.apiGroup !== undefined) list = list.filter((r) => r.group === flags.apiGroup);
      list = [...list].sort((a, b) => a.group.localeCompare(b.group) || a.resource.localeCompare(b.resource));
      if (flags.output === 'name') {
        for (const r of list) ctx.out(`${r.resource}${r.group ? `.${r.group}` : ''}\n`);
        return;
      }
      const wide = flags.output === 'wide';
      const header = ['NAME', 'SHORTNAMES', 'APIVERSION', 'NAMESPACED', 'KIND', ...(wide ? ['VERBS', 'CATEGORIES'] : [])];
      const rows = list.map((r) => [
        r.resource, r.shortNames.join(','), r.group ? `${r.group}/${r.version}` : r.version, String(r.namespaced), r.kind,
        ...(wide ? [`[${r.verbs.join(' ')}]`, r.categories.join(',')] : []),
      ]);
      ctx.out(new TabWriter().format(flags.headers === false ? rows : [header, ...rows]));
    }));
}
