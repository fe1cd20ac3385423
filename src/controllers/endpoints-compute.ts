// The pure core of the EndpointSlice and Endpoints controllers: which pods back a Service, on which
// ports (a named targetPort is resolved per pod against its container ports), with which conditions.
import { fromMap, matchesLabels } from '../api/selectors.js';
import type { KObject } from '../api/types.js';
import { canonicalJSON } from './pod-template-hash.js';
import { isReady, isTerminal } from './pod-util.js';

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
export const MANAGED_BY_LABEL = 'endpointslice.kubernetes.io/managed-by';
export const MANAGED_BY = 'endpointslice-controller.k8s.io';
export const HEADLESS_LABEL = 'service.kubernetes.io/headless';
export const MAX_ENDPOINTS_PER_SLICE = 100;

export interface EndpointPort {
  name: string;
  port: number;
  protocol: string;
  appProtocol?: string;
}

export interface SliceEndpoint {
  addresses: string[];
  conditions: { ready: boolean; serving: boolean; terminating: boolean };
  hostname?: string;
  nodeName?: string;
  targetRef: { kind: 'Pod'; namespace: string; name: string; uid: string };
}

export interface DesiredSlice {
  ports: EndpointPort[];
  endpoints: SliceEndpoint[];
}

/** Services that get endpoints from the controllers: a non-empty selector, and not ExternalName. */
export function managesEndpoints(svc: KObject): boolean {
  return !!svc.spec?.selector && Object.keys(svc.spec.selector).length > 0 && svc.spec?.type !== 'ExternalName';
}

export function selectsPod(svc: KObject, pod: KObject): boolean {
  return pod.metadata.namespace === svc.metadata.namespace && managesEndpoints(svc) && matchesLabels(fromMap(svc.spec.selector), pod.metadata.labels);
}

/** podutil.FindPort: the container port a Service port's targetPort means for this pod. */
export function findPort(pod: KObject, sp: { port: number; targetPort?: number | string; protocol?: string }): number | undefined {
  const tp = sp.targetPort ?? sp.port;
  if (typeof tp === 'number') return tp;
  if (/^\d+$/.test(tp)) return Number(tp);
  const protocol = sp.protocol ?? 'TCP';
  for (const c of pod.spec?.containers ?? []) {
    for (const p of c.ports ?? []) if (p.name === tp && (p.protocol ?? 'TCP') === protocol) return p.containerPort;
  }
  return undefined;
}

/** The service's ports as this pod serves them; ports the pod cannot resolve are left out. */
export function endpointPorts(svc: KObject, pod: KObject): EndpointPort[] {
  const out: EndpointPort[] = [];
  for (const sp of svc.spec?.ports ?? []) {
    const port = findPort(pod, sp);
    if (port === undefined) continue;
    const ep: EndpointPort = { name: sp.name ?? '', port, protocol: sp.protocol ?? 'TCP' };
    if (sp.appProtocol) ep.appProtocol = sp.appProtocol;
    out.push(ep);
  }
  return out;
}

/** Pods that belong in the service's endpoints: selected, with an IP, not Succeeded/Failed. */
export function candidatePods(svc: KObject, pods: KObject[]): KObject[] {
  return pods
    .filter((p) => selectsPod(svc, p) && p.status?.podIP && !isTerminal(p))
    .sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0));
}

function hostnameFor(svc: KObject, pod: KObject): string | undefined {
  return pod.spec?.hostname && pod.spec?.subdomain === svc.metadata.name ? pod.spec.hostname : undefined;
}

export function podToEndpoint(svc: KObject, pod: KObject): SliceEndpoint {
  const serving = isReady(pod);
  const terminating = !!pod.metadata.deletionTimestamp;
  const ep: SliceEndpoint = {
    addresses: [pod.status.podIP],
    conditions: { ready: !!svc.spec?.publishNotReadyAddresses || (serving && !terminating), serving, terminating },
    targetRef: { kind: 'Pod', namespace: pod.metadata.namespace!, name: pod.metadata.name, uid: pod.metadata.uid! },
  };
  const hostname = hostnameFor(svc, pod);
  if (hostname) ep.hostname = hostname;
  if (pod.spec?.nodeName) ep.nodeName = pod.spec.nodeName;
  return ep;
}

/**
 * The EndpointSlices a Service should have: one group per distinct port set (pods resolving a named
 * port differently land in different slices), at most 100 endpoints per slice, and one empty
 * placeholder slice when there are no endpoints at all.
 */
export function computeEndpointSlices(svc: KObject, pods: KObject[]): DesiredSlice[] {
  const groups = new Map<string, DesiredSlice>();
  for (const pod of candidatePods(svc, pods)) {
    if (!/^\d+\.\d+\.\d+\.\d+$/.test(pod.status.podIP)) continue; // IPv4 slices only
    const ports = endpointPorts(svc, pod);
    const k = canonicalJSON(ports);
    let g = groups.get(k);
    if (!g) groups.set(k, (g = { ports, endpoints: [] }));
    g.endpoints.push(podToEndpoint(svc, pod));
  }
  const out: DesiredSlice[] = [];
  for (const g of [...groups.values()].sort((a, b) => canonicalJSON(a.ports).localeCompare(canonicalJSON(b.ports)))) {
    for (let i = 0; i < g.endpoints.length; i += MAX_ENDPOINTS_PER_SLICE) {
      out.push({ ports: g.ports, endpoints: g.endpoints.slice(i, i + MAX_ENDPOINTS_PER_SLICE) });
    }
  }
  if (!out.length) out.push({ ports: [], endpoints: [] });
  return out;
}

/** Labels of a Service's EndpointSlices: the Service's own, plus the controller's. */
export function sliceLabels(svc: KObject): Record<string, string> {
  const labels: Record<string, string> = { ...(svc.metadata.labels ?? {}) };
  labels[SERVICE_NAME_LABEL] = svc.metadata.name;
  labels[MANAGED_BY_LABEL] = MANAGED_BY;
  if (svc.spec?.clusterIP === 'None') labels[HEADLESS_LABEL] = '';
  else delete labels[HEADLESS_LABEL];
  return labels;
}

interface EndpointAddress {
  ip: string;
  hostname?: string;
  nodeName?: string;
  targetRef: SliceEndpoint['targetRef'];
}

export interface EndpointSubset {
  addresses?: EndpointAddress[];
  notReadyAddresses?: EndpointAddress[];
  ports?: { name?: string; port: number; protocol: string; appProtocol?: string }[];
}

/**
 * The legacy v1 Endpoints subsets (the endpoints controller): terminating pods are left out unless
 * publishNotReadyAddresses; ready pods under addresses, the others under notReadyAddresses; one
 * subset per distinct port set.
 */
export function computeEndpointsSubsets(svc: KObject, pods: KObject[]): EndpointSubset[] {
  const tolerateUnready = !!svc.spec?.publishNotReadyAddresses;
  const hasPorts = (svc.spec?.ports ?? []).length > 0;
  const groups = new Map<string, EndpointSubset>();
  for (const pod of candidatePods(svc, pods)) {
    if (pod.metadata.deletionTimestamp && !tolerateUnready) continue;
    const ports = endpointPorts(svc, pod);
    if (hasPorts && !ports.length) continue;
    const k = canonicalJSON(ports);
    let g = groups.get(k);
    if (!g) {
      g = {};
      if (ports.length) g.ports = ports.map((p) => ({ ...(p.name ? { name: p.name } : {}), port: p.port, protocol: p.protocol, ...(p.appProtocol ? { appProtocol: p.appProtocol } : {}) }));
      groups.set(k, g);
    }
    const ep = podToEndpoint(svc, pod);
    const addr: EndpointAddress = { ip: pod.status.podIP, ...(ep.hostname ? { hostname: ep.hostname } : {}), ...(ep.nodeName ? { nodeName: ep.nodeName } : {}), targetRef: ep.targetRef };
    if (tolerateUnready || ep.conditions.ready) (g.addresses ??= []).push(addr);
    else (g.notReadyAddresses ??= []).push(addr);
  }
  const byIp = (a: EndpointAddress, b: EndpointAddress) => (a.ip < b.ip ? -1 : a.ip > b.ip ? 1 : 0);
  for (const g of groups.values()) {
    g.addresses?.sort(byIp);
    g.notReadyAddresses?.sort(byIp);
  }
  return [...groups.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, g]) => g);
}
