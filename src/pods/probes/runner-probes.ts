// The glue between a container run (container-runner.ts) and its probes: probe results become
// ContainerStatus.ready/started, kubelet Events (`Unhealthy`, `Killing`) and restarts.
import type { Env } from '../container-env.js';
import type { ContainerStatus } from '../pod-status.js';
import { sleep } from '../readiness.js';
import { runContainerProbes } from './container-probes.js';
import { execProbeCommand } from './probe-exec.js';

/* eslint-disable @typescript-eslint/no-explicit-any */

export interface ProbedContainer {
  spec: any;
  status: ContainerStatus;
  podIP: string;
  sandbox(): Promise<number | undefined>;
  env(): Env;
  /** The `setpriv … --` prefix: exec probes run as the container's user, as in Kubernetes. */
  privileges?(): string[];
  event(type: 'Normal' | 'Warning', reason: string, message: string): void;
  /** Status changed: write it. */
  changed(): void;
  /** Ends the current run (SIGTERM, SIGKILL after the grace period); the restart policy restarts it. */
  kill(graceMs: number): void;
  /** The pod's terminationGracePeriodSeconds, in ms. */
  graceMs: number;
  /** Without a readinessProbe: Ready once the startup probe passed (built-ins), or left to the runner. */
  readyWhenStarted: boolean;
}

/** Probes one run of a container until `signal` aborts (the run ended). */
export function probeContainerRun(c: ProbedContainer, signal: AbortSignal): void {
  const name = c.spec.name;
  if (c.spec.startupProbe) c.status.started = false;
  void runContainerProbes(
    c.spec,
    {
      podIP: c.podIP,
      container: c.spec,
      exec: async (argv, timeoutMs) => execProbeCommand(await c.sandbox(), [...(c.privileges?.() ?? []), ...argv], c.env(), c.spec.workingDir || '/', timeoutMs),
    },
    {
      started() {
        if (signal.aborted) return;
        c.status.started = true;
        if (!c.spec.readinessProbe && c.readyWhenStarted && c.status.state.running) c.status.ready = true;
        c.changed();
      },
      ready(ready) {
        // Without a readinessProbe, readiness is not the probes' business.
        if (!c.spec.readinessProbe || signal.aborted || !c.status.state.running || c.status.ready === ready) return;
        c.status.ready = ready;
        c.changed();
      },
      failed(kind, message) {
        c.event('Warning', 'Unhealthy', `${kind} probe failed: ${message}`);
      },
      unhealthy(kind, _message) {
        if (signal.aborted) return;
        const probe = kind === 'Liveness' ? c.spec.livenessProbe : c.spec.startupProbe;
        const grace = typeof probe?.terminationGracePeriodSeconds === 'number' ? probe.terminationGracePeriodSeconds * 1000 : c.graceMs;
        c.event('Normal', 'Killing', `Container ${name} failed ${kind.toLowerCase()} probe, will be restarted`);
        c.status.ready = false;
        c.changed();
        c.kill(grace);
      },
    },
    signal,
    { sleep },
  );
}
