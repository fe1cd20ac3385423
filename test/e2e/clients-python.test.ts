// The official Python client (Debian's python3-kubernetes, run with /usr/bin/python3) against a whole
// `kdp up` on 127.204-207.x, with the kubeconfig kdp wrote and nothing changed: CRUD with the errors
// it raises, Watch with timeout_seconds, log follow, exec with stdin and exit code, port-forward.
// The client side is test/e2e/clients/python_client.py; each scenario prints what came back.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rangeArgs, run, startKdp, type KdpCluster } from '../support/kdp.js';

const PYTHON = '/usr/bin/python3';
const SCRIPT = join(import.meta.dirname, 'clients', 'python_client.py');
const available = existsSync(PYTHON) && (await run(PYTHON, ['-c', 'import kubernetes'])).code === 0;
if (!available) console.log('[python client e2e] skipped: /usr/bin/python3 with python3-kubernetes is not installed');

let k: KdpCluster;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function scenario(name: string): Promise<any> {
  const r = await run(PYTHON, [SCRIPT, k.kubeconfig, name], { timeout: 90_000, env: { PATH: process.env.PATH, HOME: k.stateDir } });
  if (r.code !== 0) throw new Error(`python_client.py ${name} exited ${r.code}:\n${r.stderr}${r.stdout}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

beforeAll(async () => {
  if (!available) return;
  k = await startKdp({ slot: 0, extraArgs: rangeArgs(204, 'python') });
}, 60_000);

afterAll(async () => {
  await k?.stop();
});

describe.skipIf(!available)('the Python client, unmodified, on the kubeconfig kdp wrote', () => {
  it('CRUD: create, AlreadyExists, patch, Conflict on a stale replace, replace, list by label, delete, NotFound', async () => {
    const r = await scenario('crud');
    expect(r.created).toMatchObject({ name: 'py-cm', uid: true, data: { a: '1' } });
    expect(r.duplicate).toEqual({ status: 409, reason: 'AlreadyExists', message: 'configmaps "py-cm" already exists' });
    expect(r.patched).toEqual({ a: '1', b: '2' });
    expect(r.conflict).toMatchObject({ status: 409, reason: 'Conflict' });
    expect(r.conflict.message).toContain('the object has been modified; please apply your changes to the latest version and try again');
    expect(r.replaced).toEqual({ a: '10', b: '2' });
    expect(r.listed).toEqual(['py-cm']);
    expect(r.listRv).toBe(true);
    expect(r.deleted).toEqual({ kind: 'V1Status', status: 'Success' });
    expect(r.missing).toEqual({ status: 404, reason: 'NotFound', message: 'configmaps "py-cm" not found' });
  });

  it('Watch with timeout_seconds: the existing object, then ADDED/MODIFIED/DELETED, and the stream ends when the server closes it', async () => {
    const r = await scenario('watch');
    expect(r.events.map((e: string[]) => `${e[0]} ${e[1]}`)).toEqual(['ADDED py-w1', 'ADDED py-w2', 'MODIFIED py-w2', 'DELETED py-w2']);
    const rvs = r.events.map((e: string[]) => Number(e[2]));
    expect([...rvs].sort((a, b) => a - b)).toEqual(rvs);
    expect(r.seconds).toBeGreaterThanOrEqual(2.5);
    expect(r.seconds).toBeLessThan(10);
  });

  it('log follow: lines arrive while the container runs, the stream ends when it exits', async () => {
    const r = await scenario('logs');
    expect(r.lines).toEqual(['line 1', 'line 2', 'line 3']);
    expect(r.phaseAtFirstLine).toBe('Running');
    expect(r.tail2).toBe('line 2\nline 3\n');
  });

  it('exec: output, stdin, stderr apart, and the exit code from the error channel', async () => {
    const r = await scenario('exec');
    expect(r.simple).toBe('hello from exec\n');
    expect(r).toMatchObject({ stdout: 'got typed\n', stderr: 'oops\n', returncode: 3 });
  });

  it('port-forward (WebSocket channels): HTTP through the pod port twice, and the dial error of a closed port', async () => {
    const r = await scenario('portforward');
    expect(r.answers).toEqual([
      { status: 'HTTP/1.1 200 OK', nginx: true, error: null },
      { status: 'HTTP/1.1 200 OK', nginx: true, error: null },
    ]);
    expect(r.refused).toMatch(/error forwarding port 81 to pod .*connection refused/);
  });
});
