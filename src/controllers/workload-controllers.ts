// The workload and storage controllers beyond Deployments: StatefulSet, DaemonSet, Job, CronJob, the
// local-path volume provisioner (with the default `standard` StorageClass) and node lifecycle.
// index.ts adds them to the controller-manager; they share its pod and node informers.
import type { ClusterConfig } from '../api/config.js';
import { createEventRecorder } from '../api/events.js';
import type { Informer, InformerFactory } from '../api/informer.js';
import type { ObjectStore } from '../api/store.js';
import { GR } from '../api/types.js';
import type { Controller } from './controller.js';
import { createCronJobController } from './cronjob-controller.js';
import { createDaemonSetController } from './daemonset-controller.js';
import { createJobController } from './job-controller.js';
import type { HostInfo } from './node-controller.js';
import { createNodeLifecycleController } from './node-lifecycle-controller.js';
import { createStatefulSetController } from './statefulset-controller.js';
import { createVolumeProvisioner, ensureDefaultStorageClass, PV, PVC, STORAGE_CLASSES } from './volume-provisioner.js';

export interface WorkloadControllersOptions {
  store: ObjectStore;
  informers: InformerFactory;
  config: ClusterConfig;
  now: () => Date;
  pods: Informer;
  nodes: Informer;
  host?: HostInfo;
  /** Job pod-failure back-off (Kubernetes: 10 s doubling, capped at 6 min). */
  jobBackoff?: { baseMs: number; maxMs: number };
}

/** Creates the controllers and starts their own informers; the caller starts `pods` and `nodes`. */
export function createWorkloadControllers(o: WorkloadControllersOptions): Controller[] {
  const { store, informers, config, now, pods, nodes } = o;
  ensureDefaultStorageClass(store);
  const own = {
    statefulSets: informers.for(GR.statefulsets),
    daemonSets: informers.for(GR.daemonsets),
    jobs: informers.for(GR.jobs),
    cronJobs: informers.for(GR.cronjobs),
    claims: informers.for(PVC),
    volumes: informers.for(PV),
    classes: informers.for(STORAGE_CLASSES),
  };
  const rec = (component: string) => createEventRecorder(store, component, now);
  const controllers = [
    createStatefulSetController({ store, statefulSets: own.statefulSets, pods, recorder: rec('statefulset-controller') }),
    createDaemonSetController({ store, daemonSets: own.daemonSets, pods, nodes, recorder: rec('daemonset-controller') }),
    createJobController({ store, jobs: own.jobs, pods, recorder: rec('job-controller'), now, backoff: o.jobBackoff }),
    createCronJobController({ store, cronJobs: own.cronJobs, jobs: own.jobs, recorder: rec('cronjob-controller'), now }),
    createVolumeProvisioner({ store, claims: own.claims, volumes: own.volumes, classes: own.classes, stateDir: config.stateDir, recorder: rec('persistentvolume-controller') }),
    createNodeLifecycleController({ store, nodes, pods, config, now, host: o.host }),
  ];
  for (const inf of Object.values(own)) inf.start();
  return controllers;
}
