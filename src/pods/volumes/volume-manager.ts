// Waits until every volume of a pod can be set up, as the kubelet's volume manager does before it
// starts containers: while a ConfigMap, Secret or claim is missing the pod stays ContainerCreating,
// with the kubelet's `FailedMount` Warning; once it appears the containers start.
import type { ObjectStore } from '../../api/store.js';
import { GR, type KObject } from '../../api/types.js';
import { sleep } from '../readiness.js';
import { containerMounts, MountError, setUpVolumes, type MountSpec, type PodTokenSource } from './pod-volumes.js';

export interface WaitForVolumesOptions {
  pod: () => KObject;
  dir: string;
  store: ObjectStore;
  tokens?: PodTokenSource;
  event(type: 'Normal' | 'Warning', reason: string, message: string): void;
  signal: AbortSignal;
  /** First retry delay; doubles up to maxMs (defaults 250 ms → 2 s). */
  initialMs?: number;
  maxMs?: number;
}

/** Volume name → host path once all are ready; undefined when aborted. */
export async function waitForVolumes(o: WaitForVolumesOptions): Promise<Map<string, string> | undefined> {
  for (let wait = o.initialMs ?? 250; !o.signal.aborted; wait = Math.min(wait * 2, o.maxMs ?? 2000)) {
    try {
      return setUpVolumes(o.pod(), o.dir, {
        configMap: (ns, name) => o.store.tryGet(GR.configmaps, ns, name),
        secret: (ns, name) => o.store.tryGet(GR.secrets, ns, name),
        pvc: (ns, name) => o.store.tryGet('/persistentvolumeclaims', ns, name),
        pv: (name) => o.store.tryGet('/persistentvolumes', undefined, name),
        serviceAccountToken: o.tokens ? (pod, source) => o.tokens!.issueForPod(pod, source) : undefined,
      });
    } catch (err) {
      if (!(err instanceof MountError)) throw err;
      // Every failed attempt is reported, as the kubelet does; the recorder counts repeats (x3 over 4s).
      o.event('Warning', 'FailedMount', err.message);
      await sleep(wait, o.signal);
    }
  }
  return undefined;
}

/** The union of the containers' mounts: kdp's pod sandbox is one mount namespace for the whole pod. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function podMounts(pod: KObject, volumes: Map<string, string>): MountSpec[] {
  const seen = new Set<string>();
  const out: MountSpec[] = [];
  for (const c of [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])]) {
    for (const m of containerMounts(c, volumes)) {
      if (seen.has(m.mountPath)) continue;
      seen.add(m.mountPath);
      out.push(m);
    }
  }
  return out;
}
