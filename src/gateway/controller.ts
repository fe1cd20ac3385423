// kdp's Gateway API controller: informers (GatewayClass, Gateway, HTTPRoute, ReferenceGrant,
// Service, Secret, Namespace; EndpointSlices for the endpoints at request time) → addresses from
// the LoadBalancer pool → the pure model (route-table.ts) → listeners swapped into the proxy →
// statuses. Bursts of changes are merged into one rebuild (setImmediate). Writes only status.
import { Informer } from '../api/informer.js';
import type { ObjectStore } from '../api/store.js';
import { GR, type KObject } from '../api/types.js';
import { assignAddresses } from './addresses.js';
import { GatewayProxy } from './proxy-server.js';
import { buildGatewayModel, GATEWAY_GROUP, KDP_CONTROLLER_NAME, type GatewayModel } from './route-table.js';
import { StatusWriter } from './status-writer.js';

export const GATEWAY_GR = {
  gatewayclasses: `${GATEWAY_GROUP}/gatewayclasses`,
  gateways: `${GATEWAY_GROUP}/gateways`,
  httproutes: `${GATEWAY_GROUP}/httproutes`,
  referencegrants: `${GATEWAY_GROUP}/referencegrants`,
} as const;

export interface GatewayControllerOptions {
  store: ObjectStore;
  /** The LoadBalancer pool Gateways take their addresses from (config.loadBalancerPool). */
  loadBalancerPool: string;
  /** Also serve each Gateway port here (config.hostAddress), first Gateway wins. */
  hostAddress?: string;
  controllerName?: string;
  log?: (level: string, msg: string) => void;
  now?: () => Date;
  rng?: () => number;
}

export interface GatewayController {
  /** Resolves once every change made before the call is served and its status written. */
  synced(): Promise<void>;
  model(): GatewayModel;
  stop(): Promise<void>;
}

function lbAddresses(services: KObject[]): Set<string> {
  const out = new Set<string>();
  for (const s of services) for (const i of ((s.status as any)?.loadBalancer?.ingress ?? []) as { ip?: string }[]) if (i.ip) out.add(i.ip);
  return out;
}

/** A listener whose port could not be bound on the Gateway's address is not Accepted: PortUnavailable. */
function withBindErrors(gw: KObject, want: Record<string, any>, bindErrors: ReadonlyMap<string, string>): Record<string, any> {
  const address = want.addresses?.[0]?.value;
  if (!address || !bindErrors.size) return want;
  const ports = new Map<string, number>(((gw.spec as any)?.listeners ?? []).map((l: any) => [l.name, l.port]));
  const gen = gw.metadata.generation;
  return {
    ...want,
    listeners: (want.listeners as any[]).map((l) => {
      const err = bindErrors.get(`${address}:${ports.get(l.name)}`);
      if (!err) return l;
      return {
        ...l,
        conditions: l.conditions.map((c: any) =>
          c.type === 'Accepted' ? { type: 'Accepted', status: 'False', reason: 'PortUnavailable', message: err, observedGeneration: gen }
            : c.type === 'Programmed' ? { type: 'Programmed', status: 'False', reason: 'Invalid', message: err, observedGeneration: gen } : c),
      };
    }),
  };
}

export async function startGatewayController(opts: GatewayControllerOptions): Promise<GatewayController> {
  const { store } = opts;
  const controllerName = opts.controllerName ?? KDP_CONTROLLER_NAME;
  const log = opts.log ?? ((level: string, msg: string) => console.error(`[${level}] gateway: ${msg}`));
  const now = opts.now ?? (() => new Date());
  const inf = {
    classes: new Informer(store, GATEWAY_GR.gatewayclasses),
    gateways: new Informer(store, GATEWAY_GR.gateways),
    routes: new Informer(store, GATEWAY_GR.httproutes),
    grants: new Informer(store, GATEWAY_GR.referencegrants),
    services: new Informer(store, GR.services),
    secrets: new Informer(store, GR.secrets),
    namespaces: new Informer(store, GR.namespaces),
    slices: new Informer(store, GR.endpointslices),
  };
  const endpoints = (ns: string, name: string, port: number): string[] => {
    const svc = inf.services.get(ns, name);
    const sp = ((svc?.spec as any)?.ports ?? []).find((p: any) => p.port === port);
    if (!sp) return [];
    const out: string[] = [];
    for (const slice of inf.slices.list(ns)) {
      if (slice.metadata.labels?.['kubernetes.io/service-name'] !== name) continue;
      if ((slice as any).addressType && (slice as any).addressType !== 'IPv4') continue; // kdp's pods are IPv4
      const p = (((slice as any).ports ?? []) as any[]).find((x) => (x.name ?? '') === (sp.name ?? ''));
      if (!p?.port) continue;
      for (const ep of ((slice as any).endpoints ?? []) as any[]) {
        if (ep.conditions?.ready === false || !ep.addresses?.[0]) continue;
        out.push(`${ep.addresses[0]}:${p.port}`);
      }
    }
    return out;
  };
  const proxy = new GatewayProxy({ endpoints, hostAddress: opts.hostAddress, rng: opts.rng, log });
  const status = new StatusWriter(store, log);
  const assigned = new Map<string, string>();
  let model: GatewayModel = { classStatus: new Map(), gatewayStatus: new Map(), routeParents: new Map(), ports: [] };
  let scheduled: NodeJS.Immediate | undefined;
  let running: Promise<void> | undefined;
  let again = false;
  let waiters: Array<() => void> = [];
  let stopped = false;

  const rebuild = async () => {
    scheduled = undefined;
    if (stopped) return;
    const classes = inf.classes.list();
    const ours = new Set(classes.filter((c) => (c.spec as any)?.controllerName === controllerName).map((c) => c.metadata.name));
    const gateways = inf.gateways.list().filter((g) => ours.has((g.spec as any)?.gatewayClassName) && !g.metadata.deletionTimestamp);
    const services = inf.services.list();
    const addresses = assignAddresses(gateways, opts.loadBalancerPool, lbAddresses(services), assigned);
    assigned.clear();
    for (const [k, a] of addresses) if (a.address) assigned.set(k, a.address);
    model = buildGatewayModel({
      controllerName, gatewayClasses: classes, gateways, httpRoutes: inf.routes.list(), referenceGrants: inf.grants.list(),
      services, secrets: inf.secrets.list(), namespaces: inf.namespaces.list(), addresses,
    });
    await proxy.apply(model.ports);
    const stampNow = now().toISOString().replace(/\.\d+Z$/, 'Z');
    let ok = true;
    for (const c of classes) {
      const want = model.classStatus.get(c.metadata.name);
      if (want) ok = status.gatewayClass(GATEWAY_GR.gatewayclasses, inf.classes.get(undefined, c.metadata.name) ?? c, want.conditions, want.supportedFeatures, stampNow) && ok;
    }
    for (const [key, want] of model.gatewayStatus) {
      const [ns, name] = key.split('/');
      const gw = inf.gateways.get(ns, name);
      if (gw) ok = status.gateway(GATEWAY_GR.gateways, gw, withBindErrors(gw, want, proxy.bindErrors), stampNow) && ok;
    }
    for (const r of inf.routes.list()) {
      const key = `${r.metadata.namespace}/${r.metadata.name}`;
      const want = model.routeParents.get(key) ?? [];
      const hasOurs = ((r.status as any)?.parents ?? []).some((p: any) => p.controllerName === controllerName);
      if (want.length || hasOurs) ok = status.route(GATEWAY_GR.httproutes, r, want, controllerName, stampNow) && ok;
    }
    if (!ok) again = true;
  };
  const run = () => {
    if (running) {
      again = true;
      return;
    }
    running = (async () => {
      do {
        again = false;
        try {
          await rebuild();
        } catch (err) {
          log('ERROR', `rebuild failed: ${(err as Error).stack ?? err}`);
        }
      } while (again && !stopped);
    })().finally(() => {
      running = undefined;
      if (!scheduled) {
        const w = waiters;
        waiters = [];
        for (const f of w) f();
      }
    });
  };
  const schedule = () => {
    if (!stopped && !scheduled) scheduled = setImmediate(run);
  };
  const onChange = { onAdd: schedule, onUpdate: schedule, onDelete: schedule };
  // Our own status writes come back as updates: a rebuild that finds nothing to write ends the loop.
  for (const [name, i] of Object.entries(inf)) {
    if (name !== 'slices') i.addHandlers(onChange);
    i.start();
  }
  schedule();
  await new Promise<void>((resolve) => waiters.push(resolve));

  return {
    synced: () => new Promise<void>((resolve) => (scheduled || running ? waiters.push(resolve) : resolve())),
    model: () => model,
    async stop() {
      if (stopped) return;
      stopped = true;
      if (scheduled) clearImmediate(scheduled);
      for (const i of Object.values(inf)) i.stop();
      await running;
      await proxy.close();
      for (const f of waiters) f();
    },
  };
}
