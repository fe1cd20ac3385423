// Printers for discovery.k8s.io EndpointSlices and networking.k8s.io Ingresses / IngressClasses.
import type { KObject } from '../types.js';
import { translateTimestampSince } from './duration.js';
import { loadBalancerIngress } from './format.js';
import { AGE_COLUMN, col, NAME_COLUMN, type Printer } from './table-types.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
const age = (o: KObject, now: Date) => translateTimestampSince(o.metadata.creationTimestamp, now);

/** At most 3 items then `+ N more...`; `<unset>` when there is none (listWithMoreString). */
function listOrUnset(list: string[], max = 3): string {
  const shown = list.slice(0, max).join(',');
  if (list.length > max) return `${shown} + ${list.length - max} more...`;
  return shown || '<unset>';
}

export const endpointSlicePrinter: Printer = {
  columns: [
    NAME_COLUMN,
    col('AddressType', 'The IP protocol for this slice'),
    col('Ports', 'The numbers of the ports included in this slice'),
    col('Endpoints', 'The addresses included in this slice'),
    AGE_COLUMN,
  ],
  cells(es, now) {
    const ports = (es.ports ?? []).map((p: any) => (typeof p.port === 'number' ? String(p.port) : p.name ?? '*'));
    const addrs = (es.endpoints ?? []).flatMap((e: any) => e.addresses ?? []);
    return [es.metadata.name, es.addressType ?? '', listOrUnset(ports), listOrUnset(addrs), age(es, now)];
  },
};

function ingressHosts(rules: any[] | undefined): string {
  const list = rules ?? [];
  const hosts: string[] = [];
  let more = false;
  for (const r of list) {
    if (hosts.length === 3) more = true;
    if (!more && r.host) hosts.push(r.host);
  }
  if (!hosts.length) return '*';
  return more ? `${hosts.join(',')} + ${list.length - 3} more...` : hosts.join(',');
}

export const ingressPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    col('Class', 'The name of the IngressClass resource that should be used for this Ingress.'),
    col('Hosts', 'Hosts that incoming requests are matched against before the ingress rule'),
    col('Address', 'Address is a list containing ingress points for the load-balancer'),
    col('Ports', 'Ports of TLS configurations that open'),
    AGE_COLUMN,
  ],
  cells(ing, now) {
    const spec = ing.spec ?? {};
    return [
      ing.metadata.name, spec.ingressClassName ?? '<none>', ingressHosts(spec.rules), loadBalancerIngress(ing.status?.loadBalancer),
      (spec.tls ?? []).length ? '80, 443' : '80', age(ing, now),
    ];
  },
};

export const ingressClassPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    col('Controller', 'Controller that is responsible for handling this class'),
    col('Parameters', 'A reference to a resource with additional parameters'),
    AGE_COLUMN,
  ],
  cells(ic, now) {
    const p = ic.spec?.parameters;
    const params = p ? `${p.kind}${p.apiGroup ? `.${p.apiGroup}` : ''}/${p.name}` : '<none>';
    return [ic.metadata.name, ic.spec?.controller ?? '', params, age(ic, now)];
  },
};
