// The echo images over real sockets: each reports the pod (name, namespace, node, IP) and the
// request, on its usual default port or the one its args name.
import { execFile } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/api/config.js';
import { InformerFactory } from '../../src/api/informer.js';
import { ObjectStore } from '../../src/api/store.js';
import { GR, type KObject } from '../../src/api/types.js';
import { startPodRuntime, type PodRuntime } from '../../src/pods/index.js';
import { until } from '../support/eventually.js';

const run = promisify(execFile);
const NODE = 'kdp-images-test';

describe('built-in echo images', () => {
  let stateDir: string;
  let store: ObjectStore;
  let informers: InformerFactory;
  let runtime: PodRuntime;

  const pod = (name: string) => store.tryGet(GR.pods, 'echo', name);
  async function runPod(name: string, container: object): Promise<KObject> {
    store.create(GR.pods, { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'echo' }, spec: { nodeName: NODE, containers: [{ name: 'c', ...container }] } });
    return until(() => {
      const p = pod(name);
      return p?.status?.containerStatuses?.[0]?.ready && p;
    }, `${name} ready`);
  }
  const curl = async (...args: string[]) => (await run('curl', ['-s', '--max-time', '5', ...args])).stdout;

  beforeAll(async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'kdp-images-'));
    store = new ObjectStore();
    store.create(GR.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'echo' } });
    store.create(GR.nodes, { apiVersion: 'v1', kind: 'Node', metadata: { name: NODE }, spec: { podCIDR: '127.77.69.0/24' }, status: { addresses: [{ type: 'InternalIP', address: '127.77.60.9' }] } });
    informers = new InformerFactory(store);
    runtime = await startPodRuntime({ store, informers, config: defaultConfig({ stateDir, upstreamDns: [], dnsAddress: '127.77.60.10' }) });
  });

  afterAll(async () => {
    await runtime?.stop();
    informers?.stop();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('hashicorp/http-echo answers -text on 5678 or -listen', async () => {
    const a = await runPod('he', { image: 'hashicorp/http-echo:1.0', args: ['-text=hello from he'] });
    expect(await curl(`http://${a.status.podIP}:5678/anything`)).toBe('hello from he\n');
    const b = await runPod('he2', { image: 'hashicorp/http-echo', args: ['-listen=:9090', '-text', 'two'] });
    expect(await curl(`http://${b.status.podIP}:9090/`)).toBe('two\n');
  });

  it('agnhost netexec serves /hostname, /echo, /clientip on 8080 and UDP on 8081', async () => {
    const p = await runPod('agn', { image: 'registry.k8s.io/e2e-test-images/agnhost:2.47', args: ['netexec', '--http-port=8080'] });
    const ip = p.status.podIP;
    expect(await curl(`http://${ip}:8080/hostname`)).toBe('agn');
    expect(await curl(`http://${ip}:8080/echo?msg=ping`)).toBe('ping');
    expect(await curl(`http://${ip}:8080/clientip`)).toMatch(/^127\.0\.0\.1:\d+$/);
    const sock = createSocket('udp4');
    try {
      const reply = await new Promise<string>((resolve) => {
        sock.on('message', (m) => resolve(m.toString()));
        sock.send('hostname', 8081, ip);
      });
      expect(reply).toBe('agn');
    } finally {
      sock.close();
    }
  });

  it('registry.k8s.io/echoserver prints pod information and the request', async () => {
    const p = await runPod('es', { image: 'registry.k8s.io/echoserver:1.10' });
    const out = await curl('-H', 'X-Test: yes', `http://${p.status.podIP}:8080/path?q=1`);
    expect(out).toContain('Hostname: es\n');
    expect(out).toContain(`\tnode name:\t${NODE}\n\tpod name:\tes\n\tpod namespace:\techo\n\tpod IP:\t${p.status.podIP}\n`);
    expect(out).toContain('\tmethod=GET\n\treal path=/path\n\tquery=q=1\n');
    expect(out).toContain('\tx-test=yes\n');
  });

  it('ealen/echo-server answers JSON with the request and the pod', async () => {
    const p = await runPod('ealen', { image: 'ealen/echo-server:0.9.2' });
    const out = JSON.parse(await curl(`http://${p.status.podIP}/x?y=1`));
    expect(out.host.hostname).toBe('ealen');
    expect(out.http).toMatchObject({ method: 'GET', originalUrl: '/x?y=1' });
    expect(out.request.query).toEqual({ y: '1' });
    expect(out.environment).toMatchObject({ POD_NAME: 'ealen', POD_NAMESPACE: 'echo', NODE_NAME: NODE, POD_IP: p.status.podIP });
  });

  it('a second built-in on a taken port fails like the real server and is retried', async () => {
    const p = await runPod('twoports', { image: 'nginx', ports: [{ containerPort: 8080 }] });
    expect(await curl('-o', '/dev/null', '-w', '%{http_code}', `http://${p.status.podIP}:8080/`)).toBe('200');
    store.create(GR.pods, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'clash', namespace: 'echo' }, spec: { nodeName: NODE, hostNetwork: true, containers: [{ name: 'a', image: 'nginx', ports: [{ containerPort: 18080 }] }, { name: 'b', image: 'traefik/whoami', args: ['--port', '18080'] }] } });
    const failed = await until(() => pod('clash')?.status?.containerStatuses?.find((c: { name: string; lastState: { terminated?: object } }) => c.name === 'b' && c.lastState.terminated), 'b failed');
    expect(failed.lastState.terminated).toMatchObject({ exitCode: 1, reason: 'Error', message: 'listen tcp 127.77.60.9:18080: bind: address already in use' });
    expect(pod('clash')!.status.podIP).toBe('127.77.60.9');
  });
});
