// Service backends → upstreams (the ready endpoints an Ingress path balances over), from Services
// and EndpointSlices. Pure. ingress-nginx names upstreams `<namespace>-<service>-<port>`.
import type { KObject } from '../api/types.js';

export interface BackendRef {
  namespace: string;
  service: string;
  /** spec...backend.service.port.number or .name */
  port: number | string;
}

export interface Upstream {
  name: string;
  /** `ip:port`, in a stable order. */
  endpoints: string[];
  /** Why there are no endpoints: shown in logs; requests get 503. */
  problem?: string;
}

export function upstreamName(ref: BackendRef): string {
  return `${ref.namespace}-${ref.service}-${ref.port}`;
}

export function backendRef(namespace: string, backend: KObject['spec']): BackendRef | undefined {
  const svc = backend?.service;
  if (!svc?.name) return undefined;
  const port = svc.port?.number ?? svc.port?.name;
  if (port === undefined || port === '') return undefined;
  return { namespace, service: String(svc.name), port };
}

export class UpstreamResolver {
  private readonly services = new Map<string, KObject>();
  private readonly slices = new Map<string, KObject[]>();

  constructor(services: Iterable<KObject>, slices: Iterable<KObject>) {
    for (const s of services) this.services.set(`${s.metadata.namespace}/${s.metadata.name}`, s);
    for (const sl of slices) {
      const svc = sl.metadata.labels?.['kubernetes.io/service-name'];
      if (!svc) continue;
      const k = `${sl.metadata.namespace}/${svc}`;
      const list = this.slices.get(k) ?? [];
      list.push(sl);
      this.slices.set(k, list);
    }
  }

  resolve(ref: BackendRef): Upstream {
    const name = upstreamName(ref);
    const svc = this.services.get(`${ref.namespace}/${ref.service}`);
    if (!svc) return { name, endpoints: [], problem: `service "${ref.namespace}/${ref.service}" not found` };
    const ports: KObject['spec'][] = svc.spec?.ports ?? [];
    const sp = typeof ref.port === 'number' ? ports.find((p) => p.port === ref.port) : ports.find((p) => p.name === ref.port);
    if (!sp) return { name, endpoints: [], problem: `service "${ref.namespace}/${ref.service}" does not have port ${ref.port}` };
    const portName = sp.name ?? '';
    const ready = new Set<string>();
    const terminating = new Set<string>();
    for (const sl of this.slices.get(`${ref.namespace}/${ref.service}`) ?? []) {
      const slPort = (sl.ports ?? []).find((p: { name?: string }) => (p.name ?? '') === portName);
      if (!slPort?.port) continue;
      for (const ep of sl.endpoints ?? []) {
        const c = ep.conditions ?? {};
        for (const addr of ep.addresses ?? []) {
          const hp = `${addr}:${slPort.port}`;
          if (c.ready !== false) ready.add(hp);
          else if (c.serving && c.terminating) terminating.add(hp);
        }
      }
    }
    const endpoints = [...(ready.size ? ready : terminating)].sort();
    return endpoints.length ? { name, endpoints } : { name, endpoints, problem: `service "${ref.namespace}/${ref.service}" does not have any active endpoints` };
  }
}
