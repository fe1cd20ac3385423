// The per-kind describers (pods, services, deployments, nodes) and the generic one.
import { formatLabelSelectorText, summarizePodText } from './describe-helpers.js';
import type { KObject } from '../api/types.js';
import type { Ctx } from './context.js';
import { age, mapLines, section, type Line } from './describe-format.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Go's RFC1123Z in UTC: `Wed, 01 May 2024 12:00:00 +0000`. */
export function rfc1123z(ts: string | undefined): string {
  if (!ts) return '<unset>';
  const d = new Date(ts);
  if (Number.isNaN(d.getTime())) return ts;
  const p = (n: number) => String(n).padStart(2, '0');
  return `${DAYS[d.getUTCDay()]}, ${p(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

function controlledBy(o: KObject): Line[] {
  const c = (o.metadata.ownerReferences ?? []).find((r) => r.controller);
  return c ? [['Controlled By', `${c.kind}/${c.name}`]] : [];
}

function portText(p: any): string {
  return p ? `${p.containerPort}/${p.protocol ?? 'TCP'}` : '<none>';
}

function stateLines(label: string, st: any, indent: string): string[] {
  if (!st) return [`${indent}${label}:  Waiting`];
  if (st.running) return [`${indent}${label}:  Running`, `${indent}  Started:  ${rfc1123z(st.running.startedAt)}`];
  if (st.waiting) return [`${indent}${label}:  Waiting`, ...(st.waiting.reason ? [`${indent}  Reason:  ${st.waiting.reason}`] : [])];
  if (st.terminated) {
    const t = st.terminated;
    return [`${indent}${label}:  Terminated`, `${indent}  Reason:  ${t.reason ?? ''}`, `${indent}  Exit Code:  ${t.exitCode ?? 0}`,
      `${indent}  Started:  ${rfc1123z(t.startedAt)}`, `${indent}  Finished:  ${rfc1123z(t.finishedAt)}`];
  }
  return [`${indent}${label}:  Waiting`];
}

function containerBlock(c: any, status: any | undefined, indent: string): string {
  const lines: Line[] = [
    ['Image', c.image ?? ''],
    ...(c.command ? [['Command', c.command.join(' ')] as Line] : []),
    ...(c.args ? [['Args', c.args.join(' ')] as Line] : []),
    ['Port', (c.ports ?? []).map(portText).join(', ') || '<none>'],
  ];
  if (status) lines.push(['Ready', status.ready ? 'True' : 'False'], ['Restart Count', String(status.restartCount ?? 0)]);
  const env = (c.env ?? []).map((e: any) => `${e.name}:  ${e.value ?? (e.valueFrom ? '<set from reference>' : '')}`);
  const mounts = (c.volumeMounts ?? []).map((m: any) => `${m.mountPath} from ${m.name} (${m.readOnly ? 'ro' : 'rw'})`);
  let out = `${indent}${c.name}:\n` + section(lines, `${indent}  `);
  if (status) out += stateLines('State', status.state, `${indent}  `).join('\n') + '\n';
  out += env.length ? `${indent}  Environment:\n${env.map((e: string) => `${indent}    ${e}`).join('\n')}\n` : `${indent}  Environment:  <none>\n`;
  out += mounts.length ? `${indent}  Mounts:\n${mounts.map((m: string) => `${indent}    ${m}`).join('\n')}\n` : `${indent}  Mounts:  <none>\n`;
  return out;
}

export function describePod(pod: KObject, _now: Date): string {
  const spec = pod.spec ?? {};
  const st = pod.status ?? {};
  const head: Line[] = [
    ['Name', pod.metadata.name], ['Namespace', pod.metadata.namespace ?? ''], ['Priority', String(spec.priority ?? 0)],
    ['Service Account', spec.serviceAccountName ?? 'default'],
    ['Node', spec.nodeName ? `${spec.nodeName}/${st.hostIP ?? ''}` : '<none>'],
    ['Start Time', rfc1123z(st.startTime)],
    ...mapLines('Labels', pod.metadata.labels), ...mapLines('Annotations', pod.metadata.annotations, ': '),
    ['Status', summarizePodText(pod)],
    ...(pod.metadata.deletionTimestamp ? [['Termination Grace Period', `${spec.terminationGracePeriodSeconds ?? 30}s`] as Line] : []),
    ...(st.reason ? [['Reason', st.reason] as Line] : []), ...(st.message ? [['Message', st.message] as Line] : []),
    ['IP', st.podIP ?? ''], 'IPs:', ...((st.podIPs ?? []).length ? [] : ['  <none>']),
  ];
  let out = section(head);
  for (const ip of st.podIPs ?? []) out += `  IP:  ${ip.ip}\n`;
  out += section(controlledBy(pod));
  const statuses = new Map<string, any>((st.containerStatuses ?? []).map((s: any) => [s.name, s]));
  const initStatuses = new Map<string, any>((st.initContainerStatuses ?? []).map((s: any) => [s.name, s]));
  if ((spec.initContainers ?? []).length) {
    out += 'Init Containers:\n' + spec.initContainers.map((c: any) => containerBlock(c, initStatuses.get(c.name), '  ')).join('');
  }
  out += 'Containers:\n' + (spec.containers ?? []).map((c: any) => containerBlock(c, statuses.get(c.name), '  ')).join('');
  const conds: any[] = st.conditions ?? [];
  if (conds.length) {
    const w = Math.max(4, ...conds.map((c) => c.type.length)) + 2;
    out += `Conditions:\n  ${'Type'.padEnd(w)}Status\n${conds.map((c) => `  ${c.type.padEnd(w)}${c.status}`).join('\n')}\n`;
  }
  const volumes = (spec.volumes ?? []).map((v: any) => `  ${v.name}:\n    Type:  ${Object.keys(v).filter((k) => k !== 'name')[0] ?? 'unknown'}`);
  out += volumes.length ? `Volumes:\n${volumes.join('\n')}\n` : 'Volumes:  <none>\n';
  out += section([
    ['QoS Class', st.qosClass ?? 'BestEffort'],
    ['Node-Selectors', Object.entries(spec.nodeSelector ?? {}).map(([k, v]) => `${k}=${v}`).join(',') || '<none>'],
    ['Tolerations', (spec.tolerations ?? []).map((t: any) => `${t.key ?? ''}${t.operator === 'Exists' ? '' : `=${t.value ?? ''}`}:${t.effect ?? ''}`).join(', ') || '<none>'],
  ]);
  return out;
}

export async function describeService(ctx: Ctx, svc: KObject): Promise<string> {
  const spec = svc.spec ?? {};
  const lines: Line[] = [
    ['Name', svc.metadata.name], ['Namespace', svc.metadata.namespace ?? ''],
    ...mapLines('Labels', svc.metadata.labels), ...mapLines('Annotations', svc.metadata.annotations, ': '),
    ['Selector', Object.entries(spec.selector ?? {}).sort().map(([k, v]) => `${k}=${v}`).join(',') || '<none>'],
    ['Type', spec.type ?? 'ClusterIP'],
  ];
  if (spec.ipFamilyPolicy) lines.push(['IP Family Policy', spec.ipFamilyPolicy]);
  if (spec.ipFamilies) lines.push(['IP Families', spec.ipFamilies.join(',')]);
  if (spec.type === 'ExternalName') lines.push(['External Name', spec.externalName ?? '']);
  else lines.push(['IP', spec.clusterIP ?? ''], ['IPs', (spec.clusterIPs ?? [spec.clusterIP]).filter(Boolean).join(',') || '<none>']);
  if (spec.externalIPs?.length) lines.push(['External IPs', spec.externalIPs.join(',')]);
  const lb = (svc.status?.loadBalancer?.ingress ?? []).map((i: any) => i.ip || i.hostname).join(', ');
  if (spec.type === 'LoadBalancer') lines.push(['LoadBalancer Ingress', lb || '<pending>']);
  let addrs: string[] = [];
  try {
    const slices = await ctx.client.get<{ items?: any[] }>(`/apis/discovery.k8s.io/v1/namespaces/${encodeURIComponent(svc.metadata.namespace ?? 'default')}/endpointslices`, { labelSelector: `kubernetes.io/service-name=${svc.metadata.name}` });
    addrs = (slices?.items ?? []).flatMap((s) => (s.endpoints ?? []).filter((e: any) => e.conditions?.ready !== false).flatMap((e: any) => e.addresses ?? []).map((a: string) => ({ a, ports: s.ports ?? [] })))
      .flatMap(({ a, ports }: { a: string; ports: any[] }) => (ports.length ? ports.map((p) => `${a}:${p.port}`) : [a]));
  } catch {
    addrs = [];
  }
  for (const p of spec.ports ?? []) {
    lines.push(['Port', `${p.name ?? '<unset>'}  ${p.port}/${p.protocol ?? 'TCP'}`]);
    lines.push(['TargetPort', `${p.targetPort ?? p.port}/${p.protocol ?? 'TCP'}`]);
    if (p.nodePort) lines.push(['NodePort', `${p.name ?? '<unset>'}  ${p.nodePort}/${p.protocol ?? 'TCP'}`]);
    lines.push(['Endpoints', addrs.length ? (addrs.length > 3 ? `${addrs.slice(0, 3).join(',')} + ${addrs.length - 3} more...` : addrs.join(',')) : '']);
  }
  lines.push(['Session Affinity', spec.sessionAffinity ?? 'None']);
  if (spec.externalTrafficPolicy) lines.push(['External Traffic Policy', spec.externalTrafficPolicy]);
  if (spec.internalTrafficPolicy) lines.push(['Internal Traffic Policy', spec.internalTrafficPolicy]);
  return section(lines);
}

export async function describeDeployment(ctx: Ctx, d: KObject, _now: Date): Promise<string> {
  const spec = d.spec ?? {};
  const st = d.status ?? {};
  const desired = spec.replicas ?? 1;
  const ru = spec.strategy?.rollingUpdate ?? {};
  const lines: Line[] = [
    ['Name', d.metadata.name], ['Namespace', d.metadata.namespace ?? ''], ['CreationTimestamp', rfc1123z(d.metadata.creationTimestamp)],
    ...mapLines('Labels', d.metadata.labels), ...mapLines('Annotations', d.metadata.annotations, ': '),
    ['Selector', formatLabelSelectorText(spec.selector)],
    ['Replicas', `${desired} desired | ${st.updatedReplicas ?? 0} updated | ${st.replicas ?? 0} total | ${st.availableReplicas ?? 0} available | ${st.unavailableReplicas ?? 0} unavailable`],
    ['StrategyType', spec.strategy?.type ?? 'RollingUpdate'],
    ['MinReadySeconds', String(spec.minReadySeconds ?? 0)],
  ];
  if ((spec.strategy?.type ?? 'RollingUpdate') === 'RollingUpdate') lines.push(['RollingUpdateStrategy', `${ru.maxUnavailable ?? '25%'} max unavailable, ${ru.maxSurge ?? '25%'} max surge`]);
  let out = section(lines);
  out += 'Pod Template:\n' + section(mapLines('Labels', spec.template?.metadata?.labels), '  ');
  out += '  Containers:\n' + (spec.template?.spec?.containers ?? []).map((c: any) => containerBlock(c, undefined, '   ')).join('');
  const conds: any[] = st.conditions ?? [];
  if (conds.length) {
    const w = Math.max(4, ...conds.map((c) => c.type.length)) + 2;
    out += `Conditions:\n  ${'Type'.padEnd(w)}Status  Reason\n  ${'----'.padEnd(w)}------  ------\n${conds.map((c) => `  ${c.type.padEnd(w)}${c.status.padEnd(8)}${c.reason ?? ''}`).join('\n')}\n`;
  }
  try {
    const rsList = await ctx.client.get<{ items?: KObject[] }>(`/apis/apps/v1/namespaces/${encodeURIComponent(d.metadata.namespace ?? 'default')}/replicasets`);
    const owned = (rsList?.items ?? []).filter((rs) => (rs.metadata.ownerReferences ?? []).some((o) => o.uid === d.metadata.uid));
    const rev = (o: KObject) => Number(o.metadata.annotations?.['deployment.kubernetes.io/revision'] ?? 0);
    owned.sort((a, b) => rev(b) - rev(a));
    const fmt = (rs: KObject) => `${rs.metadata.name} (${rs.status?.replicas ?? 0}/${rs.spec?.replicas ?? 0} replicas created)`;
    const [newest, ...old] = owned;
    out += section([['OldReplicaSets', old.filter((r) => (r.spec?.replicas ?? 0) > 0).map(fmt).join(', ') || '<none>'], ['NewReplicaSet', newest ? fmt(newest) : '<none>']]);
  } catch {
    // replica sets are optional detail
  }
  return out;
}

export async function describeNode(ctx: Ctx, n: KObject, now: Date): Promise<string> {
  const st = n.status ?? {};
  const roles = Object.keys(n.metadata.labels ?? {}).filter((k) => k.startsWith('node-role.kubernetes.io/')).map((k) => k.split('/')[1]).filter(Boolean);
  const lines: Line[] = [
    ['Name', n.metadata.name], ['Roles', roles.join(',') || '<none>'],
    ...mapLines('Labels', n.metadata.labels), ...mapLines('Annotations', n.metadata.annotations, ': '),
    ['CreationTimestamp', rfc1123z(n.metadata.creationTimestamp)],
    ['Taints', (n.spec?.taints ?? []).map((t: any) => `${t.key}${t.value ? `=${t.value}` : ''}:${t.effect}`).join('\n') || '<none>'],
    ['Unschedulable', n.spec?.unschedulable ? 'true' : 'false'],
  ];
  let out = section(lines);
  const conds: any[] = st.conditions ?? [];
  out += `Conditions:\n  Type  Status  LastHeartbeatTime  Reason  Message\n${conds.map((c) => `  ${c.type}  ${c.status}  ${rfc1123z(c.lastHeartbeatTime)}  ${c.reason ?? ''}  ${c.message ?? ''}`).join('\n')}\n`;
  out += `Addresses:\n${(st.addresses ?? []).map((a: any) => `  ${a.type}:  ${a.address}`).join('\n')}\n`;
  const info = st.nodeInfo ?? {};
  out += 'System Info:\n' + section([
    ['Machine ID', info.machineID ?? ''], ['Kernel Version', info.kernelVersion ?? ''], ['OS Image', info.osImage ?? ''],
    ['Operating System', info.operatingSystem ?? ''], ['Architecture', info.architecture ?? ''],
    ['Container Runtime Version', info.containerRuntimeVersion ?? ''], ['Kubelet Version', info.kubeletVersion ?? ''],
  ], '  ');
  if (n.spec?.podCIDR) out += section([['PodCIDR', n.spec.podCIDR], ['PodCIDRs', (n.spec.podCIDRs ?? [n.spec.podCIDR]).join(',')]]);
  try {
    const pods = await ctx.client.get<{ items?: KObject[] }>('/api/v1/pods', { fieldSelector: `spec.nodeName=${n.metadata.name}` });
    const live = (pods?.items ?? []).filter((p) => p.spec?.nodeName === n.metadata.name && !['Succeeded', 'Failed'].includes(p.status?.phase));
    out += `Non-terminated Pods:  (${live.length} in total)\n`;
    if (live.length) {
      const rows = [['Namespace', 'Name', 'Age'], ['---------', '----', '---'], ...live.map((p) => [p.metadata.namespace ?? '', p.metadata.name, age(p.metadata.creationTimestamp, now)])];
      const w = [0, 1].map((i) => Math.max(...rows.map((r) => r[i].length)) + 2);
      out += rows.map((r) => `  ${r[0].padEnd(w[0])}${r[1].padEnd(w[1])}${r[2]}`).join('\n') + '\n';
    }
  } catch {
    // pod list is optional detail
  }
  return out;
}

function capitalize(k: string): string {
  return k.charAt(0).toUpperCase() + k.slice(1);
}

function dump(v: unknown, indent: string): string {
  if (Array.isArray(v)) {
    return v.map((item) => (item && typeof item === 'object' ? `${indent}-\n${dump(item, `${indent}  `)}` : `${indent}- ${String(item)}\n`)).join('');
  }
  if (v && typeof v === 'object') {
    return Object.entries(v).map(([k, x]) => (x && typeof x === 'object' ? `${indent}${capitalize(k)}:\n${dump(x, `${indent}  `)}` : `${indent}${capitalize(k)}:  ${String(x)}\n`)).join('');
  }
  return `${indent}${String(v)}\n`;
}

/** kubectl's generic describer: metadata first, then every other field as nested `Key:  value`. */
export function describeGeneric(o: KObject): string {
  const head: Line[] = [
    ['Name', o.metadata.name], ...(o.metadata.namespace ? [['Namespace', o.metadata.namespace] as Line] : []),
    ...mapLines('Labels', o.metadata.labels), ...mapLines('Annotations', o.metadata.annotations, ': '),
    ['API Version', o.apiVersion ?? ''], ['Kind', o.kind ?? ''],
  ];
  const { metadata, apiVersion: _a, kind: _k, ...rest } = o;
  const meta = { creationTimestamp: metadata.creationTimestamp, resourceVersion: metadata.resourceVersion, uid: metadata.uid };
  return section(head) + `Metadata:\n${dump(meta, '  ')}` + dump(rest, '');
}
