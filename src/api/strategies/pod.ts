// The Pod strategy: SetDefaults_Pod plus what the default admission plugins add (service account,
// the not-ready/unreachable tolerations, priority), status reset to Pending on create, and the
// apiserver's rule that a pod's spec is immutable apart from a few fields.
import { field, type StatusCause } from '../errors.js';
import type { Strategy } from '../store.js';
import type { KObject } from '../types.js';
import { deepEqual, kindStrategy } from './kind-strategy.js';
import { defaultPodSpec, podQOSClass, validatePodSpec } from './pod-spec.js';
import { admitServiceAccount } from './pod-service-account.js';
import { validatePodSecurity } from './pod-security.js';
import { isDNS1123Subdomain } from './validation.js';

/* eslint-disable @typescript-eslint/no-explicit-any */

export const POD_UPDATE_FORBIDDEN =
  'pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,' +
  '`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),' +
  '`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)';

const DEFAULT_TOLERATIONS = ['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable'];

/** Defaults of a Pod (not of a pod template): SetDefaults_Pod and the default admission chain. */
export function defaultPod(pod: KObject): void {
  const spec = (pod.spec ??= {});
  if (typeof spec !== 'object') return;
  defaultPodSpec(spec);
  spec.enableServiceLinks ??= true;
  // requests default to limits, per container
  for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) {
    const lim = c?.resources?.limits;
    if (!lim || typeof lim !== 'object') continue;
    c.resources.requests ??= {};
    for (const [k, v] of Object.entries(lim)) c.resources.requests[k] ??= v;
  }
  // ServiceAccount admission
  spec.serviceAccountName ||= spec.serviceAccount || 'default';
  spec.serviceAccount ||= spec.serviceAccountName;
  // DefaultTolerationSeconds admission
  const tolerations: any[] = Array.isArray(spec.tolerations) ? spec.tolerations : [];
  for (const key of DEFAULT_TOLERATIONS) {
    if (!tolerations.some((t) => t?.key === key && (!t.effect || t.effect === 'NoExecute'))) {
      tolerations.push({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 });
    }
  }
  spec.tolerations = tolerations;
  // Priority admission (no PriorityClass)
  spec.priority ??= 0;
  spec.preemptionPolicy ||= 'PreemptLowerPriority';
}

/** The spec with every field an update may change replaced by the old value, for comparison. */
function withoutMutableFields(spec: any, old: any): any {
  const s = structuredClone(spec ?? {});
  const o = old ?? {};
  for (const key of ['containers', 'initContainers']) {
    if (Array.isArray(s[key]) && Array.isArray(o[key]) && s[key].length === o[key].length) {
      s[key].forEach((c: any, i: number) => {
        if (c && typeof c === 'object') c.image = o[key][i]?.image;
      });
    }
  }
  s.activeDeadlineSeconds = o.activeDeadlineSeconds;
  const oldTolerations: unknown[] = o.tolerations ?? [];
  const newTolerations: unknown[] = Array.isArray(s.tolerations) ? s.tolerations : [];
  if (oldTolerations.every((t) => newTolerations.some((n) => deepEqual(n, t)))) s.tolerations = o.tolerations;
  // binding: nodeName may be set once
  if (!o.nodeName && s.nodeName) s.nodeName = o.nodeName;
  return s;
}

export function validatePodUpdate(pod: KObject, old: KObject): StatusCause[] {
  const causes: StatusCause[] = [];
  if (!deepEqual(withoutMutableFields(pod.spec, old.spec), old.spec ?? {})) causes.push(field.forbidden('spec', POD_UPDATE_FORBIDDEN));
  const d = pod.spec?.activeDeadlineSeconds;
  const od = old.spec?.activeDeadlineSeconds;
  if (od !== undefined && od !== null) {
    if (d === undefined || d === null) causes.push(field.invalid('spec.activeDeadlineSeconds', null, 'must not update from a positive integer to nil value'));
    else if (d > od) causes.push(field.invalid('spec.activeDeadlineSeconds', d, 'must be less than or equal to previous value'));
  }
  return causes;
}

export function podStrategy(opts: { mountServiceAccountTokens?: boolean } = {}): Strategy {
  const base = kindStrategy({
    name: isDNS1123Subdomain,
    defaults: defaultPod,
    prepareCreate(pod, ctx) {
      if (opts.mountServiceAccountTokens) admitServiceAccount(pod, ctx);
      pod.status = { phase: 'Pending', qosClass: podQOSClass(pod.spec) };
    },
    validate: (pod) => [...validatePodSpec(pod.spec, 'spec'), ...validatePodSecurity(pod.spec, 'spec')],
    validateUpdate: validatePodUpdate,
  });
  return {
    ...base,
    defaultGracePeriodSeconds(pod) {
      const g = pod.spec?.terminationGracePeriodSeconds;
      return typeof g === 'number' && g >= 0 ? g : 30;
    },
  };
}
