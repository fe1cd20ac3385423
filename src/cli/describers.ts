// The per-kind describers (pods, services, deployments, nodes) and the generic one.
import { formatLabelSelectorText, summarizePodText } from './describe-helpers.js';
import type { KObject } from '../api/types.js';
import type { Ctx } from './context.js';
import { age, mapLines, section, tabwrite, type Line } from './describe-format.js';

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

/** `node.kubernetes.io/not-ready:NoExecute op=Exists for 300s`, as kubectl describe prints a toleration. */
function tolerationText(t: any): string {
  return `${t.key ?? ''}${t.value ? `=${t.value}` : ''}${t.effect ? `:${t.effect}` : ''}${t.operator === 'Exists' ? ' op=Exists' : ''}${t.tolerationSeconds != null ? ` for ${t.tolerationSeconds}s` : ''}`;
}

function stateLines(label: string, st: any, indent: string): string[] {
  if (st?.running) return [`${indent}${label}:\tRunning`, `${indent}  Started:\t${rfc1123z(st.running.startedAt)}`];
  if (st?.terminated) {
    const t = st.terminated;
    return [`${indent}${label}:\tTerminated`, `${indent}  Reason:\t${t.reason ?? ''}`, `${indent}  Exit Code:\t${t.exitCode ?? 0}`,
      `${indent}  Started:\t${rfc1123z(t.startedAt)}`, `${indent}  Finished:\t${rfc1123z(t.finishedAt)}`];
  }
  return [`${indent}${label}:\tWaiting`, ...(st?.waiting?.reason ? [`${indent}  Reason:\t${st.waiting.reason}`] : [])];
}

/** One container as kubectl describe prints it: tab-separated cells, aligned later by tabwrite(). */
function containerBlock(c: any, status: any | undefined, indent: string): string {
  const i2 = '    '; // kubectl: the name at the section's indent, the fields always at four spaces
  const out: string[] = [`${indent}${c.name}:`];
  if (status?.containerID) out.push(`${i2}Container ID:\t${status.containerID}`);
  out.push(`${i2}Image:\t${c.image ?? ''}`);
  if (status) out.push(`${i2}Image ID:\t${status.imageID ?? ''}`);
  const ports: any[] = c.ports ?? [];
  const portList = ports.map((p) => `${p.containerPort}/${p.protocol ?? 'TCP'}`).join(', ') || '<none>';
  const hostList = ports.map((p) => `${p.hostPort ?? 0}/${p.protocol ?? 'TCP'}`).join(', ') || '<none>';
  out.push(`${i2}${ports.length > 1 ? 'Ports' : 'Port'}:\t${portList}`, `${i2}${ports.length > 1 ? 'Host Ports' : 'Host Port'}:\t${hostList}`);
  for (const [key, list] of [['Command', c.command], ['Args', c.args]] as const) {
    if (list?.length) out.push(`${i2}${key}:`, ...list.map((a: string) => `${i2}  ${a}`));
  }
  if (status) {
    out.push(...stateLines('State', status.state, i2));
    if (status.lastState?.terminated) out.push(...stateLines('Last State', status.lastState, i2));
    out.push(`${i2}Ready:\t${status.ready ? 'True' : 'False'}`, `${i2}Restart Count:\t${status.restartCount ?? 0}`);
  }
  for (const [key, res] of [['Limits', c.resources?.limits], ['Requests', c.resources?.requests]] as const) {
    if (res && Object.keys(res).length) out.push(`${i2}${key}:`, ...Object.entries(res).sort().map(([k, v]) => `${i2}  ${k}:\t${v}`));
  }
  const env: any[] = c.env ?? [];
  if (env.length) out.push(`${i2}Environment:`, ...env.map((e) => `${i2}  ${e.name}:\t${e.value ?? (e.valueFrom ? '<set to the key or field of a reference>' : '')}`));
  else out.push(`${i2}Environment:\t<none>`);
  const mounts: any[] = c.volumeMounts ?? [];
  if (mounts.length) out.push(`${i2}Mounts:`, ...mounts.map((m) => `${i2}  ${m.mountPath} from ${m.name} (${m.readOnly ? 'ro' : 'rw'})`));
  else out.push(`${i2}Mounts:\t<none>`);
  return out.join('\n') + '\n';
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
  const owner = controlledBy(pod);
  if (owner.length) out += section(owner);
  const statuses = new Map<string, any>((st.containerStatuses ?? []).map((s: any) => [s.name, s]));
  const initStatuses = new Map<string, any>((st.initContainerStatuses ?? []).map((s: any) => [s.name, s]));
  if ((spec.initContainers ?? []).length) {
    out += 'Init Containers:\n' + tabwrite(spec.initContainers.map((c: any) => containerBlock(c, initStatuses.get(c.name), '  ')).join(''));
  }
  out += 'Containers:\n' + tabwrite((spec.containers ?? []).map((c: any) => containerBlock(c, statuses.get(c.name), '  ')).join(''));
  // kubectl writes Conditions through Tolerations with one tabwriter, so they share one alignment
  const conds: any[] = st.conditions ?? [];
  let tail = conds.length ? `Conditions:\n  Type\tStatus\n${conds.map((c) => `  ${c.type} \t${c.status} \n`).join('')}` : '';
  const volumes = (spec.volumes ?? []).map((v: any) => `  ${v.name}:\n${volumeText(v)}`);
  tail += volumes.length ? `Volumes:\n${volumes.join('')}` : 'Volumes:\t<none>\n';
  tail += `QoS Class:\t${st.qosClass ?? 'BestEffort'}\n`;
  tail += `Node-Selectors:\t${Object.entries(spec.nodeSelector ?? {}).map(([k, v]) => `${k}=${v}`).join(',') || '<none>'}\n`;
  const tolerations = (spec.tolerations ?? []).map(tolerationText);
  tail += `Tolerations:\t${tolerations[0] ?? '<none>'}\n${tolerations.slice(1).map((t: string) => `\t${t}\n`).join('')}`;
  out += tabwrite(tail);
  return out;
}

/** A volume's lines under `Volumes:`, in kubectl describe's words for each source. */
function volumeText(v: any): string {
  const lines = (pairs: [string, unknown][]) => pairs.map(([k, x]) => `    ${k}:\t${x}\n`).join('');
  if (v.projected) {
    const out: [string, unknown][] = [['Type', 'Projected (a volume that contains injected data from multiple sources)']];
    for (const src of v.projected.sources ?? []) {
      if (src.secret) out.push(['SecretName', src.secret.name], ['Optional', !!src.secret.optional]);
      if (src.downwardAPI) out.push(['DownwardAPI', 'true']);
      if (src.configMap) out.push(['ConfigMapName', src.configMap.name], ['Optional', !!src.configMap.optional]);
      if (src.serviceAccountToken) out.push(['TokenExpirationSeconds', src.serviceAccountToken.expirationSeconds ?? 3600]);
    }
    return lines(out);
  }
  if (v.emptyDir) return lines([['Type', "EmptyDir (a temporary directory that shares a pod's lifetime)"], ['Medium', v.emptyDir.medium ?? ''], ['SizeLimit', v.emptyDir.sizeLimit ?? '<unset>']]);
  if (v.configMap) return lines([['Type', 'ConfigMap (a volume populated by a ConfigMap)'], ['Name', v.configMap.name], ['Optional', !!v.configMap.optional]]);
  if (v.secret) return lines([['Type', 'Secret (a volume populated by a Secret)'], ['SecretName', v.secret.secretName], ['Optional', !!v.secret.optional]]);
  if (v.hostPath) return lines([['Type', 'HostPath (bare host directory volume)'], ['Path', v.hostPath.path], ['HostPathType', v.hostPath.type ?? '']]);
  if (v.persistentVolumeClaim) return lines([['Type', 'PersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same namespace)'], ['ClaimName', v.persistentVolumeClaim.claimName], ['ReadOnly', !!v.persistentVolumeClaim.readOnly]]);
  return lines([['Type', Object.keys(v).filter((k) => k !== 'name')[0] ?? 'unknown']]);
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
  const tpl = spec.template?.spec ?? {};
  const volumes = (tpl.volumes ?? []).map((v: any) => `   ${v.name}:\n    Type:\t${Object.keys(v).filter((k) => k !== 'name')[0] ?? 'unknown'}`);
  out += '  Containers:\n' + tabwrite((tpl.containers ?? []).map((c: any) => containerBlock(c, undefined, '   ')).join('') +
    (volumes.length ? `  Volumes:\n${volumes.join('\n')}\n` : '  Volumes:\t<none>\n') +
    `  Node-Selectors:\t${Object.entries(tpl.nodeSelector ?? {}).map(([k, v]) => `${k}=${v}`).join(',') || '<none>'}\n` +
    `  Tolerations:\t${(tpl.tolerations ?? []).map(tolerationText).join(', ') || '<none>'}\n`);
  // Conditions and the ReplicaSet lines share one tabwriter block in kubectl's output
  const conds: any[] = st.conditions ?? [];
  let tail = conds.length ? `Conditions:\n  Type\tStatus\tReason\n  ----\t------\t------\n${conds.map((c) => `  ${c.type} \t${c.status} \t${c.reason ?? ''}\n`).join('')}` : '';
  try {
    const rsList = await ctx.client.get<{ items?: KObject[] }>(`/apis/apps/v1/namespaces/${encodeURIComponent(d.metadata.namespace ?? 'default')}/replicasets`);
    const owned = (rsList?.items ?? []).filter((rs) => (rs.metadata.ownerReferences ?? []).some((o) => o.uid === d.metadata.uid));
    const rev = (o: KObject) => Number(o.metadata.annotations?.['deployment.kubernetes.io/revision'] ?? 0);
    owned.sort((a, b) => rev(b) - rev(a));
    const fmt = (rs: KObject) => `${rs.metadata.name} (${rs.status?.replicas ?? 0}/${rs.spec?.replicas ?? 0} replicas created)`;
    const [newest, ...old] = owned;
    tail += `OldReplicaSets:\t${old.map(fmt).join(', ') || '<none>'}\nNewReplicaSet:\t${newest ? fmt(newest) : '<none>'}\n`;
  } catch {
    // replica sets are optional detail
  }
  return out + tabwrite(tail);
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
