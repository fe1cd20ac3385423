import { describe, expect, test } from 'vitest';
import { GR } from '../types.js';
import { apiError, newStore, obj } from './testing.js';

const template = (labels: Record<string, string>, spec: Record<string, unknown> = {}) => ({
  metadata: { labels },
  spec: { containers: [{ name: 'web', image: 'nginx:1.25' }], ...spec },
});
const deploy = (name: string, spec: Record<string, unknown> = {}) =>
  obj(name, { spec: { selector: { matchLabels: { app: 'web' } }, template: template({ app: 'web' }), ...spec } });

describe('Deployment', () => {
  test('defaults, including the pod template', () => {
    const { store } = newStore();
    const d = store.create(GR.deployments, deploy('web'));
    expect(d.spec.replicas).toBe(1);
    expect(d.spec.revisionHistoryLimit).toBe(10);
    expect(d.spec.progressDeadlineSeconds).toBe(600);
    expect(d.spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } });
    expect(d.spec.template.spec).toEqual({
      containers: [{ name: 'web', image: 'nginx:1.25', imagePullPolicy: 'IfNotPresent', terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File', resources: {} }],
      restartPolicy: 'Always', dnsPolicy: 'ClusterFirst', terminationGracePeriodSeconds: 30, schedulerName: 'default-scheduler', securityContext: {},
    });
    expect(d.status).toEqual({});
    expect(d.metadata.generation).toBe(1);
  });

  const cases: Array<[string, Record<string, unknown>, string]> = [
    ['selector required', { selector: undefined }, 'spec.selector: Required value'],
    ['selector must match', { template: template({ app: 'api' }) }, 'spec.template.metadata.labels: Invalid value: map[string]string{"app":"api"}: `selector` does not match template `labels`'],
    ['empty selector', { selector: {} }, 'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment'],
    ['replicas', { replicas: -1 }, 'spec.replicas: Invalid value: -1: must be greater than or equal to 0'],
    ['restartPolicy', { template: template({ app: 'web' }, { restartPolicy: 'Never' }) }, 'spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"'],
    ['template containers', { template: template({ app: 'web' }, { containers: [{ name: 'web' }] }) }, 'spec.template.spec.containers[0].image: Required value'],
    ['zero surge and unavailable', { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 0 } } }, 'spec.strategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:0, IntVal:0, StrVal:""}: may not be 0 when `maxSurge` is 0'],
    ['Recreate with rollingUpdate', { strategy: { type: 'Recreate', rollingUpdate: { maxSurge: 1 } } }, "spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'"],
    ['progress deadline', { minReadySeconds: 10, progressDeadlineSeconds: 5 }, 'spec.progressDeadlineSeconds: Invalid value: 5: must be greater than minReadySeconds'],
  ];
  for (const [what, spec, message] of cases) {
    test(what, () => {
      const { store } = newStore();
      expect(apiError(() => store.create(GR.deployments, deploy('web', spec))).message).toBe(`Deployment.apps \"web" is invalid: ${message}`);
    });
  }

  test('the selector is immutable; scaling and template changes are not', () => {
    const { store } = newStore();
    const d = structuredClone(store.create(GR.deployments, deploy('web')));
    d.spec.replicas = 3;
    d.spec.template.spec.containers[0].image = 'nginx:1.27';
    const u = structuredClone(store.update(GR.deployments, d));
    expect(u.metadata.generation).toBe(2);
    u.spec.selector = { matchLabels: { app: 'web', tier: 'fe' } };
    u.spec.template.metadata.labels = { app: 'web', tier: 'fe' };
    expect(apiError(() => store.update(GR.deployments, u)).message).toBe(
      'Deployment.apps \"web" is invalid: spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"web", "tier":"fe"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable',
    );
  });

  test('matchExpressions select too', () => {
    const { store } = newStore();
    const sel = { matchExpressions: [{ key: 'app', operator: 'In', values: ['web', 'api'] }] };
    expect(store.create(GR.deployments, deploy('web', { selector: sel })).spec.selector).toEqual(sel);
    expect(apiError(() => store.create(GR.deployments, deploy('x', { selector: { matchExpressions: [{ key: 'app', operator: 'In' }] } }))).message)
      .toBe("Deployment.apps \"x\" is invalid: spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'");
  });
});

describe('ReplicaSet, StatefulSet, DaemonSet', () => {
  test('ReplicaSet defaults and selector checks', () => {
    const { store } = newStore();
    const rs = store.create(GR.replicasets, deploy('web-5d4f8'));
    expect(rs.spec.replicas).toBe(1);
    expect(rs.spec.template.spec.restartPolicy).toBe('Always');
    expect(apiError(() => store.create(GR.replicasets, deploy('x', { template: template({ app: 'other' }) }))).message)
      .toBe('ReplicaSet.apps \"x" is invalid: spec.template.metadata.labels: Invalid value: map[string]string{"app":"other"}: `selector` does not match template `labels`');
  });

  test('StatefulSet defaults and its update rule', () => {
    const { store } = newStore();
    const sts = structuredClone(store.create(GR.statefulsets, deploy('db', { serviceName: 'db' })));
    expect(sts.spec.podManagementPolicy).toBe('OrderedReady');
    expect(sts.spec.updateStrategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { partition: 0 } });
    expect(sts.spec.persistentVolumeClaimRetentionPolicy).toEqual({ whenDeleted: 'Retain', whenScaled: 'Retain' });
    sts.spec.replicas = 3;
    const u = structuredClone(store.update(GR.statefulsets, sts));
    u.spec.serviceName = 'other';
    expect(apiError(() => store.update(GR.statefulsets, u)).message).toContain("spec: Forbidden: updates to statefulset spec for fields other than 'replicas'");
  });

  test('DaemonSet defaults', () => {
    const { store } = newStore();
    const ds = store.create(GR.daemonsets, deploy('agent'));
    expect(ds.spec.replicas).toBeUndefined();
    expect(ds.spec.updateStrategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } });
  });
});
