// Printers for core/v1 kinds other than Pod: services, endpoints, nodes, namespaces, configmaps,
// secrets, serviceaccounts, events.
import type { KObject } from '../types.js';
import { translateTimestampSince } from './duration.js';
import { formatLabels, int, listWithMore, loadBalancerIngress } from './format.js';
import { AGE_COLUMN, col, NAME_COLUMN, type Cell, type Printer } from './table-types.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
const age = (o: KObject, now: Date) => translateTimestampSince(o.metadata.creationTimestamp, now);

/** EXTERNAL-IP: externalIPs; LoadBalancer ingress or `<pending>`; ExternalName's name. */
export function serviceExternalIP(svc: KObject): string {
  const spec = svc.spec ?? {};
  const externalIPs: string[] = spec.externalIPs ?? [];
  switch (spec.type ?? 'ClusterIP') {
    case 'ClusterIP':
    case 'NodePort':
      return externalIPs.length ? externalIPs.join(',') : '<none>';
    case 'LoadBalancer': {
      const lb = loadBalancerIngress(svc.status?.loadBalancer);
      if (externalIPs.length) return [...(lb ? lb.split(',') : []), ...externalIPs].join(',');
      return lb || '<pending>';
    }
    case 'ExternalName':
      return spec.externalName ?? '';
    default:
      return '<unknown>';
  }
}

/** PORT(S): `80/TCP`, `80:31045/TCP`, comma-joined. */
export function servicePorts(ports: any[] | undefined): string {
  const out = (ports ?? []).map((p) => {
    const protocol = p.protocol ?? 'TCP';
    return p.nodePort ? `${p.port}:${p.nodePort}/${protocol}` : `${p.port}/${protocol}`;
  });
  return out.length ? out.join(',') : '<none>';
}

export const servicePrinter: Printer = {
  columns: [
    NAME_COLUMN,
    col('Type', 'type determines how the Service is exposed.'),
    col('Cluster-IP', 'clusterIP is the IP address of the service and is usually assigned randomly.'),
    col('External-IP', 'externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.'),
    col('Port(s)', 'The list of ports that are exposed by this service.'),
    AGE_COLUMN,
    col('Selector', 'Route service traffic to pods with label keys and values matching this selector.', { wide: true }),
  ],
  cells(svc, now) {
    const spec = svc.spec ?? {};
    const clusterIP: string = spec.clusterIPs?.[0] ?? spec.clusterIP ?? '<none>';
    return [svc.metadata.name, spec.type ?? 'ClusterIP', clusterIP || '<none>', serviceExternalIP(svc), servicePorts(spec.ports), age(svc, now), formatLabels(spec.selector)];
  },
};

/** ENDPOINTS of core/v1 Endpoints: ready `ip:port` pairs, at most 3 then `+ N more...`. */
export function formatEndpoints(ep: KObject): string {
  const subsets: any[] = ep.subsets ?? [];
  if (!subsets.length) return '<none>';
  const list: string[] = [];
  let count = 0;
  for (const ss of subsets) {
    const addrs: any[] = ss.addresses ?? [];
    const ports: any[] = ss.ports ?? [];
    if (!ports.length) {
      count += addrs.length;
      for (const a of addrs) list.push(a.ip);
      continue;
    }
    for (const p of ports) {
      count += addrs.length;
      for (const a of addrs) list.push(a.ip.includes(':') ? `[${a.ip}]:${p.port}` : `${a.ip}:${p.port}`);
    }
  }
  return listWithMore(list, count, 3);
}

export const endpointsPrinter: Printer = {
  columns: [NAME_COLUMN, col('Endpoints', 'The set of all endpoints is the union of all subsets.'), AGE_COLUMN],
  cells: (ep, now) => [ep.metadata.name, formatEndpoints(ep), age(ep, now)],
};

function nodeRoles(node: KObject): string {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(node.metadata.labels ?? {})) {
    if (k.startsWith('node-role.kubernetes.io/')) {
      const role = k.slice('node-role.kubernetes.io/'.length);
      if (role) roles.add(role);
    } else if (k === 'kubernetes.io/role' && v) {
      roles.add(v);
    }
  }
  return roles.size ? [...roles].sort().join(',') : '<none>';
}

function nodeAddress(node: KObject, type: string): string {
  return (node.status?.addresses ?? []).find((a: any) => a.type === type)?.address ?? '<none>';
}

export const nodePrinter: Printer = {
  columns: [
    NAME_COLUMN,
    col('Status', 'The status of the node'),
    col('Roles', 'The roles of the node'),
    AGE_COLUMN,
    col('Version', 'Kubelet Version reported by the node.'),
    col('Internal-IP', 'List of addresses reachable to the node.', { wide: true }),
    col('External-IP', 'List of addresses reachable to the node.', { wide: true }),
    col('OS-Image', 'OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).', { wide: true }),
    col('Kernel-Version', "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).", { wide: true }),
    col('Container-Runtime', 'ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).', { wide: true }),
  ],
  cells(node, now) {
    const status: string[] = [];
    const ready = (node.status?.conditions ?? []).find((c: any) => c.type === 'Ready');
    if (ready) status.push(ready.status === 'True' ? 'Ready' : 'NotReady');
    else status.push('Unknown');
    if (node.spec?.unschedulable) status.push('SchedulingDisabled');
    const info = node.status?.nodeInfo ?? {};
    return [
      node.metadata.name, status.join(','), nodeRoles(node), age(node, now), info.kubeletVersion ?? '',
      nodeAddress(node, 'InternalIP'), nodeAddress(node, 'ExternalIP'),
      info.osImage || '<unknown>', info.kernelVersion || '<unknown>', info.containerRuntimeVersion || '<unknown>',
    ];
  },
};

export const namespacePrinter: Printer = {
  columns: [NAME_COLUMN, col('Status', 'The status of the namespace'), AGE_COLUMN],
  cells: (ns, now) => [ns.metadata.name, ns.status?.phase ?? '', age(ns, now)],
};

export const configMapPrinter: Printer = {
  columns: [NAME_COLUMN, col('Data', 'Number of data in configmap', { type: 'integer' }), AGE_COLUMN],
  cells: (cm, now) => [cm.metadata.name, Object.keys(cm.data ?? {}).length + Object.keys(cm.binaryData ?? {}).length, age(cm, now)],
};

export const secretPrinter: Printer = {
  columns: [NAME_COLUMN, col('Type', 'The type of the secret'), col('Data', 'Number of data in secret', { type: 'integer' }), AGE_COLUMN],
  cells: (s, now) => [s.metadata.name, s.type ?? 'Opaque', Object.keys(s.data ?? {}).length + Object.keys(s.stringData ?? {}).length, age(s, now)],
};

export const serviceAccountPrinter: Printer = {
  columns: [NAME_COLUMN, col('Secrets', 'Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use.', { type: 'integer' }), AGE_COLUMN],
  cells: (sa, now) => [sa.metadata.name, (sa.secrets ?? []).length, age(sa, now)],
};

function eventSource(ev: KObject): string {
  const source = ev.source ?? ev.deprecatedSource;
  const component = source?.component || ev.reportingComponent || ev.reportingController || '';
  const host = source?.host || ev.reportingInstance || '';
  if (!component) return '';
  return host ? `${component}, ${host}` : component;
}

export const eventPrinter: Printer = {
  columns: [
    col('Last Seen', 'The time at which the most recent occurrence of this event was recorded.'),
    col('Type', 'Type of this event (Normal, Warning), new types could be added in the future'),
    col('Reason', 'This should be a short, machine understandable string that gives the reason for the transition into the object\'s current status.'),
    col('Object', 'The object that this event is about.'),
    col('Subobject', 'If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement, such as desiredState.manifest.containers[2].', { wide: true }),
    col('Source', 'The component reporting this event. Should be a short machine understandable string.', { wide: true }),
    col('Message', 'A human-readable description of the status of this operation.'),
    col('First Seen', 'The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)', { wide: true }),
    col('Count', 'The number of times this event has occurred.', { type: 'integer', wide: true }),
    col('Name', NAME_COLUMN.description, { format: 'name', wide: true }),
  ],
  cells(ev, now): Cell[] {
    // (events.k8s.io/v1 Events carry the same fields under their deprecated* names)
    const firstTs = ev.firstTimestamp ?? ev.deprecatedFirstTimestamp;
    const lastTs = ev.lastTimestamp ?? ev.deprecatedLastTimestamp;
    let first = translateTimestampSince(firstTs, now);
    if (!firstTs) first = translateTimestampSince(ev.eventTime, now);
    let last = lastTs ? translateTimestampSince(lastTs, now) : first;
    let count = int(ev.count ?? ev.deprecatedCount);
    if (ev.series) {
      last = translateTimestampSince(ev.series.lastObservedTime, now);
      count = int(ev.series.count);
    } else if (count === 0) {
      count = 1;
    }
    const io = ev.involvedObject ?? ev.regarding ?? {};
    const kind = String(io.kind ?? '').toLowerCase();
    const target = io.name ? `${kind}/${io.name}` : kind;
    return [last, ev.type ?? '', ev.reason ?? '', target, io.fieldPath ?? '', eventSource(ev), String(ev.message ?? ev.note ?? '').trim(), first, count, ev.metadata.name];
  },
};
