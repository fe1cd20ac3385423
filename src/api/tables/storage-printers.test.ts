import { describe, expect, it } from 'vitest';
import { toTable } from './to-table.js';

const now = new Date('2024-01-01T00:01:00Z');
const meta = (name: string, extra: object = {}) => ({ name, creationTimestamp: '2024-01-01T00:00:00Z', ...extra });

describe('storage printers', () => {
  it('prints PVCs, PVs and StorageClasses with kubectl\'s columns', () => {
    const pvc = toTable({ group: '', resource: 'persistentvolumeclaims' }, [{
      apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: meta('www-web-0'),
      spec: { volumeName: 'pvc-1', storageClassName: 'standard' }, status: { phase: 'Bound', capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'] },
    }], { now });
    expect(pvc.columnDefinitions.map((c) => c.name)).toEqual(['Name', 'Status', 'Volume', 'Capacity', 'Access Modes', 'StorageClass', 'VolumeAttributesClass', 'Age', 'VolumeMode']);
    expect(pvc.rows[0].cells).toEqual(['www-web-0', 'Bound', 'pvc-1', '1Gi', 'RWO', 'standard', '<unset>', '60s', 'Filesystem']);
    const pv = toTable({ group: '', resource: 'persistentvolumes' }, [{
      apiVersion: 'v1', kind: 'PersistentVolume', metadata: meta('pvc-1'),
      spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce', 'ReadOnlyMany'], persistentVolumeReclaimPolicy: 'Delete', claimRef: { namespace: 'default', name: 'www-web-0' }, storageClassName: 'standard' },
      status: { phase: 'Bound' },
    }], { now });
    expect(pv.rows[0].cells).toEqual(['pvc-1', '1Gi', 'RWO,ROX', 'Delete', 'Bound', 'default/www-web-0', 'standard', '<unset>', '', '60s', 'Filesystem']);
    const sc = toTable({ group: 'storage.k8s.io', resource: 'storageclasses' }, [{
      apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: meta('standard', { annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } }),
      provisioner: 'rancher.io/local-path', reclaimPolicy: 'Delete', volumeBindingMode: 'Immediate',
    }], { now });
    expect(sc.rows[0].cells).toEqual(['standard (default)', 'rancher.io/local-path', 'Delete', 'Immediate', 'false', '60s']);
  });
});
