// What the host needs to use the cluster's DNS: the kube-dns ClusterIP and the cluster domain (the
// `kubernetes` zone of the coredns Corefile), read through the API like any client.
import type { KObject } from '../api/types.js';
import type { Ctx } from './context.js';
import { ApiStatusError, CliError } from './errors.js';

export interface ClusterDns {
  address: string;
  domain: string;
}

/** The first non-reverse zone of the `kubernetes` plugin, else undefined. */
export function corefileDomain(corefile: string | undefined): string | undefined {
  const m = /^\s*kubernetes((?:[ \t]+[^\s{]+)*)/m.exec(corefile ?? '');
  const zones = (m?.[1] ?? '').trim().split(/\s+/).filter((z) => z && !z.endsWith('arpa') && !z.endsWith('arpa.'));
  return zones[0]?.replace(/\.$/, '');
}

export async function clusterDns(ctx: Ctx): Promise<ClusterDns> {
  let svc: KObject;
  try {
    svc = await ctx.client.request<KObject>('GET', '/api/v1/namespaces/kube-system/services/kube-dns');
  } catch (e) {
    if (e instanceof ApiStatusError && e.code === 404) throw new CliError('the cluster has no kube-system/kube-dns Service: is this a kdp cluster with CoreDNS?');
    throw e;
  }
  const address = svc.spec?.clusterIP;
  if (!address || address === 'None') throw new CliError('service kube-system/kube-dns has no ClusterIP');
  let domain: string | undefined;
  try {
    const cm = await ctx.client.request<KObject>('GET', '/api/v1/namespaces/kube-system/configmaps/coredns');
    domain = corefileDomain(cm.data?.Corefile);
  } catch {
    /* no Corefile: the default domain */
  }
  return { address, domain: domain ?? 'cluster.local' };
}
