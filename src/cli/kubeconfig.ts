// The kubeconfig `kdp up` writes to <state-dir>/kubeconfig (context `kdp`), for real kubectl.
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
export function kubeconfigYaml(server: string, name = 'kdp'): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- cluster:',
    `    server: ${server}`,
    `  name: ${name}`,
    'contexts:',
    '- context:',
    `    cluster: ${name}`,
    '    namespace: default',
    `    user: ${name}`,
    `  name: ${name}`,
    `current-context: ${name}`,
    'preferences: {}',
    'users:',
    `- name: ${name}`,
    '  user: {}',
    '',
  ].join('\n');
}

type Named = { name: string; [k: string]: unknown };
interface KubeconfigDoc {
  clusters?: Named[];
  contexts?: Named[];
  users?: Named[];
  'current-context'?: string;
  [k: string]: unknown;
}

function upsert(list: Named[] | undefined, items: Named[] | undefined): Named[] {
  const out = [...(list ?? [])];
  for (const item of items ?? []) {
    const i = out.findIndex((x) => x.name === item.name);
    if (i >= 0) out[i] = item;
    else out.push(item);
  }
  return out;
}

/**
 * Merges kdp's kubeconfig into another one (e.g. ~/.kube/config): its cluster, context and user
 * replace entries of the same name, others are kept, and its context becomes the current one.
 */
export function mergeKubeconfig(existing: string | undefined, kdp: string): string {
  const base = ((existing?.trim() ? parseYaml(existing) : undefined) ?? { apiVersion: 'v1', kind: 'Config', preferences: {} }) as KubeconfigDoc;
  const add = parseYaml(kdp) as KubeconfigDoc;
  base.clusters = upsert(base.clusters, add.clusters);
  base.contexts = upsert(base.contexts, add.contexts);
  base.users = upsert(base.users, add.users);
  if (add['current-context']) base['current-context'] = add['current-context'];
  return stringifyYaml(base);
}

/** The API server of a kubeconfig's current context (what kubectl would talk to), if any. */
export function currentServer(kubeconfig: string): string | undefined {
  const doc = parseYaml(kubeconfig) as KubeconfigDoc | undefined;
  const ctx = doc?.contexts?.find((c) => c.name === doc['current-context'])?.context as { cluster?: string } | undefined;
  const cluster = doc?.clusters?.find((c) => c.name === ctx?.cluster)?.cluster as { server?: string } | undefined;
  return cluster?.server;
}
