// A container's environment, as the kubelet assembles it: Service links (docker-link style
// variables for the Services that exist when the container starts), envFrom, env with valueFrom,
// and $(VAR) expansion. kdp adds POD_IP, HOST and PORT so host processes know where to listen.
// The links are a set shared by every container of the namespace (service-links.ts), layered
// under the container's own variables (layered-env.ts) instead of copied into each environment.
import type { KObject } from '../api/types.js';
import { LayeredEnv, type Env } from './layered-env.js';
import { podHostname } from './sandbox-files.js';
import type { ServiceLinks } from './service-links.js';

export type { Env } from './layered-env.js';

export interface EnvInput {
  pod: KObject;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  container: any;
  podIP: string;
  hostIP: string;
  /** The cluster's Services as link variables (shared, read-only sets; see service-links.ts). */
  serviceLinks: Pick<ServiceLinks, 'forNamespace' | 'kubernetesOnly'>;
  configMap(namespace: string, name: string): KObject | undefined;
  secret(namespace: string, name: string): KObject | undefined;
  /** The PATH a container gets unless its env sets one: an image's default (DEFAULT_PATH), never kdp's own. */
  path?: string;
  /** HOME unless its env sets one: the container user's (security-context.ts homeFor). */
  home?: string;
}

/** The PATH of a container image that sets none (Docker's and containerd's default). */
export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Thrown when a referenced ConfigMap/Secret/key is missing: the kubelet's CreateContainerConfigError. */
export class ContainerConfigError extends Error {}

/** Kubernetes' $(VAR) expansion: defined variables are replaced, `$$` escapes, unknown refs stay. */
export function expandVars(text: string, env: Env): string {
  return text.replace(/\$\$|\$\(([^)]*)\)/g, (m, name: string | undefined) => {
    if (m === '$$') return '$';
    return name !== undefined && env.has(name) ? env.get(name)! : m;
  });
}

function fieldRefValue(input: EnvInput, path: string): string {
  const { pod } = input;
  const m = /^metadata\.(labels|annotations)\['(.*)'\]$/.exec(path);
  if (m) return pod.metadata[m[1] as 'labels' | 'annotations']?.[m[2]] ?? '';
  switch (path) {
    case 'metadata.name':
      return pod.metadata.name;
    case 'metadata.namespace':
      return pod.metadata.namespace ?? 'default';
    case 'metadata.uid':
      return pod.metadata.uid ?? '';
    case 'spec.nodeName':
      return pod.spec?.nodeName ?? '';
    case 'spec.serviceAccountName':
      return pod.spec?.serviceAccountName ?? 'default';
    case 'status.podIP':
    case 'status.podIPs':
      return input.podIP;
    case 'status.hostIP':
    case 'status.hostIPs':
      return input.hostIP;
    default:
      return '';
  }
}

function decodeSecret(secret: KObject, key: string): string | undefined {
  if (secret.stringData?.[key] !== undefined) return secret.stringData[key];
  const b64 = secret.data?.[key];
  return b64 === undefined ? undefined : Buffer.from(b64, 'base64').toString('utf8');
}

/**
 * The full environment of a container process. Order of precedence (later wins): kdp's basics,
 * Service links, envFrom, env — as in Kubernetes, where the container's own env overrides the rest.
 */
export function containerEnv(input: EnvInput): Env {
  const { pod, container } = input;
  const ns = pod.metadata.namespace ?? 'default';
  const env = new LayeredEnv();
  env.set('PATH', input.path ?? DEFAULT_PATH);
  env.set('HOSTNAME', podHostname(pod));
  env.set('HOME', input.home ?? '/tmp');
  env.set('POD_IP', input.podIP);
  const firstPort = (container.ports ?? [])[0];
  env.set('HOST', input.podIP);
  if (firstPort?.containerPort) env.set('PORT', String(firstPort.containerPort));
  env.attach(pod.spec?.enableServiceLinks === false ? input.serviceLinks.kubernetesOnly() : input.serviceLinks.forNamespace(ns));

  for (const from of container.envFrom ?? []) {
    const prefix: string = from.prefix ?? '';
    if (from.configMapRef) {
      const cm = input.configMap(ns, from.configMapRef.name);
      if (!cm) {
        if (from.configMapRef.optional) continue;
        throw new ContainerConfigError(`configmap "${from.configMapRef.name}" not found`);
      }
      for (const [k, v] of Object.entries(cm.data ?? {})) env.set(prefix + k, String(v));
    } else if (from.secretRef) {
      const s = input.secret(ns, from.secretRef.name);
      if (!s) {
        if (from.secretRef.optional) continue;
        throw new ContainerConfigError(`secret "${from.secretRef.name}" not found`);
      }
      for (const k of new Set([...Object.keys(s.data ?? {}), ...Object.keys(s.stringData ?? {})])) env.set(prefix + k, decodeSecret(s, k) ?? '');
    }
  }

  for (const e of container.env ?? []) {
    if (!e?.name) continue;
    if (e.valueFrom) {
      const vf = e.valueFrom;
      if (vf.fieldRef) env.set(e.name, fieldRefValue(input, vf.fieldRef.fieldPath));
      else if (vf.configMapKeyRef) {
        const ref = vf.configMapKeyRef;
        const cm = input.configMap(ns, ref.name);
        const v = cm?.data?.[ref.key] ?? cm?.binaryData?.[ref.key];
        if (v === undefined) {
          if (ref.optional) continue;
          throw new ContainerConfigError(cm ? `couldn't find key ${ref.key} in ConfigMap ${ns}/${ref.name}` : `configmap "${ref.name}" not found`);
        }
        env.set(e.name, String(v));
      } else if (vf.secretKeyRef) {
        const ref = vf.secretKeyRef;
        const s = input.secret(ns, ref.name);
        const v = s ? decodeSecret(s, ref.key) : undefined;
        if (v === undefined) {
          if (ref.optional) continue;
          throw new ContainerConfigError(s ? `couldn't find key ${ref.key} in Secret ${ns}/${ref.name}` : `secret "${ref.name}" not found`);
        }
        env.set(e.name, v);
      } else if (vf.resourceFieldRef) {
        const res = vf.resourceFieldRef.resource as string;
        const [kind, what] = res.split('.');
        const v = container.resources?.[kind]?.[what] ?? (what === 'cpu' ? '1' : '0');
        env.set(e.name, String(v));
      }
    } else {
      env.set(e.name, expandVars(String(e.value ?? ''), env));
    }
  }
  return env;
}

/** command + args with $(VAR) expanded, as the container's argv. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function containerArgv(container: any, env: Env): string[] {
  return [...(container.command ?? []), ...(container.args ?? [])].map((a: unknown) => expandVars(String(a), env));
}
