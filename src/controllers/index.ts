// kdp's kube-controller-manager and kube-scheduler: node registration, scheduler, Deployment,
// ReplicaSet, EndpointSlice and Endpoints controllers, all driven by the shared informers.
import type { ClusterConfig } from '../api/config.js';
import type { InformerFactory } from '../api/informer.js';
import type { ObjectStore } from '../api/store.js';
import { GR } from '../api/types.js';
import type { Controller } from './controller.js';
import { createDeploymentController } from './deployment-controller.js';
import { createEndpointSliceController } from './endpointslice-controller.js';
import { createEndpointsController } from './endpoints-controller.js';
import { createEventRecorder } from '../api/events.js';
import { registerNodes, type HostInfo } from './node-controller.js';
import { createReplicaSetController } from './replicaset-controller.js';
import { createScheduler } from './scheduler.js';
import { createWorkloadControllers } from './workload-controllers.js';
import { createServiceLBController } from './service-lb-controller.js';
import { createServiceAccountController } from './serviceaccount-controller.js';

export interface ControllersOptions {
  store: ObjectStore;
  informers: InformerFactory;
  config: ClusterConfig;
  now?: () => Date;
  /** Randomness (reserved: pod and slice name suffixes come from the store's generateName). */
  rng?: () => number;
  /** Host facts published as node capacity/info; defaults to this machine's. */
  host?: HostInfo;
  /** PEM of the cluster CA, published in every namespace as the kube-root-ca.crt ConfigMap. */
  rootCA?: string;
}

export interface RunningControllers {
  stop(): Promise<void>;
}

export async function startControllers(opts: ControllersOptions): Promise<RunningControllers> {
  const { store, informers, config } = opts;
  const now = opts.now ?? (() => new Date());
  registerNodes(store, config, now(), opts.host);

  const pods = informers.for(GR.pods);
  const nodes = informers.for(GR.nodes);
  const services = informers.for(GR.services);
  const deployments = informers.for(GR.deployments);
  const replicaSets = informers.for(GR.replicasets);
  const endpointSlices = informers.for(GR.endpointslices);
  const endpoints = informers.for(GR.endpoints);

  const controllers: Controller[] = [
    createScheduler({ store, pods, nodes, recorder: createEventRecorder(store, 'default-scheduler', now), now }),
    createDeploymentController({ store, deployments, replicaSets, pods, recorder: createEventRecorder(store, 'deployment-controller', now), now }),
    createReplicaSetController({ store, replicaSets, pods, recorder: createEventRecorder(store, 'replicaset-controller', now), now }),
    createEndpointSliceController({ store, services, pods, endpointSlices }),
    createEndpointsController({ store, services, pods, endpoints }),
    createServiceLBController({ store, services, pool: config.loadBalancerPool, recorder: createEventRecorder(store, 'metallb-controller', now) }),
  ];
  controllers.push(...createWorkloadControllers({ store, informers, config, now, pods, nodes, host: opts.host }));
  const started = [pods, nodes, services, deployments, replicaSets, endpointSlices, endpoints];
  if (opts.rootCA) {
    const namespaces = informers.for(GR.namespaces);
    const serviceAccounts = informers.for(GR.serviceaccounts);
    const configMaps = informers.for(GR.configmaps);
    controllers.push(createServiceAccountController({ store, namespaces, serviceAccounts, configMaps, rootCA: opts.rootCA }));
    started.push(namespaces, serviceAccounts, configMaps);
  }
  for (const inf of started) inf.start();
  for (const c of controllers) c.start();
  console.error(`[INFO] controllers: started ${controllers.map((c) => c.name).join(', ')}`);

  return {
    async stop() {
      await Promise.all(controllers.map((c) => c.stop()));
    },
  };
}

export { Controller, isRetryable, type ControllerOptions, type ReconcileResult } from './controller.js';
export { WorkQueue } from './work-queue.js';
export { createEventRecorder, type EventRecorder } from '../api/events.js';
export { buildNode, nodeIP, nodePodCIDR, registerNodes, type HostInfo } from './node-controller.js';
export { computeHash } from './pod-template-hash.js';
export { computeEndpointSlices, computeEndpointsSubsets } from './endpoints-compute.js';
export { jobFromCronJob } from './cronjob-logic.js';
