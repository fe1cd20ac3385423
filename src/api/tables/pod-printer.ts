// `kubectl get pods`: NAME READY STATUS RESTARTS AGE | IP NODE NOMINATED NODE READINESS GATES.
// STATUS follows the printer's reason logic: phase or status.reason, then init containers
// (`Init:0/1`, `Init:CrashLoopBackOff`), then container waiting/terminated reasons
// (`ContainerCreating`, `ErrImagePull`, `CrashLoopBackOff`, `Completed`, `ExitCode:1`), and
// `Terminating` once a deletionTimestamp is set.
import type { KObject } from '../types.js';
import { translateTimestampSince } from './duration.js';
import { AGE_COLUMN, col, NAME_COLUMN, type Cell, type Printer } from './table-types.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type ContainerStatus = any;

function isRestartableInit(c: any): boolean {
  return c?.restartPolicy === 'Always';
}

function later(a: string | undefined, b: string | undefined): string | undefined {
  if (!b) return a;
  if (!a) return b;
  return Date.parse(b) > Date.parse(a) ? b : a;
}

function hasCondition(pod: KObject, type: string): boolean {
  return (pod.status?.conditions ?? []).some((c: any) => c.type === type && c.status === 'True');
}

export interface PodSummary {
  ready: string;
  reason: string;
  restarts: number;
  lastRestart?: string;
}

/** The READY / STATUS / RESTARTS computation of kubectl's pod printer. */
export function summarizePod(pod: KObject): PodSummary {
  const spec = pod.spec ?? {};
  const status = pod.status ?? {};
  let restarts = 0;
  let restartableInitRestarts = 0;
  let totalContainers = (spec.containers ?? []).length;
  let readyContainers = 0;
  let lastRestart: string | undefined;
  let lastRestartableInitRestart: string | undefined;

  const phase: string = status.phase ?? '';
  let reason: string = status.reason || phase;
  for (const c of status.conditions ?? []) {
    if (c.type === 'PodScheduled' && c.reason === 'SchedulingGated') reason = 'SchedulingGated';
  }

  const initSpecs = new Map<string, any>();
  for (const c of spec.initContainers ?? []) {
    initSpecs.set(c.name, c);
    if (isRestartableInit(c)) totalContainers++;
  }

  let initializing = false;
  const initStatuses: ContainerStatus[] = status.initContainerStatuses ?? [];
  for (let i = 0; i < initStatuses.length; i++) {
    const cs = initStatuses[i];
    restarts += cs.restartCount ?? 0;
    const finished = cs.lastState?.terminated?.finishedAt;
    lastRestart = later(lastRestart, finished);
    const restartable = isRestartableInit(initSpecs.get(cs.name));
    if (restartable) {
      restartableInitRestarts += cs.restartCount ?? 0;
      lastRestartableInitRestart = later(lastRestartableInitRestart, finished);
    }
    const st = cs.state ?? {};
    if (st.terminated && (st.terminated.exitCode ?? 0) === 0) continue;
    if (restartable && cs.started) {
      if (cs.ready) readyContainers++;
      continue;
    }
    if (st.terminated) {
      if (!st.terminated.reason) {
        reason = st.terminated.signal ? `Init:Signal:${st.terminated.signal}` : `Init:ExitCode:${st.terminated.exitCode ?? 0}`;
      } else {
        reason = `Init:${st.terminated.reason}`;
      }
    } else if (st.waiting?.reason && st.waiting.reason !== 'PodInitializing') {
      reason = `Init:${st.waiting.reason}`;
    } else {
      reason = `Init:${i}/${(spec.initContainers ?? []).length}`;
    }
    initializing = true;
    break;
  }

  if (!initializing || hasCondition(pod, 'Initialized')) {
    restarts = restartableInitRestarts;
    lastRestart = lastRestartableInitRestart;
    let hasRunning = false;
    const statuses: ContainerStatus[] = status.containerStatuses ?? [];
    for (let i = statuses.length - 1; i >= 0; i--) {
      const cs = statuses[i];
      restarts += cs.restartCount ?? 0;
      lastRestart = later(lastRestart, cs.lastState?.terminated?.finishedAt);
      const st = cs.state ?? {};
      if (st.waiting?.reason) {
        reason = st.waiting.reason;
      } else if (st.terminated?.reason) {
        reason = st.terminated.reason;
      } else if (st.terminated) {
        reason = st.terminated.signal ? `Signal:${st.terminated.signal}` : `ExitCode:${st.terminated.exitCode ?? 0}`;
      } else if (cs.ready && st.running) {
        hasRunning = true;
        readyContainers++;
      }
    }
    // A pod whose finished containers say Completed but with one still running is Running/NotReady.
    if (reason === 'Completed' && hasRunning) reason = hasCondition(pod, 'Ready') ? 'Running' : 'NotReady';
  }

  if (pod.metadata.deletionTimestamp && status.reason === 'NodeLost') {
    reason = 'Unknown';
  } else if (pod.metadata.deletionTimestamp && phase !== 'Succeeded' && phase !== 'Failed') {
    reason = 'Terminating';
  }

  return { ready: `${readyContainers}/${totalContainers}`, reason, restarts, lastRestart };
}

export const podPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    col('Ready', 'The aggregate readiness state of this pod for accepting traffic.'),
    col('Status', 'The aggregate status of the containers in this pod.'),
    col('Restarts', 'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.'),
    AGE_COLUMN,
    col('IP', 'IP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.', { wide: true }),
    col('Node', "NodeName indicates in which node this pod is scheduled. If empty, this pod is a candidate for scheduling by the scheduler defined in schedulerName.", { wide: true }),
    col('Nominated Node', 'nominatedNodeName is set only when this pod preempts other pods on the node, but it cannot be scheduled right away as preemption victims receive their graceful termination periods.', { wide: true }),
    col('Readiness Gates', 'If specified, all readiness gates will be evaluated for pod readiness.', { wide: true }),
  ],
  cells(pod: KObject, now: Date): Cell[] {
    const s = summarizePod(pod);
    const restarts = s.restarts !== 0 && s.lastRestart
      ? `${s.restarts} (${translateTimestampSince(s.lastRestart, now)} ago)`
      : String(s.restarts);
    const status = pod.status ?? {};
    const podIP: string = status.podIPs?.[0]?.ip || status.podIP || '<none>';
    const gates: { conditionType: string }[] = pod.spec?.readinessGates ?? [];
    let readinessGates = '<none>';
    if (gates.length) {
      const trueCount = gates.filter((g) => (status.conditions ?? []).find((c: any) => c.type === g.conditionType)?.status === 'True').length;
      readinessGates = `${trueCount}/${gates.length}`;
    }
    return [
      pod.metadata.name, s.ready, s.reason, restarts, translateTimestampSince(pod.metadata.creationTimestamp, now),
      podIP, pod.spec?.nodeName || '<none>', status.nominatedNodeName || '<none>', readinessGates,
    ];
  },
  conditions(pod: KObject) {
    const phase = pod.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') {
      return [{ type: 'Completed', status: 'True', reason: phase, message: 'The pod has completed successfully.' }];
    }
    return undefined;
  },
};
