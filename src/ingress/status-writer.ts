// status.loadBalancer.ingress of the Ingresses this controller serves, as ingress-nginx writes it:
// with --publish-service the Service's own status.loadBalancer.ingress (nothing until the Service
// has an address), else the addresses of the nodes running the controller. Ingresses it stops
// serving get their status cleared; Ingresses of other classes are never touched.
import { ApiError } from '../api/errors.js';
import type { ObjectStore } from '../api/store.js';
import { GR, type KObject } from '../api/types.js';

export interface LoadBalancerIngress {
  ip?: string;
  hostname?: string;
}

export function publishedAddresses(publishService: KObject | undefined, nodeAddresses: string[]): LoadBalancerIngress[] {
  if (publishService) {
    return ((publishService.status?.loadBalancer?.ingress ?? []) as LoadBalancerIngress[]).map((i) => (i.ip ? { ip: i.ip } : { hostname: i.hostname }));
  }
  return [...new Set(nodeAddresses)].sort().map((ip) => ({ ip }));
}

function same(a: LoadBalancerIngress[] | undefined, b: LoadBalancerIngress[]): boolean {
  const x = a ?? [];
  return x.length === b.length && x.every((v, i) => v.ip === b[i].ip && v.hostname === b[i].hostname);
}

export class StatusWriter {
  private readonly owned = new Set<string>();

  constructor(private readonly store: ObjectStore, private readonly log: (level: string, msg: string) => void) {}

  sync(served: readonly KObject[], all: readonly KObject[], addresses: LoadBalancerIngress[]): void {
    const servedKeys = new Set(served.map((i) => `${i.metadata.namespace}/${i.metadata.name}`));
    for (const ing of served) this.write(ing, addresses);
    for (const ing of all) {
      const key = `${ing.metadata.namespace}/${ing.metadata.name}`;
      if (this.owned.has(key) && !servedKeys.has(key)) {
        this.write(ing, []);
        this.owned.delete(key);
      }
    }
  }

  private write(ing: KObject, addresses: LoadBalancerIngress[]): void {
    if (same(ing.status?.loadBalancer?.ingress, addresses)) {
      if (addresses.length) this.owned.add(`${ing.metadata.namespace}/${ing.metadata.name}`);
      return;
    }
    const current = this.store.tryGet(GR.ingresses, ing.metadata.namespace, ing.metadata.name);
    if (!current || same(current.status?.loadBalancer?.ingress, addresses)) return;
    const next = structuredClone(current) as KObject;
    next.status = { ...(next.status ?? {}), loadBalancer: addresses.length ? { ingress: addresses } : {} };
    try {
      this.store.update(GR.ingresses, next, { subresource: 'status' });
      if (addresses.length) this.owned.add(`${ing.metadata.namespace}/${ing.metadata.name}`);
    } catch (err) {
      if (!(err instanceof ApiError && (err.code === 404 || err.code === 409))) this.log('WARN', `updating status of ingress ${ing.metadata.namespace}/${ing.metadata.name}: ${(err as Error).message}`);
    }
  }
}
