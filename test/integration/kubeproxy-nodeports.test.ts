// kube-proxy's NodePort, LoadBalancer and traffic-policy frontends over real loopback sockets,
// driven through a bare ObjectStore. Nodes on 127.78.0.x, backends on 127.78.1.x, VIPs 127.78.100.x,
// hostAddress 127.78.200.1, LB IP 127.78.201.1; random high ports.
import http from 'node:http';
import net from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { InformerFactory } from '../../src/api/informer.js';
import { ObjectStore } from '../../src/api/store.js';
import { GR, type KObject } from '../../src/api/types.js';
import { startKubeProxy, type KubeProxy } from '../../src/kubeproxy/index.js';
import { getOnce, nodeObject } from '../support/proxy-clients.js';

const PORT = 20000 + Math.floor(Math.random() * 20000);
const BACKEND_PORT = PORT + 1;
const NODE_PORT = PORT + 2;
const HOST = '127.78.200.1';

const node = nodeObject;

function service(name: string, spec: Record<string, unknown>, status?: Record<string, unknown>): KObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' }, spec: { clusterIP: '127.78.100.1', clusterIPs: ['127.78.100.1'], ...spec }, ...(status ? { status } : {}) };
}

function slice(svc: string, eps: { ip: string; node: string }[]): KObject {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: `${svc}-abcde`, namespace: 'default', labels: { 'kubernetes.io/service-name': svc } },
    addressType: 'IPv4',
    ports: [{ name: '', port: BACKEND_PORT, protocol: 'TCP' }],
    endpoints: eps.map((e) => ({ addresses: [e.ip], nodeName: e.node, conditions: { ready: true, serving: true, terminating: false } })),
  };
}

/** One request on a fresh connection; resolves with the body (the backend's IP). */
const get = getOnce;

/** 'refused', 'dropped' (connected, nothing came back within waitMs, no reset) or 'answered'. */
function probe(ip: string, port: number, waitMs = 300): Promise<'refused' | 'dropped' | 'answered' | 'reset'> {
  return new Promise((resolve) => {
    const s = net.connect({ host: ip, port });
    let timer: NodeJS.Timeout | undefined;
    s.on('connect', () => {
      s.write('GET / HTTP/1.0\r\n\r\n');
      timer = setTimeout(() => {
        s.destroy();
        resolve('dropped');
      }, waitMs);
    });
    s.on('data', () => {
      clearTimeout(timer);
      s.destroy();
      resolve('answered');
    });
    s.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve(err.code === 'ECONNREFUSED' ? 'refused' : 'reset');
    });
  });
}

describe('kube-proxy NodePort / LoadBalancer / traffic policies', () => {
  let store: ObjectStore;
  let informers: InformerFactory;
  let proxy: KubeProxy;
  const backends: http.Server[] = [];

  beforeAll(async () => {
    for (const ip of ['127.78.1.2', '127.78.2.2']) {
      const srv = http.createServer((_q, r) => r.end(ip));
      await new Promise<void>((r) => srv.listen(BACKEND_PORT, ip, () => r()));
      backends.push(srv);
    }
  });
  afterAll(async () => {
    await Promise.all(backends.map((s) => new Promise((r) => s.close(r))));
  });
  beforeEach(async () => {
    store = new ObjectStore();
    store.create(GR.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } });
    store.create(GR.nodes, node('cp', '127.78.0.2', '127.78.1.0/24'));
    store.create(GR.nodes, node('worker', '127.78.0.3', '127.78.2.0/24'));
    informers = new InformerFactory(store);
    proxy = await startKubeProxy({ informers, store, hostAddress: HOST, log: () => undefined, retryMs: 50 });
  });
  afterEach(async () => {
    await proxy.stop();
    informers.stop();
  });

  it('serves a NodePort on every node IP and hostAddress, following Nodes added and removed', async () => {
    store.create(GR.services, service('web', { type: 'NodePort', ports: [{ port: PORT, nodePort: NODE_PORT }] }));
    store.create(GR.endpointslices, slice('web', [{ ip: '127.78.1.2', node: 'cp' }]));
    await proxy.synced();
    expect(proxy.listening()).toEqual([`127.78.0.2:${NODE_PORT}/TCP`, `127.78.0.3:${NODE_PORT}/TCP`, `127.78.100.1:${PORT}/TCP`, `${HOST}:${NODE_PORT}/TCP`]);
    for (const ip of ['127.78.0.2', '127.78.0.3', HOST]) expect(await get(ip, NODE_PORT)).toBe('127.78.1.2');
    store.create(GR.nodes, node('extra', '127.78.0.9', '127.78.9.0/24'));
    await proxy.synced();
    expect(await get('127.78.0.9', NODE_PORT)).toBe('127.78.1.2');
    store.delete(GR.nodes, undefined, 'extra');
    await proxy.synced();
    expect(await probe('127.78.0.9', NODE_PORT)).toBe('refused');
  });

  it('externalTrafficPolicy Local drops on a node without a local endpoint; LB IP and hostAddress reach it', async () => {
    store.create(GR.services, service('lb', { type: 'LoadBalancer', externalTrafficPolicy: 'Local', ports: [{ port: PORT, nodePort: NODE_PORT }] }, { loadBalancer: { ingress: [{ ip: '127.78.201.1' }] } }));
    store.create(GR.endpointslices, slice('lb', [{ ip: '127.78.2.2', node: 'worker' }]));
    await proxy.synced();
    expect(await get('127.78.0.3', NODE_PORT)).toBe('127.78.2.2');
    expect(await probe('127.78.0.2', NODE_PORT)).toBe('dropped');
    expect(await get('127.78.201.1', PORT)).toBe('127.78.2.2');
    expect(await get(HOST, PORT)).toBe('127.78.2.2');
    expect(await get(HOST, NODE_PORT)).toBe('127.78.2.2');
    expect(await get('127.78.100.1', PORT)).toBe('127.78.2.2'); // ClusterIP: Cluster policy
  });

  it('internalTrafficPolicy Local picks the endpoints of the client node', async () => {
    store.create(GR.services, service('itp', { internalTrafficPolicy: 'Local', ports: [{ port: PORT }] }));
    store.create(GR.endpointslices, slice('itp', [{ ip: '127.78.2.2', node: 'worker' }]));
    await proxy.synced();
    const from = (localAddress: string) =>
      new Promise<string>((resolve, reject) => {
        http.get({ host: '127.78.100.1', port: PORT, agent: false, localAddress }, (res) => {
          let b = '';
          res.on('data', (c) => (b += c));
          res.on('end', () => resolve(b));
        }).on('error', reject);
      });
    expect(await from('127.78.0.3')).toBe('127.78.2.2'); // the worker's node IP
    expect(await from('127.78.2.77')).toBe('127.78.2.2'); // an address in the worker's pod CIDR
    expect(await probe('127.78.100.1', PORT)).toBe('dropped'); // 127.0.0.1 counts as the first node (cp)
  });
});
