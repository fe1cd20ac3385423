// The pure core of the StatefulSet controller (pkg/controller/statefulset): stable pod identities
// `<set>-<ordinal>`, their claims `<template>-<set>-<ordinal>`, and one step of the OrderedReady /
// Parallel algorithm (create missing in order, delete condemned in reverse, roll updates from the
// highest ordinal down).
import type { KObject } from '../api/types.js';
import { computeHash } from './pod-template-hash.js';
import { isReady, ownerRefTo } from './pod-util.js';

/* eslint-disable @typescript-eslint/no-explicit-any */

export const STS_POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name';
export const STS_POD_INDEX_LABEL = 'apps.kubernetes.io/pod-index';
export const REVISION_LABEL = 'controller-revision-hash';

export function ordinalStart(sts: KObject): number {
  return sts.spec?.ordinals?.start ?? 0;
}

/** `web-3` → 3 for set `web`; undefined for names that are not the set's. */
export function ordinalOf(sts: KObject, pod: KObject): number | undefined {
  const prefix = `${sts.metadata.name}-`;
  if (!pod.metadata.name.startsWith(prefix)) return undefined;
  const rest = pod.metadata.name.slice(prefix.length);
  return /^(0|[1-9][0-9]*)$/.test(rest) ? Number(rest) : undefined;
}

/** The revision name (ControllerRevision name) of the current template: `<set>-<hash>`. */
export function updateRevision(sts: KObject): string {
  return `${sts.metadata.name}-${computeHash(sts.spec?.template ?? {}, sts.status?.collisionCount || undefined)}`;
}

export function claimName(template: string, sts: KObject, ordinal: number): string {
  return `${template}-${sts.metadata.name}-${ordinal}`;
}

/** The PVCs a pod of the set needs, from volumeClaimTemplates (labels = the selector's matchLabels). */
export function claimsFor(sts: KObject, ordinal: number): KObject[] {
  const whenDeleted = sts.spec?.persistentVolumeClaimRetentionPolicy?.whenDeleted;
  return (sts.spec?.volumeClaimTemplates ?? []).map((t: any) => {
    const metadata: KObject['metadata'] = {
      name: claimName(t.metadata?.name ?? '', sts, ordinal),
      namespace: sts.metadata.namespace,
      labels: { ...(t.metadata?.labels ?? {}), ...(sts.spec?.selector?.matchLabels ?? {}) },
    };
    if (t.metadata?.annotations) metadata.annotations = { ...t.metadata.annotations };
    // whenDeleted: Delete — the set owns its claims, so the garbage collector removes them with it.
    if (whenDeleted === 'Delete') metadata.ownerReferences = [{ ...ownerRefTo(sts), controller: true }];
    return { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata, spec: structuredClone(t.spec ?? {}) };
  });
}

/** newVersionedStatefulSetPod: identity, hostname/subdomain, claims as volumes, revision label. */
export function podForOrdinal(sts: KObject, ordinal: number, revision = updateRevision(sts)): KObject {
  const tmpl = sts.spec?.template ?? {};
  const name = `${sts.metadata.name}-${ordinal}`;
  const spec = structuredClone(tmpl.spec ?? {});
  spec.hostname = name;
  if (sts.spec?.serviceName) spec.subdomain = sts.spec.serviceName;
  const claimVolumes = (sts.spec?.volumeClaimTemplates ?? []).map((t: any) => ({
    name: t.metadata?.name, persistentVolumeClaim: { claimName: claimName(t.metadata?.name ?? '', sts, ordinal) },
  }));
  const names = new Set(claimVolumes.map((v: any) => v.name));
  spec.volumes = [...(spec.volumes ?? []).filter((v: any) => !names.has(v.name)), ...claimVolumes];
  if (!spec.volumes.length) delete spec.volumes;
  const metadata: KObject['metadata'] = {
    name,
    namespace: sts.metadata.namespace,
    labels: { ...(tmpl.metadata?.labels ?? {}), [STS_POD_NAME_LABEL]: name, [STS_POD_INDEX_LABEL]: String(ordinal), [REVISION_LABEL]: revision },
    ownerReferences: [ownerRefTo(sts)],
  };
  if (tmpl.metadata?.annotations) metadata.annotations = { ...tmpl.metadata.annotations };
  return { apiVersion: 'v1', kind: 'Pod', metadata, spec };
}

const runningAndReady = (p: KObject) => p.status?.phase === 'Running' && isReady(p);
const terminal = (p: KObject) => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';

export interface StsStep {
  create: number[];
  /** Pods to delete: condemned (scale-down), failed, or outdated (rolling update). */
  remove: KObject[];
  /** Ordinals whose claims go with them (whenScaled: Delete). */
  deleteClaimsOf: number[];
}

/** One sync step (StatefulSetControl.UpdateStatefulSet): what to create and delete now. */
export function planStatefulSet(sts: KObject, pods: KObject[]): StsStep {
  const step: StsStep = { create: [], remove: [], deleteClaimsOf: [] };
  const start = ordinalStart(sts);
  const replicas: number = sts.spec?.replicas ?? 1;
  const parallel = sts.spec?.podManagementPolicy === 'Parallel';
  const byOrdinal = new Map<number, KObject>();
  for (const p of pods) {
    const o = ordinalOf(sts, p);
    if (o !== undefined) byOrdinal.set(o, p);
  }
  const inRange = (o: number) => o >= start && o < start + replicas;

  // Replicas: create missing ordinals in order; with OrderedReady, one at a time, each after the
  // previous is Running and Ready.
  for (let o = start; o < start + replicas; o++) {
    const p = byOrdinal.get(o);
    if (!p) {
      step.create.push(o);
      if (!parallel) return step;
      continue;
    }
    if (terminal(p) && !p.metadata.deletionTimestamp) {
      step.remove.push(p); // a failed pod is deleted and re-created with the same identity
      if (!parallel) return step;
      continue;
    }
    if (!parallel && (p.metadata.deletionTimestamp || !runningAndReady(p))) return step;
  }

  // Condemned (ordinals outside the range): highest first, one at a time with OrderedReady.
  const condemned = [...byOrdinal.entries()].filter(([o]) => !inRange(o)).sort((a, b) => b[0] - a[0]);
  const whenScaled = sts.spec?.persistentVolumeClaimRetentionPolicy?.whenScaled;
  for (const [o, p] of condemned) {
    if (p.metadata.deletionTimestamp) {
      if (!parallel) return step;
      continue;
    }
    step.remove.push(p);
    if (whenScaled === 'Delete') step.deleteClaimsOf.push(o);
    if (!parallel) return step;
  }
  if (condemned.length) return step;

  // RollingUpdate: replace the highest-ordinal outdated pod at or above the partition, once every
  // pod is Running and Ready. OnDelete: pods are updated only when someone deletes them.
  const strategy = sts.spec?.updateStrategy ?? {};
  if (strategy.type === 'OnDelete') return step;
  const revision = updateRevision(sts);
  const partition = strategy.rollingUpdate?.partition ?? 0;
  const current = [...byOrdinal.entries()].filter(([o]) => inRange(o)).sort((a, b) => b[0] - a[0]);
  if (current.some(([, p]) => p.metadata.deletionTimestamp || !runningAndReady(p))) return step;
  for (const [o, p] of current) {
    if (o - start < partition) break;
    if (p.metadata.labels?.[REVISION_LABEL] !== revision) {
      step.remove.push(p);
      return step;
    }
  }
  return step;
}

export function statefulSetStatus(sts: KObject, pods: KObject[]): any {
  const revision = updateRevision(sts);
  const active = pods.filter((p) => !p.metadata.deletionTimestamp && ordinalOf(sts, p) !== undefined);
  const updated = active.filter((p) => p.metadata.labels?.[REVISION_LABEL] === revision).length;
  const ready = active.filter((p) => isReady(p)).length;
  const status: any = {
    observedGeneration: sts.metadata.generation,
    replicas: active.length,
    readyReplicas: ready,
    availableReplicas: ready,
    currentReplicas: updated,
    updatedReplicas: updated,
    currentRevision: revision,
    updateRevision: revision,
    collisionCount: sts.status?.collisionCount ?? 0,
  };
  // While a rollout is under way, the old revision is still "current".
  const old = active.find((p) => p.metadata.labels?.[REVISION_LABEL] !== revision);
  if (old) {
    status.currentRevision = sts.status?.currentRevision && sts.status.currentRevision !== revision ? sts.status.currentRevision : old.metadata.labels?.[REVISION_LABEL];
    status.currentReplicas = active.length - updated;
  }
  for (const k of ['readyReplicas', 'availableReplicas', 'currentReplicas', 'updatedReplicas'] as const) if (!status[k]) delete status[k];
  return status;
}
