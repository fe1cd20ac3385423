// REST strategies for the built-in kinds: defaulting, validation and ClusterIP/nodePort allocation,
// worded as kube-apiserver words its errors. `registerStrategies` installs them on an ObjectStore.
import type { ClusterConfig } from '../config.js';
import type { ObjectStore } from '../store.js';
import { GR } from '../types.js';
import {
  configMapStrategy, endpointSliceStrategy, eventStrategy, namespaceStrategy, namesOnlyStrategy, nodeStrategy, secretStrategy,
} from './core-kinds.js';
import { NodePortAllocator } from './node-port-allocator.js';
import { podStrategy } from './pod.js';
import { adoptService, serviceStrategy, type ServiceAllocators } from './service.js';
import { ServiceIPAllocator } from './service-ip-allocator.js';
import { cronJobStrategy, jobStrategy } from './batch.js';
import { daemonSetStrategy, deploymentStrategy, replicaSetStrategy, statefulSetStrategy } from './workloads.js';

export { AllocationError } from './range-allocator.js';
export { NodePortAllocator } from './node-port-allocator.js';
export { ServiceIPAllocator } from './service-ip-allocator.js';
export type { ServiceAllocators } from './service.js';
export { defaultPullPolicy, podQOSClass } from './pod-spec.js';
export * as validation from './validation.js';

export interface RegisterOptions {
  /** Random source for dynamic ClusterIP/nodePort picks (default Math.random). */
  rng?: () => number;
  /** Where start-up problems (clashing allocations of already stored Services) are reported. */
  log?: (line: string) => void;
  /**
   * The cluster issues ServiceAccount tokens: new pods get the projected kube-api-access volume
   * (the ServiceAccount admission plugin's mount). Without an issuer only the name is defaulted.
   */
  serviceAccountTokens?: boolean;
}

/**
 * Installs the strategies of the built-in kinds on `store` and returns the allocators, which hold
 * the ClusterIPs (from `config.serviceCidr`) and nodePorts (from `config.nodePortRange`) in use.
 * Services already in the store are adopted, so this may run after objects were loaded.
 */
export function registerStrategies(store: ObjectStore, config: ClusterConfig, opts: RegisterOptions = {}): ServiceAllocators {
  const alloc: ServiceAllocators = {
    serviceIPs: new ServiceIPAllocator(config.serviceCidr, { rng: opts.rng, reserved: [config.dnsAddress] }),
    nodePorts: new NodePortAllocator(config.nodePortRange.min, config.nodePortRange.max, { rng: opts.rng }),
  };
  const log = opts.log ?? ((line: string) => console.warn(line));
  for (const svc of store.list(GR.services).items) {
    for (const problem of adoptService(svc, alloc)) log(`[WARN] strategies: ${problem}`);
  }
  store.setStrategy(GR.namespaces, namespaceStrategy());
  store.setStrategy(GR.nodes, nodeStrategy());
  store.setStrategy(GR.pods, podStrategy({ mountServiceAccountTokens: !!opts.serviceAccountTokens }));
  store.setStrategy(GR.services, serviceStrategy(alloc, { externalIPCidr: config.externalIPCidr, loadBalancerPool: config.loadBalancerPool }));
  store.setStrategy(GR.configmaps, configMapStrategy());
  store.setStrategy(GR.secrets, secretStrategy());
  store.setStrategy(GR.events, eventStrategy());
  store.setStrategy(GR.serviceaccounts, namesOnlyStrategy());
  store.setStrategy(GR.endpointslices, endpointSliceStrategy());
  store.setStrategy(GR.deployments, deploymentStrategy());
  store.setStrategy(GR.replicasets, replicaSetStrategy());
  store.setStrategy(GR.statefulsets, statefulSetStrategy());
  store.setStrategy(GR.daemonsets, daemonSetStrategy());
  store.setStrategy(GR.jobs, jobStrategy());
  store.setStrategy(GR.cronjobs, cronJobStrategy());
  store.setStrategy(GR.ingresses, namesOnlyStrategy());
  store.setStrategy(GR.ingressclasses, namesOnlyStrategy());
  return alloc;
}
