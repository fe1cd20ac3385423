// The files the kubelet generates for every pod sandbox and mounts into its containers:
// /etc/resolv.conf (from dnsPolicy + dnsConfig), /etc/hosts (kubelet-managed) and the hostname.
import type { ClusterConfig } from '../api/config.js';
import type { KObject } from '../api/types.js';

/** The pod's hostname: spec.hostname, else the pod name, cut to 63 characters as the kubelet does. */
export function podHostname(pod: KObject): string {
  const h: string = pod.spec?.hostname || pod.metadata.name;
  return h.length > 63 ? h.slice(0, 63).replace(/[-.]+$/, '') : h;
}

/** `web-0.nginx.default.svc.cluster.local` when the pod sets spec.subdomain, else undefined. */
export function podFqdn(pod: KObject, clusterDomain: string): string | undefined {
  const sub = pod.spec?.subdomain;
  if (!sub) return undefined;
  return `${podHostname(pod)}.${sub}.${pod.metadata.namespace ?? 'default'}.svc.${clusterDomain}`;
}

export function clusterSearch(namespace: string, clusterDomain: string): string[] {
  return [`${namespace}.svc.${clusterDomain}`, `svc.${clusterDomain}`, clusterDomain];
}

/**
 * resolv.conf per dnsPolicy: ClusterFirst (default) → the cluster DNS; Default → the node's
 * resolvers (kdp: the configured upstreams); None → only spec.dnsConfig. hostNetwork pods with
 * ClusterFirst fall back to Default, as in Kubernetes (ClusterFirstWithHostNet keeps the cluster DNS).
 */
export function resolvConf(pod: KObject, config: Pick<ClusterConfig, 'dnsAddress' | 'clusterDomain' | 'upstreamDns'>): string {
  const ns = pod.metadata.namespace ?? 'default';
  let policy: string = pod.spec?.dnsPolicy ?? 'ClusterFirst';
  if (policy === 'ClusterFirst' && pod.spec?.hostNetwork) policy = 'Default';
  let nameservers: string[] = [];
  let searches: string[] = [];
  let options: string[] = [];
  if (policy === 'ClusterFirst' || policy === 'ClusterFirstWithHostNet') {
    nameservers = [config.dnsAddress];
    searches = clusterSearch(ns, config.clusterDomain);
    options = ['ndots:5'];
  } else if (policy === 'Default') {
    nameservers = config.upstreamDns.map((u) => u.replace(/:\d+$/, ''));
  }
  const dc = pod.spec?.dnsConfig ?? {};
  for (const n of dc.nameservers ?? []) if (!nameservers.includes(n)) nameservers.push(n);
  for (const s of dc.searches ?? []) if (!searches.includes(s)) searches.push(s);
  for (const o of dc.options ?? []) {
    const text = o.value !== undefined && o.value !== null ? `${o.name}:${o.value}` : o.name;
    options = options.filter((x) => x.split(':')[0] !== o.name);
    options.push(text);
  }
  const lines: string[] = [];
  for (const n of nameservers.slice(0, 3)) lines.push(`nameserver ${n}`);
  if (searches.length) lines.push(`search ${searches.slice(0, 32).join(' ')}`);
  if (options.length) lines.push(`options ${options.join(' ')}`);
  return lines.join('\n') + '\n';
}

/** The kubelet-managed /etc/hosts, with the pod's own entry and spec.hostAliases. */
export function hostsFile(pod: KObject, podIP: string, clusterDomain: string): string {
  const lines = [
    '# Kubernetes-managed hosts file.',
    '127.0.0.1\tlocalhost',
    '::1\tlocalhost ip6-localhost ip6-loopback',
    'fe00::0\tip6-localnet',
    'fe00::0\tip6-mcastprefix',
    'fe00::1\tip6-allnodes',
    'fe00::2\tip6-allrouters',
  ];
  const fqdn = podFqdn(pod, clusterDomain);
  if (podIP) lines.push(fqdn ? `${podIP}\t${fqdn}\t${podHostname(pod)}` : `${podIP}\t${podHostname(pod)}`);
  const aliases: { ip?: string; hostnames?: string[] }[] = pod.spec?.hostAliases ?? [];
  if (aliases.length) {
    lines.push('', '# Entries added by HostAliases.');
    for (const a of aliases) if (a.ip && a.hostnames?.length) lines.push(`${a.ip}\t${a.hostnames.join('\t')}`);
  }
  return lines.join('\n') + '\n';
}
