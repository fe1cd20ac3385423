import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KObject } from '../../api/types.js';
import { mountScript } from './bind-mounts.js';
import { containerMounts, MountError, setUpVolumes, type VolumeLookups } from './pod-volumes.js';
import { mountedDir, serveFromDir } from './static-files.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kdp-vol-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const objects: Record<string, KObject> = {
  'cm/site': { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'site' }, data: { 'index.html': '<h1>hi</h1>', 'other.txt': 'x' } },
  'secret/pw': { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'pw' }, data: { password: Buffer.from('s3cret').toString('base64') } },
  'pvc/data': { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data' }, spec: { volumeName: 'pv1' }, status: { phase: 'Bound' } },
  'pvc/pending': { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'pending' }, spec: {}, status: { phase: 'Pending' } },
};
const lookups = (): VolumeLookups => ({
  configMap: (_ns, n) => objects[`cm/${n}`],
  secret: (_ns, n) => objects[`secret/${n}`],
  pvc: (_ns, n) => objects[`pvc/${n}`],
  pv: (n) => (n === 'pv1' ? { apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'pv1' }, spec: { hostPath: { path: join(dir, 'pv1') } } } : undefined),
});
const pod = (volumes: object[]): KObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default', labels: { a: 'b' } }, spec: { volumes } });

describe('pod volumes', () => {
  it('writes configMap (items, modes) and secret files, makes emptyDir, resolves claims', () => {
    const vols = setUpVolumes(pod([
      { name: 'html', configMap: { name: 'site', items: [{ key: 'index.html', path: 'index.html' }] } },
      { name: 'sec', secret: { secretName: 'pw', defaultMode: 0o400 } },
      { name: 'tmp', emptyDir: {} },
      { name: 'data', persistentVolumeClaim: { claimName: 'data' } },
      { name: 'info', downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }] } },
    ]), join(dir, 'pod'), lookups());
    expect(readFileSync(join(vols.get('html')!, 'index.html'), 'utf8')).toBe('<h1>hi</h1>');
    expect(() => statSync(join(vols.get('html')!, 'other.txt'))).toThrow();
    expect(readFileSync(join(vols.get('sec')!, 'password'), 'utf8')).toBe('s3cret');
    expect(statSync(join(vols.get('sec')!, 'password')).mode & 0o777).toBe(0o400);
    expect(statSync(vols.get('tmp')!).isDirectory()).toBe(true);
    expect(vols.get('data')).toBe(join(dir, 'pv1'));
    expect(readFileSync(join(vols.get('info')!, 'labels'), 'utf8')).toBe('a="b"');
  });

  it('a missing ConfigMap/Secret or an unbound claim is a MountError worded as the kubelet words it', () => {
    const fail = (v: object) => {
      try {
        setUpVolumes(pod([v]), join(dir, 'pod'), lookups());
      } catch (err) {
        expect(err).toBeInstanceOf(MountError);
        return (err as Error).message;
      }
      return 'no error';
    };
    expect(fail({ name: 'c', configMap: { name: 'nope' } })).toBe('MountVolume.SetUp failed for volume "c" : configmap "nope" not found');
    expect(fail({ name: 's', secret: { secretName: 'nope' } })).toBe('MountVolume.SetUp failed for volume "s" : secret "nope" not found');
    expect(fail({ name: 'd', persistentVolumeClaim: { claimName: 'pending' } })).toMatch(/unbound immediate PersistentVolumeClaims/);
    expect(fail({ name: 'o', configMap: { name: 'nope', optional: true } })).toBe('no error');
  });

  it('resolves container mounts (subPath, readOnly) and writes the bind-mount script', () => {
    const vols = new Map([['html', '/v/html'], ['data', '/v/data']]);
    const mounts = containerMounts({ volumeMounts: [{ name: 'html', mountPath: '/usr/share/nginx/html', readOnly: true }, { name: 'data', mountPath: '/data', subPath: 'db' }] }, vols);
    expect(mounts).toEqual([{ hostPath: '/v/html', mountPath: '/usr/share/nginx/html', readOnly: true }, { hostPath: '/v/data/db', mountPath: '/data', readOnly: false }]);
    expect(mountScript(mounts)).toBe("kdp_mount '/v/html' '/usr/share/nginx/html' ro\nkdp_mount '/v/data/db' '/data' rw\n");
  });

  it('serves files from a mounted docroot, index.html for directories, nothing outside it', () => {
    const vols = setUpVolumes(pod([{ name: 'html', configMap: { name: 'site' } }]), join(dir, 'pod'), lookups());
    const root = mountedDir([{ mountPath: '/usr/share/nginx/html/', hostPath: vols.get('html')! }], '/usr/share/nginx/html');
    expect(root).toBe(vols.get('html'));
    expect(serveFromDir(root!, '/')?.body.toString()).toBe('<h1>hi</h1>');
    expect(serveFromDir(root!, '/other.txt')?.contentType).toBe('text/plain');
    expect(serveFromDir(root!, '/../../../etc/passwd')).toBeUndefined();
    expect(serveFromDir(root!, '/missing')).toBeUndefined();
  });
});
