// Drives the controllers through a bare object store, as `kdp up` wires them: a Deployment becomes a
// ReplicaSet and scheduled pods, a Service gets its EndpointSlice and Endpoints, and deletions,
// scaling, a rolling update and the Deployment's deletion play out as in Kubernetes. A fake kubelet
// (this test) plays the pod runtime: it gives scheduled pods an IP and marks them Running + Ready.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/api/config.js';
import { InformerFactory } from '../../src/api/informer.js';
import { ObjectStore } from '../../src/api/store.js';
import { GR, type KObject } from '../../src/api/types.js';
import { registerStrategies } from '../../src/api/strategies/index.js';
import { startControllers } from '../../src/controllers/index.js';
import { computeHash } from '../../src/controllers/pod-template-hash.js';
import { eventually } from '../support/eventually.js';

const ALPHABET = '[bcdfghjklmnpqrstvwxz2456789]';

const template = (image: string) => ({
  metadata: { labels: { app: 'web' } },
  spec: { containers: [{ name: 'nginx', image, ports: [{ name: 'http-alt', containerPort: 8080, protocol: 'TCP' }] }] },
});

// Once on a bare store (grace periods default to 0) and once with the apiserver's strategies
// (defaulting, validation, 30 s pod grace periods that the fake kubelet honours by finishing the pod).
describe.each([['bare store', false], ['with API strategies', true]])('controllers: Deployment → ReplicaSet → Pods → EndpointSlice (%s)', (_label, withStrategies) => {
  let store: ObjectStore;
  /** Terminating pods the fake kubelet must leave terminating (the test finishes them). */
  const hold = new Set<string>();
  let informers: InformerFactory;
  let stopControllers: () => Promise<void>;
  let stopKubelet: () => void;

  beforeEach(async () => {
    store = new ObjectStore();
    hold.clear();
    const config = defaultConfig({ upstreamDns: [], stateDir: '/nonexistent-kdp-test', nodes: 2 });
    if (withStrategies) registerStrategies(store, config);
    store.create(GR.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } });
    informers = new InformerFactory(store);
    const running = await startControllers({ store, informers, config });
    stopControllers = running.stop;
    // fake kubelet: scheduled pods get an IP from their node's /24 and become Running + Ready
    let next = 10;
    stopKubelet = store.watch(GR.pods, {}, ({ type, object: pod }) => {
      if (type === 'DELETED' || !pod.spec?.nodeName) return;
      if (pod.metadata.deletionTimestamp) {
        if (!hold.has(pod.metadata.name) && store.tryGet(GR.pods, 'default', pod.metadata.name)) store.delete(GR.pods, 'default', pod.metadata.name, { gracePeriodSeconds: 0 });
        return;
      }
      if (pod.status?.podIP) return;
      const node = store.get(GR.nodes, undefined, pod.spec.nodeName);
      const ip = node.spec.podCIDR.replace(/\.0\/24$/, `.${next++}`);
      const cur = store.tryGet(GR.pods, 'default', pod.metadata.name);
      if (!cur) return;
      const upd = structuredClone(cur) as KObject;
      upd.status = { ...(upd.status ?? {}), phase: 'Running', podIP: ip, podIPs: [{ ip }], conditions: [...(upd.status?.conditions ?? []), { type: 'Ready', status: 'True' }] };
      store.update(GR.pods, upd, { subresource: 'status' });
    });
  });

  afterEach(async () => {
    stopKubelet();
    await stopControllers();
    informers.stop();
  });

  const pods = () => store.list(GR.pods, { namespace: 'default' }).items;
  const activePods = () => pods().filter((p) => !p.metadata.deletionTimestamp);
  const slices = () => store.list(GR.endpointslices, { namespace: 'default', labelSelector: 'kubernetes.io/service-name=web' }).items;

  it('registers the configured nodes, kind-style', () => {
    const nodes = store.list(GR.nodes).items;
    expect(nodes.map((n) => n.metadata.name)).toEqual(['kdp-control-plane', 'kdp-worker']);
    const cp = nodes[0];
    expect(cp.status.addresses).toEqual([{ type: 'InternalIP', address: '127.18.0.2' }, { type: 'Hostname', address: 'kdp-control-plane' }]);
    expect(nodes[1].status.addresses[0].address).toBe('127.18.0.3');
    expect(cp.spec.podCIDR).toBe('127.244.0.0/24');
    expect(nodes[1].spec.podCIDRs).toEqual(['127.244.1.0/24']);
    expect(cp.metadata.labels!['node-role.kubernetes.io/control-plane']).toBe('');
    expect(nodes[1].metadata.labels!['node-role.kubernetes.io/control-plane']).toBeUndefined();
    expect(cp.status.conditions.find((c: { type: string }) => c.type === 'Ready').status).toBe('True');
    expect(cp.status.nodeInfo.containerRuntimeVersion).toBe('kdp://0.1.0');
    expect(cp.status.capacity.pods).toBe('110');
  });

  it('rolls out, serves endpoints, replaces, scales, updates and is collected', async () => {
    store.create(GR.services, {
      apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' },
      spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http-alt', protocol: 'TCP' }] },
    });
    const deploy = store.create(GR.deployments, {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default' },
      spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template: template('nginx:1.27') },
    });

    // ReplicaSet web-<hash>, 3 pods web-<hash>-<5 chars>, spread over both nodes
    const hash = computeHash(deploy.spec.template);
    const rs = await eventually(() => store.get(GR.replicasets, 'default', `web-${hash}`));
    expect(hash).toMatch(new RegExp(`^${ALPHABET}+$`));
    expect(rs.metadata.labels!['pod-template-hash']).toBe(hash);
    expect(rs.spec.selector.matchLabels).toEqual({ app: 'web', 'pod-template-hash': hash });
    expect(rs.metadata.ownerReferences).toEqual([{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: deploy.metadata.uid, controller: true, blockOwnerDeletion: true }]);
    expect(rs.metadata.annotations!['deployment.kubernetes.io/revision']).toBe('1');
    await eventually(() => expect(pods().filter((p) => p.status?.podIP)).toHaveLength(3));
    for (const p of pods()) {
      expect(p.metadata.name).toMatch(new RegExp(`^web-${hash}-${ALPHABET}{5}$`));
      expect(p.metadata.ownerReferences![0]).toMatchObject({ kind: 'ReplicaSet', name: rs.metadata.name, controller: true });
      expect(p.status.conditions.find((c: { type: string }) => c.type === 'PodScheduled').status).toBe('True');
    }
    const perNode = new Map<string, number>();
    for (const p of pods()) perNode.set(p.spec.nodeName, (perNode.get(p.spec.nodeName) ?? 0) + 1);
    expect([...perNode.values()].sort()).toEqual([1, 2]);
    const scheduled = store.list(GR.events, { namespace: 'default' }).items.filter((e) => e.reason === 'Scheduled');
    expect(scheduled.map((e) => e.message)).toContain(`Successfully assigned default/${pods()[0].metadata.name} to ${pods()[0].spec.nodeName}`);

    // EndpointSlice: 3 ready endpoints on the resolved named port
    const slice = await eventually(() => {
      const [s] = slices();
      expect(s.endpoints.filter((e: { conditions: { ready: boolean } }) => e.conditions.ready)).toHaveLength(3);
      return s;
    });
    expect(slice.metadata.name).toMatch(new RegExp(`^web-${ALPHABET}{5}$`));
    expect(slice.metadata.labels!['endpointslice.kubernetes.io/managed-by']).toBe('endpointslice-controller.k8s.io');
    expect(slice.metadata.ownerReferences![0]).toMatchObject({ kind: 'Service', name: 'web', controller: true });
    expect(slice.addressType).toBe('IPv4');
    expect(slice.ports).toEqual([{ name: 'http', port: 8080, protocol: 'TCP' }]);
    expect(slice.endpoints.map((e: { addresses: string[] }) => e.addresses[0]).sort()).toEqual(pods().map((p) => p.status.podIP).sort());
    const ep = await eventually(() => {
      const e = store.get(GR.endpoints, 'default', 'web');
      expect(e.subsets?.[0]?.addresses).toHaveLength(3);
      return e;
    });
    expect(ep.subsets[0].ports).toEqual([{ name: 'http', port: 8080, protocol: 'TCP' }]);

    // Deployment status
    await eventually(() => {
      const d = store.get(GR.deployments, 'default', 'web');
      expect(d.status).toMatchObject({ replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3, observedGeneration: 1 });
      expect(d.status.conditions).toEqual(expect.arrayContaining([
        expect.objectContaining({ type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.' }),
        expect.objectContaining({ type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable', message: `ReplicaSet "web-${hash}" has successfully progressed.` }),
      ]));
    });

    // Delete a pod gracefully: its endpoint turns terminating, a replacement comes at once
    const victim = pods()[0];
    hold.add(victim.metadata.name);
    store.delete(GR.pods, 'default', victim.metadata.name, { gracePeriodSeconds: 30 });
    await eventually(() => {
      const e = slices()[0].endpoints.find((x: { targetRef: { name: string } }) => x.targetRef.name === victim.metadata.name);
      expect(e.conditions).toEqual({ ready: false, serving: true, terminating: true });
      expect(activePods()).toHaveLength(3);
      expect(activePods().map((p) => p.metadata.name)).not.toContain(victim.metadata.name);
      expect(store.get(GR.endpoints, 'default', 'web').subsets[0].addresses.map((a: { targetRef: { name: string } }) => a.targetRef.name)).not.toContain(victim.metadata.name);
    });
    store.delete(GR.pods, 'default', victim.metadata.name, { gracePeriodSeconds: 0 });
    await eventually(() => {
      const names = slices()[0].endpoints.map((x: { targetRef: { name: string } }) => x.targetRef.name);
      expect(names).not.toContain(victim.metadata.name);
      expect(slices()[0].endpoints.filter((e: { conditions: { ready: boolean } }) => e.conditions.ready)).toHaveLength(3);
    });

    // Scale up and down
    const scaleTo = (n: number) => {
      const d = structuredClone(store.get(GR.deployments, 'default', 'web')) as KObject;
      d.spec.replicas = n;
      store.update(GR.deployments, d);
    };
    scaleTo(5);
    await eventually(() => expect(slices()[0].endpoints.filter((e: { conditions: { ready: boolean } }) => e.conditions.ready)).toHaveLength(5));
    scaleTo(2);
    await eventually(() => {
      expect(activePods()).toHaveLength(2);
      expect(slices()[0].endpoints).toHaveLength(2);
      expect(store.get(GR.deployments, 'default', 'web').status).toMatchObject({ replicas: 2, readyReplicas: 2, availableReplicas: 2 });
    });

    // Rolling update to a new template: a second ReplicaSet takes over, revision 2
    const d = structuredClone(store.get(GR.deployments, 'default', 'web')) as KObject;
    d.spec.template = template('nginx:1.28');
    const updated = store.update(GR.deployments, d);
    const hash2 = computeHash(updated.spec.template);
    expect(hash2).not.toBe(hash);
    await eventually(() => {
      expect(activePods().map((p) => p.metadata.labels!['pod-template-hash'])).toEqual([hash2, hash2]);
      expect(store.get(GR.replicasets, 'default', `web-${hash}`).spec.replicas).toBe(0);
      expect(store.get(GR.replicasets, 'default', `web-${hash2}`).metadata.annotations!['deployment.kubernetes.io/revision']).toBe('2');
      expect(store.get(GR.deployments, 'default', 'web').status).toMatchObject({ replicas: 2, updatedReplicas: 2, availableReplicas: 2, observedGeneration: 4 });
    });
    const scaling = store.list(GR.events, { namespace: 'default' }).items.filter((e) => e.reason === 'ScalingReplicaSet').map((e) => e.message);
    expect(scaling).toContain(`Scaled up replica set web-${hash} from 0 to 3`);
    expect(scaling).toContain(`Scaled down replica set web-${hash} from 2 to 1`);

    // Rolling back to the first template reuses its ReplicaSet as revision 3
    const back = structuredClone(store.get(GR.deployments, 'default', 'web')) as KObject;
    back.spec.template = template('nginx:1.27');
    store.update(GR.deployments, back);
    await eventually(() => {
      expect(activePods().map((p) => p.metadata.labels!['pod-template-hash'])).toEqual([hash, hash]);
      expect(store.get(GR.replicasets, 'default', `web-${hash}`).metadata.annotations!['deployment.kubernetes.io/revision']).toBe('3');
      expect(store.get(GR.deployments, 'default', 'web').metadata.annotations!['deployment.kubernetes.io/revision']).toBe('3');
      expect(store.list(GR.replicasets, { namespace: 'default' }).items).toHaveLength(2);
    });

    // Deleting the Deployment takes its ReplicaSets and pods with it
    store.delete(GR.deployments, 'default', 'web');
    await eventually(() => {
      expect(store.list(GR.replicasets, { namespace: 'default' }).items).toHaveLength(0);
      expect(pods()).toHaveLength(0);
      expect(slices()[0].endpoints).toEqual([]);
    });
  });
  it('Recreate stops every old pod before the new ReplicaSet starts any', async () => {
    const hashes = new Set<string>();
    let overlap = false;
    const stopWatch = store.watch(GR.pods, {}, () => {
      const live = new Set(activePods().map((p) => p.metadata.labels!['pod-template-hash']));
      if (live.size > 1) overlap = true;
      for (const h of live) hashes.add(h);
    });
    try {
      store.create(GR.deployments, {
        apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default' },
        spec: { replicas: 2, strategy: { type: 'Recreate' }, selector: { matchLabels: { app: 'web' } }, template: template('nginx:1.27') },
      });
      await eventually(() => expect(pods().filter((p) => p.status?.podIP)).toHaveLength(2));
      const d = structuredClone(store.get(GR.deployments, 'default', 'web')) as KObject;
      d.spec.template = template('nginx:1.28');
      const hash2 = computeHash(store.update(GR.deployments, d).spec.template);
      await eventually(() => {
        expect(activePods().filter((p) => p.status?.podIP).map((p) => p.metadata.labels!['pod-template-hash'])).toEqual([hash2, hash2]);
        expect(store.get(GR.deployments, 'default', 'web').status).toMatchObject({ replicas: 2, updatedReplicas: 2, availableReplicas: 2 });
      });
      expect(hashes.size).toBe(2);
      expect(overlap).toBe(false);
    } finally {
      stopWatch();
    }
  });

  it('leaves a pod no node fits Pending with the reason, and binds it once a node matches', async () => {
    store.create(GR.pods, {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'picky', namespace: 'default' },
      spec: { nodeSelector: { disk: 'ssd' }, containers: [{ name: 'c', image: 'nginx' }] },
    });
    const msg = "0/2 nodes are available: 2 node(s) didn't match Pod's node affinity/selector. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.";
    await eventually(() => {
      const p = store.get(GR.pods, 'default', 'picky');
      expect(p.spec.nodeName).toBeUndefined();
      expect(p.status.conditions).toEqual([expect.objectContaining({ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: msg })]);
      expect(store.list(GR.events, { namespace: 'default' }).items.filter((e) => e.reason === 'FailedScheduling').map((e) => [e.type, e.message])).toEqual([['Warning', msg]]);
    });
    const node = structuredClone(store.get(GR.nodes, undefined, 'kdp-worker')) as KObject;
    node.metadata.labels!.disk = 'ssd';
    store.update(GR.nodes, node);
    await eventually(() => {
      const p = store.get(GR.pods, 'default', 'picky');
      expect(p.spec.nodeName).toBe('kdp-worker');
      expect(p.status.conditions.find((c: { type: string }) => c.type === 'PodScheduled').status).toBe('True');
    });
  });
});
