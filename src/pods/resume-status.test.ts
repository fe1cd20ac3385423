import { describe, expect, it } from 'vitest';
import { resumedContainerStatus } from './resume-status.js';
import type { ContainerStatus } from './pod-status.js';

const now = new Date('2026-01-02T03:04:05Z');
const base: ContainerStatus = { name: 'c', image: 'busybox', imageID: '', ready: true, started: true, restartCount: 2, state: {}, lastState: {} };

describe('resumedContainerStatus', () => {
  it('a container running before the restart: restartCount + 1, lastState terminated 255 Unknown', () => {
    const prev = { ...base, containerID: 'kdp://abc', state: { running: { startedAt: '2026-01-02T03:00:00Z' } } };
    expect(resumedContainerStatus(prev, now)).toEqual({
      restartCount: 3,
      lastState: { terminated: { exitCode: 255, reason: 'Unknown', startedAt: '2026-01-02T03:00:00Z', finishedAt: '2026-01-02T03:04:05Z', containerID: 'kdp://abc' } },
    });
  });

  it('a container that was not running keeps its count and last state; a new pod starts from zero', () => {
    const lastState = { terminated: { exitCode: 1, reason: 'Error', finishedAt: '2026-01-02T03:00:00Z' } };
    expect(resumedContainerStatus({ ...base, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState }, now)).toEqual({ restartCount: 2, lastState });
    expect(resumedContainerStatus(undefined, now)).toBeUndefined();
  });
});
