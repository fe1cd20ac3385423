// `kdp bench svc/NAME` end to end: load through a real ClusterIP of a whole `kdp up`, with the spread
// over three traefik/whoami pods counted from their answers. The cluster runs on the bench's own
// ranges (127.235-238.x, see bench/lib/addresses.ts), clear of every test slot.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import { startKdp, type KdpCluster } from '../support/kdp.js';

const RANGES = [
  '--service-cidr', '127.235.0.0/16', '--dns-address', '127.235.0.10', '--pod-cidr', '127.236.0.0/16',
  '--node-ip-start', '127.237.0.2', '--lb-pool', '127.238.0.0/24', '--host-address', '127.238.1.1', '--name', 'benchtest',
];

const MANIFEST = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: who}
spec:
  replicas: 3
  selector: {matchLabels: {app: who}}
  template:
    metadata: {labels: {app: who}}
    spec:
      containers: [{name: who, image: traefik/whoami, ports: [{containerPort: 80}]}]
---
apiVersion: v1
kind: Service
metadata: {name: who}
spec:
  selector: {app: who}
  ports: [{name: http, port: 80}]
---
apiVersion: v1
kind: Service
metadata: {name: empty}
spec:
  selector: {app: nothing}
  ports: [{port: 80}]
`;

let k: KdpCluster;
let tmp: string;
let pods: string[];

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'kdp-bench-e2e-'));
  writeFileSync(join(tmp, 'who.yaml'), MANIFEST);
  // slot 0 only names the state dir here: every range is overridden by RANGES (later flags win).
  k = await startKdp({ slot: 0, files: [join(tmp, 'who.yaml')], extraArgs: RANGES });
  pods = await eventually(async () => {
    const r = await k.kdp(['get', 'endpointslices', '-l', 'kubernetes.io/service-name=who', '-o', 'json']);
    const eps = JSON.parse(r.stdout).items.flatMap((s: any) => s.endpoints ?? []).filter((e: any) => e.conditions?.ready);
    expect(eps).toHaveLength(3);
    return eps.map((e: any) => e.targetRef.name as string).sort();
  }, { timeout: 20_000, what: 'three ready whoami endpoints' });
}, 60_000);

afterAll(async () => {
  await k?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

describe('kdp bench svc/NAME', () => {
  it('reports throughput, latency percentiles and the requests of every pod', async () => {
    const r = await k.kdp(['bench', 'svc/who', '--connections', '6', '--duration', '1s'], { timeout: 20_000 });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Running 1s test @ http:\/\/127\.235\.\d+\.\d+:80\/ \(service\/who, 3 ready endpoints\)$/m);
    expect(r.stdout).toMatch(/^ {2}\d+ requests in [\d.]+s, [\d.]+ req\/s, 0 errors, 0 non-2xx\/3xx$/m);
    expect(r.stdout).toMatch(/^ {2}Latency {2}p50 [\d.]+ms {2}p90 [\d.]+ms {2}p99 [\d.]+ms {2}max [\d.]+ms$/m);
    // Six keep-alive connections, round robin over three pods: two connections and a share each.
    for (const pod of pods) expect(r.stdout).toMatch(new RegExp(`^${pod}\\s+127\\.236\\.\\d+\\.\\d+\\s+[1-9]\\d*\\s+[\\d.]+%\\s+2$`, 'm'));
    expect(r.stdout).not.toContain('<unidentified>');
  });

  it('spreads new connections evenly with --close, and prints JSON with -o json', async () => {
    const r = await k.kdp(['bench', 'svc/who', '-c', '3', '-d', '1s', '--close', '-o', 'json'], { timeout: 20_000 });
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.keepAlive).toBe(false);
    expect(j.errors).toBe(0);
    expect(j.endpoints.map((e: any) => e.pod)).toEqual(pods);
    const counts = j.endpoints.map((e: any) => e.requests);
    expect(counts.reduce((a: number, b: number) => a + b, 0)).toBe(j.requests);
    // Round robin per connection: no pod is more than a few requests ahead of another.
    expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(3);
  });

  it('fails like kubectl for a missing Service, and says why a Service without endpoints cannot be loaded', async () => {
    const missing = await k.kdp(['bench', 'svc/nope']);
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim()).toBe('Error from server (NotFound): services "nope" not found');
    const empty = await k.kdp(['bench', 'svc/empty', '-d', '1s']);
    expect(empty.code).toBe(1);
    expect(empty.stderr).toMatch(/^error: service "empty" has no ready endpoints on port 80/);
    const wrongKind = await k.kdp(['bench', 'deploy/who']);
    expect(wrongKind.stderr.trim()).toBe('error: kdp bench works on Services (svc/NAME), not "deploy"');
  });
});
