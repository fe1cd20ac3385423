import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KObject } from '../../api/types.js';
import { applyVolumeOwnership } from './volume-ownership.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kdp-own-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const pod = (securityContext: any, volumes: any[]): KObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'ns' }, spec: { securityContext, volumes, containers: [] } });
const mode = (p: string) => statSync(p).mode & 0o7777;

describe.skipIf(process.getuid?.() !== 0)('applyVolumeOwnership (as root)', () => {
  function setUp(): Map<string, string> {
    const v = new Map<string, string>();
    for (const n of ['scratch', 'sec', 'hp', 'claim', 'foreign']) {
      mkdirSync(join(dir, n), { mode: 0o755 });
      v.set(n, join(dir, n));
    }
    writeFileSync(join(dir, 'sec', 'token'), 'x', { mode: 0o600 });
    chmodSync(join(dir, 'sec', 'token'), 0o600);
    return v;
  }
  const volumes = [
    { name: 'scratch', emptyDir: {} },
    { name: 'sec', secret: { secretName: 's' } },
    { name: 'hp', hostPath: { path: '/x' } },
    { name: 'claim', persistentVolumeClaim: { claimName: 'mine' } },
    { name: 'foreign', persistentVolumeClaim: { claimName: 'theirs' } },
  ];
  const pvOf = (v: any): KObject => ({ apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'pv', annotations: v.persistentVolumeClaim.claimName === 'mine' ? { 'pv.kubernetes.io/provisioned-by': 'rancher.io/local-path' } : ({} as Record<string, string>) } });

  it('makes emptyDirs and provisioned claims world-writable, leaves hostPath and foreign claims alone', () => {
    const v = setUp();
    applyVolumeOwnership(pod(undefined, volumes), v, dir, (m) => expect.fail(m), pvOf);
    expect(mode(v.get('scratch')!)).toBe(0o777);
    expect(mode(v.get('claim')!)).toBe(0o777);
    expect([mode(v.get('hp')!), mode(v.get('foreign')!), mode(v.get('sec')!)]).toEqual([0o755, 0o755, 0o755]);
    expect(statSync(join(dir, 'sec', 'token')).gid).toBe(0);
  });

  it('with fsGroup: the group owns them, group-readable (-writable where writable), setgid directories', () => {
    const v = setUp();
    writeFileSync(join(dir, 'scratch', 'f'), 'y', { mode: 0o644 });
    applyVolumeOwnership(pod({ fsGroup: 2000 }, volumes), v, dir, (m) => expect.fail(m), pvOf);
    const st = statSync(v.get('scratch')!);
    expect([st.gid, mode(v.get('scratch')!)]).toEqual([2000, 0o2777]);
    expect([statSync(join(dir, 'scratch', 'f')).gid, mode(join(dir, 'scratch', 'f'))]).toEqual([2000, 0o664]);
    expect([statSync(join(dir, 'sec', 'token')).gid, mode(join(dir, 'sec', 'token'))]).toEqual([2000, 0o640]);
    expect(mode(v.get('sec')!)).toBe(0o2755);
    expect(statSync(v.get('hp')!).gid).toBe(0);
    expect(statSync(v.get('foreign')!).gid).toBe(0);
    expect(statSync(v.get('claim')!).gid).toBe(2000);
  });
});
