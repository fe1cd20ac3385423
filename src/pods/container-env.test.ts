import { describe, expect, it } from 'vitest';
import type { KObject } from '../api/types.js';
import { ContainerConfigError, DEFAULT_PATH, containerArgv, containerEnv, expandVars } from './container-env.js';
import { serviceLinkEnv, ServiceLinks } from './service-links.js';

function svc(name: string, namespace: string, clusterIP: string, ports: object[]): KObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace }, spec: { clusterIP, ports } };
}

const services = [
  svc('kubernetes', 'default', '127.96.0.1', [{ name: 'https', port: 443, protocol: 'TCP' }]),
  svc('nginx', 'web', '127.96.4.7', [{ port: 80 }]),
  svc('my-db', 'web', '127.96.4.8', [{ name: 'pg', port: 5432 }, { name: 'metrics', port: 9187, protocol: 'UDP' }]),
  svc('headless', 'web', 'None', [{ port: 80 }]),
  svc('elsewhere', 'other', '127.96.4.9', [{ port: 80 }]),
];

function linksOf(list: KObject[]): ServiceLinks {
  const links = new ServiceLinks();
  for (const s of list) links.upsert(s);
  return links;
}

function input(container: object, spec: object = {}, serviceLinks = linksOf(services)) {
  const pod: KObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'app-1', namespace: 'web', uid: 'u-1', labels: { app: 'x' } }, spec: { nodeName: 'kdp-worker', containers: [container], ...spec } };
  const cms: Record<string, KObject> = { 'web/cfg': { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg' }, data: { MODE: 'fast', LEVEL: '3' } } };
  const secrets: Record<string, KObject> = { 'web/s': { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { token: Buffer.from('t0k').toString('base64') } } };
  return {
    pod,
    container,
    podIP: '127.77.1.9',
    hostIP: '127.77.0.2',
    serviceLinks,
    configMap: (ns: string, n: string) => cms[`${ns}/${n}`],
    secret: (ns: string, n: string) => secrets[`${ns}/${n}`],
    path: '/usr/bin:/bin',
  };
}

describe('serviceLinkEnv', () => {
  it('writes docker-link variables for every port', () => {
    const env = Object.fromEntries(serviceLinkEnv([services[1], services[2]]));
    expect(env).toMatchObject({
      NGINX_SERVICE_HOST: '127.96.4.7',
      NGINX_SERVICE_PORT: '80',
      NGINX_PORT: 'tcp://127.96.4.7:80',
      NGINX_PORT_80_TCP: 'tcp://127.96.4.7:80',
      NGINX_PORT_80_TCP_PROTO: 'tcp',
      NGINX_PORT_80_TCP_PORT: '80',
      NGINX_PORT_80_TCP_ADDR: '127.96.4.7',
      MY_DB_SERVICE_PORT_PG: '5432',
      MY_DB_PORT_9187_UDP: 'udp://127.96.4.8:9187',
    });
  });
});

describe('containerEnv', () => {
  it("gives an image's default PATH and the user's HOME, never kdp's own environment", () => {
    const { path: _path, ...rest } = input({ name: 'c' });
    const env = containerEnv(rest);
    expect(env.get('PATH')).toBe(DEFAULT_PATH);
    expect(env.get('PATH')).toBe('/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin');
    expect(env.get('HOME')).toBe('/tmp');
    expect(containerEnv({ ...rest, home: '/root' }).get('HOME')).toBe('/root');
    const names = [...env.keys()].filter((k) => !/_(SERVICE|PORT)/.test(k) && !/^(KUBERNETES|NGINX|MY_DB)_PORT$/.test(k));
    expect(names.sort()).toEqual(['HOME', 'HOSTNAME', 'HOST', 'PATH', 'POD_IP'].sort());
    const own = containerEnv({ ...rest, container: { name: 'c', env: [{ name: 'PATH', value: '/opt/bin' }, { name: 'HOME', value: '/home/app' }] } });
    expect([own.get('PATH'), own.get('HOME')]).toEqual(['/opt/bin', '/home/app']);
  });

  it('has kdp basics, links for its namespace and kubernetes, and field refs', () => {
    const env = containerEnv(input({ name: 'c', ports: [{ containerPort: 8080 }], env: [{ name: 'MY_POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }, { name: 'MY_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } }, { name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }, { name: 'APP', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } }] }));
    expect(env.get('POD_IP')).toBe('127.77.1.9');
    expect(env.get('HOST')).toBe('127.77.1.9');
    expect(env.get('PORT')).toBe('8080');
    expect(env.get('HOSTNAME')).toBe('app-1');
    expect(env.get('PATH')).toBe('/usr/bin:/bin');
    expect(env.get('KUBERNETES_SERVICE_HOST')).toBe('127.96.0.1');
    expect(env.get('KUBERNETES_SERVICE_PORT_HTTPS')).toBe('443');
    expect(env.get('NGINX_SERVICE_HOST')).toBe('127.96.4.7');
    expect(env.has('HEADLESS_SERVICE_HOST')).toBe(false);
    expect(env.has('ELSEWHERE_SERVICE_HOST')).toBe(false);
    expect([env.get('MY_POD'), env.get('MY_IP'), env.get('NODE'), env.get('APP')]).toEqual(['app-1', '127.77.1.9', 'kdp-worker', 'x']);
  });

  it('keeps only the kubernetes service when enableServiceLinks is false', () => {
    const env = containerEnv(input({ name: 'c' }, { enableServiceLinks: false }));
    expect(env.get('KUBERNETES_SERVICE_HOST')).toBe('127.96.0.1');
    expect(env.has('NGINX_SERVICE_HOST')).toBe(false);
  });

  it('reads ConfigMaps and Secrets, and expands $(VAR)', () => {
    const env = containerEnv(input({ name: 'c', envFrom: [{ configMapRef: { name: 'cfg' }, prefix: 'CFG_' }], env: [{ name: 'TOKEN', valueFrom: { secretKeyRef: { name: 's', key: 'token' } } }, { name: 'URL', value: 'http://$(NGINX_SERVICE_HOST)/$(CFG_MODE)/$(NOPE)' }] }));
    expect(env.get('CFG_MODE')).toBe('fast');
    expect(env.get('TOKEN')).toBe('t0k');
    expect(env.get('URL')).toBe('http://127.96.4.7/fast/$(NOPE)');
  });

  it('fails like CreateContainerConfigError for a missing ConfigMap or key', () => {
    expect(() => containerEnv(input({ name: 'c', envFrom: [{ configMapRef: { name: 'nope' } }] }))).toThrow(new ContainerConfigError('configmap "nope" not found'));
    expect(() => containerEnv(input({ name: 'c', env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'K' } } }] }))).toThrow("couldn't find key K in ConfigMap web/cfg");
    expect(containerEnv(input({ name: 'c', env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 'nope', key: 'k', optional: true } } }] })).has('X')).toBe(false);
  });
});

describe('expansion', () => {
  it('expands command and args, honouring $$ escapes', () => {
    const env = new Map([['MSG', 'hi']]);
    expect(expandVars('$(MSG) $$(MSG) $(X)', env)).toBe('hi $(MSG) $(X)');
    expect(containerArgv({ command: ['sh', '-c'], args: ['echo $(MSG)'] }, env)).toEqual(['sh', '-c', 'echo hi']);
  });
});

/** The environment the kubelet's way: one Map, basics, then every link, then envFrom/env, in order. */
function referenceEnv(links: KObject[], sets: [string, string][]): Map<string, string> {
  const env = new Map<string, string>([['PATH', '/usr/bin:/bin'], ['HOSTNAME', 'app-1'], ['HOME', '/tmp'], ['POD_IP', '127.77.1.9'], ['HOST', '127.77.1.9']]);
  for (const [k, v] of serviceLinkEnv(links)) env.set(k, v);
  for (const [k, v] of sets) env.set(k, v);
  return env;
}

describe('containerEnv with shared service links', () => {
  it('reads, orders and sizes exactly like one Map filled in the same order', () => {
    const sets: [string, string][] = [['NGINX_SERVICE_HOST', 'overridden'], ['PATH', '/opt/bin'], ['EXTRA', '1'], ['MY_DB_PORT', 'mine']];
    const env = containerEnv(input({ name: 'c', env: sets.map(([name, value]) => ({ name, value })) }));
    const want = referenceEnv([services[0], ...services.slice(1, 4)], sets);
    expect([...env]).toEqual([...want]);
    expect(env.size).toBe(want.size);
    expect(Object.fromEntries(env)).toEqual(Object.fromEntries(want));
    for (const k of [...want.keys(), 'NOPE', 'NOPE_PORT', 'ELSEWHERE_SERVICE_HOST']) {
      expect(env.get(k)).toBe(want.get(k));
      expect(env.has(k)).toBe(want.has(k));
    }
  });

  it('gives a container the Services as they are when it starts: added, changed, removed', () => {
    const links = linksOf(services);
    const first = containerEnv(input({ name: 'c' }, {}, links));
    links.upsert(svc('late', 'web', '127.96.4.10', [{ port: 8080 }]));
    links.upsert(svc('nginx', 'web', '127.96.4.77', [{ port: 80 }]));
    const second = containerEnv(input({ name: 'c' }, {}, links));
    links.remove(services[2]);
    const third = containerEnv(input({ name: 'c' }, {}, links));

    expect(first.has('LATE_SERVICE_HOST')).toBe(false);
    expect(first.get('NGINX_SERVICE_HOST')).toBe('127.96.4.7');
    expect(second.get('LATE_SERVICE_HOST')).toBe('127.96.4.10');
    expect(second.get('NGINX_PORT_80_TCP_ADDR')).toBe('127.96.4.77');
    expect(second.get('MY_DB_SERVICE_HOST')).toBe('127.96.4.8');
    expect(third.has('MY_DB_SERVICE_HOST')).toBe(false);
    expect(third.get('LATE_SERVICE_HOST')).toBe('127.96.4.10');
    expect([...third]).toEqual([...referenceEnv([services[0], svc('late', 'web', '127.96.4.10', [{ port: 8080 }]), svc('nginx', 'web', '127.96.4.77', [{ port: 80 }]), services[3]], [])]);
  });

  it('honours enableServiceLinks: false whatever the namespace holds', () => {
    const links = linksOf(services);
    links.upsert(svc('late', 'web', '127.96.4.10', [{ port: 8080 }]));
    const env = containerEnv(input({ name: 'c' }, { enableServiceLinks: false }, links));
    expect([...env]).toEqual([...referenceEnv([services[0]], [])]);
  });
});
