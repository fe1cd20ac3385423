// The page's model: a pure function from cached objects (and connection counts) to a tree grouped by
// namespace — routes (Ingress rules, HTTPRoutes) → Services → endpoints → Pods with readiness. Ids
// are stable so the page can diff by id and update only what changed.
import type { KObject } from '../api/types.js';

export interface TopologyInputs {
  namespaces: readonly KObject[];
  services: readonly KObject[];
  endpointSlices: readonly KObject[];
  pods: readonly KObject[];
  ingresses: readonly KObject[];
  httpRoutes: readonly KObject[];
  /** ServicePortName (`ns/name:port` or `ns/name`) → `ip:port` → connections. */
  traffic: Map<string, Map<string, number>>;
}

export interface EndpointView {
  id: string;
  address: string;
  ready: boolean;
  pod?: string;
  node?: string;
  /** Connections to this address over every port of the Service, since kdp started. */
  connections: number;
}

export interface ServiceView {
  id: string;
  name: string;
  type: string;
  clusterIP: string;
  ports: string;
  routes: string[];
  endpoints: EndpointView[];
  connections: number;
}

export interface PodView {
  id: string;
  name: string;
  phase: string;
  ready: boolean;
  podIP: string;
  node: string;
}

export interface NamespaceView {
  id: string;
  name: string;
  services: ServiceView[];
  pods: PodView[];
}

export interface Topology {
  namespaces: NamespaceView[];
}

type Any = any; // eslint-disable-line @typescript-eslint/no-explicit-any

const byName = (a: { name: string }, b: { name: string }) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

function isReady(pod: Any): boolean {
  return (pod.status?.conditions ?? []).some((c: Any) => c.type === 'Ready' && c.status === 'True');
}

/** Ingress rules and HTTPRoute rules that send to each Service (`ns/name` → descriptions). */
function routesByService(ingresses: readonly KObject[], httpRoutes: readonly KObject[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const add = (key: string, what: string) => {
    const l = out.get(key) ?? [];
    if (!l.includes(what)) l.push(what);
    out.set(key, l);
  };
  for (const ing of ingresses as Any[]) {
    const ns = ing.metadata.namespace;
    const def = ing.spec?.defaultBackend?.service?.name;
    if (def) add(`${ns}/${def}`, `Ingress ${ing.metadata.name} (default backend)`);
    for (const rule of ing.spec?.rules ?? []) {
      for (const p of rule.http?.paths ?? []) {
        const svc = p.backend?.service?.name;
        if (svc) add(`${ns}/${svc}`, `Ingress ${ing.metadata.name}: ${rule.host ?? '*'}${p.path ?? '/'}`);
      }
    }
  }
  for (const r of httpRoutes as Any[]) {
    const ns = r.metadata.namespace;
    const hosts = (r.spec?.hostnames ?? ['*']).join(',');
    for (const rule of r.spec?.rules ?? []) {
      const path = rule.matches?.[0]?.path?.value ?? '/';
      for (const b of rule.backendRefs ?? []) {
        if ((b.kind ?? 'Service') !== 'Service') continue;
        add(`${b.namespace ?? ns}/${b.name}`, `HTTPRoute ${r.metadata.name}: ${hosts}${path}`);
      }
    }
  }
  return out;
}

export function buildTopology(inp: TopologyInputs): Topology {
  const routes = routesByService(inp.ingresses, inp.httpRoutes);
  // Connections per Service and endpoint IP:port, summed over the Service's ports.
  const trafficBySvc = new Map<string, Map<string, number>>();
  for (const [sp, eps] of inp.traffic) {
    const svc = sp.replace(/:[^/]*$/, '').replace(/@.*$/, '');
    const m = trafficBySvc.get(svc) ?? new Map<string, number>();
    for (const [ep, n] of eps) m.set(ep, (m.get(ep) ?? 0) + n);
    trafficBySvc.set(svc, m);
  }
  const slicesBySvc = new Map<string, Any[]>();
  for (const s of inp.endpointSlices as Any[]) {
    const svc = s.metadata.labels?.['kubernetes.io/service-name'];
    if (!svc) continue;
    const key = `${s.metadata.namespace}/${svc}`;
    slicesBySvc.set(key, [...(slicesBySvc.get(key) ?? []), s]);
  }
  const nsNames = new Set<string>(inp.namespaces.map((n) => n.metadata.name));
  for (const o of [...inp.services, ...inp.pods]) nsNames.add(o.metadata.namespace ?? '');
  const namespaces: NamespaceView[] = [];
  for (const ns of [...nsNames].sort()) {
    const services: ServiceView[] = [];
    for (const svc of inp.services as Any[]) {
      if (svc.metadata.namespace !== ns) continue;
      const key = `${ns}/${svc.metadata.name}`;
      const traffic = trafficBySvc.get(key) ?? new Map<string, number>();
      const endpoints = new Map<string, EndpointView>();
      for (const slice of slicesBySvc.get(key) ?? []) {
        const port = slice.ports?.[0]?.port;
        for (const ep of slice.endpoints ?? []) {
          for (const ip of ep.addresses ?? []) {
            const podName = ep.targetRef?.kind === 'Pod' ? ep.targetRef.name : undefined;
            let connections = 0;
            for (const [addr, n] of traffic) if (addr.slice(0, addr.lastIndexOf(':')) === ip) connections += n;
            endpoints.set(ip, {
              id: `ep:${key}:${ip}`,
              address: port ? `${ip}:${port}` : ip,
              ready: ep.conditions?.ready !== false,
              pod: podName,
              node: ep.nodeName,
              connections,
            });
          }
        }
      }
      const eps = [...endpoints.values()].sort((a, b) => (a.address < b.address ? -1 : 1));
      services.push({
        id: `svc:${key}`,
        name: svc.metadata.name,
        type: svc.spec?.type ?? 'ClusterIP',
        clusterIP: svc.spec?.clusterIP ?? '',
        ports: (svc.spec?.ports ?? []).map((p: Any) => `${p.port}/${p.protocol ?? 'TCP'}`).join(','),
        routes: routes.get(key) ?? [],
        endpoints: eps,
        connections: eps.reduce((s, e) => s + e.connections, 0),
      });
    }
    const pods: PodView[] = (inp.pods as Any[])
      .filter((p) => p.metadata.namespace === ns && !p.metadata.deletionTimestamp)
      .map((p) => ({ id: `pod:${ns}/${p.metadata.name}`, name: p.metadata.name, phase: p.status?.phase ?? 'Pending', ready: isReady(p), podIP: p.status?.podIP ?? '', node: p.spec?.nodeName ?? '' }));
    if (!services.length && !pods.length) continue;
    namespaces.push({ id: `ns:${ns}`, name: ns, services: services.sort(byName), pods: pods.sort(byName) });
  }
  return { namespaces };
}
