// One probe attempt, as the kubelet's http/tcp/exec probers make it, with their failure messages
// (`HTTP probe failed with statuscode: 503`, `dial tcp 127.244.1.5:8080: connect: connection refused`).
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';

/* eslint-disable @typescript-eslint/no-explicit-any */

export interface CheckResult {
  ok: boolean;
  /** Why it failed (also the output of a failed exec probe); empty on success. */
  message: string;
}

export interface ExecResult {
  code: number;
  output: string;
  timedOut?: boolean;
}

export interface CheckTarget {
  podIP: string;
  container: any;
  /** Runs argv in the container's sandbox with its environment; kills it after timeoutMs. */
  exec(argv: string[], timeoutMs: number): Promise<ExecResult>;
}

/** A probe port: a number, or the name of one of the container's ports. */
export function resolveProbePort(port: unknown, container: any): number | undefined {
  if (typeof port === 'number') return port;
  if (typeof port === 'string') {
    if (/^\d+$/.test(port)) return Number(port);
    const p = (container?.ports ?? []).find((cp: any) => cp.name === port);
    return p?.containerPort;
  }
  return undefined;
}

function dialError(err: NodeJS.ErrnoException, host: string, port: number): string {
  const where = `dial tcp ${host}:${port}`;
  if (err.code === 'ECONNREFUSED') return `${where}: connect: connection refused`;
  if (err.code === 'EHOSTUNREACH') return `${where}: connect: no route to host`;
  return `${where}: ${err.message}`;
}

export function checkTcp(host: string, port: number, timeoutMs: number): Promise<CheckResult> {
  return new Promise((resolve) => {
    const sock = net.connect({ host, port });
    const done = (r: CheckResult) => {
      sock.destroy();
      resolve(r);
    };
    sock.setTimeout(timeoutMs, () => done({ ok: false, message: `dial tcp ${host}:${port}: i/o timeout` }));
    sock.once('connect', () => done({ ok: true, message: '' }));
    sock.once('error', (err) => done({ ok: false, message: dialError(err, host, port) }));
  });
}

export function checkHttp(probe: any, host: string, port: number, timeoutMs: number): Promise<CheckResult> {
  const scheme = String(probe.scheme ?? 'HTTP').toUpperCase() === 'HTTPS' ? 'https' : 'http';
  let path = String(probe.path ?? '/');
  if (!path.startsWith('/')) path = `/${path}`;
  const url = `${scheme}://${host}:${port}${path}`;
  const headers: Record<string, string> = { 'User-Agent': 'kube-probe/1.31', Accept: '*/*' };
  for (const h of probe.httpHeaders ?? []) if (h?.name) headers[h.name] = String(h.value ?? '');
  return new Promise((resolve) => {
    let settled = false;
    const finish = (r: CheckResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(r);
    };
    const lib = scheme === 'https' ? https : http;
    const req = lib.request(url, { method: 'GET', headers, agent: false, ...(scheme === 'https' ? { rejectUnauthorized: false } : {}) }, (res) => {
      const code = res.statusCode ?? 0;
      res.resume();
      res.once('end', () => undefined);
      finish(code >= 200 && code < 400 ? { ok: true, message: '' } : { ok: false, message: `HTTP probe failed with statuscode: ${code}` });
      req.destroy();
    });
    const timer = setTimeout(() => {
      finish({ ok: false, message: `Get "${url}": context deadline exceeded (Client.Timeout exceeded while awaiting headers)` });
      req.destroy();
    }, timeoutMs);
    req.once('error', (err: NodeJS.ErrnoException) => finish({ ok: false, message: `Get "${url}": ${dialError(err, host, port)}` }));
    req.end();
  });
}

/** Runs `probe` (an httpGet, tcpSocket, exec or grpc handler) once. */
export async function checkProbe(probe: any, target: CheckTarget, timeoutMs: number): Promise<CheckResult> {
  if (probe.exec) {
    const argv: string[] = (probe.exec.command ?? []).map(String);
    if (!argv.length) return { ok: false, message: 'exec probe has no command' };
    const r = await target.exec(argv, timeoutMs);
    if (r.timedOut) return { ok: false, message: `command "${argv.join(' ')}" timed out` };
    return r.code === 0 ? { ok: true, message: '' } : { ok: false, message: r.output.trim() || `command "${argv.join(' ')}" exited with ${r.code}` };
  }
  const handler = probe.httpGet ?? probe.tcpSocket ?? probe.grpc;
  const port = resolveProbePort(handler?.port, target.container);
  if (!handler) return { ok: false, message: 'probe has no handler (httpGet, tcpSocket, exec or grpc)' };
  if (port === undefined) return { ok: false, message: `couldn't find port: ${JSON.stringify(handler.port)} in container` };
  const host = handler.host || target.podIP;
  if (probe.httpGet) return checkHttp(probe.httpGet, host, port, timeoutMs);
  // tcpSocket, and grpc approximated by "the port accepts connections" (kdp speaks no gRPC health).
  return checkTcp(host, port, timeoutMs);
}
