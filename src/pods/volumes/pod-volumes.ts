// The kubelet's volume manager for one pod: makes each `spec.volumes` entry a directory (or file) on
// the host — emptyDir and the files of configMap/secret/downwardAPI/projected volumes under the pod's
// directory, hostPath as it is, a persistentVolumeClaim as the path of its bound PersistentVolume —
// and lists, per container, what to bind-mount at each mountPath. A volume whose ConfigMap, Secret or
// claim is missing throws MountError with the kubelet's wording; the pod worker retries.
import { existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import type { KObject } from '../../api/types.js';

/* eslint-disable @typescript-eslint/no-explicit-any */

export interface MountSpec {
  /** Where the data lives on the host. */
  hostPath: string;
  /** The container's mountPath. */
  mountPath: string;
  readOnly: boolean;
}

export interface VolumeLookups {
  configMap(namespace: string, name: string): KObject | undefined;
  secret(namespace: string, name: string): KObject | undefined;
  pvc(namespace: string, name: string): KObject | undefined;
  pv(name: string): KObject | undefined;
  /** The pod's ServiceAccount token for a projected serviceAccountToken source. */
  serviceAccountToken?(pod: KObject, source: { audience?: string; expirationSeconds?: number }): string;
}

/** What the kubelet asks the API for (TokenRequest bound to the pod): a pod's ServiceAccount token. */
export interface PodTokenSource {
  issueForPod(pod: KObject, source: { audience?: string; expirationSeconds?: number }): string;
}

export class MountError extends Error {
  constructor(readonly volume: string, message: string) {
    super(message);
  }
}

type Files = Map<string, { data: Buffer; mode?: number }>;

function keyFiles(kind: 'configmap' | 'secret', obj: KObject | undefined, src: any, volume: string, ns: string): Files | undefined {
  const name = kind === 'configmap' ? src.name : src.secretName ?? src.name;
  if (!obj) {
    if (src.optional) return new Map();
    throw new MountError(volume, `MountVolume.SetUp failed for volume "${volume}" : ${kind} "${name}" not found`);
  }
  const all = new Map<string, Buffer>();
  if (kind === 'configmap') {
    for (const [k, v] of Object.entries(obj.data ?? {})) all.set(k, Buffer.from(String(v)));
    for (const [k, v] of Object.entries(obj.binaryData ?? {})) all.set(k, Buffer.from(String(v), 'base64'));
  } else {
    for (const [k, v] of Object.entries(obj.data ?? {})) all.set(k, Buffer.from(String(v), 'base64'));
    for (const [k, v] of Object.entries(obj.stringData ?? {})) all.set(k, Buffer.from(String(v)));
  }
  const files: Files = new Map();
  if (Array.isArray(src.items) && src.items.length) {
    for (const item of src.items) {
      const data = all.get(item.key);
      if (!data) {
        if (src.optional) continue;
        throw new MountError(volume, `MountVolume.SetUp failed for volume "${volume}" : configmap references non-existent config key: ${item.key}`);
      }
      files.set(item.path, { data, mode: item.mode });
    }
  } else {
    for (const [k, data] of all) files.set(k, { data });
  }
  void ns;
  return files;
}

function fieldValue(pod: KObject, path: string): string {
  const m = /^metadata\.(labels|annotations)(?:\['(.*)'\])?$/.exec(path);
  if (m) {
    const map: Record<string, string> = pod.metadata[m[1] as 'labels' | 'annotations'] ?? {};
    if (m[2] !== undefined) return map[m[2]] ?? '';
    return Object.keys(map).sort().map((k) => `${k}=${JSON.stringify(map[k])}`).join('\n');
  }
  if (path === 'metadata.name') return pod.metadata.name;
  if (path === 'metadata.namespace') return pod.metadata.namespace ?? 'default';
  if (path === 'metadata.uid') return pod.metadata.uid ?? '';
  return '';
}

function downwardFiles(pod: KObject, src: any): Files {
  const files: Files = new Map();
  for (const item of src.items ?? []) {
    if (item.fieldRef?.fieldPath) files.set(item.path, { data: Buffer.from(fieldValue(pod, item.fieldRef.fieldPath)), mode: item.mode });
  }
  return files;
}

function writeFiles(dir: string, files: Files, defaultMode: number | undefined): void {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const [rel, f] of files) {
    const p = join(dir, normalize(rel).replace(/^(\.\.(\/|$))+/, ''));
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, f.data, { mode: f.mode ?? defaultMode ?? 0o644 });
  }
}

/**
 * Sets up every volume of the pod under `<podDir>/volumes/<name>` (or points at hostPath / the PV)
 * and returns volume name → host path. Throws MountError for the first volume that cannot be set up.
 */
export function setUpVolumes(pod: KObject, podDir: string, lookups: VolumeLookups): Map<string, string> {
  const ns = pod.metadata.namespace ?? 'default';
  const out = new Map<string, string>();
  for (const v of pod.spec?.volumes ?? []) {
    const dir = join(podDir, 'volumes', v.name);
    if (v.emptyDir) {
      mkdirSync(dir, { recursive: true });
      out.set(v.name, dir);
    } else if (v.hostPath) {
      const p: string = v.hostPath.path;
      const type: string = v.hostPath.type ?? '';
      if (type === 'DirectoryOrCreate') mkdirSync(p, { recursive: true });
      else if (type === 'FileOrCreate' && !existsSync(p)) {
        mkdirSync(dirname(p), { recursive: true });
        writeFileSync(p, '');
      } else if (type === 'Directory' && !(existsSync(p) && statSync(p).isDirectory())) {
        throw new MountError(v.name, `MountVolume.SetUp failed for volume "${v.name}" : hostPath type check failed: ${p} is not a directory`);
      } else if (type === 'File' && !(existsSync(p) && statSync(p).isFile())) {
        throw new MountError(v.name, `MountVolume.SetUp failed for volume "${v.name}" : hostPath type check failed: ${p} is not a file`);
      }
      out.set(v.name, p);
    } else if (v.configMap) {
      writeFiles(dir, keyFiles('configmap', lookups.configMap(ns, v.configMap.name), v.configMap, v.name, ns)!, v.configMap.defaultMode);
      out.set(v.name, dir);
    } else if (v.secret) {
      writeFiles(dir, keyFiles('secret', lookups.secret(ns, v.secret.secretName), v.secret, v.name, ns)!, v.secret.defaultMode);
      out.set(v.name, dir);
    } else if (v.downwardAPI) {
      writeFiles(dir, downwardFiles(pod, v.downwardAPI), v.downwardAPI.defaultMode);
      out.set(v.name, dir);
    } else if (v.projected) {
      const files: Files = new Map();
      for (const s of v.projected.sources ?? []) {
        if (s.serviceAccountToken) {
          files.set(s.serviceAccountToken.path ?? 'token', { data: Buffer.from(serviceAccountToken(pod, s.serviceAccountToken, v.name, lookups)) });
          continue;
        }
        const part = s.configMap ? keyFiles('configmap', lookups.configMap(ns, s.configMap.name), s.configMap, v.name, ns)
          : s.secret ? keyFiles('secret', lookups.secret(ns, s.secret.name), s.secret, v.name, ns)
            : s.downwardAPI ? downwardFiles(pod, s.downwardAPI) : undefined;
        for (const [k, f] of part ?? []) files.set(k, f);
      }
      writeFiles(dir, files, v.projected.defaultMode);
      out.set(v.name, dir);
    } else if (v.persistentVolumeClaim) {
      out.set(v.name, claimPath(v.name, v.persistentVolumeClaim.claimName, ns, lookups));
    }
  }
  return out;
}

function serviceAccountToken(pod: KObject, source: { audience?: string; expirationSeconds?: number }, volume: string, lookups: VolumeLookups): string {
  if (!lookups.serviceAccountToken) throw new MountError(volume, `MountVolume.SetUp failed for volume "${volume}" : failed to fetch token: no token issuer in this cluster`);
  try {
    return lookups.serviceAccountToken(pod, source);
  } catch (err) {
    throw new MountError(volume, `MountVolume.SetUp failed for volume "${volume}" : failed to fetch token: ${(err as Error).message}`);
  }
}

function claimPath(volume: string, claim: string, ns: string, lookups: VolumeLookups): string {
  const pvc = lookups.pvc(ns, claim);
  if (!pvc) throw new MountError(volume, `persistentvolumeclaim "${claim}" not found`);
  if (pvc.metadata.deletionTimestamp) throw new MountError(volume, `persistentvolumeclaim "${claim}" is being deleted`);
  const pv = pvc.spec?.volumeName ? lookups.pv(pvc.spec.volumeName) : undefined;
  if (pvc.status?.phase !== 'Bound' || !pv) throw new MountError(volume, `pod has unbound immediate PersistentVolumeClaims: persistentvolumeclaim "${claim}" is not bound`);
  const path: string | undefined = pv.spec?.hostPath?.path ?? pv.spec?.local?.path;
  if (!path) throw new MountError(volume, `persistentvolume "${pv.metadata.name}" has no hostPath or local path kdp can mount`);
  mkdirSync(path, { recursive: true });
  return path;
}

/** The bind mounts of one container: its volumeMounts resolved against the set-up volumes. */
export function containerMounts(container: any, volumes: Map<string, string>): MountSpec[] {
  const out: MountSpec[] = [];
  for (const m of container?.volumeMounts ?? []) {
    const base = volumes.get(m.name);
    if (!base || !m.mountPath) continue;
    out.push({ hostPath: m.subPath ? join(base, normalize(m.subPath)) : base, mountPath: m.mountPath, readOnly: !!m.readOnly });
  }
  return out;
}
