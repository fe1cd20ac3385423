// Issue 15 end to end (ranges 127.240-243.x): objects the API acknowledged survive a kill -9 of
// kdp up, and `kdp up` on the same state dir resumes the cluster: the same objects, rising
// resourceVersions, a watch from before the crash that resumes without a lost event; one cluster per
// state dir (the second refuses, naming the PID); --fresh and --ephemeral.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { KDP_BIN, ROOT, rangeArgs, run, startKdp, type KdpCluster } from '../support/kdp.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
const RANGES = rangeArgs(240, 'e2edur');
const started: KdpCluster[] = [];
const dirs: string[] = [];

async function up(stateDir: string, extra: string[] = []): Promise<KdpCluster> {
  const k = await startKdp({ slot: 0, nodes: 1, extraArgs: [...RANGES, ...extra], stateDir });
  started.push(k);
  return k;
}

function newStateDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'kdp-e2edur-'));
  dirs.push(d);
  return d;
}

afterAll(async () => {
  for (const k of started) await k.halt();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const cm = (i: number) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${i}`, namespace: 'default', labels: { batch: 'crash' } }, data: { i: String(i), payload: `value ${i} `.repeat(20) } });

async function readWatch(k: KdpCluster, path: string, until: (events: any[]) => boolean, timeoutMs = 10_000): Promise<any[]> {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), timeoutMs);
  const events: any[] = [];
  try {
    const res = await k.fetch(path, { signal: ac.signal });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    const dec = new TextDecoder();
    let buf = '';
    while (!until(events)) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += dec.decode(value, { stream: true });
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        if (nl > 0) events.push(JSON.parse(buf.slice(0, nl)));
        buf = buf.slice(nl + 1);
      }
    }
    ac.abort();
  } catch (err) {
    if (!ac.signal.aborted) throw err;
  } finally {
    clearTimeout(timer);
  }
  return events;
}

describe('durable state', () => {
  it('keeps every create that got 201 through a kill -9 at a random moment, none duplicated, resourceVersions rising', async () => {
    const stateDir = newStateDir();
    let k = await up(stateDir);
    const before = await (await k.fetch('/api/v1/namespaces/default/configmaps')).json();
    const rv0 = before.metadata.resourceVersion;
    const N = 200;
    const killAt = 1 + Math.floor(Math.random() * (N - 20)); // after this many answers
    const acked = new Map<string, any>();
    let answers = 0;
    let failed = 0;
    const crashed = new Promise<void>((resolveCrash) => {
      const creates = Array.from({ length: N }, (_, i) =>
        k.fetch('/api/v1/namespaces/default/configmaps', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(cm(i)) })
          .then(async (res) => {
            if (res.status === 201) {
              const body = await res.json();
              acked.set(body.metadata.name, body);
            } else {
              await res.arrayBuffer();
            }
          })
          .catch(() => { failed++; })
          .finally(() => {
            if (++answers === killAt) void k.crash().then(resolveCrash);
          }),
      );
      void Promise.all(creates).then(() => k.crash().then(resolveCrash));
    });
    await crashed;
    console.log(`kill -9 after ${killAt} answers: ${acked.size} creates acknowledged, ${failed} cut off`);
    expect(acked.size).toBeGreaterThan(0);
    const maxRv = Math.max(...[...acked.values()].map((o) => Number(o.metadata.resourceVersion)));

    k = await up(stateDir);
    expect(k.output()).toMatch(/kdp is up in \d+ ms: .*; resumed \d+ objects from .*state\.db\n/);
    const list = await (await k.fetch('/api/v1/namespaces/default/configmaps?labelSelector=batch%3Dcrash')).json();
    const names = list.items.map((o: any) => o.metadata.name);
    expect(new Set(names).size).toBe(names.length); // none duplicated
    const byName = new Map<string, any>(list.items.map((o: any) => [o.metadata.name, o]));
    for (const [name, ackedObj] of acked) {
      const got = byName.get(name);
      expect(got, `${name} got 201 before the crash`).toBeDefined();
      expect(got.metadata.uid).toBe(ackedObj.metadata.uid);
      expect(got.metadata.resourceVersion).toBe(ackedObj.metadata.resourceVersion);
      expect(got.data).toEqual(cm(Number(name.slice(3))).data);
    }
    // objects not acknowledged may or may not be there, but whole
    for (const o of list.items) expect(o.data).toEqual(cm(Number(o.metadata.name.slice(3))).data);
    expect(Number(list.metadata.resourceVersion)).toBeGreaterThanOrEqual(maxRv);
    const after = await k.fetch('/api/v1/namespaces/default/configmaps', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...cm(N), metadata: { name: 'after-restart', namespace: 'default' } }) });
    expect(after.status).toBe(201);
    expect(Number((await after.json()).metadata.resourceVersion)).toBeGreaterThan(maxRv);

    // A watch from before the crash resumes: every ConfigMap stored since rv0 arrives as ADDED, once.
    const want = list.items.length + 1;
    const events = await readWatch(k, `/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${rv0}`, (evs) => evs.length >= want);
    const added = events.filter((e) => e.type === 'ADDED').map((e) => e.object.metadata.name);
    expect(added.sort()).toEqual([...names, 'after-restart'].sort());
    await k.halt();
  }, 90_000);

  it('refuses a second kdp up on a state dir in use, naming the PID; --fresh starts empty; --ephemeral writes nothing', async () => {
    const stateDir = newStateDir();
    let k = await up(stateDir);
    const second = await run(process.execPath, [KDP_BIN, 'up', ...RANGES, '--api-port', '0', '--state-dir', stateDir], { timeout: 15_000 });
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`error: the state dir ${stateDir} is in use by another kdp (PID ${k.pid})`);
    const res = await k.fetch('/api/v1/namespaces/default/configmaps', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(cm(1)) });
    expect(res.status).toBe(201);
    await k.halt();

    k = await up(stateDir, ['--fresh']);
    expect(k.output()).not.toMatch(/resumed/);
    expect((await k.fetch('/api/v1/namespaces/default/configmaps/cm-1')).status).toBe(404);
    await k.halt();

    k = await up(stateDir, ['--ephemeral']);
    expect((await k.fetch('/api/v1/namespaces/default/configmaps', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(cm(2)) })).status).toBe(201);
    await k.halt();
    k = await up(stateDir);
    expect((await k.fetch('/api/v1/namespaces/default/configmaps/cm-2')).status).toBe(404);
    await k.halt();
  }, 90_000);

  it('refuses to start over a state.db that is not kdp\'s, naming the path and what to do', async () => {
    const stateDir = newStateDir();
    writeFileSync(join(stateDir, 'state.db'), 'not a database at all, but long enough to look like a file someone cared about\n'.repeat(30));
    const r = await run(process.execPath, [KDP_BIN, 'up', ...RANGES, '--api-port', '0', '--state-dir', stateDir], { timeout: 15_000 });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${join(stateDir, 'state.db')} is not a valid kdp database`);
    expect(r.stderr).toContain('kdp up --fresh');
    expect(r.stdout).not.toMatch(/kdp is up/);
  }, 30_000);
});
void ROOT;
