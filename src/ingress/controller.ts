// kdp's ingress-nginx controller: informers (Ingress, IngressClass, Service, EndpointSlice, Secret) →
// one immutable RouteTable, rebuilt on any change (bursts merged) and swapped into the proxy; TLS
// contexts by SNI; status.loadBalancer.ingress for served Ingresses; `Sync` Events as ingress-nginx
// records them. Broken paths/Secrets disable only themselves and are logged once.
import { recordEvent } from '../api/events.js';
import { Informer } from '../api/informer.js';
import type { ObjectStore } from '../api/store.js';
import { GR, type KObject } from '../api/types.js';
import { selfSignedCertificate } from './certificates.js';
import { classFilter, DEFAULT_CLASS_OPTIONS, type ClassOptions } from './ingress-class.js';
import { IngressProxy } from './proxy-server.js';
import { buildRouteTable, type RouteTable } from './route-table.js';
import { publishedAddresses, StatusWriter } from './status-writer.js';
import { TlsStore } from './tls-store.js';
import { UpstreamResolver } from './upstreams.js';

export interface IngressControllerOptions {
  store: ObjectStore;
  /** Listen address (the controller pod's IP). */
  address: string;
  httpPort?: number;
  httpsPort?: number;
  classes?: ClassOptions;
  /** `namespace/name` of the Service whose LoadBalancer address is published (--publish-service). */
  publishService?: string;
  /** Without publishService: the addresses written to status (ingress-nginx: the controller's nodes). */
  nodeAddresses?: string[];
  /** Where Events go: `nginx-ingress-controller` is ingress-nginx's component name. */
  eventSource?: { component: string; host?: string };
  log?: (level: string, msg: string) => void;
  now?: () => Date;
  /** Serve on raw sockets first, node:http for the rest (default true; see proxy-server.ts). */
  fastPath?: boolean;
}

export interface IngressController {
  /** Resolves once every change made before the call is in the served table. */
  synced(): Promise<void>;
  table(): RouteTable;
  stop(graceMs?: number): Promise<void>;
}

export const FAKE_CERTIFICATE = { commonName: 'Kubernetes Ingress Controller Fake Certificate', organization: 'Acme Co', dnsNames: ['ingress.local'] };

export async function startIngressController(opts: IngressControllerOptions): Promise<IngressController> {
  const { store } = opts;
  const log = opts.log ?? ((level: string, msg: string) => console.error(`[${level}] ingress: ${msg}`));
  const now = opts.now ?? (() => new Date());
  const classes = opts.classes ?? DEFAULT_CLASS_OPTIONS;
  const source = opts.eventSource ?? { component: 'nginx-ingress-controller' };
  const inf = {
    ingresses: new Informer(store, GR.ingresses),
    classes: new Informer(store, GR.ingressclasses),
    services: new Informer(store, GR.services),
    slices: new Informer(store, GR.endpointslices),
    secrets: new Informer(store, GR.secrets),
  };
  const tls = new TlsStore(await selfSignedCertificate(FAKE_CERTIFICATE));
  const status = new StatusWriter(store, log);
  const reported = new Set<string>();
  const synced = new Map<string, string>();
  let table = buildRouteTable([], new UpstreamResolver([], []));
  const proxy = new IngressProxy(table, tls, { fastPath: opts.fastPath });
  let scheduled: NodeJS.Immediate | undefined;
  let waiters: Array<() => void> = [];
  let stopped = false;

  const report = (lines: string[]) => {
    for (const l of lines) if (!reported.has(l)) log('WARN', l);
    reported.clear();
    for (const l of lines) reported.add(l);
  };

  const rebuild = () => {
    scheduled = undefined;
    if (stopped) return;
    const all = inf.ingresses.list();
    const isOurs = classFilter(inf.classes.list(), classes);
    const served = all.filter((i) => !i.metadata.deletionTimestamp && isOurs(i));
    table = buildRouteTable(served, new UpstreamResolver(inf.services.list(), inf.slices.list()));
    const { problems } = tls.update(table, (ns, name) => inf.secrets.get(ns, name));
    proxy.setTable(table);
    report([...table.problems, ...problems]);
    for (const ing of served) {
      const key = `${ing.metadata.namespace}/${ing.metadata.name}`;
      const gen = String(ing.metadata.generation ?? ing.metadata.uid);
      if (synced.get(key) !== gen) {
        synced.set(key, gen);
        recordEvent(store, source, ing, 'Normal', 'Sync', 'Scheduled for sync', now());
      }
    }
    const [pns, pname] = opts.publishService?.split('/') ?? [];
    const publish = opts.publishService ? inf.services.get(pns, pname) : undefined;
    const addresses = opts.publishService ? (publish ? publishedAddresses(publish, []) : []) : publishedAddresses(undefined, opts.nodeAddresses ?? []);
    status.sync(served, all, addresses);
    const w = waiters;
    waiters = [];
    for (const f of w) f();
  };
  const schedule = () => {
    if (!stopped && !scheduled) scheduled = setImmediate(rebuild);
  };
  const onChange = { onAdd: schedule, onUpdate: schedule, onDelete: schedule };
  const onSecret = {
    onAdd: (s: KObject) => {
      if (s.type === 'kubernetes.io/tls' || s.data?.['tls.crt']) schedule();
    },
    onUpdate: (s: KObject) => onSecret.onAdd(s),
    onDelete: (s: KObject) => onSecret.onAdd(s),
  };
  inf.classes.addHandlers(onChange).start();
  inf.services.addHandlers(onChange).start();
  inf.slices.addHandlers(onChange).start();
  inf.secrets.addHandlers(onSecret).start();
  inf.ingresses.addHandlers(onChange).start();
  rebuild();
  await proxy.listen({ address: opts.address, httpPort: opts.httpPort ?? 80, httpsPort: opts.httpsPort ?? 443 });

  return {
    synced: () => new Promise<void>((resolve) => (scheduled ? waiters.push(resolve) : resolve())),
    table: () => table,
    async stop(graceMs = 1000) {
      if (stopped) return;
      stopped = true;
      if (scheduled) clearImmediate(scheduled);
      for (const i of Object.values(inf)) i.stop();
      await proxy.close(graceMs);
      for (const f of waiters) f();
    },
  };
}
