import { describe, expect, it } from 'vitest';
import type { KObject } from '../api/types.js';
import { ContainerConfigError, containerArgv, containerEnv, expandVars, serviceLinkEnv } from './container-env.js';

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

function input(container: object, spec: object = {}) {
  const pod: KObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'app-1', namespace: 'web', uid: 'u-1', labels: { app: 'x' } }, spec: { nodeName: 'kdp-worker', containers: [container], ...spec } };
  const cms: Record<string, KObject> = { 'web/cfg': { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg' }, data: { MODE: 'fast', LEVEL: '3' } } };
  const secrets: Record<string, KObject> = { 'web/s': { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { token: Buffer.from('t0k').toString('base64') } } };
  return {
    pod,
    container,
    podIP: '127.77.1.9',
    hostIP: '127.77.0.2',
    services,
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
