// Bind mounts of a pod's volumes inside its private mount namespace. In the pod's own root layer
// (sandbox.ts) the holder makes each mount point there. Without one, host processes share the
// host's filesystem, so a mountPath that does not exist on the host (e.g. /data) is created first,
// empty, and removed again when the last pod that mounts there goes — the only trace a volume
// leaves on the host. Mount points are counted per path: pods of one StatefulSet all mount /data,
// and removing it while another pod still uses it would detach that pod's mount.
import { existsSync, mkdirSync, readdirSync, rmdirSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { MountSpec } from './pod-volumes.js';

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * Shell lines run by the sandbox holder: bind each volume at its mountPath, read-only when asked
 * (`kdp_mount` is the holder's: in the pod's own root layer it makes the mount point there first).
 */
export function mountScript(mounts: MountSpec[]): string {
  return mounts.map((m) => `kdp_mount ${q(m.hostPath)} ${q(m.mountPath)} ${m.readOnly ? 'ro' : 'rw'}`).join('\n') + '\n';
}

/** mountPath → how many running sandboxes mount there (this process). */
const users = new Map<string, number>();
/** Top-most directories (or files) kdp created for mount points, to remove once unused. */
const createdTops = new Set<string>();

/**
 * Creates missing mount points (directories, or empty files for file sources) and counts the
 * sandbox as a user of each; returns the mount paths to hand back to releaseMountPoints.
 */
export function acquireMountPoints(mounts: MountSpec[]): string[] {
  const paths: string[] = [];
  for (const m of mounts) {
    users.set(m.mountPath, (users.get(m.mountPath) ?? 0) + 1);
    paths.push(m.mountPath);
    if (existsSync(m.mountPath)) continue;
    let top = m.mountPath;
    while (!existsSync(dirname(top)) && dirname(top) !== top) top = dirname(top);
    const isFile = existsSync(m.hostPath) && statSync(m.hostPath).isFile();
    if (isFile) {
      mkdirSync(dirname(m.mountPath), { recursive: true });
      writeFileSync(m.mountPath, '');
    } else {
      mkdirSync(m.mountPath, { recursive: true });
    }
    createdTops.add(top);
  }
  return paths;
}

/** The sandbox no longer mounts these; created mount points nobody uses any more are removed if empty. */
export function releaseMountPoints(paths: string[]): void {
  for (const p of paths) {
    const n = (users.get(p) ?? 1) - 1;
    if (n > 0) users.set(p, n);
    else users.delete(p);
  }
  for (const top of [...createdTops]) {
    const inUse = [...users.keys()].some((p) => p === top || p.startsWith(`${top}/`));
    if (inUse) continue;
    removeEmpty(top);
    if (!existsSync(top)) createdTops.delete(top);
  }
}

function removeEmpty(p: string): void {
  try {
    const st = statSync(p);
    if (st.isFile()) {
      if (st.size === 0) unlinkSync(p);
      return;
    }
    for (const child of readdirSync(p)) removeEmpty(join(p, child));
    rmdirSync(p);
  } catch {
    /* not empty, busy or gone: leave it */
  }
}
