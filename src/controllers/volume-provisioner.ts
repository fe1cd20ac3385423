// The local-path provisioner (kind's `standard` StorageClass, rancher.io/local-path) together with
// the PV controller's binding: a PersistentVolumeClaim of the default class gets a PersistentVolume
// `pvc-<claim uid>` whose data is a directory under `<stateDir>/volumes`, and both are Bound. A PV
// whose claim is gone is deleted with its directory (reclaimPolicy Delete) or Released (Retain).
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { EventRecorder } from '../api/events.js';
import type { Informer } from '../api/informer.js';
import { keyOf } from '../api/informer.js';
import type { ObjectStore } from '../api/store.js';
import type { KObject } from '../api/types.js';
import { Controller } from './controller.js';

/* eslint-disable @typescript-eslint/no-explicit-any */

export const PVC = '/persistentvolumeclaims';
export const PV = '/persistentvolumes';
export const STORAGE_CLASSES = 'storage.k8s.io/storageclasses';
export const DEFAULT_CLASS_ANNOTATION = 'storageclass.kubernetes.io/is-default-class';
export const PROVISIONER = 'rancher.io/local-path';

export function defaultStorageClass(): KObject {
  return {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name: 'standard', annotations: { [DEFAULT_CLASS_ANNOTATION]: 'true' } },
    provisioner: PROVISIONER,
    reclaimPolicy: 'Delete',
    volumeBindingMode: 'Immediate',
  };
}

/** Creates the `standard` StorageClass unless one by that name exists (a user's edits are kept). */
export function ensureDefaultStorageClass(store: ObjectStore): void {
  if (!store.tryGet(STORAGE_CLASSES, undefined, 'standard')) store.create(STORAGE_CLASSES, defaultStorageClass());
}

export function volumeDir(stateDir: string, pv: string, pvc: KObject): string {
  return join(stateDir, 'volumes', `${pv}_${pvc.metadata.namespace}_${pvc.metadata.name}`);
}

export function pvForClaim(pvc: KObject, sc: KObject, stateDir: string): KObject {
  const name = `pvc-${pvc.metadata.uid}`;
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name, annotations: { 'pv.kubernetes.io/provisioned-by': sc.provisioner ?? PROVISIONER } },
    spec: {
      capacity: { storage: pvc.spec?.resources?.requests?.storage ?? '1Gi' },
      accessModes: pvc.spec?.accessModes ?? ['ReadWriteOnce'],
      hostPath: { path: volumeDir(stateDir, name, pvc), type: 'DirectoryOrCreate' },
      claimRef: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace: pvc.metadata.namespace, name: pvc.metadata.name, uid: pvc.metadata.uid },
      persistentVolumeReclaimPolicy: sc.reclaimPolicy ?? 'Delete',
      storageClassName: sc.metadata.name,
      volumeMode: pvc.spec?.volumeMode ?? 'Filesystem',
    },
  };
}

export interface VolumeProvisionerDeps {
  store: ObjectStore;
  claims: Informer;
  volumes: Informer;
  classes: Informer;
  stateDir: string;
  recorder: EventRecorder;
}

export function createVolumeProvisioner(deps: VolumeProvisionerDeps): Controller {
  const { store, claims, volumes, classes, stateDir, recorder } = deps;

  const defaultClass = () => classes.list().find((c) => c.metadata.annotations?.[DEFAULT_CLASS_ANNOTATION] === 'true');

  function syncClaim(namespace: string, name: string): void {
    const pvc = claims.get(namespace, name);
    if (!pvc || pvc.metadata.deletionTimestamp || pvc.status?.phase === 'Bound') return;
    let className: string | undefined = pvc.spec?.storageClassName;
    if (className === undefined || className === null) {
      // The DefaultStorageClass admission plugin's job, done here.
      const def = defaultClass();
      if (!def) return;
      const next = structuredClone(pvc) as KObject;
      next.spec.storageClassName = def.metadata.name;
      store.update(PVC, next);
      return;
    }
    // A pre-bound or static claim: bind to the named PV when it is available.
    if (pvc.spec?.volumeName) {
      const pv = volumes.get(undefined, pvc.spec.volumeName);
      if (pv) bind(pvc, pv);
      return;
    }
    const sc = classes.get(undefined, className);
    if (!sc || (sc.provisioner !== PROVISIONER && sc.provisioner !== 'kdp.dev/local-path')) {
      const static_ = volumes.list().find((v) => !v.spec?.claimRef && (v.spec?.storageClassName ?? '') === className && v.status?.phase !== 'Released');
      if (static_) bind(pvc, static_);
      else if (!sc && className) setPending(pvc, `storageclass.storage.k8s.io "${className}" not found`);
      return;
    }
    const existing = volumes.get(undefined, `pvc-${pvc.metadata.uid}`) ?? store.tryGet(PV, undefined, `pvc-${pvc.metadata.uid}`);
    const pv = existing ?? store.create(PV, pvForClaim(pvc, sc, stateDir));
    mkdirSync(pv.spec.hostPath.path, { recursive: true });
    if (!existing) recorder.event(pvc, 'Normal', 'ProvisioningSucceeded', `Successfully provisioned volume ${pv.metadata.name}`);
    bind(pvc, pv);
  }

  function setPending(pvc: KObject, message: string): void {
    recorder.event(pvc, 'Warning', 'ProvisioningFailed', message);
    if (pvc.status?.phase === 'Pending') return;
    const next = structuredClone(pvc) as KObject;
    next.status = { phase: 'Pending' };
    store.update(PVC, next, { subresource: 'status' });
  }

  function bind(pvc: KObject, pv: KObject): void {
    let v = store.tryGet(PV, undefined, pv.metadata.name)!;
    if (!v.spec?.claimRef || v.spec.claimRef.uid !== pvc.metadata.uid) {
      const next = structuredClone(v) as KObject;
      next.spec.claimRef = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace: pvc.metadata.namespace, name: pvc.metadata.name, uid: pvc.metadata.uid };
      v = store.update(PV, next);
    }
    if (v.status?.phase !== 'Bound') {
      v = store.update(PV, { ...structuredClone(v), status: { phase: 'Bound' } }, { subresource: 'status' });
    }
    let c = store.tryGet(PVC, pvc.metadata.namespace, pvc.metadata.name)!;
    if (c.spec?.volumeName !== v.metadata.name) {
      const next = structuredClone(c) as KObject;
      next.spec.volumeName = v.metadata.name;
      next.metadata.annotations = { ...(next.metadata.annotations ?? {}), 'pv.kubernetes.io/bind-completed': 'yes', 'pv.kubernetes.io/bound-by-controller': 'yes', 'volume.kubernetes.io/storage-provisioner': PROVISIONER };
      c = store.update(PVC, next);
    }
    const next = structuredClone(c) as KObject;
    next.status = { phase: 'Bound', accessModes: v.spec.accessModes, capacity: v.spec.capacity };
    store.update(PVC, next, { subresource: 'status' });
  }

  function syncVolume(name: string): void {
    const pv = volumes.get(undefined, name);
    if (!pv || pv.metadata.deletionTimestamp || !pv.spec?.claimRef) return;
    const ref = pv.spec.claimRef;
    const claim = store.tryGet(PVC, ref.namespace, ref.name);
    if (claim && claim.metadata.uid === ref.uid) return;
    if (pv.spec.persistentVolumeReclaimPolicy === 'Delete') {
      store.delete(PV, undefined, name);
      if (pv.spec.hostPath?.path?.startsWith(join(stateDir, 'volumes'))) rmSync(pv.spec.hostPath.path, { recursive: true, force: true });
    } else if (pv.status?.phase !== 'Released') {
      store.update(PV, { ...structuredClone(pv), status: { phase: 'Released' } }, { subresource: 'status' });
    }
  }

  const controller = new Controller({
    name: 'persistentvolume-controller',
    reconcile(key) {
      if (key.startsWith('pv:')) return syncVolume(key.slice(3));
      const [namespace, name] = key.slice(4).split('/');
      return syncClaim(namespace, name);
    },
  });
  const claimKey = (c: KObject) => controller.enqueue(`pvc:${keyOf(c)}`);
  claims.addHandlers({
    onAdd: claimKey,
    onUpdate: claimKey,
    onDelete(c) {
      if (c.spec?.volumeName) controller.enqueue(`pv:${c.spec.volumeName}`);
    },
  });
  volumes.addHandlers({
    onAdd: (v) => controller.enqueue(`pv:${v.metadata.name}`),
    onUpdate: (v) => controller.enqueue(`pv:${v.metadata.name}`),
  });
  classes.addHandlers({ onAdd: () => { for (const c of claims.list()) claimKey(c); } });
  return controller;
}
