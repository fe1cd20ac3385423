import { describe, expect, it } from 'vitest';
import { runContainerProbes, type ProbeCallbacks } from './container-probes.js';
import type { CheckResult } from './probe-check.js';

/** A scripted world: each probe handler answers from its list; sleeps are recorded, not waited. */
function world(script: Record<string, boolean[]>) {
  const log: string[] = [];
  const ctl = new AbortController();
  const check = async (probe: { tcpSocket?: { port: string } }): Promise<CheckResult> => {
    const name = probe.tcpSocket!.port;
    const next = script[name].shift();
    if (next === undefined) {
      ctl.abort();
      return { ok: true, message: '' };
    }
    return next ? { ok: true, message: '' } : { ok: false, message: `${name} down` };
  };
  const sleep = async (ms: number) => {
    log.push(`sleep ${ms}`);
  };
  const cb: ProbeCallbacks = {
    started: () => log.push('started'),
    ready: (r) => log.push(`ready ${r}`),
    unhealthy: (k, m) => log.push(`unhealthy ${k}: ${m}`),
    failed: (k, m) => log.push(`failed ${k}: ${m}`),
  };
  const target = { podIP: '127.244.1.5', container: {}, exec: async () => ({ code: 0, output: '' }) };
  return { log, ctl, cb, target, deps: { check, sleep } };
}

describe('runContainerProbes', () => {
  it('waits for the startup probe, then reports readiness flips on the probe period', async () => {
    const w = world({ s: [false, true], r: [false, true, true, false] });
    const container = { startupProbe: { tcpSocket: { port: 's' }, periodSeconds: 1 }, readinessProbe: { tcpSocket: { port: 'r' }, initialDelaySeconds: 2, periodSeconds: 5, failureThreshold: 1 } };
    await runContainerProbes(container, w.target, w.cb, w.ctl.signal, w.deps);
    expect(w.log).toEqual([
      'ready false',
      'failed Startup: s down', 'sleep 1000',
      'started',
      'sleep 2000',
      'failed Readiness: r down', 'sleep 5000',
      'ready true', 'sleep 5000',
      'sleep 5000',
      'failed Readiness: r down', 'ready false', 'sleep 5000',
    ]);
  });

  it('reports a liveness failure once failureThreshold is reached and stops probing', async () => {
    const w = world({ l: [true, false, false, true] });
    await runContainerProbes({ livenessProbe: { tcpSocket: { port: 'l' }, failureThreshold: 2, periodSeconds: 3 } }, w.target, w.cb, w.ctl.signal, w.deps);
    expect(w.log).toEqual(['ready false', 'started', 'ready true', 'sleep 3000', 'failed Liveness: l down', 'sleep 3000', 'failed Liveness: l down', 'unhealthy Liveness: l down']);
  });

  it('a startup probe that never passes asks for a restart and never starts the others', async () => {
    const w = world({ s: [false, false], r: [true] });
    await runContainerProbes({ startupProbe: { tcpSocket: { port: 's' }, failureThreshold: 2 }, readinessProbe: { tcpSocket: { port: 'r' } } }, w.target, w.cb, w.ctl.signal, w.deps);
    expect(w.log).toEqual(['ready false', 'failed Startup: s down', 'sleep 10000', 'failed Startup: s down', 'unhealthy Startup: s down']);
  });
});
