// PodSpec defaulting and validation (SetDefaults_PodSpec/Container and ValidatePodSpec), shared by
// Pods and by the pod templates of workloads (paths then start at `spec.template.spec`).
import { field, type StatusCause } from '../errors.js';
import {
  invalidEach, isDNS1123Label, isEnvVarName, isValidPortName, isValidPortNum, notFound, validateLabels,
} from './validation.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Spec = any;

export const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'];
const RESTART_POLICIES = ['Always', 'OnFailure', 'Never'];
const DNS_POLICIES = ['ClusterFirst', 'ClusterFirstWithHostNet', 'Default', 'None'];

/** `Always` for `:latest` or no tag, `IfNotPresent` for any other tag or a digest. */
export function defaultPullPolicy(image: string): string {
  if (image.includes('@')) return 'IfNotPresent';
  const last = image.slice(image.lastIndexOf('/') + 1);
  const colon = last.lastIndexOf(':');
  if (colon < 0) return 'Always';
  return last.slice(colon + 1) === 'latest' ? 'Always' : 'IfNotPresent';
}

function defaultProbe(p: any): void {
  if (!p || typeof p !== 'object') return;
  p.timeoutSeconds ??= 1;
  p.periodSeconds ??= 10;
  p.successThreshold ??= 1;
  p.failureThreshold ??= 3;
  if (p.httpGet && typeof p.httpGet === 'object') {
    p.httpGet.path ||= '/';
    p.httpGet.scheme ||= 'HTTP';
  }
}

function defaultContainer(c: any, hostNetwork: boolean): void {
  if (!c || typeof c !== 'object') return;
  c.terminationMessagePath ||= '/dev/termination-log';
  c.terminationMessagePolicy ||= 'File';
  if (typeof c.image === 'string' && c.image && !c.imagePullPolicy) c.imagePullPolicy = defaultPullPolicy(c.image);
  c.resources ??= {};
  for (const p of Array.isArray(c.ports) ? c.ports : []) {
    if (!p || typeof p !== 'object') continue;
    p.protocol ||= 'TCP';
    if (hostNetwork && !p.hostPort && p.containerPort) p.hostPort = p.containerPort;
  }
  for (const e of Array.isArray(c.env) ? c.env : []) {
    if (e?.valueFrom?.fieldRef) e.valueFrom.fieldRef.apiVersion ||= 'v1';
  }
  defaultProbe(c.livenessProbe);
  defaultProbe(c.readinessProbe);
  defaultProbe(c.startupProbe);
}

/** SetDefaults_PodSpec and its containers/volumes (what a pod template gets too). */
export function defaultPodSpec(spec: Spec): void {
  if (!spec || typeof spec !== 'object') return;
  spec.restartPolicy ||= 'Always';
  spec.dnsPolicy ||= 'ClusterFirst';
  spec.terminationGracePeriodSeconds ??= 30;
  spec.schedulerName ||= 'default-scheduler';
  spec.securityContext ??= {};
  const hostNetwork = spec.hostNetwork === true;
  for (const c of Array.isArray(spec.initContainers) ? spec.initContainers : []) defaultContainer(c, hostNetwork);
  for (const c of Array.isArray(spec.containers) ? spec.containers : []) defaultContainer(c, hostNetwork);
  for (const v of Array.isArray(spec.volumes) ? spec.volumes : []) {
    if (!v || typeof v !== 'object') continue;
    for (const src of ['configMap', 'secret', 'projected', 'downwardAPI']) {
      if (v[src] && typeof v[src] === 'object') v[src].defaultMode ??= 420;
    }
  }
}

function validatePorts(ports: unknown, path: string): StatusCause[] {
  if (!Array.isArray(ports)) return [];
  const causes: StatusCause[] = [];
  const names = new Set<string>();
  ports.forEach((p: any, i) => {
    const at = `${path}[${i}]`;
    if (p?.name) {
      causes.push(...invalidEach(`${at}.name`, p.name, isValidPortName(String(p.name))));
      if (names.has(p.name)) causes.push(field.duplicate(`${at}.name`, p.name));
      names.add(p.name);
    }
    if (!p?.containerPort) causes.push(field.required(`${at}.containerPort`));
    else causes.push(...invalidEach(`${at}.containerPort`, p.containerPort, isValidPortNum(p.containerPort)));
    if (p?.hostPort) causes.push(...invalidEach(`${at}.hostPort`, p.hostPort, isValidPortNum(p.hostPort)));
    if (!p?.protocol) causes.push(field.required(`${at}.protocol`));
    else if (!PROTOCOLS.includes(p.protocol)) causes.push(field.notSupported(`${at}.protocol`, p.protocol, PROTOCOLS));
  });
  return causes;
}

function validateContainer(c: any, path: string, names: Set<string>, volumes: Set<string>): StatusCause[] {
  const causes: StatusCause[] = [];
  if (!c || typeof c !== 'object') return [field.required(path)];
  if (!c.name) causes.push(field.required(`${path}.name`));
  else {
    causes.push(...invalidEach(`${path}.name`, c.name, isDNS1123Label(String(c.name))));
    if (names.has(c.name)) causes.push(field.duplicate(`${path}.name`, c.name));
    names.add(c.name);
  }
  if (!c.image || (typeof c.image === 'string' && !c.image.trim())) causes.push(field.required(`${path}.image`));
  if (c.imagePullPolicy && !PULL_POLICIES.includes(c.imagePullPolicy)) {
    causes.push(field.notSupported(`${path}.imagePullPolicy`, c.imagePullPolicy, PULL_POLICIES));
  }
  causes.push(...validatePorts(c.ports, `${path}.ports`));
  (Array.isArray(c.env) ? c.env : []).forEach((e: any, i: number) => {
    const at = `${path}.env[${i}].name`;
    if (!e?.name) causes.push(field.required(at));
    else causes.push(...invalidEach(at, e.name, isEnvVarName(String(e.name))));
  });
  (Array.isArray(c.volumeMounts) ? c.volumeMounts : []).forEach((m: any, i: number) => {
    const at = `${path}.volumeMounts[${i}]`;
    if (!m?.name) causes.push(field.required(`${at}.name`));
    else if (!volumes.has(m.name)) causes.push(notFound(`${at}.name`, m.name));
    if (!m?.mountPath) causes.push(field.required(`${at}.mountPath`));
  });
  return causes;
}

/** ValidatePodSpec (the parts kdp acts on). `path` is `spec` for a Pod, `spec.template.spec` for a template. */
export function validatePodSpec(spec: Spec, path: string): StatusCause[] {
  if (!spec || typeof spec !== 'object') return [field.required(path)];
  const causes: StatusCause[] = [];
  const volumes = new Set<string>();
  (Array.isArray(spec.volumes) ? spec.volumes : []).forEach((v: any, i: number) => {
    const at = `${path}.volumes[${i}].name`;
    if (!v?.name) causes.push(field.required(at));
    else {
      causes.push(...invalidEach(at, v.name, isDNS1123Label(String(v.name))));
      if (volumes.has(v.name)) causes.push(field.duplicate(at, v.name));
      volumes.add(v.name);
    }
  });
  const names = new Set<string>();
  (Array.isArray(spec.initContainers) ? spec.initContainers : []).forEach((c: any, i: number) => {
    causes.push(...validateContainer(c, `${path}.initContainers[${i}]`, names, volumes));
  });
  if (!Array.isArray(spec.containers) || spec.containers.length === 0) causes.push(field.required(`${path}.containers`));
  else spec.containers.forEach((c: any, i: number) => causes.push(...validateContainer(c, `${path}.containers[${i}]`, names, volumes)));
  if (!spec.restartPolicy) causes.push(field.required(`${path}.restartPolicy`));
  else if (!RESTART_POLICIES.includes(spec.restartPolicy)) causes.push(field.notSupported(`${path}.restartPolicy`, spec.restartPolicy, RESTART_POLICIES));
  if (!spec.dnsPolicy) causes.push(field.required(`${path}.dnsPolicy`));
  else if (!DNS_POLICIES.includes(spec.dnsPolicy)) causes.push(field.notSupported(`${path}.dnsPolicy`, spec.dnsPolicy, DNS_POLICIES));
  causes.push(...validateLabels(spec.nodeSelector, `${path}.nodeSelector`));
  for (const key of ['hostname', 'subdomain']) {
    if (spec[key]) causes.push(...invalidEach(`${path}.${key}`, spec[key], isDNS1123Label(String(spec[key]))));
  }
  if (spec.activeDeadlineSeconds !== undefined && spec.activeDeadlineSeconds !== null) {
    const v = spec.activeDeadlineSeconds;
    if (!Number.isInteger(v) || v < 1 || v > 2147483647) {
      causes.push(field.invalid(`${path}.activeDeadlineSeconds`, v, 'must be between 1 and 2147483647, inclusive'));
    }
  }
  return causes;
}

/** The pod's QoS class from its containers' requests and limits (cpu, memory). */
export function podQOSClass(spec: Spec): 'BestEffort' | 'Burstable' | 'Guaranteed' {
  const containers = [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])];
  let any = false;
  let guaranteed = containers.length > 0;
  for (const c of containers) {
    const req = c?.resources?.requests ?? {};
    const lim = c?.resources?.limits ?? {};
    if (['cpu', 'memory'].some((r) => req[r] !== undefined || lim[r] !== undefined)) any = true;
    for (const r of ['cpu', 'memory']) {
      if (lim[r] === undefined || String(req[r] ?? lim[r]) !== String(lim[r])) guaranteed = false;
    }
  }
  if (!any) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}
