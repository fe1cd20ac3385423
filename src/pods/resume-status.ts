// What the kubelet reports for a container of a pod it finds again after a restart of its node
// (here: of kdp): the container that was running before is started again, with restartCount + 1
// and a lastState saying it ended in a way nobody saw (exit code 255, reason Unknown), as the
// kubelet reports containers that a reboot stopped.
import { rfc3339 } from '../api/store.js';
import type { ContainerStatus } from './pod-status.js';

/** The restartCount and lastState a container starts with, given its status from before the restart. */
export function resumedContainerStatus(previous: ContainerStatus | undefined, now: Date): Pick<ContainerStatus, 'restartCount' | 'lastState'> | undefined {
  if (!previous) return undefined;
  const restartCount = previous.restartCount ?? 0;
  const running = previous.state?.running;
  if (!running) return { restartCount, lastState: previous.lastState ?? {} };
  return {
    restartCount: restartCount + 1,
    lastState: {
      terminated: {
        exitCode: 255,
        reason: 'Unknown',
        ...(running.startedAt ? { startedAt: running.startedAt } : {}),
        finishedAt: rfc3339(now),
        ...(previous.containerID ? { containerID: previous.containerID } : {}),
      },
    },
  };
}
