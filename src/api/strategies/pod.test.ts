import { describe, expect, test } from 'vitest';
import { GR } from '../types.js';
import { defaultPullPolicy, podQOSClass } from './pod-spec.js';
import { POD_UPDATE_FORBIDDEN } from './pod.js';
import { apiError, newStore, obj } from './testing.js';

const pod = (name: string, spec: Record<string, unknown> = {}) =>
  obj(name, { spec: { containers: [{ name: 'web', image: 'nginx', ports: [{ containerPort: 80 }] }], ...spec } });

describe('Pod defaults', () => {
  test('a minimal pod gets the apiserver and admission defaults and a Pending status', () => {
    const { store } = newStore();
    const p = store.create(GR.pods, { ...pod('p'), status: { phase: 'Running', podIP: '127.0.0.9' } });
    expect(p.spec).toEqual({
      containers: [{
        name: 'web', image: 'nginx', ports: [{ containerPort: 80, protocol: 'TCP' }], imagePullPolicy: 'Always',
        terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File', resources: {},
      }],
      restartPolicy: 'Always',
      dnsPolicy: 'ClusterFirst',
      terminationGracePeriodSeconds: 30,
      schedulerName: 'default-scheduler',
      securityContext: {},
      enableServiceLinks: true,
      serviceAccountName: 'default',
      serviceAccount: 'default',
      tolerations: [
        { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
        { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      ],
      priority: 0,
      preemptionPolicy: 'PreemptLowerPriority',
    });
    expect(p.status).toEqual({ phase: 'Pending', qosClass: 'BestEffort' });
  });

  test('imagePullPolicy follows the tag', () => {
    expect(defaultPullPolicy('nginx')).toBe('Always');
    expect(defaultPullPolicy('nginx:latest')).toBe('Always');
    expect(defaultPullPolicy('nginx:1.25')).toBe('IfNotPresent');
    expect(defaultPullPolicy('localhost:5000/app')).toBe('Always');
    expect(defaultPullPolicy('localhost:5000/app:v1')).toBe('IfNotPresent');
    expect(defaultPullPolicy('nginx@sha256:abc')).toBe('IfNotPresent');
  });

  test('QoS class and requests defaulted from limits', () => {
    const { store } = newStore();
    const g = store.create(GR.pods, pod('g', { containers: [{ name: 'c', image: 'x', resources: { limits: { cpu: '1', memory: '1Gi' } } }] }));
    expect(g.spec.containers[0].resources.requests).toEqual({ cpu: '1', memory: '1Gi' });
    expect(g.status.qosClass).toBe('Guaranteed');
    expect(podQOSClass({ containers: [{ resources: { requests: { cpu: '100m' } } }] })).toBe('Burstable');
  });

  test('probes and hostNetwork ports', () => {
    const { store } = newStore();
    const p = store.create(GR.pods, pod('p', { hostNetwork: true, containers: [{ name: 'c', image: 'x', ports: [{ containerPort: 8080 }], readinessProbe: { httpGet: { port: 8080 } } }] }));
    expect(p.spec.containers[0].ports[0].hostPort).toBe(8080);
    expect(p.spec.containers[0].readinessProbe).toEqual({ httpGet: { port: 8080, path: '/', scheme: 'HTTP' }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 });
  });

  test('delete of a scheduled pod uses terminationGracePeriodSeconds', () => {
    const { store } = newStore();
    store.create(GR.pods, pod('p', { nodeName: 'kdp-worker', terminationGracePeriodSeconds: 7 }));
    const d = store.delete(GR.pods, 'default', 'p');
    expect(d.metadata.deletionGracePeriodSeconds).toBe(7);
  });
});

describe('Pod validation', () => {
  const cases: Array<[string, Record<string, unknown>, string]> = [
    ['containers required', { containers: [] }, 'spec.containers: Required value'],
    ['image required', { containers: [{ name: 'c' }] }, 'spec.containers[0].image: Required value'],
    ['container name', { containers: [{ name: 'Web', image: 'x' }] }, `spec.containers[0].name: Invalid value: "Web": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`],
    ['duplicate container names', { containers: [{ name: 'a', image: 'x' }, { name: 'a', image: 'y' }] }, 'spec.containers[1].name: Duplicate value: "a"'],
    ['container port range', { containers: [{ name: 'a', image: 'x', ports: [{ containerPort: 70000 }] }] }, 'spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive'],
    ['container port required', { containers: [{ name: 'a', image: 'x', ports: [{ name: 'http' }] }] }, 'spec.containers[0].ports[0].containerPort: Required value'],
    ['restartPolicy', { restartPolicy: 'Sometimes' }, 'spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"'],
    ['volume mount of a missing volume', { containers: [{ name: 'a', image: 'x', volumeMounts: [{ name: 'data', mountPath: '/data' }] }] }, 'spec.containers[0].volumeMounts[0].name: Not found: "data"'],
    ['env name', { containers: [{ name: 'a', image: 'x', env: [{ name: '1X', value: 'y' }] }] }, `spec.containers[0].env[0].name: Invalid value: "1X": a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit (e.g. 'my.env-name',  or 'MY_ENV.NAME',  or 'MyEnvName1', regex used for validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')`],
  ];
  for (const [what, spec, message] of cases) {
    test(what, () => {
      const { store } = newStore();
      expect(apiError(() => store.create(GR.pods, pod('p', spec))).message).toBe(`Pod "p" is invalid: ${message}`);
    });
  }

  test('pod names are DNS-1123 subdomains', () => {
    const { store } = newStore();
    expect(apiError(() => store.create(GR.pods, pod('Foo_bar'))).message).toBe(
      `Pod "Foo_bar" is invalid: metadata.name: Invalid value: "Foo_bar": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
    );
  });
});

describe('Pod updates', () => {
  test('image, nodeName (once), activeDeadlineSeconds and added tolerations may change', () => {
    const { store } = newStore();
    const p = structuredClone(store.create(GR.pods, pod('p', { activeDeadlineSeconds: 100 })));
    p.spec.containers[0].image = 'nginx:1.27';
    p.spec.nodeName = 'kdp-worker';
    p.spec.activeDeadlineSeconds = 50;
    p.spec.tolerations.push({ key: 'x', operator: 'Exists' });
    const u = structuredClone(store.update(GR.pods, p));
    expect(u.spec.nodeName).toBe('kdp-worker');
    expect(u.status.phase).toBe('Pending');
    u.spec.nodeName = 'kdp-control-plane';
    expect(apiError(() => store.update(GR.pods, u)).message).toBe(`Pod "p" is invalid: spec: Forbidden: ${POD_UPDATE_FORBIDDEN}`);
  });

  test('other spec changes are forbidden', () => {
    const { store } = newStore();
    const p = structuredClone(store.create(GR.pods, pod('p')));
    p.spec.containers[0].ports[0].containerPort = 81;
    expect(apiError(() => store.update(GR.pods, p)).message).toBe(`Pod "p" is invalid: spec: Forbidden: ${POD_UPDATE_FORBIDDEN}`);
  });

  test('metadata-only updates without the defaults are accepted (defaults re-applied)', () => {
    const { store } = newStore();
    store.create(GR.pods, pod('p'));
    const u = store.update(GR.pods, { ...pod('p'), metadata: { name: 'p', labels: { a: 'b' } } });
    expect(u.metadata.labels).toEqual({ a: 'b' });
  });

  test('activeDeadlineSeconds may not grow', () => {
    const { store } = newStore();
    const p = structuredClone(store.create(GR.pods, pod('p', { activeDeadlineSeconds: 10 })));
    p.spec.activeDeadlineSeconds = 20;
    expect(apiError(() => store.update(GR.pods, p)).message).toBe('Pod "p" is invalid: spec.activeDeadlineSeconds: Invalid value: 20: must be less than or equal to previous value');
  });
});
