// The Service strategy: defaults, validation, and the ClusterIP/nodePort allocation the service REST
// storage does. Allocation is all-or-nothing per request: when any step fails, what this request
// took is given back before the error is returned. Allocations are recorded against the Service's
// uid, so `release` (delete, failed create) and `afterUpdate` free exactly what the object held.
import { isIP } from 'node:net';
import { IPv4CidrRange } from 'ip-num';
import { ApiError, errors, field, type StatusCause } from '../errors.js';
import type { Strategy } from '../store.js';
import type { KObject } from '../types.js';
import { checkDecodable } from './kind-strategy.js';
import type { NodePortAllocator } from './node-port-allocator.js';
import { AllocationError } from './range-allocator.js';
import type { ServiceIPAllocator } from './service-ip-allocator.js';
import {
  allocatesNodePorts, defaultServiceIPFields, defaultServiceSpec, isExternallyAccessible, isHeadless, needsClusterIP,
  needsHealthCheckNodePort, patchServiceForUpdate, validateServiceSpec, validateServiceSpecUpdate,
} from './service-spec.js';
import { isDNS1035Label, validateObjectMeta } from './validation.js';

/* eslint-disable @typescript-eslint/no-explicit-any */

export interface ServiceAllocators {
  serviceIPs: ServiceIPAllocator;
  nodePorts: NodePortAllocator;
}

function invalid(svc: KObject, path: string, value: unknown, detail: string): ApiError {
  return errors.invalid('', 'Service', svc.metadata.name, [field.invalid(path, value, detail)]);
}

/** Takes what `svc` asks for and allocates what it lacks; on failure gives back what it took and throws. */
export function allocateService(svc: KObject, alloc: ServiceAllocators): void {
  const uid = svc.metadata.uid!;
  const spec = svc.spec;
  const undo: Array<() => void> = [];
  try {
    if (needsClusterIP(svc) && !isHeadless(svc)) {
      const want: string | undefined = spec.clusterIP || undefined;
      if (!want) {
        let ip: string;
        const first = alloc.serviceIPs.firstAddress;
        if (svc.metadata.namespace === 'default' && svc.metadata.name === 'kubernetes' && alloc.serviceIPs.ownerOf(first) === undefined) {
          alloc.serviceIPs.allocate(first, uid);
          ip = first;
        } else {
          try {
            ip = alloc.serviceIPs.allocateNext(uid);
          } catch (err) {
            throw errors.internal(`failed to allocate a serviceIP: ${(err as Error).message}`);
          }
        }
        undo.push(() => alloc.serviceIPs.release(ip, uid));
        spec.clusterIP = ip;
        spec.clusterIPs = [ip];
      } else if (alloc.serviceIPs.ownerOf(want) !== uid) {
        try {
          alloc.serviceIPs.allocate(want, uid);
        } catch (err) {
          if (!(err instanceof AllocationError)) throw err;
          throw invalid(svc, 'spec.clusterIPs', spec.clusterIPs ?? [want], `failed to allocate IP ${want}: ${err.message}`);
        }
        undo.push(() => alloc.serviceIPs.release(want, uid));
      }
    }
    if (isExternallyAccessible(svc)) {
      const ports: any[] = Array.isArray(spec.ports) ? spec.ports : [];
      // ports sharing a port number (TCP+UDP) share a nodePort
      const byPort = new Map<number, number>();
      ports.forEach((p, i) => {
        if (p.nodePort) {
          if (alloc.nodePorts.ownerOf(p.nodePort) !== uid) {
            try {
              alloc.nodePorts.allocate(p.nodePort, uid);
            } catch (err) {
              if (!(err instanceof AllocationError)) throw err;
              throw invalid(svc, `spec.ports[${i}].nodePort`, p.nodePort, err.message);
            }
            const np = p.nodePort;
            undo.push(() => alloc.nodePorts.release(np, uid));
          }
          byPort.set(p.port, p.nodePort);
        } else if (allocatesNodePorts(svc)) {
          let np = byPort.get(p.port);
          if (np === undefined) {
            try {
              np = alloc.nodePorts.allocateNext(uid);
            } catch (err) {
              throw errors.internal(`failed to allocate a nodePort: ${(err as Error).message}`);
            }
            const taken = np;
            undo.push(() => alloc.nodePorts.release(taken, uid));
            byPort.set(p.port, np);
          }
          p.nodePort = np;
        }
      });
    }
    if (needsHealthCheckNodePort(svc)) {
      const want = spec.healthCheckNodePort;
      if (want) {
        if (alloc.nodePorts.ownerOf(want) !== uid) {
          try {
            alloc.nodePorts.allocate(want, uid);
          } catch (err) {
            if (!(err instanceof AllocationError)) throw err;
            throw invalid(svc, 'spec.healthCheckNodePort', want, `failed to allocate requested HealthCheck NodePort ${want}: ${err.message}`);
          }
          undo.push(() => alloc.nodePorts.release(want, uid));
        }
      } else {
        try {
          spec.healthCheckNodePort = alloc.nodePorts.allocateNext(uid);
        } catch (err) {
          throw errors.internal(`failed to allocate a nodePort: ${(err as Error).message}`);
        }
        const np = spec.healthCheckNodePort;
        undo.push(() => alloc.nodePorts.release(np, uid));
      }
    }
  } catch (err) {
    for (const u of undo.reverse()) u();
    throw err;
  }
}

/** Addresses and ports `svc` refers to. */
function heldBy(svc: KObject): { ips: Set<string>; ports: Set<number> } {
  const spec = svc.spec ?? {};
  const ips = new Set<string>(needsClusterIP(svc) && !isHeadless(svc) ? spec.clusterIPs ?? [spec.clusterIP] : []);
  const ports = new Set<number>();
  if (isExternallyAccessible(svc)) for (const p of spec.ports ?? []) if (p?.nodePort) ports.add(p.nodePort);
  if (needsHealthCheckNodePort(svc) && spec.healthCheckNodePort) ports.add(spec.healthCheckNodePort);
  return { ips, ports };
}

/** Frees what `uid` holds but `keep` does not refer to (everything, without `keep`). */
function releaseOwned(uid: string | undefined, alloc: ServiceAllocators, keep?: KObject): void {
  if (!uid) return;
  const held = keep ? heldBy(keep) : { ips: new Set<string>(), ports: new Set<number>() };
  for (const ip of alloc.serviceIPs.ownedBy(uid)) if (!held.ips.has(ip)) alloc.serviceIPs.release(ip, uid);
  for (const p of alloc.nodePorts.ownedBy(uid)) if (!held.ports.has(p)) alloc.nodePorts.release(p, uid);
}

/** Records the allocations of a Service that is already stored (start-up with existing objects). */
export function adoptService(svc: KObject, alloc: ServiceAllocators): string[] {
  const problems: string[] = [];
  const uid = svc.metadata.uid;
  if (!uid) return problems;
  const { ips, ports } = heldBy(svc);
  const name = `${svc.metadata.namespace}/${svc.metadata.name}`;
  for (const ip of ips) {
    try {
      alloc.serviceIPs.allocate(ip, uid);
    } catch (err) {
      problems.push(`service ${name}: clusterIP ${ip}: ${(err as Error).message}`);
    }
  }
  for (const p of ports) {
    try {
      alloc.nodePorts.allocate(p, uid);
    } catch (err) {
      problems.push(`service ${name}: nodePort ${p}: ${(err as Error).message}`);
    }
  }
  return problems;
}

/** The ranges a Service may name as its own front-door addresses (externalIPs, load-balancer status). */
export interface FrontDoorRanges {
  /** `--external-ip-cidr`: where externalIPs may come from. */
  externalIPCidr: string;
  /** `--lb-pool`: LoadBalancer addresses (also accepted as externalIPs). */
  loadBalancerPool: string;
}

function inRange(cidr: string, ip: string): boolean {
  try {
    return IPv4CidrRange.fromCidr(cidr).contains(IPv4CidrRange.fromCidr(`${ip}/32`));
  } catch {
    return false;
  }
}

/**
 * kdp programs a Service's externalIPs and load-balancer addresses on this machine, so an address
 * the host, the API or the DNS server uses (127.0.0.1, say) would capture every local program's
 * traffic to it (CVE-2020-8554, host-wide). As with DenyServiceExternalIPs, only addresses from the
 * ranges kdp owns are accepted, and the error names them.
 */
export function validateFrontDoors(svc: KObject, ranges: FrontDoorRanges): StatusCause[] {
  const allowed = (ip: string) => inRange(ranges.externalIPCidr, ip) || inRange(ranges.loadBalancerPool, ip);
  const where = `kdp serves externalIPs only from the ranges it owns: ${ranges.externalIPCidr} (--external-ip-cidr) and the LoadBalancer pool ${ranges.loadBalancerPool} (--lb-pool)`;
  const causes: StatusCause[] = [];
  const ips: unknown[] = Array.isArray(svc.spec?.externalIPs) ? svc.spec.externalIPs : [];
  ips.forEach((ip, i) => {
    if (typeof ip !== 'string' || !isIP(ip)) return; // the spec validation reports it
    if (ip.includes(':')) causes.push(field.invalid(`spec.externalIPs[${i}]`, ip, `kdp serves IPv4 externalIPs only: ${where}`));
    else if (!allowed(ip)) causes.push(field.invalid(`spec.externalIPs[${i}]`, ip, where));
  });
  const ingress: unknown[] = Array.isArray(svc.status?.loadBalancer?.ingress) ? svc.status.loadBalancer.ingress : [];
  ingress.forEach((entry, i) => {
    const ip = (entry as { ip?: unknown } | null)?.ip;
    if (typeof ip === 'string' && isIP(ip) && !inRange(ranges.loadBalancerPool, ip)) {
      causes.push(field.invalid(`status.loadBalancer.ingress[${i}].ip`, ip, `kdp serves load-balancer addresses only from its LoadBalancer pool ${ranges.loadBalancerPool} (--lb-pool)`));
    }
  });
  return causes;
}

export function serviceStrategy(alloc: ServiceAllocators, ranges: FrontDoorRanges): Strategy {
  const validate = (svc: KObject) => [...validateObjectMeta(svc.metadata, isDNS1035Label), ...validateServiceSpec(svc), ...validateFrontDoors(svc, ranges)];
  const validateUpdate = (svc: KObject, old: KObject) => [
    ...validateObjectMeta(svc.metadata, isDNS1035Label), ...validateServiceSpecUpdate(svc, old), ...validateFrontDoors(svc, ranges),
  ];
  return {
    prepareForCreate(svc, ctx) {
      checkDecodable(svc, ctx);
      defaultServiceSpec(svc);
      defaultServiceIPFields(svc);
      // validation errors come before allocation errors, as in the apiserver
      if (validate(svc).length) return;
      allocateService(svc, alloc);
    },
    validate,
    prepareForUpdate(svc, old, ctx) {
      checkDecodable(svc, ctx);
      defaultServiceSpec(svc);
      patchServiceForUpdate(svc, old);
      defaultServiceIPFields(svc);
      if (validateUpdate(svc, old).length) return;
      allocateService(svc, alloc);
    },
    validateUpdate,
    validateStatusUpdate: (svc) => validateFrontDoors(svc, ranges),
    afterUpdate(svc) {
      releaseOwned(svc.metadata.uid, alloc, svc);
    },
    release(svc) {
      releaseOwned(svc.metadata.uid, alloc);
    },
  };
}
