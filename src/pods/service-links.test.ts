import { describe, expect, it } from 'vitest';
import type { KObject } from '../api/types.js';
import { mayBeServiceLink, serviceLinkEnv, serviceLinkPairs, ServiceLinks } from './service-links.js';

function svc(name: string, namespace: string, clusterIP: string, ports: object[], status: object = {}): KObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace }, spec: { clusterIP, ports }, status };
}

const kubernetes = svc('kubernetes', 'default', '127.96.0.1', [{ name: 'https', port: 443 }]);

/**
 * What a container of `ns` saw before the sets were shared: one Map from the namespace's Services
 * with default/kubernetes appended, sorted (stably) by name.
 */
function reference(list: KObject[], ns: string): [string, string][] {
  const visible = list.filter((s) => s.metadata.namespace === ns);
  if (ns !== 'default') visible.push(...list.filter((s) => s.metadata.namespace === 'default' && s.metadata.name === 'kubernetes'));
  return [...new Map(serviceLinkEnv(visible))];
}

function linksOf(list: KObject[]): ServiceLinks {
  const links = new ServiceLinks();
  for (const s of list) links.upsert(s);
  return links;
}

describe('serviceLinkPairs', () => {
  it('makes only keys that mayBeServiceLink admits', () => {
    const keys = serviceLinkPairs(svc('my-db', 'web', '127.96.4.8', [{ name: 'pg-main', port: 5432 }, { name: 'dns', port: 53, protocol: 'UDP' }, { port: 9187, protocol: 'SCTP' }])).map(([k]) => k);
    expect(keys.length).toBe(2 + 2 + 1 + 3 * 4);
    for (const k of keys) expect(mayBeServiceLink(k), k).toBe(true);
    for (const k of ['PATH', 'HOSTNAME', 'HOME', 'POD_IP', 'HOST', 'PORT']) expect(mayBeServiceLink(k)).toBe(false);
  });

  it('makes nothing for headless Services and Services without ports', () => {
    expect(serviceLinkPairs(svc('h', 'web', 'None', [{ port: 80 }]))).toEqual([]);
    expect(serviceLinkPairs(svc('e', 'web', '127.96.4.9', []))).toEqual([]);
  });
});

describe('ServiceLinks', () => {
  it('orders a namespace\'s variables by Service name, default/kubernetes among them, later duplicates winning', () => {
    // `a` and `a-port-80-tcp` both make A_PORT_80_TCP_PORT (`a-port-80-tcp`, later by name, wins);
    // the namespace has its own `kubernetes` too.
    const list = [kubernetes, svc('z', 'web', '127.96.4.3', [{ port: 80 }]), svc('kubernetes', 'web', '127.96.4.4', [{ port: 81 }]),
      svc('a-port-80-tcp', 'web', '127.96.4.5', [{ port: 82 }]), svc('a', 'web', '127.96.4.6', [{ port: 80 }]), svc('other', 'elsewhere', '127.96.4.7', [{ port: 80 }])];
    const links = linksOf(list);
    expect([...links.forNamespace('web')]).toEqual(reference(list, 'web'));
    expect(links.forNamespace('web').get('A_PORT_80_TCP_PORT')).toBe('tcp://127.96.4.5:82');
    // default/kubernetes comes after the namespace's own `kubernetes`: its values win.
    expect(links.forNamespace('web').get('KUBERNETES_SERVICE_HOST')).toBe('127.96.0.1');
    expect(links.forNamespace('web').get('KUBERNETES_PORT_81_TCP_ADDR')).toBe('127.96.4.4');
    expect(links.forNamespace('web').size).toBe(reference(list, 'web').length);
    expect([...links.forNamespace('default')]).toEqual(reference(list, 'default'));
    expect([...links.forNamespace('empty')]).toEqual(reference(list, 'empty'));
    expect([...links.kubernetesOnly()]).toEqual([...new Map(serviceLinkPairs(kubernetes))]);
  });

  it('keeps a namespace\'s set until one of its Services changes its variables', () => {
    const links = linksOf([kubernetes, svc('web', 'a', '127.96.4.1', [{ port: 80 }]), svc('web', 'b', '127.96.4.2', [{ port: 80 }])]);
    const a = links.forNamespace('a');
    const b = links.forNamespace('b');
    expect(links.forNamespace('a')).toBe(a);
    // A status-only change (a load balancer IP) and a change in another namespace leave it.
    links.upsert(svc('web', 'a', '127.96.4.1', [{ port: 80 }], { loadBalancer: { ingress: [{ ip: '127.233.0.1' }] } }));
    links.upsert(svc('api', 'b', '127.96.4.3', [{ port: 80 }]));
    expect(links.forNamespace('a')).toBe(a);
    expect(links.forNamespace('b')).not.toBe(b);
    expect(links.forNamespace('b').get('API_SERVICE_HOST')).toBe('127.96.4.3');
    expect(b.has('API_SERVICE_HOST')).toBe(false);
    // A new port makes a new set; the old one stays as it was for the containers that have it.
    links.upsert(svc('web', 'a', '127.96.4.1', [{ port: 80 }, { name: 'm', port: 9090 }]));
    expect(links.forNamespace('a').get('WEB_SERVICE_PORT_M')).toBe('9090');
    expect(a.has('WEB_SERVICE_PORT_M')).toBe(false);
  });

  it('gives every namespace the new default/kubernetes when it changes, and forgets removed Services', () => {
    const links = linksOf([kubernetes, svc('web', 'a', '127.96.4.1', [{ port: 80 }])]);
    const a = links.forNamespace('a');
    const only = links.kubernetesOnly();
    links.upsert(svc('kubernetes', 'default', '127.96.0.2', [{ name: 'https', port: 443 }]));
    expect(links.forNamespace('a').get('KUBERNETES_SERVICE_HOST')).toBe('127.96.0.2');
    expect(links.kubernetesOnly().get('KUBERNETES_SERVICE_HOST')).toBe('127.96.0.2');
    expect(a.get('KUBERNETES_SERVICE_HOST')).toBe('127.96.0.1');
    expect(only.get('KUBERNETES_SERVICE_HOST')).toBe('127.96.0.1');
    links.remove(svc('web', 'a', '127.96.4.1', [{ port: 80 }]));
    expect(links.forNamespace('a').has('WEB_SERVICE_HOST')).toBe(false);
    expect(links.forNamespace('a').get('KUBERNETES_SERVICE_HOST')).toBe('127.96.0.2');
  });
});
