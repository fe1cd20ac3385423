// The CoreDNS addon as kubeadm installs it: the `coredns` ConfigMap (Corefile), the `coredns`
// Deployment of the built-in `registry.k8s.io/coredns/coredns` image, and the `kube-dns` Service on
// the cluster DNS address. The pods serve DNS on their pod IPs; kube-proxy makes the ClusterIP answer.
import dgram from 'node:dgram';
import { hostResolvers, type ClusterConfig } from '../api/config.js';
import { ApiError } from '../api/errors.js';
import type { ObjectStore } from '../api/store.js';
import { GR, type KObject } from '../api/types.js';
import { removeDnsLink } from './dns-setup.js';
import { encodeQuery } from './wire.js';

export const COREDNS_IMAGE = 'registry.k8s.io/coredns/coredns:v1.11.3';
const LABELS = { 'k8s-app': 'kube-dns' };

/**
 * kubeadm's Corefile. `forward . /etc/resolv.conf` when kdp uses the host's resolvers (the default);
 * the `--upstream-dns` addresses when given; no `forward` at all when that list is empty (other names
 * then get SERVFAIL, which is what tests want: they never reach the machine's resolver).
 */
export function kubeadmCorefile(zone: string, upstreams: string[] | '/etc/resolv.conf'): string {
  const fwd = upstreams === '/etc/resolv.conf' ? upstreams : upstreams.join(' ');
  return [
    '.:53 {',
    '    errors',
    '    health {',
    '       lameduck 5s',
    '    }',
    '    ready',
    `    kubernetes ${zone} in-addr.arpa ip6.arpa {`,
    '       pods insecure',
    '       fallthrough in-addr.arpa ip6.arpa',
    '       ttl 30',
    '    }',
    '    prometheus :9153',
    ...(fwd ? [`    forward . ${fwd} {`, '       max_concurrent 1000', '    }'] : []),
    '    cache 30',
    '    loop',
    '    reload',
    '    loadbalance',
    '}',
    '',
  ].join('\n');
}

/** The upstreams as the Corefile says them: /etc/resolv.conf when they are the host's own. */
export function corefileUpstreams(config: Pick<ClusterConfig, 'upstreamDns'>, host = hostResolvers()): string[] | '/etc/resolv.conf' {
  const u = config.upstreamDns;
  if (u.length && host.length === u.length && host.every((h, i) => h === u[i])) return '/etc/resolv.conf';
  return u;
}

export function coreDnsObjects(config: ClusterConfig): KObject[] {
  const ns = 'kube-system';
  const configMap: KObject = {
    apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'coredns', namespace: ns },
    data: { Corefile: kubeadmCorefile(config.clusterDomain, corefileUpstreams(config)) },
  };
  const serviceAccount: KObject = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'coredns', namespace: ns } };
  const service: KObject = {
    apiVersion: 'v1', kind: 'Service',
    metadata: {
      name: 'kube-dns', namespace: ns,
      labels: { ...LABELS, 'kubernetes.io/cluster-service': 'true', 'kubernetes.io/name': 'CoreDNS' },
      annotations: { 'prometheus.io/port': '9153', 'prometheus.io/scrape': 'true' },
    },
    spec: {
      type: 'ClusterIP',
      clusterIP: config.dnsAddress,
      selector: { ...LABELS },
      ports: [
        { name: 'dns', port: config.dnsPort, protocol: 'UDP', targetPort: 53 },
        { name: 'dns-tcp', port: config.dnsPort, protocol: 'TCP', targetPort: 53 },
        { name: 'metrics', port: 9153, protocol: 'TCP', targetPort: 9153 },
      ],
    },
  };
  const deployment: KObject = {
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: { name: 'coredns', namespace: ns, labels: { ...LABELS } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { ...LABELS } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1 } },
      template: {
        metadata: { labels: { ...LABELS } },
        spec: {
          priorityClassName: 'system-cluster-critical',
          serviceAccountName: 'coredns',
          tolerations: [{ key: 'CriticalAddonsOnly', operator: 'Exists' }, { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }],
          nodeSelector: { 'kubernetes.io/os': 'linux' },
          containers: [{
            name: 'coredns',
            image: COREDNS_IMAGE,
            imagePullPolicy: 'IfNotPresent',
            args: ['-conf', '/etc/coredns/Corefile'],
            resources: { limits: { memory: '170Mi' }, requests: { cpu: '100m', memory: '70Mi' } },
            volumeMounts: [{ name: 'config-volume', mountPath: '/etc/coredns', readOnly: true }],
            ports: [
              { containerPort: 53, name: 'dns', protocol: 'UDP' },
              { containerPort: 53, name: 'dns-tcp', protocol: 'TCP' },
              { containerPort: 9153, name: 'metrics', protocol: 'TCP' },
            ],
            livenessProbe: { httpGet: { path: '/health', port: 8080, scheme: 'HTTP' }, initialDelaySeconds: 60, timeoutSeconds: 5, successThreshold: 1, failureThreshold: 5 },
            readinessProbe: { httpGet: { path: '/ready', port: 8181, scheme: 'HTTP' } },
            securityContext: { allowPrivilegeEscalation: false, capabilities: { add: ['NET_BIND_SERVICE'], drop: ['ALL'] }, readOnlyRootFilesystem: true },
          }],
          dnsPolicy: 'Default',
          volumes: [{ name: 'config-volume', configMap: { name: 'coredns', items: [{ key: 'Corefile', path: 'Corefile' }] } }],
        },
      },
    },
  };
  return [configMap, serviceAccount, service, deployment];
}

const GR_OF: Record<string, string> = { ConfigMap: GR.configmaps, ServiceAccount: GR.serviceaccounts, Service: GR.services, Deployment: GR.deployments };

export interface CoreDnsAddonOptions {
  store: ObjectStore;
  config: ClusterConfig;
  log?: (line: string) => void;
}

/**
 * Creates the addon's objects (those missing) and returns a handle: `ready()` waits until the
 * cluster DNS address answers; `stop()` removes a `kdp dns setup --apply` route, if one was made.
 */
export function createCoreDnsAddon(opts: CoreDnsAddonOptions): { ready(timeoutMs?: number): Promise<boolean>; stop(): Promise<void> } {
  const log = opts.log ?? ((l: string) => console.error(l));
  for (const obj of coreDnsObjects(opts.config)) {
    const gr = GR_OF[obj.kind];
    if (opts.store.tryGet(gr, obj.metadata.namespace, obj.metadata.name)) continue;
    try {
      opts.store.create(gr, obj);
    } catch (e) {
      log(`[ERROR] coredns: cannot create ${obj.kind.toLowerCase()} kube-system/${obj.metadata.name}: ${e instanceof ApiError ? e.message : (e as Error).message}`);
    }
  }
  return {
    ready: (timeoutMs = 5000) => waitForClusterDns(opts.config.dnsAddress, opts.config.dnsPort, opts.config.clusterDomain, timeoutMs),
    stop: async () => removeDnsLink(opts.config.dnsAddress),
  };
}

/** Asks `dns-version.<zone> TXT` every 20 ms until an answer comes back or the time is up. */
export function waitForClusterDns(address: string, port: number, zone: string, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = dgram.createSocket('udp4');
    const query = encodeQuery(0x6b64, `dns-version.${zone}`, 16);
    let done = false;
    const finish = (ok: boolean) => {
      if (done) return;
      done = true;
      clearInterval(timer);
      clearTimeout(deadline);
      sock.close();
      resolve(ok);
    };
    sock.on('message', (m) => { if (m.length >= 12 && m.readUInt16BE(0) === 0x6b64 && (m[3] & 0x0f) === 0) finish(true); });
    sock.on('error', () => { /* ICMP unreachable until kube-proxy listens: keep asking */ });
    const ask = () => { if (!done) sock.send(query, port, address); };
    const timer = setInterval(ask, 20);
    const deadline = setTimeout(() => finish(false), timeoutMs);
    sock.bind(0, () => ask());
  });
}
