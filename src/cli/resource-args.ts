// Turning `TYPE[,TYPE…] [NAME…]` or `TYPE/NAME…` arguments into resource requests, as kubectl's
// resource builder does (including the `all` category).
import { categoryMembers, type ApiResource, type Discovery } from './discovery.js';
import { CliError } from './errors.js';

export interface ResourceRequest {
  resource: ApiResource;
  /** Names asked for; empty = list. */
  names: string[];
}

export interface ParsedArgs {
  /** TYPE/NAME pairs, or types with names. */
  items: { type: string; names: string[] }[];
  /** True when several types were asked for (then names get a `kind/` prefix). */
  multipleTypes: boolean;
}

export function parseResourceArgs(args: string[]): ParsedArgs {
  if (!args.length) throw new CliError('Required resource not specified.');
  if (args.some((a) => a.includes('/'))) {
    if (!args.every((a) => a.includes('/'))) {
      throw new CliError(`there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'kdp get resource/<resource_name>' instead of 'kdp get resource resource/<resource_name>'`);
    }
    const byType = new Map<string, string[]>();
    for (const a of args) {
      const [type, ...rest] = a.split('/');
      const name = rest.join('/');
      if (!type || !name) throw new CliError(`arguments in resource/name form must have a single resource and name`);
      byType.set(type, [...(byType.get(type) ?? []), name]);
    }
    const items = [...byType].map(([type, names]) => ({ type, names }));
    return { items, multipleTypes: items.length > 1 };
  }
  const [typeArg, ...names] = args;
  const types = typeArg.split(',').filter(Boolean);
  if (!types.length) throw new CliError('Required resource not specified.');
  return { items: types.map((type) => ({ type, names })), multipleTypes: types.length > 1 || types.includes('all') };
}

/** Resolves the parsed types via discovery; `all` expands to the `all` category. */
export async function resolveRequests(discovery: Discovery, parsed: ParsedArgs): Promise<ResourceRequest[]> {
  const out: ResourceRequest[] = [];
  const seen = new Set<string>();
  for (const item of parsed.items) {
    const resources = item.type.toLowerCase() === 'all'
      ? categoryMembers(await discovery.resources(), 'all')
      : [await discovery.resolve(item.type)];
    for (const resource of resources) {
      const key = `${resource.group}/${resource.resource}`;
      const existing = out.find((r) => `${r.resource.group}/${r.resource.resource}` === key);
      if (existing) {
        existing.names.push(...item.names.filter((n) => !existing.names.includes(n)));
        continue;
      }
      seen.add(key);
      out.push({ resource, names: [...item.names] });
    }
  }
  return out;
}
