// The "Try, in another terminal:" lines `kdp up` prints: built from what the cluster holds once the
// -f manifests are applied, so they name a Service, a pod with a client in it and DNS names that
// exist (and say nothing about nginx or curlpod when those were not applied).
import type { ClusterConfig } from '../api/config.js';
import type { KObject } from '../api/types.js';

export interface ClusterContents {
  services: readonly KObject[];
  pods: readonly KObject[];
  ingresses: readonly KObject[];
}

const SYSTEM_NAMESPACES = new Set(['kube-system', 'kube-public', 'kube-node-lease', 'ingress-nginx']);

const key = (o: KObject) => `${o.metadata.namespace === 'default' ? '' : o.metadata.namespace}/${o.metadata.name}`;
const byKey = (a: KObject, b: KObject) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);
const userObject = (o: KObject) => !SYSTEM_NAMESPACES.has(o.metadata.namespace ?? 'default');
const nsFlag = (o: KObject) => (o.metadata.namespace && o.metadata.namespace !== 'default' ? ` -n ${o.metadata.namespace}` : '');

/** A Service with a ClusterIP and a TCP port, the user's own (not `kubernetes`, not a system namespace). */
function pickService(services: readonly KObject[]): { svc: KObject; port: number } | undefined {
  for (const svc of [...services].filter(userObject).sort(byKey)) {
    if (svc.metadata.namespace === 'default' && svc.metadata.name === 'kubernetes') continue;
    const ip = svc.spec?.clusterIP;
    if (!ip || ip === 'None' || svc.spec?.type === 'ExternalName') continue;
    const port = (svc.spec?.ports ?? []).find((p: { protocol?: string }) => (p.protocol ?? 'TCP') === 'TCP');
    if (port) return { svc, port: port.port };
  }
  return undefined;
}

/** A pod of its own (no owner) running a command in an image with an HTTP client: curl, else wget. */
function pickClientPod(pods: readonly KObject[]): { pod: KObject; fetch: string } | undefined {
  for (const pod of [...pods].filter(userObject).sort(byKey)) {
    if (pod.metadata.ownerReferences?.length || pod.metadata.deletionTimestamp) continue;
    if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') continue;
    for (const c of pod.spec?.containers ?? []) {
      if (!c.command?.length) continue;
      const image = String(c.image ?? '');
      if (/curl/.test(image)) return { pod, fetch: 'curl -s' };
      if (/busybox|alpine/.test(image)) return { pod, fetch: 'wget -qO-' };
    }
  }
  return undefined;
}

export function tryHints(contents: ClusterContents, config: Pick<ClusterConfig, 'dnsAddress' | 'dnsPort' | 'clusterDomain'>): string[] {
  const lines = ['Try, in another terminal:', '  npx kdp get pods,svc            # what is running'];
  const dig = (name: string) => `  dig @${config.dnsAddress}${config.dnsPort === 53 ? '' : ` -p ${config.dnsPort}`} ${name} +short`;
  const picked = pickService(contents.services);
  if (picked) {
    const { svc, port } = picked;
    const dnsName = `${svc.metadata.name}.${svc.metadata.namespace ?? 'default'}.svc.${config.clusterDomain}`;
    const portSuffix = port === 80 ? '' : `:${port}`;
    lines.push(`  curl -s http://$(npx kdp get svc ${svc.metadata.name}${nsFlag(svc)} -o jsonpath='{.spec.clusterIP}')${portSuffix}/ | head -4`);
    const client = pickClientPod(contents.pods);
    if (client) lines.push(`  npx kdp exec ${client.pod.metadata.name}${nsFlag(client.pod)} -- ${client.fetch} http://${dnsName}${portSuffix}/ | head -4`);
    lines.push(dig(dnsName));
  } else {
    lines.push(dig(`kubernetes.default.svc.${config.clusterDomain}`));
  }
  if (contents.ingresses.some(userObject)) lines.push('  npx kdp get ingress -A            # the Ingresses and their addresses');
  lines.push('Ctrl-C stops everything.');
  return lines;
}
