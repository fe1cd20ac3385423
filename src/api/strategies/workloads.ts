// apps/v1 workload strategies: Deployment, ReplicaSet, StatefulSet, DaemonSet. Defaults as
// apps/v1 SetDefaults_*, the pod template defaulted and validated like a pod spec under
// `spec.template.spec`, the selector required, matching the template labels, and immutable.
import { field, type StatusCause } from '../errors.js';
import { fromLabelSelectorObject, matchesLabels } from '../selectors.js';
import type { Strategy } from '../store.js';
import type { KObject } from '../types.js';
import { deepEqual, kindStrategy } from './kind-strategy.js';
import { defaultPodSpec, validatePodSpec } from './pod-spec.js';
import { invalidEach, isDNS1123Subdomain, isQualifiedName, sortedMap, validateLabels, validateNonnegative } from './validation.js';

/* eslint-disable @typescript-eslint/no-explicit-any */

const SELECTOR_OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist'];

/** Go's %#v of a metav1.LabelSelector, as field errors print it. */
export function formatLabelSelector(sel: any): string {
  const labels = sel?.matchLabels && Object.keys(sel.matchLabels).length
    ? `map[string]string{${Object.entries(sortedMap(sel.matchLabels)).map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(', ')}}`
    : 'map[string]string(nil)';
  const exprs = Array.isArray(sel?.matchExpressions) && sel.matchExpressions.length
    ? `[]v1.LabelSelectorRequirement{${sel.matchExpressions.map((e: any) => {
      const values = Array.isArray(e?.values) ? `[]string{${e.values.map((v: string) => JSON.stringify(v)).join(', ')}}` : '[]string(nil)';
      return `v1.LabelSelectorRequirement{Key:${JSON.stringify(e?.key ?? '')}, Operator:${JSON.stringify(e?.operator ?? '')}, Values:${values}}`;
    }).join(', ')}}`
    : '[]v1.LabelSelectorRequirement(nil)';
  return `v1.LabelSelector{MatchLabels:${labels}, MatchExpressions:${exprs}}`;
}

function invalidRaw(path: string, rendered: string, detail: string): StatusCause {
  return { reason: 'FieldValueInvalid', field: path, message: `Invalid value: ${rendered}: ${detail}` };
}

/** Go's %#v of an intstr.IntOrString. */
function formatIntOrString(v: unknown): string {
  return typeof v === 'string' ? `intstr.IntOrString{Type:1, IntVal:0, StrVal:${JSON.stringify(v)}}` : `intstr.IntOrString{Type:0, IntVal:${v}, StrVal:""}`;
}

/** metav1validation.ValidateLabelSelector */
export function validateLabelSelector(sel: any, path: string): StatusCause[] {
  const causes: StatusCause[] = [...validateLabels(sel?.matchLabels, `${path}.matchLabels`)];
  (Array.isArray(sel?.matchExpressions) ? sel.matchExpressions : []).forEach((e: any, i: number) => {
    const at = `${path}.matchExpressions[${i}]`;
    if (!SELECTOR_OPERATORS.includes(e?.operator)) causes.push(field.invalid(`${at}.operator`, e?.operator ?? '', 'not a valid selector operator'));
    else if ((e.operator === 'In' || e.operator === 'NotIn') && !(e.values?.length)) {
      causes.push(field.required(`${at}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
    } else if ((e.operator === 'Exists' || e.operator === 'DoesNotExist') && e.values?.length) {
      causes.push(field.forbidden(`${at}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
    }
    causes.push(...invalidEach(`${at}.key`, e?.key ?? '', isQualifiedName(String(e?.key ?? ''))));
  });
  return causes;
}

function isEmptySelector(sel: any): boolean {
  return !Object.keys(sel?.matchLabels ?? {}).length && !(sel?.matchExpressions?.length);
}

/** Selector present and non-empty, template labels valid and matched, template spec valid with restartPolicy Always. */
function validateSelectorAndTemplate(obj: KObject, emptySelector: (sel: any) => StatusCause): StatusCause[] {
  const spec = obj.spec ?? {};
  const causes: StatusCause[] = [];
  const labels = spec.template?.metadata?.labels;
  if (!spec.selector) causes.push(field.required('spec.selector'));
  else if (isEmptySelector(spec.selector)) causes.push(emptySelector(spec.selector));
  else {
    const selCauses = validateLabelSelector(spec.selector, 'spec.selector');
    causes.push(...selCauses);
    if (!selCauses.length && !matchesLabels(fromLabelSelectorObject(spec.selector), labels ?? {})) {
      causes.push(field.invalid('spec.template.metadata.labels', sortedMap(labels), '`selector` does not match template `labels`'));
    }
  }
  causes.push(...validateLabels(labels, 'spec.template.metadata.labels'));
  causes.push(...validatePodSpec(spec.template?.spec, 'spec.template.spec'));
  const rp = spec.template?.spec?.restartPolicy;
  if (rp && rp !== 'Always' && ['OnFailure', 'Never'].includes(rp)) causes.push(field.notSupported('spec.template.spec.restartPolicy', rp, ['Always']));
  return causes;
}

function immutableSelector(obj: KObject, old: KObject): StatusCause[] {
  if (deepEqual(obj.spec?.selector ?? null, old.spec?.selector ?? null)) return [];
  return [invalidRaw('spec.selector', formatLabelSelector(obj.spec?.selector), 'field is immutable')];
}

function defaultTemplate(obj: KObject): void {
  const spec = (obj.spec ??= {});
  if (typeof spec !== 'object') return;
  spec.replicas ??= 1;
  spec.template ??= {};
  spec.template.metadata ??= {};
  spec.template.spec ??= {};
  defaultPodSpec(spec.template.spec);
}

function validatePercentOrInt(v: unknown, path: string): StatusCause[] {
  if (v === undefined || v === null) return [];
  if (typeof v === 'string') {
    if (!/^[0-9]+%$/.test(v)) return [invalidRaw(path, formatIntOrString(v), "must be an integer or percentage (e.g '5%')")];
    if (Number(v.slice(0, -1)) > 100 && path.endsWith('maxUnavailable')) return [invalidRaw(path, formatIntOrString(v), 'must not be greater than 100%')];
    return [];
  }
  if (typeof v !== 'number' || v < 0) return [invalidRaw(path, formatIntOrString(v), 'must be greater than or equal to 0')];
  return [];
}

const intOrPercentValue = (v: unknown) => (typeof v === 'string' ? Number(v.replace('%', '')) : Number(v ?? 0));

function commonSpecChecks(obj: KObject): StatusCause[] {
  const spec = obj.spec ?? {};
  return [
    ...validateNonnegative(spec.replicas, 'spec.replicas'),
    ...validateNonnegative(spec.minReadySeconds, 'spec.minReadySeconds'),
    ...validateNonnegative(spec.revisionHistoryLimit, 'spec.revisionHistoryLimit'),
  ];
}

export function deploymentStrategy(): Strategy {
  return kindStrategy({
    name: isDNS1123Subdomain,
    defaults(d) {
      defaultTemplate(d);
      const spec = d.spec;
      spec.revisionHistoryLimit ??= 10;
      spec.progressDeadlineSeconds ??= 600;
      spec.strategy ??= {};
      spec.strategy.type ||= 'RollingUpdate';
      if (spec.strategy.type === 'RollingUpdate') {
        spec.strategy.rollingUpdate ??= {};
        spec.strategy.rollingUpdate.maxUnavailable ??= '25%';
        spec.strategy.rollingUpdate.maxSurge ??= '25%';
      }
    },
    prepareCreate(d) {
      d.status = {};
    },
    validate(d) {
      const spec = d.spec ?? {};
      const causes = [
        ...commonSpecChecks(d),
        ...validateSelectorAndTemplate(d, (sel) => invalidRaw('spec.selector', formatLabelSelector(sel), 'empty selector is invalid for deployment')),
      ];
      const st = spec.strategy ?? {};
      if (st.type === 'Recreate') {
        if (st.rollingUpdate) causes.push(field.forbidden('spec.strategy.rollingUpdate', "may not be specified when strategy `type` is 'Recreate'"));
      } else if (st.type === 'RollingUpdate') {
        const ru = st.rollingUpdate ?? {};
        causes.push(...validatePercentOrInt(ru.maxUnavailable, 'spec.strategy.rollingUpdate.maxUnavailable'));
        causes.push(...validatePercentOrInt(ru.maxSurge, 'spec.strategy.rollingUpdate.maxSurge'));
        if (intOrPercentValue(ru.maxUnavailable) === 0 && intOrPercentValue(ru.maxSurge) === 0) {
          causes.push(invalidRaw('spec.strategy.rollingUpdate.maxUnavailable', formatIntOrString(ru.maxUnavailable ?? 0), 'may not be 0 when `maxSurge` is 0'));
        }
      } else {
        causes.push(field.notSupported('spec.strategy.type', st.type ?? '', ['Recreate', 'RollingUpdate']));
      }
      if (spec.progressDeadlineSeconds !== undefined && spec.progressDeadlineSeconds !== null) {
        causes.push(...validateNonnegative(spec.progressDeadlineSeconds, 'spec.progressDeadlineSeconds'));
        if (spec.progressDeadlineSeconds <= (spec.minReadySeconds ?? 0)) {
          causes.push(field.invalid('spec.progressDeadlineSeconds', spec.progressDeadlineSeconds, 'must be greater than minReadySeconds'));
        }
      }
      return causes;
    },
    validateUpdate: immutableSelector,
  });
}

export function replicaSetStrategy(): Strategy {
  return kindStrategy({
    name: isDNS1123Subdomain,
    defaults: defaultTemplate,
    prepareCreate(rs) {
      rs.status = { replicas: 0 };
    },
    validate: (rs) => [...commonSpecChecks(rs), ...validateSelectorAndTemplate(rs, () => field.required('spec.selector'))],
    validateUpdate: immutableSelector,
  });
}

const STS_MUTABLE = ['replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy', 'minReadySeconds'];

export function statefulSetStrategy(): Strategy {
  return kindStrategy({
    name: isDNS1123Subdomain,
    defaults(sts) {
      defaultTemplate(sts);
      const spec = sts.spec;
      spec.podManagementPolicy ||= 'OrderedReady';
      spec.revisionHistoryLimit ??= 10;
      spec.updateStrategy ??= {};
      spec.updateStrategy.type ||= 'RollingUpdate';
      if (spec.updateStrategy.type === 'RollingUpdate') {
        spec.updateStrategy.rollingUpdate ??= {};
        spec.updateStrategy.rollingUpdate.partition ??= 0;
      }
      spec.persistentVolumeClaimRetentionPolicy ??= {};
      spec.persistentVolumeClaimRetentionPolicy.whenDeleted ||= 'Retain';
      spec.persistentVolumeClaimRetentionPolicy.whenScaled ||= 'Retain';
    },
    prepareCreate(sts) {
      sts.status = { replicas: 0, availableReplicas: 0 };
    },
    validate(sts) {
      const spec = sts.spec ?? {};
      // Mounts may name volumeClaimTemplates: the pods get those volumes (validation sees them too).
      const withClaims = structuredClone(sts) as KObject;
      const claims = (spec.volumeClaimTemplates ?? []).map((t: any) => ({ name: t?.metadata?.name, persistentVolumeClaim: { claimName: t?.metadata?.name } }));
      if (claims.length && withClaims.spec?.template?.spec) withClaims.spec.template.spec.volumes = [...(withClaims.spec.template.spec.volumes ?? []), ...claims];
      const causes = [...commonSpecChecks(sts), ...validateSelectorAndTemplate(withClaims, () => field.required('spec.selector'))];
      if (!['OrderedReady', 'Parallel'].includes(spec.podManagementPolicy)) {
        causes.push(field.notSupported('spec.podManagementPolicy', spec.podManagementPolicy ?? '', ['OrderedReady', 'Parallel']));
      }
      if (!['OnDelete', 'RollingUpdate'].includes(spec.updateStrategy?.type)) {
        causes.push(field.notSupported('spec.updateStrategy.type', spec.updateStrategy?.type ?? '', ['OnDelete', 'RollingUpdate']));
      }
      return causes;
    },
    validateUpdate(sts, old) {
      const strip = (s: any) => Object.fromEntries(Object.entries(s ?? {}).filter(([k]) => !STS_MUTABLE.includes(k)));
      if (deepEqual(strip(sts.spec), strip(old.spec))) return [];
      return [field.forbidden('spec', `updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden`)];
    },
  });
}

export function daemonSetStrategy(): Strategy {
  return kindStrategy({
    name: isDNS1123Subdomain,
    defaults(ds) {
      const spec = (ds.spec ??= {});
      if (typeof spec !== 'object') return;
      spec.template ??= {};
      spec.template.metadata ??= {};
      spec.template.spec ??= {};
      defaultPodSpec(spec.template.spec);
      spec.revisionHistoryLimit ??= 10;
      spec.updateStrategy ??= {};
      spec.updateStrategy.type ||= 'RollingUpdate';
      if (spec.updateStrategy.type === 'RollingUpdate') {
        spec.updateStrategy.rollingUpdate ??= {};
        spec.updateStrategy.rollingUpdate.maxUnavailable ??= 1;
        spec.updateStrategy.rollingUpdate.maxSurge ??= 0;
      }
    },
    prepareCreate(ds) {
      ds.status = { currentNumberScheduled: 0, desiredNumberScheduled: 0, numberMisscheduled: 0, numberReady: 0 };
    },
    validate: (ds) => [...commonSpecChecks(ds), ...validateSelectorAndTemplate(ds, () => field.required('spec.selector'))],
    validateUpdate: immutableSelector,
  });
}
