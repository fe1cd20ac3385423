// The ServiceAccount admission plugin, as kube-apiserver runs it on every new pod: the pod's
// serviceAccountName defaults to `default`; a named ServiceAccount must exist; unless the pod or
// its ServiceAccount says `automountServiceAccountToken: false`, a projected `kube-api-access-xxxxx`
// volume (the bound token, the cluster CA from kube-root-ca.crt, the namespace) is added and mounted
// read-only at /var/run/secrets/kubernetes.io/serviceaccount in every container.
import { randomInt } from 'node:crypto';
import { ApiError } from '../errors.js';
import type { WriteContext } from '../store.js';
import { GR, type KObject } from '../types.js';

export const SERVICE_ACCOUNT_MOUNT = '/var/run/secrets/kubernetes.io/serviceaccount';
const SUFFIX_CHARS = 'bcdfghjklmnpqrstvwxz2456789';

function suffix(): string {
  return Array.from({ length: 5 }, () => SUFFIX_CHARS[randomInt(SUFFIX_CHARS.length)]).join('');
}

export function admitServiceAccount(pod: KObject, ctx: WriteContext): void {
  const spec = (pod.spec ??= {});
  const ns = pod.metadata.namespace ?? 'default';
  const name: string = spec.serviceAccountName || spec.serviceAccount || 'default';
  spec.serviceAccountName = name;
  spec.serviceAccount = name;
  const sa = ctx.store.tryGet(GR.serviceaccounts, ns, name);
  // `default` is made by the serviceaccount controller right after the namespace: a pod that races it is let through.
  if (!sa && name !== 'default') {
    const podName = pod.metadata.name || pod.metadata.generateName || '';
    throw new ApiError({
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'Forbidden', code: 403,
      message: `pods "${podName}" is forbidden: error looking up service account ${ns}/${name}: serviceaccount "${name}" not found`,
      details: { name: podName, kind: 'pods' },
    });
  }
  const automount = spec.automountServiceAccountToken ?? sa?.automountServiceAccountToken ?? true;
  if (!automount) return;
  const containers: KObject[] = [...(spec.initContainers ?? []), ...(spec.containers ?? [])];
  if (containers.some((c) => (c.volumeMounts ?? []).some((m: { mountPath?: string }) => m.mountPath === SERVICE_ACCOUNT_MOUNT))) return;
  const volume = `kube-api-access-${suffix()}`;
  spec.volumes = [...(spec.volumes ?? []), {
    name: volume,
    projected: {
      defaultMode: 420,
      sources: [
        { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
        { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
        { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
      ],
    },
  }];
  for (const c of containers) c.volumeMounts = [...(c.volumeMounts ?? []), { name: volume, readOnly: true, mountPath: SERVICE_ACCOUNT_MOUNT }];
}
