// kdp's stand-in for a readiness probe on host processes: the container is Ready once something
// accepts TCP connections on every port it declares, at the pod IP.
import { connect } from 'node:net';

export function tcpListening(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect({ host, port });
    const done = (ok: boolean) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(timeoutMs, () => done(false));
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}

/** The first of `ports` nobody listens on at `host`, or undefined when all are open. */
export async function firstClosedPort(host: string, ports: number[]): Promise<number | undefined> {
  for (const p of ports) if (!(await tcpListening(host, p))) return p;
  return undefined;
}

/** A timer that an AbortSignal cuts short; resolves either way. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
