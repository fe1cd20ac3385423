// Service defaulting and validation (SetDefaults_Service, ValidateService, ValidateServiceUpdate and
// the update normalisation of the service REST storage), without allocation.
import { field, formatValue, type StatusCause } from '../errors.js';
import type { KObject } from '../types.js';
import { deepEqual } from './kind-strategy.js';
import { PROTOCOLS } from './pod-spec.js';
import {
  IP_ERROR, invalidEach, isDNS1123Label, isDNS1123Subdomain, isIP, isIPv4, isValidPortName, isValidPortNum, validateLabels,
} from './validation.js';

/* eslint-disable @typescript-eslint/no-explicit-any */

const TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];
const AFFINITIES = ['ClientIP', 'None'];
const TRAFFIC_POLICIES = ['Cluster', 'Local'];
const IP_FAMILIES = ['IPv4', 'IPv6'];
const IP_FAMILY_POLICIES = ['PreferDualStack', 'RequireDualStack', 'SingleStack'];
export const MAX_AFFINITY_SECONDS = 86400;

export const isHeadless = (svc: KObject) => svc.spec?.clusterIP === 'None';
/** Every type but ExternalName has (or is headless instead of having) a ClusterIP. */
export const needsClusterIP = (svc: KObject) => svc.spec?.type !== 'ExternalName';
export const isExternallyAccessible = (svc: KObject) => svc.spec?.type === 'NodePort' || svc.spec?.type === 'LoadBalancer';
/** Types whose ports get nodePorts allocated when none is given. */
export const allocatesNodePorts = (svc: KObject) =>
  svc.spec?.type === 'NodePort' || (svc.spec?.type === 'LoadBalancer' && svc.spec?.allocateLoadBalancerNodePorts !== false);
export const needsHealthCheckNodePort = (svc: KObject) =>
  svc.spec?.type === 'LoadBalancer' && svc.spec?.externalTrafficPolicy === 'Local';

/** Defaults every decoded Service body gets (create and update). */
export function defaultServiceSpec(svc: KObject): void {
  const spec = (svc.spec ??= {});
  if (typeof spec !== 'object') return;
  spec.type ||= 'ClusterIP';
  spec.sessionAffinity ||= 'None';
  if (spec.sessionAffinity === 'ClientIP' && !spec.sessionAffinityConfig) {
    spec.sessionAffinityConfig = { clientIP: { timeoutSeconds: 10800 } };
  }
  for (const p of Array.isArray(spec.ports) ? spec.ports : []) {
    if (!p || typeof p !== 'object') continue;
    p.protocol ||= 'TCP';
    if (p.targetPort === undefined || p.targetPort === null || p.targetPort === 0 || p.targetPort === '') p.targetPort = p.port;
  }
  if (isExternallyAccessible(svc)) spec.externalTrafficPolicy ||= 'Cluster';
  if (spec.type !== 'ExternalName') spec.internalTrafficPolicy ||= 'Cluster';
  if (spec.type === 'LoadBalancer') spec.allocateLoadBalancerNodePorts ??= true;
}

/** Defaults the allocator applies (after the update patches): clusterIPs mirrors clusterIP, IPv4 single-stack. */
export function defaultServiceIPFields(svc: KObject): void {
  const spec = svc.spec;
  if (!spec || typeof spec !== 'object' || spec.type === 'ExternalName') return;
  if (spec.clusterIP && !(Array.isArray(spec.clusterIPs) && spec.clusterIPs.length)) spec.clusterIPs = [spec.clusterIP];
  if (!spec.clusterIP && Array.isArray(spec.clusterIPs) && spec.clusterIPs.length) spec.clusterIP = spec.clusterIPs[0];
  spec.ipFamilyPolicy ||= 'SingleStack';
  if (!Array.isArray(spec.ipFamilies) || !spec.ipFamilies.length) spec.ipFamilies = ['IPv4'];
}

/**
 * The service REST storage's update normalisation: values the client left out but the server
 * allocated are kept (clusterIP, nodePorts matched by port name, healthCheckNodePort), and values
 * that the new type no longer uses are dropped when the client did not change them.
 */
export function patchServiceForUpdate(svc: KObject, old: KObject): void {
  const spec = svc.spec;
  const o = old.spec ?? {};
  if (!spec || typeof spec !== 'object') return;
  if (needsClusterIP(old) && needsClusterIP(svc)) {
    if (!spec.clusterIP && !(spec.clusterIPs?.length)) {
      if (o.clusterIP) spec.clusterIP = o.clusterIP;
      if (o.clusterIPs?.length) spec.clusterIPs = [...o.clusterIPs];
    }
    spec.ipFamilyPolicy ||= o.ipFamilyPolicy;
    if (!spec.ipFamilies?.length && o.ipFamilies?.length) spec.ipFamilies = [...o.ipFamilies];
  }
  const ports: any[] = Array.isArray(spec.ports) ? spec.ports : [];
  if (isExternallyAccessible(old) && isExternallyAccessible(svc)) {
    const used = new Set(ports.map((p) => p?.nodePort).filter(Boolean));
    const byName = new Map<string, number>((o.ports ?? []).map((p: any) => [p.name ?? '', p.nodePort]));
    for (const p of ports) {
      if (!p || typeof p !== 'object' || p.nodePort) continue;
      const prev = byName.get(p.name ?? '');
      if (prev && !used.has(prev)) {
        p.nodePort = prev;
        used.add(prev);
      }
    }
  }
  if (needsHealthCheckNodePort(old) && needsHealthCheckNodePort(svc) && !spec.healthCheckNodePort) {
    spec.healthCheckNodePort = o.healthCheckNodePort;
  }
  // drop what the new type does not use, when unchanged from the old object
  if (needsClusterIP(old) && !needsClusterIP(svc)) {
    if ((spec.clusterIP ?? '') === (o.clusterIP ?? '')) delete spec.clusterIP;
    if (deepEqual(spec.clusterIPs ?? [], o.clusterIPs ?? [])) delete spec.clusterIPs;
    if (deepEqual(spec.ipFamilies ?? [], o.ipFamilies ?? [])) delete spec.ipFamilies;
    if (spec.ipFamilyPolicy === o.ipFamilyPolicy) delete spec.ipFamilyPolicy;
    if (spec.internalTrafficPolicy === o.internalTrafficPolicy) delete spec.internalTrafficPolicy;
  }
  if (isExternallyAccessible(old) && !isExternallyAccessible(svc)) {
    const oldPorts = new Set((o.ports ?? []).map((p: any) => p.nodePort));
    for (const p of ports) if (p && oldPorts.has(p.nodePort)) delete p.nodePort;
    if (spec.externalTrafficPolicy === o.externalTrafficPolicy) delete spec.externalTrafficPolicy;
  }
  if (needsHealthCheckNodePort(old) && !needsHealthCheckNodePort(svc) && spec.healthCheckNodePort === o.healthCheckNodePort) {
    delete spec.healthCheckNodePort;
  }
  if (o.type === 'LoadBalancer' && spec.type !== 'LoadBalancer' && spec.allocateLoadBalancerNodePorts === o.allocateLoadBalancerNodePorts) {
    delete spec.allocateLoadBalancerNodePorts;
  }
}

/** Go's %#v of the (protocol, port) key the apiserver reports duplicates with. */
function servicePortKey(protocol: string, port: number): string {
  return `core.ServicePort{Name:"", Protocol:${JSON.stringify(protocol)}, AppProtocol:(*string)(nil), Port:${port}, ` +
    'TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}';
}

function validatePorts(svc: KObject): StatusCause[] {
  const spec = svc.spec;
  const ports: any[] = Array.isArray(spec.ports) ? spec.ports : [];
  const causes: StatusCause[] = [];
  if (!ports.length && !isHeadless(svc) && spec.type !== 'ExternalName') causes.push(field.required('spec.ports'));
  const requireName = ports.length > 1;
  const names = new Set<string>();
  const seen = new Set<string>();
  const nodePorts = new Set<string>();
  ports.forEach((p, i) => {
    const at = `spec.ports[${i}]`;
    if (!p || typeof p !== 'object') {
      causes.push(field.required(at));
      return;
    }
    if (requireName && !p.name) causes.push(field.required(`${at}.name`));
    else if (p.name) {
      causes.push(...invalidEach(`${at}.name`, p.name, isDNS1123Label(String(p.name))));
      if (names.has(p.name)) causes.push(field.duplicate(`${at}.name`, p.name));
      names.add(p.name);
    }
    causes.push(...invalidEach(`${at}.port`, p.port ?? 0, isValidPortNum(p.port)));
    if (!p.protocol) causes.push(field.required(`${at}.protocol`));
    else if (!PROTOCOLS.includes(p.protocol)) causes.push(field.notSupported(`${at}.protocol`, p.protocol, PROTOCOLS));
    if (typeof p.targetPort === 'string') causes.push(...invalidEach(`${at}.targetPort`, p.targetPort, isValidPortName(p.targetPort)));
    else if (p.targetPort !== undefined) causes.push(...invalidEach(`${at}.targetPort`, p.targetPort, isValidPortNum(p.targetPort)));
    const key = `${p.protocol}/${p.port}`;
    if (seen.has(key)) causes.push({ reason: 'FieldValueDuplicate', field: at, message: `Duplicate value: ${servicePortKey(p.protocol, p.port)}` });
    seen.add(key);
    if (p.nodePort) {
      const nk = `${p.protocol}/${p.nodePort}`;
      if (nodePorts.has(nk)) causes.push(field.duplicate(`${at}.nodePort`, p.nodePort));
      nodePorts.add(nk);
      if (spec.type === 'ClusterIP') causes.push(field.forbidden(`${at}.nodePort`, "may not be used when `type` is 'ClusterIP'"));
    }
  });
  return causes;
}

function validateClusterIPs(svc: KObject): StatusCause[] {
  const spec = svc.spec;
  const causes: StatusCause[] = [];
  if (spec.type === 'ExternalName') {
    if (spec.clusterIP) causes.push(field.forbidden('spec.clusterIP', 'may not be set for ExternalName services'));
    if (spec.ipFamilies?.length) causes.push(field.forbidden('spec.ipFamilies', 'may not be set for ExternalName services'));
    if (spec.ipFamilyPolicy) causes.push(field.forbidden('spec.ipFamilyPolicy', 'may not be set for ExternalName services'));
    return causes;
  }
  const ips: unknown[] = Array.isArray(spec.clusterIPs) ? spec.clusterIPs : [];
  if (spec.clusterIP) {
    if (!ips.length) causes.push(field.required('spec.clusterIPs'));
    else if (ips[0] !== spec.clusterIP) causes.push(field.invalid('spec.clusterIPs', ips, 'first value must match `clusterIP`'));
  } else if (ips.length) {
    causes.push(field.invalid('spec.clusterIPs', ips, 'must be empty when `clusterIP` is not specified'));
  }
  (Array.isArray(spec.ipFamilies) ? spec.ipFamilies : []).forEach((f: string, i: number) => {
    if (!IP_FAMILIES.includes(f)) causes.push(field.notSupported(`spec.ipFamilies[${i}]`, f, IP_FAMILIES));
    else if (f === 'IPv6') causes.push(field.invalid(`spec.ipFamilies[${i}]`, f, 'not configured on this cluster'));
  });
  if (spec.ipFamilyPolicy && !IP_FAMILY_POLICIES.includes(spec.ipFamilyPolicy)) {
    causes.push(field.notSupported('spec.ipFamilyPolicy', spec.ipFamilyPolicy, IP_FAMILY_POLICIES));
  } else if (spec.ipFamilyPolicy === 'RequireDualStack') {
    causes.push(field.invalid('spec.ipFamilyPolicy', spec.ipFamilyPolicy, 'this cluster is not configured for dual-stack services'));
  }
  ips.forEach((ip, i) => {
    if (i === 0 && ip === 'None') {
      if (ips.length > 1) causes.push(field.invalid('spec.clusterIPs', ips, "'None' must be the first and only value"));
      return;
    }
    if (!isIP(ip)) causes.push(field.invalid(`spec.clusterIPs[${i}]`, ip, IP_ERROR));
    else if (!isIPv4(ip)) causes.push(field.invalid(`spec.clusterIPs[${i}]`, ip, 'expected an IPv4 value as indicated by `ipFamilies[0]`'));
  });
  if (ips.length > 1 && !causes.length) causes.push(field.invalid('spec.clusterIPs', ips, 'may specify no more than one IP for each IP family'));
  if (isHeadless(svc) && isExternallyAccessible(svc)) {
    causes.push(field.invalid('spec.clusterIPs[0]', 'None', `may not be set to 'None' for ${spec.type} services`));
  }
  return causes;
}

/** ValidateService, the parts kdp acts on. */
export function validateServiceSpec(svc: KObject): StatusCause[] {
  const spec = svc.spec;
  if (!spec || typeof spec !== 'object') return [field.required('spec')];
  const causes: StatusCause[] = [];
  if (!spec.type) causes.push(field.required('spec.type'));
  else if (!TYPES.includes(spec.type)) causes.push(field.notSupported('spec.type', spec.type, TYPES));
  if (spec.type === 'ExternalName') {
    const name = typeof spec.externalName === 'string' ? spec.externalName.replace(/\.$/, '') : '';
    if (!spec.externalName) causes.push(field.required('spec.externalName'));
    else causes.push(...invalidEach('spec.externalName', spec.externalName, isDNS1123Subdomain(name)));
  }
  causes.push(...validateClusterIPs(svc));
  causes.push(...validatePorts(svc));
  causes.push(...validateLabels(spec.selector, 'spec.selector'));
  if (!spec.sessionAffinity) causes.push(field.required('spec.sessionAffinity'));
  else if (!AFFINITIES.includes(spec.sessionAffinity)) causes.push(field.notSupported('spec.sessionAffinity', spec.sessionAffinity, AFFINITIES));
  else if (spec.sessionAffinity === 'ClientIP') {
    const t = spec.sessionAffinityConfig?.clientIP?.timeoutSeconds;
    const path = 'spec.sessionAffinityConfig.clientIP.timeoutSeconds';
    if (t === undefined || t === null) causes.push(field.required(path, 'when session affinity type is ClientIP'));
    else if (typeof t !== 'number' || t <= 0 || t > MAX_AFFINITY_SECONDS) {
      causes.push(field.invalid(path, t, `must be greater than 0 and less than ${MAX_AFFINITY_SECONDS}`));
    }
  } else if (spec.sessionAffinityConfig) {
    causes.push(field.forbidden('spec.sessionAffinityConfig', 'must not be set when session affinity is None'));
  }
  if (!isExternallyAccessible(svc)) {
    if (spec.externalTrafficPolicy) {
      causes.push(field.invalid('spec.externalTrafficPolicy', spec.externalTrafficPolicy, 'may only be set for externally-accessible services'));
    }
  } else if (!TRAFFIC_POLICIES.includes(spec.externalTrafficPolicy)) {
    causes.push(field.notSupported('spec.externalTrafficPolicy', spec.externalTrafficPolicy ?? '', TRAFFIC_POLICIES));
  }
  if (spec.internalTrafficPolicy && !TRAFFIC_POLICIES.includes(spec.internalTrafficPolicy)) {
    causes.push(field.notSupported('spec.internalTrafficPolicy', spec.internalTrafficPolicy, TRAFFIC_POLICIES));
  }
  if (spec.healthCheckNodePort && !needsHealthCheckNodePort(svc)) {
    causes.push(field.invalid('spec.healthCheckNodePort', spec.healthCheckNodePort, 'may only be set when `type` is \'LoadBalancer\' and `externalTrafficPolicy` is \'Local\''));
  }
  (Array.isArray(spec.externalIPs) ? spec.externalIPs : []).forEach((ip: unknown, i: number) => {
    if (!isIP(ip)) causes.push(field.invalid(`spec.externalIPs[${i}]`, ip, IP_ERROR));
  });
  return causes;
}

/** ValidateServiceUpdate: ValidateService plus the ClusterIP that may not change once set. */
export function validateServiceSpecUpdate(svc: KObject, old: KObject): StatusCause[] {
  const causes = validateServiceSpec(svc);
  if (svc.spec?.type === 'ExternalName' || old.spec?.type === 'ExternalName') return causes;
  if (isHeadless(svc) && isHeadless(old)) return causes;
  const ips: string[] = svc.spec?.clusterIPs ?? [];
  const oldIps: string[] = old.spec?.clusterIPs ?? [];
  if (oldIps.length && !ips.length) {
    causes.push(field.required('spec.clusterIPs', 'primary clusterIP can not be unset'));
  } else {
    oldIps.forEach((ip, i) => {
      if (i < ips.length && ips[i] !== ip) causes.push({ reason: 'FieldValueInvalid', field: `spec.clusterIPs[${i}]`, message: `Invalid value: ${formatValue(ips)}: may not change once set` });
    });
  }
  return causes;
}
