// Shared by logs and exec: find the pod behind `POD` or `TYPE/NAME` (deployment/nginx picks one of
// its pods, as kubectl does) and default the container (`Defaulted container "a" out of: a, b`).
import type { KObject } from '../api/types.js';
import type { Ctx } from './context.js';
import { resourcePath } from './discovery.js';
import { CliError } from './errors.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
const POD_PATH = (ns: string, name: string, sub?: string) => `/api/v1/namespaces/${encodeURIComponent(ns)}/pods/${encodeURIComponent(name)}${sub ? `/${sub}` : ''}`;
export { POD_PATH as podPath };

function isReady(p: KObject): boolean {
  return (p.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True');
}

/** kubectl's ByLogging order: scheduled, running, ready, more restarts, newer first. */
export function pickPodForLogs(pods: KObject[]): KObject | undefined {
  const phaseRank = (p: KObject) => ({ Running: 0, Unknown: 1, Pending: 2 } as Record<string, number>)[p.status?.phase ?? ''] ?? 3;
  const restarts = (p: KObject) => (p.status?.containerStatuses ?? []).reduce((n: number, c: any) => n + (c.restartCount ?? 0), 0);
  return [...pods].sort((a, b) =>
    Number(!a.spec?.nodeName) - Number(!b.spec?.nodeName)
    || phaseRank(a) - phaseRank(b)
    || Number(!isReady(a)) - Number(!isReady(b))
    || restarts(b) - restarts(a)
    || Date.parse(b.metadata.creationTimestamp ?? '') - Date.parse(a.metadata.creationTimestamp ?? ''),
  )[0];
}

export async function resolvePod(ctx: Ctx, target: string): Promise<KObject> {
  const ns = ctx.namespace;
  if (!target.includes('/')) return ctx.client.get<KObject>(POD_PATH(ns, target));
  const [type, name] = target.split('/', 2);
  const resource = await ctx.discovery.resolve(type);
  if (resource.group === '' && resource.resource === 'pods') return ctx.client.get<KObject>(POD_PATH(ns, name));
  const owner = await ctx.client.get<KObject>(resourcePath(resource, ns, name));
  let selector: string;
  if (resource.kind === 'Service') {
    selector = Object.entries(owner.spec?.selector ?? {}).map(([k, v]) => `${k}=${v}`).join(',');
  } else {
    const sel = owner.spec?.selector ?? {};
    const labels = sel.matchLabels ?? (resource.kind === 'ReplicationController' ? sel : {});
    selector = Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(',');
  }
  if (!selector) throw new CliError(`cannot find pods for ${target}: it has no selector`);
  const list = await ctx.client.get<{ items?: KObject[] }>(`/api/v1/namespaces/${encodeURIComponent(ns)}/pods`, { labelSelector: selector });
  const pods = list?.items ?? [];
  const pod = pickPodForLogs(pods);
  if (!pod) throw new CliError(`timed out waiting for the condition`);
  if (pods.length > 1) ctx.err(`Found ${pods.length} pods, using pod/${pod.metadata.name}\n`);
  return pod;
}

/** The container to use: -c, else the default-container annotation, else the first (with a notice). */
export function defaultContainer(ctx: Ctx, pod: KObject, requested: string | undefined): string | undefined {
  const containers: any[] = pod.spec?.containers ?? [];
  if (requested) return requested;
  if (containers.length <= 1) return containers[0]?.name;
  const annotated = pod.metadata.annotations?.['kubectl.kubernetes.io/default-container'];
  if (annotated && containers.some((c) => c.name === annotated)) return annotated;
  const names = [...containers.map((c) => c.name), ...(pod.spec?.initContainers ?? []).map((c: any) => `${c.name} (init)`)];
  ctx.err(`Defaulted container "${containers[0].name}" out of: ${names.join(', ')}\n`);
  return containers[0].name;
}
