// Printers for storage: persistentvolumeclaims, persistentvolumes (core/v1) and storageclasses
// (storage.k8s.io/v1), with kubectl's columns (access modes abbreviated RWO/ROX/RWX/RWOP).
import type { KObject } from '../types.js';
import { translateTimestampSince } from './duration.js';
import { AGE_COLUMN, col, NAME_COLUMN, type Printer } from './table-types.js';

const SHORT: Record<string, string> = { ReadWriteOnce: 'RWO', ReadOnlyMany: 'ROX', ReadWriteMany: 'RWX', ReadWriteOncePod: 'RWOP' };
const age = (o: KObject, now: Date) => translateTimestampSince(o.metadata.creationTimestamp, now);

export function accessModes(modes: string[] | undefined): string {
  return (modes ?? []).map((m) => SHORT[m] ?? m).join(',');
}

export const persistentVolumeClaimPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    col('Status', 'Status is the current state of the claim.'),
    col('Volume', 'VolumeName is the binding reference to the PersistentVolume backing this claim.'),
    col('Capacity', 'Capacity is the actual resources of the underlying volume.'),
    col('Access Modes', 'AccessModes contains the actual access modes the volume backing the PVC has.'),
    col('StorageClass', 'StorageClassName is the name of the StorageClass required by the claim.'),
    col('VolumeAttributesClass', 'The VolumeAttributesClass of the claim.'),
    AGE_COLUMN,
    col('VolumeMode', 'volumeMode defines what type of volume is required by the claim.', { wide: true }),
  ],
  cells(pvc, now) {
    const bound = pvc.status?.phase === 'Bound';
    return [
      pvc.metadata.name, pvc.metadata.deletionTimestamp ? 'Terminating' : pvc.status?.phase ?? 'Pending', pvc.spec?.volumeName ?? '',
      bound ? pvc.status?.capacity?.storage ?? '' : '', bound ? accessModes(pvc.status?.accessModes) : '',
      pvc.spec?.storageClassName ?? '<unset>', pvc.spec?.volumeAttributesClassName ?? '<unset>', age(pvc, now), pvc.spec?.volumeMode ?? 'Filesystem',
    ];
  },
};

export const persistentVolumePrinter: Printer = {
  columns: [
    NAME_COLUMN,
    col('Capacity', 'capacity is the description of the persistent volume\'s resources and capacity.'),
    col('Access Modes', 'accessModes contains all ways the volume can be mounted.'),
    col('Reclaim Policy', 'persistentVolumeReclaimPolicy defines what happens to a persistent volume when released from its claim.'),
    col('Status', 'phase indicates if a volume is available, bound to a claim, or released by a claim.'),
    col('Claim', 'claimRef is part of a bi-directional binding between PersistentVolume and PersistentVolumeClaim.'),
    col('StorageClass', 'storageClassName is the name of StorageClass to which this persistent volume belongs.'),
    col('VolumeAttributesClass', 'The VolumeAttributesClass of the volume.'),
    col('Reason', 'reason is a brief CamelCase string that describes any failure.'),
    AGE_COLUMN,
    col('VolumeMode', 'volumeMode defines if a volume is intended to be used with a formatted filesystem or to remain in raw block state.', { wide: true }),
  ],
  cells(pv, now) {
    const ref = pv.spec?.claimRef;
    return [
      pv.metadata.name, pv.spec?.capacity?.storage ?? '', accessModes(pv.spec?.accessModes), pv.spec?.persistentVolumeReclaimPolicy ?? 'Retain',
      pv.metadata.deletionTimestamp ? 'Terminating' : pv.status?.phase ?? 'Pending', ref ? `${ref.namespace}/${ref.name}` : '',
      pv.spec?.storageClassName ?? '', pv.spec?.volumeAttributesClassName ?? '<unset>', pv.status?.reason ?? '', age(pv, now), pv.spec?.volumeMode ?? 'Filesystem',
    ];
  },
};

export const storageClassPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    col('Provisioner', 'provisioner indicates the type of the provisioner.'),
    col('ReclaimPolicy', 'reclaimPolicy controls the reclaimPolicy for dynamically provisioned PersistentVolumes of this storage class.'),
    col('VolumeBindingMode', 'volumeBindingMode indicates how PersistentVolumeClaims should be provisioned and bound.'),
    col('AllowVolumeExpansion', 'allowVolumeExpansion shows whether the storage class allow volume expand.'),
    AGE_COLUMN,
  ],
  cells(sc, now) {
    const isDefault = sc.metadata.annotations?.['storageclass.kubernetes.io/is-default-class'] === 'true';
    return [
      isDefault ? `${sc.metadata.name} (default)` : sc.metadata.name, sc.provisioner ?? '', sc.reclaimPolicy ?? 'Delete',
      sc.volumeBindingMode ?? 'Immediate', String(sc.allowVolumeExpansion ?? false), age(sc, now),
    ];
  },
};
