// The LoadBalancer IP allocator (MetalLB's controller, or Docker Desktop's): every Service of
// `type: LoadBalancer` without a `spec.loadBalancerClass` gets one address from config.loadBalancerPool
// in `status.loadBalancer.ingress`. kube-proxy then serves its ports on that address (and on the
// cluster's hostAddress). A wish in `spec.loadBalancerIP` or the `metallb.universe.tf/loadBalancerIPs`
// annotation is honoured when the address is in the pool and free; when no address can be given, a
// Warning Event says why and the EXTERNAL-IP stays `<pending>` until one can.
import type { Informer } from '../api/informer.js';
import type { ObjectStore } from '../api/store.js';
import { GR, type KObject } from '../api/types.js';
import type { EventRecorder } from '../api/events.js';
import { Controller, splitKey } from './controller.js';

export const LB_IPS_ANNOTATION = 'metallb.universe.tf/loadBalancerIPs';

export interface ServiceLBControllerDeps {
  store: ObjectStore;
  services: Informer;
  /** `a.b.c.d/n` inside 127.0.0.0/8. */
  pool: string;
  recorder: EventRecorder;
}

function toInt(ip: string): number {
  return ip.split('.').reduce((acc, o) => ((acc << 8) | Number(o)) >>> 0, 0);
}

function toIP(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** The usable addresses of a pool: the network and broadcast addresses and every `.0`/`.255` are skipped. */
export class LoadBalancerPool {
  readonly first: number;
  readonly last: number;

  constructor(readonly cidr: string) {
    const m = cidr.match(/^(\d+\.\d+\.\d+\.\d+)\/(\d+)$/);
    if (!m || Number(m[2]) > 30) throw new Error(`invalid loadBalancerPool ${JSON.stringify(cidr)}: want an IPv4 CIDR of /30 or larger`);
    const bits = Number(m[2]);
    const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
    const base = (toInt(m[1]) & mask) >>> 0;
    this.first = base + 1;
    this.last = (base | (~mask >>> 0)) - 1;
  }

  contains(ip: string): boolean {
    if (!/^\d+\.\d+\.\d+\.\d+$/.test(ip)) return false;
    const n = toInt(ip);
    return n >= this.first && n <= this.last && (n & 255) !== 0 && (n & 255) !== 255;
  }

  /** The lowest free address, or undefined when the pool is full. */
  next(used: ReadonlySet<string>): string | undefined {
    for (let n = this.first; n <= this.last; n++) {
      if ((n & 255) === 0 || (n & 255) === 255) continue;
      const ip = toIP(n);
      if (!used.has(ip)) return ip;
    }
    return undefined;
  }
}

export function isManagedLoadBalancer(svc: KObject): boolean {
  return svc.spec?.type === 'LoadBalancer' && !svc.spec?.loadBalancerClass && !svc.metadata.deletionTimestamp;
}

function ingressIPs(svc: KObject): string[] {
  return (svc.status?.loadBalancer?.ingress ?? []).map((i: { ip?: string }) => i.ip).filter((ip: unknown): ip is string => typeof ip === 'string');
}

/** The address the user asked for, if any. */
function requestedIP(svc: KObject): string | undefined {
  const ann = svc.metadata.annotations?.[LB_IPS_ANNOTATION];
  if (ann) return String(ann).split(',')[0].trim();
  return svc.spec?.loadBalancerIP || undefined;
}

export type Assignment = { ip: string } | { error: string } | { clear: true } | undefined;

/**
 * What `svc` should have: `{ip}` to publish, `{clear}` to remove a stale address, `{error}` when none
 * can be given, undefined when its status is right as it is. `used` holds the addresses of the others.
 */
export function assignLoadBalancerIP(svc: KObject, pool: LoadBalancerPool, used: ReadonlySet<string>): Assignment {
  const have = ingressIPs(svc);
  const key = `${svc.metadata.namespace}/${svc.metadata.name}`;
  if (!isManagedLoadBalancer(svc)) {
    // Not ours (any more): drop an address from our pool; another class's status is its owner's.
    if (!svc.spec?.loadBalancerClass && have.some((ip) => pool.contains(ip))) return { clear: true };
    return undefined;
  }
  const want = requestedIP(svc);
  if (want) {
    if (!pool.contains(want)) return { error: `Failed to allocate IP for "${key}": ["${want}"] is not allowed in config (pool ${pool.cidr})` };
    if (used.has(want)) return { error: `Failed to allocate IP for "${key}": can't change sharing key for "${key}", address also in use by another service` };
    return have.length === 1 && have[0] === want ? undefined : { ip: want };
  }
  if (have.length === 1 && pool.contains(have[0]) && !used.has(have[0])) return undefined;
  const ip = pool.next(used);
  return ip ? { ip } : { error: `Failed to allocate IP for "${key}": no available IPs` };
}

export function createServiceLBController(deps: ServiceLBControllerDeps): Controller {
  const { store, services, recorder } = deps;
  const pool = new LoadBalancerPool(deps.pool);
  /** Last error told per Service, so a pending Service is not re-announced on every retry. */
  const told = new Map<string, string>();

  function reconcile(key: string): { requeueAfterMs: number } | void {
    const { namespace, name } = splitKey(key);
    const svc = services.get(namespace, name);
    if (!svc) {
      told.delete(key);
      return;
    }
    // The addresses of the others matter only to a LoadBalancer of ours (not a scan per ClusterIP Service).
    const used = new Set<string>();
    if (isManagedLoadBalancer(svc)) {
      for (const other of services.list()) {
        if (other.metadata.uid === svc.metadata.uid || !isManagedLoadBalancer(other)) continue;
        for (const ip of ingressIPs(other)) used.add(ip);
      }
    }
    const a = assignLoadBalancerIP(svc, pool, used);
    if (!a) return;
    if ('error' in a) {
      if (told.get(key) !== a.error) recorder.event(svc, 'Warning', 'AllocationFailed', a.error);
      told.set(key, a.error);
      return { requeueAfterMs: 10_000 };
    }
    told.delete(key);
    const next = structuredClone(svc) as KObject;
    next.status = { ...(next.status ?? {}), loadBalancer: 'ip' in a ? { ingress: [{ ip: a.ip, ipMode: 'VIP' }] } : {} };
    store.update(GR.services, next, { subresource: 'status' });
    if ('ip' in a) recorder.event(svc, 'Normal', 'IPAllocated', `Assigned IP ["${a.ip}"]`);
  }

  const controller = new Controller({ name: 'service-lb-controller', reconcile });
  const keyOf = (o: KObject) => `${o.metadata.namespace}/${o.metadata.name}`;
  const retryPending = () => {
    for (const o of services.list()) if (isManagedLoadBalancer(o) && !ingressIPs(o).length) controller.enqueue(keyOf(o));
  };
  services.addHandlers({
    onAdd: (o) => controller.enqueue(keyOf(o)),
    onUpdate: (o, old) => {
      controller.enqueue(keyOf(o));
      // An address given back (type changed, class set): pending Services may take it.
      if (ingressIPs(old).length && !isManagedLoadBalancer(o)) retryPending();
    },
    onDelete: (o) => {
      controller.enqueue(keyOf(o));
      if (ingressIPs(o).length) retryPending();
    },
  });
  return controller;
}
