// The pure part of the kubelet's status manager: from the containers' states to the Pod's phase,
// conditions and status object, preserving lastTransitionTime of conditions that did not change.
import { rfc3339 } from '../api/store.js';

export interface ContainerState {
  running?: { startedAt: string };
  waiting?: { reason: string; message?: string };
  terminated?: { exitCode: number; signal?: number; reason: string; message?: string; startedAt?: string; finishedAt: string; containerID?: string };
}

export interface ContainerStatus {
  name: string;
  image: string;
  imageID: string;
  containerID?: string;
  ready: boolean;
  started: boolean;
  restartCount: number;
  state: ContainerState;
  lastState: ContainerState;
}

export interface Condition {
  type: string;
  status: 'True' | 'False';
  reason?: string;
  message?: string;
  lastProbeTime: null;
  lastTransitionTime: string;
}

/** A container that has never run yet and is still waiting (ContainerCreating, ErrImagePull…). */
function neverRan(c: ContainerStatus): boolean {
  return !!c.state.waiting && !c.lastState.terminated;
}

/** The pod phase, as kubelet's getPhase computes it. */
export function podPhase(restartPolicy: string, init: { done: boolean; failed: boolean }, containers: ContainerStatus[]): string {
  if (init.failed) return 'Failed';
  if (!init.done) return 'Pending';
  if (!containers.length) return 'Pending';
  let waiting = 0;
  let running = 0;
  let succeeded = 0;
  let failed = 0;
  for (const c of containers) {
    if (c.state.running) running++;
    else if (c.state.terminated) c.state.terminated.exitCode === 0 ? succeeded++ : failed++;
    else if (neverRan(c)) waiting++;
    else running++; // waiting to restart (CrashLoopBackOff): still Running
  }
  if (waiting > 0) return 'Pending';
  if (running > 0) return 'Running';
  if (restartPolicy === 'Always') return 'Running';
  if (failed === 0) return 'Succeeded';
  return restartPolicy === 'OnFailure' ? 'Running' : 'Failed';
}

export interface StatusInput {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  prev: any;
  restartPolicy: string;
  hostIP: string;
  podIP?: string;
  startTime: Date;
  init: { done: boolean; failed: boolean };
  initStatuses: ContainerStatus[];
  statuses: ContainerStatus[];
  /** Extra words for the Ready condition, e.g. which address a host process must listen on. */
  notReadyDetail?: string;
  now: Date;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function buildPodStatus(input: StatusInput): any {
  const { prev, now } = input;
  const phase = podPhase(input.restartPolicy, input.init, input.statuses);
  const prevConds: Condition[] = prev?.conditions ?? [];
  const cond = (type: string, ok: boolean, reason?: string, message?: string): Condition => {
    const old = prevConds.find((c) => c.type === type);
    const status = ok ? 'True' : 'False';
    const c: Condition = { type, status, lastProbeTime: null, lastTransitionTime: old && old.status === status ? old.lastTransitionTime : rfc3339(now) };
    if (reason) c.reason = reason;
    if (message) c.message = message;
    return c;
  };
  const unready = input.statuses.filter((c) => !c.ready).map((c) => c.name);
  const done = phase === 'Succeeded' || phase === 'Failed';
  const readyReason = done ? 'PodCompleted' : 'ContainersNotReady';
  let readyMessage = done ? undefined : `containers with unready status: [${unready.join(' ')}]`;
  if (readyMessage && input.notReadyDetail) readyMessage += `: ${input.notReadyDetail}`;
  const allReady = unready.length === 0 && !done;
  const uninit = input.initStatuses.filter((c) => !(c.state.terminated?.exitCode === 0)).map((c) => c.name);
  const conditions = [
    cond('PodReadyToStartContainers', !done),
    cond('Initialized', input.init.done, input.init.done ? undefined : 'ContainersNotInitialized', input.init.done ? undefined : `containers with incomplete status: [${uninit.join(' ')}]`),
    cond('Ready', allReady, allReady ? undefined : readyReason, allReady ? undefined : readyMessage),
    cond('ContainersReady', allReady, allReady ? undefined : readyReason, allReady ? undefined : readyMessage),
    cond('PodScheduled', true),
  ];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const status: any = {
    phase,
    conditions,
    hostIP: input.hostIP,
    hostIPs: [{ ip: input.hostIP }],
    startTime: rfc3339(input.startTime),
    qosClass: prev?.qosClass ?? 'BestEffort',
  };
  if (input.podIP) {
    status.podIP = input.podIP;
    status.podIPs = [{ ip: input.podIP }];
  }
  if (input.initStatuses.length) status.initContainerStatuses = input.initStatuses.map(render);
  status.containerStatuses = input.statuses.map(render);
  return status;
}

function render(c: ContainerStatus): object {
  const out: Record<string, unknown> = {
    name: c.name,
    state: c.state,
    lastState: c.lastState,
    ready: c.ready,
    restartCount: c.restartCount,
    image: c.image,
    imageID: c.imageID,
    started: c.started,
  };
  if (c.containerID) out.containerID = c.containerID;
  return out;
}
