// Who may write a pod's volumes, as the kubelet sets it: an emptyDir is world-writable (0777), a
// directory kdp's local-path provisioner made for a claim too (as local-path-provisioner does), and
// with `securityContext.fsGroup` every volume kdp manages (emptyDir, configMap, secret, downwardAPI,
// projected, provisioned claims) is chowned to that group, group-readable (and -writable, for the
// writable kinds) with setgid directories, so files the pod creates keep the group. hostPath volumes
// and claims kdp did not provision are the user's: left as they are, as Kubernetes does.
import { chmodSync, chownSync, lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { KObject } from '../../api/types.js';

/* eslint-disable @typescript-eslint/no-explicit-any */

const PROVISIONED_BY = 'rancher.io/local-path';

/** The chown/chmod of one tree: group `gid` (if given), mode bits added per entry. */
function walk(path: string, gid: number | undefined, writable: boolean): void {
  const st = lstatSync(path);
  if (st.isSymbolicLink()) return;
  if (gid !== undefined) chownSync(path, st.uid, gid);
  let mode = st.mode & 0o7777;
  if (gid !== undefined) mode |= st.isDirectory() ? 0o2050 | (writable ? 0o020 : 0) : 0o040 | (writable ? 0o020 : 0);
  if (mode !== (st.mode & 0o7777)) chmodSync(path, mode);
  if (st.isDirectory()) for (const e of readdirSync(path)) walk(join(path, e), gid, writable);
}

/**
 * Applies the ownership rules above to the pod's set-up volumes (name → host path). Errors are
 * reported through `warn` (the pod still starts, as with the kubelet's fsGroup failures on some volumes).
 */
export function applyVolumeOwnership(pod: KObject, volumes: Map<string, string>, podDir: string, warn: (msg: string) => void, pvOf: (v: any) => KObject | undefined = () => undefined): void {
  const fsGroup = pod.spec?.securityContext?.fsGroup;
  const gid = typeof fsGroup === 'number' && Number.isInteger(fsGroup) && fsGroup >= 0 ? fsGroup : undefined;
  for (const v of pod.spec?.volumes ?? []) {
    const path = volumes.get(v.name);
    if (!path) continue;
    try {
      if (v.emptyDir) {
        chmodSync(path, 0o777);
        if (gid !== undefined) walk(path, gid, true);
      } else if (v.configMap || v.secret || v.downwardAPI || v.projected) {
        if (path.startsWith(podDir) && gid !== undefined) walk(path, gid, false);
      } else if (v.persistentVolumeClaim) {
        const pv = pvOf(v);
        if (pv?.metadata.annotations?.['pv.kubernetes.io/provisioned-by'] !== PROVISIONED_BY) continue;
        chmodSync(path, lstatSync(path).mode & 0o7777 | 0o777);
        if (gid !== undefined) walk(path, gid, true);
      }
    } catch (err) {
      warn(`setting the ownership of volume "${v.name}" (fsGroup ${gid ?? '-'}): ${(err as Error).message}`);
    }
  }
}
