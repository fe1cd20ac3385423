// Runs wrk and dnsperf and reads their summaries.
import { runProc } from './procs.js';

export interface WrkResult {
  rps: number;
  requests: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  non2xx: number;
}

export interface WrkOptions {
  url: string;
  connections: number;
  durationS: number;
  close?: boolean;
  headers?: string[];
}

export async function wrk(o: WrkOptions): Promise<WrkResult> {
  const args = ['-t1', `-c${o.connections}`, `-d${o.durationS}s`, '--latency', '--timeout', '5s'];
  if (o.close) args.push('-H', 'Connection: close');
  for (const h of o.headers ?? []) args.push('-H', h);
  args.push(o.url);
  const { code, out } = await runProc('wrk', args, { timeoutMs: (o.durationS + 30) * 1000 });
  if (code !== 0) throw new Error(`wrk exited with ${code}: ${out.trim()}`);
  return parseWrk(out);
}

const UNIT: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000 };

function duration(v: string): number {
  const m = v.match(/^([\d.]+)(us|ms|s|m)$/);
  return m ? Number(m[1]) * UNIT[m[2]] : NaN;
}

export function parseWrk(out: string): WrkResult {
  const rps = Number(out.match(/Requests\/sec:\s+([\d.]+)/)?.[1] ?? NaN);
  const requests = Number(out.match(/(\d+) requests in/)?.[1] ?? NaN);
  const p50 = out.match(/^\s+50%\s+(\S+)/m)?.[1];
  const p99 = out.match(/^\s+99%\s+(\S+)/m)?.[1];
  const se = out.match(/Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/);
  const errors = se ? se.slice(1).reduce((a, b) => a + Number(b), 0) : 0;
  const non2xx = Number(out.match(/Non-2xx or 3xx responses: (\d+)/)?.[1] ?? 0);
  if (!Number.isFinite(rps)) throw new Error(`cannot read wrk's output:\n${out}`);
  return { rps, requests, p50Ms: p50 ? duration(p50) : NaN, p99Ms: p99 ? duration(p99) : NaN, errors, non2xx };
}

export interface DnsperfResult {
  qps: number;
  sent: number;
  lost: number;
  avgLatencyMs: number;
}

export async function dnsperf(o: { server: string; port?: number; queryFile: string; durationS: number; clients?: number; outstanding?: number; mode?: 'udp' | 'tcp' }): Promise<DnsperfResult> {
  const args = ['-s', o.server, '-p', String(o.port ?? 53), '-d', o.queryFile, '-c', String(o.clients ?? 1), '-l', String(o.durationS), '-q', String(o.outstanding ?? 100), '-t', '2'];
  if (o.mode === 'tcp') args.push('-m', 'tcp');
  const { code, out } = await runProc('dnsperf', args, { timeoutMs: (o.durationS + 30) * 1000 });
  if (code !== 0) throw new Error(`dnsperf exited with ${code}: ${out.trim()}`);
  return parseDnsperf(out);
}

export function parseDnsperf(out: string): DnsperfResult {
  const qps = Number(out.match(/Queries per second:\s+([\d.]+)/)?.[1] ?? NaN);
  const sent = Number(out.match(/Queries sent:\s+(\d+)/)?.[1] ?? NaN);
  const lost = Number(out.match(/Queries lost:\s+(\d+)/)?.[1] ?? NaN);
  const avg = Number(out.match(/Average Latency \(s\):\s+([\d.]+)/)?.[1] ?? NaN) * 1000;
  if (!Number.isFinite(qps)) throw new Error(`cannot read dnsperf's output:\n${out}`);
  return { qps, sent, lost, avgLatencyMs: avg };
}
