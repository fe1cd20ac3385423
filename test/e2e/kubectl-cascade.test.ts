// Cascading deletion with running pods, end to end: real kubectl against a whole `kdp up` (slot 11,
// API on 127.62.0.11). Foreground: the Deployment (and its ReplicaSet) stay until the pods — deleted
// gracefully, so stopped by the pod runtime first — are gone; orphan: the ReplicaSet and its pods stay.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import { startKdp, type KdpCluster } from '../support/kdp.js';
import { findKubectls, kubectlFor, type KubectlRunner } from '../support/kubectl.js';
import { deployment } from './services-helpers.js';

const latest = findKubectls().found[0];
if (!latest) console.log('[kubectl cascade e2e] skipped: no real kubectl on this machine');

let k: KdpCluster;
let kc: KubectlRunner;
let tmp: string;

async function ok(args: string[]): Promise<string> {
  const r = await kc(args);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} exited ${r.code}: ${r.stderr}${r.stdout}`);
  return r.stdout;
}

async function json(args: string[]): Promise<any> {
  return JSON.parse(await ok([...args, '-o', 'json']));
}

/** Every watch event of a collection from now on, read through the admin's client certificate. */
function watchAll(path: string): { events: { type: string; name: string; rv: number; object: any }[]; stop: () => void } {
  const events: { type: string; name: string; rv: number; object: any }[] = [];
  const abort = new AbortController();
  void (async () => {
    const res = await k.fetch(`${path}${path.includes('?') ? '&' : '?'}watch=1&resourceVersion=1`, { signal: abort.signal });
    const decoder = new TextDecoder();
    let buf = '';
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buf += decoder.decode(chunk, { stream: true });
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const ev = JSON.parse(buf.slice(0, i));
        buf = buf.slice(i + 1);
        events.push({ type: ev.type, name: ev.object.metadata.name, rv: Number(ev.object.metadata.resourceVersion), object: ev.object });
      }
    }
  })().catch(() => {});
  return { events, stop: () => abort.abort() };
}

beforeAll(async () => {
  if (!latest) return;
  tmp = mkdtempSync(join(tmpdir(), 'kdp-cascade-'));
  k = await startKdp({ slot: 11, extraArgs: ['--api-address', '127.62.0.11'] });
  kc = kubectlFor(latest, k.stateDir);
}, 60_000);

afterAll(async () => {
  kc?.dispose();
  await k?.stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe.skipIf(!latest)(`kubectl ${latest?.label} delete --cascade with running pods`, () => {
  const start = async (name: string) => {
    const file = join(tmp, `${name}.yaml`);
    writeFileSync(file, deployment(name, 2, 'nginx:1.25'));
    await ok(['apply', '-f', file]);
    await ok(['rollout', 'status', `deployment/${name}`, '--timeout', '40s']);
  };

  it('the API runs where the test put it', async () => {
    expect(k.apiUrl).toMatch(/^https:\/\/127\.62\.0\.11:\d+$/);
  });

  it('foreground: the Deployment goes only after its pods and ReplicaSet are gone', async () => {
    await start('fg');
    const pods = (await json(['get', 'pods', '-l', 'app=fg'])).items.map((p: any) => p.metadata.name);
    expect(pods).toHaveLength(2);
    const deploys = watchAll('/apis/apps/v1/namespaces/default/deployments?fieldSelector=metadata.name%3Dfg');
    const podEvents = watchAll('/api/v1/namespaces/default/pods?labelSelector=app%3Dfg');
    try {
      expect(await ok(['delete', 'deployment', 'fg', '--cascade=foreground', '--timeout=60s'])).toBe('deployment.apps "fg" deleted\n');
      await eventually(() => expect(deploys.events.find((e) => e.type === 'DELETED')).toBeDefined());
      const marked = deploys.events.find((e) => e.type === 'MODIFIED' && e.object.metadata.finalizers?.includes('foregroundDeletion'));
      expect(marked).toBeDefined();
      const gone = deploys.events.find((e) => e.type === 'DELETED')!;
      const podsGone = podEvents.events.filter((e) => e.type === 'DELETED');
      expect(podsGone.map((e) => e.name).sort()).toEqual([...pods].sort());
      // each pod was stopped gracefully (marked, then removed) before the Deployment went
      for (const p of pods) expect(podEvents.events.some((e) => e.name === p && e.type === 'MODIFIED' && e.object.metadata.deletionTimestamp && e.rv < gone.rv)).toBe(true);
      expect(Math.max(...podsGone.map((e) => e.rv))).toBeLessThan(gone.rv);
      expect((await json(['get', 'replicasets', '-l', 'app=fg'])).items).toEqual([]);
    } finally {
      deploys.stop();
      podEvents.stop();
    }
  });

  it('orphan: the ReplicaSet and its pods stay, the ReplicaSet without the owner reference', async () => {
    await start('or');
    const rsBefore = (await json(['get', 'replicasets', '-l', 'app=or'])).items;
    expect(rsBefore).toHaveLength(1);
    expect(await ok(['delete', 'deployment', 'or', '--cascade=orphan'])).toBe('deployment.apps "or" deleted\n');
    const rs = await json(['get', 'replicaset', rsBefore[0].metadata.name]);
    expect(rs.metadata.uid).toBe(rsBefore[0].metadata.uid);
    expect(rs.metadata.ownerReferences).toBeUndefined();
    const pods = (await json(['get', 'pods', '-l', 'app=or'])).items;
    expect(pods).toHaveLength(2);
    expect(pods.every((p: any) => p.metadata.ownerReferences?.[0]?.uid === rs.metadata.uid && !p.metadata.deletionTimestamp)).toBe(true);
    await ok(['delete', 'replicaset', rs.metadata.name, '--timeout=60s']);
    await eventually(async () => expect((await json(['get', 'pods', '-l', 'app=or'])).items).toEqual([]), { timeout: 40_000 });
  });
});
