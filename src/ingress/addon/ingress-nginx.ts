// The objects `kdp addons enable ingress-nginx` applies: the same set as ingress-nginx's cloud
// deploy.yaml (controller v1.5.1) — Namespace, ServiceAccounts, RBAC, ConfigMap, the LoadBalancer
// Service with 80/443, the admission Service, the controller Deployment, the kube-webhook-certgen
// Jobs, the IngressClass `nginx` and the ValidatingWebhookConfiguration — with the IngressClass
// marked default, as minikube's ingress addon does, so class-less Ingresses are served too.
import type { KObject } from '../../api/types.js';

export const ADDON_NAME = 'ingress-nginx';
export const ADDON_NAMESPACE = 'ingress-nginx';
const VERSION = '1.5.1';
const CONTROLLER_IMAGE = `registry.k8s.io/ingress-nginx/controller:v${VERSION}`;
const CERTGEN_IMAGE = 'registry.k8s.io/ingress-nginx/kube-webhook-certgen:v20220916-gd32f8c343';
const NS = ADDON_NAMESPACE;

function labels(component?: 'controller' | 'admission-webhook'): Record<string, string> {
  return {
    ...(component ? { 'app.kubernetes.io/component': component } : {}),
    'app.kubernetes.io/instance': 'ingress-nginx',
    'app.kubernetes.io/name': 'ingress-nginx',
    'app.kubernetes.io/part-of': 'ingress-nginx',
    'app.kubernetes.io/version': VERSION,
  };
}

const SELECTOR = { 'app.kubernetes.io/component': 'controller', 'app.kubernetes.io/instance': 'ingress-nginx', 'app.kubernetes.io/name': 'ingress-nginx' };
const rule = (apiGroups: string[], resources: string[], verbs: string[], resourceNames?: string[]) => ({ apiGroups, resources, verbs, ...(resourceNames ? { resourceNames } : {}) });
const WATCH = ['get', 'list', 'watch'];
const POD_NAMESPACE = { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } };
const probe = { failureThreshold: 3, httpGet: { path: '/healthz', port: 10254, scheme: 'HTTP' }, initialDelaySeconds: 10, periodSeconds: 10, successThreshold: 1, timeoutSeconds: 1 };

function binding(kind: 'RoleBinding' | 'ClusterRoleBinding', name: string, component?: 'controller' | 'admission-webhook'): KObject {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind,
    metadata: { name, ...(kind === 'RoleBinding' ? { namespace: NS } : {}), labels: labels(component) },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: kind === 'RoleBinding' ? 'Role' : 'ClusterRole', name },
    subjects: [{ kind: 'ServiceAccount', name, namespace: NS }],
  };
}

function certgenJob(name: 'create' | 'patch', args: string[]): KObject {
  const l = labels('admission-webhook');
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: `ingress-nginx-admission-${name}`, namespace: NS, labels: l },
    spec: {
      template: {
        metadata: { name: `ingress-nginx-admission-${name}`, labels: l },
        spec: {
          containers: [{ name, image: CERTGEN_IMAGE, imagePullPolicy: 'IfNotPresent', args: [name, ...args], env: [POD_NAMESPACE], securityContext: { allowPrivilegeEscalation: false } }],
          nodeSelector: { 'kubernetes.io/os': 'linux' },
          restartPolicy: 'OnFailure',
          securityContext: { fsGroup: 2000, runAsNonRoot: true, runAsUser: 2000 },
          serviceAccountName: 'ingress-nginx-admission',
        },
      },
    },
  };
}

/** In apply order. */
export function addonManifests(): KObject[] {
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS, labels: { 'app.kubernetes.io/instance': 'ingress-nginx', 'app.kubernetes.io/name': 'ingress-nginx' } } },
    { apiVersion: 'v1', kind: 'ServiceAccount', automountServiceAccountToken: true, metadata: { name: 'ingress-nginx', namespace: NS, labels: labels('controller') } },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'ingress-nginx-admission', namespace: NS, labels: labels('admission-webhook') } },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: 'ingress-nginx', namespace: NS, labels: labels('controller') },
      rules: [
        rule([''], ['namespaces'], ['get']),
        rule([''], ['configmaps', 'pods', 'secrets', 'endpoints'], WATCH),
        rule([''], ['services'], WATCH),
        rule(['networking.k8s.io'], ['ingresses'], WATCH),
        rule(['networking.k8s.io'], ['ingresses/status'], ['update']),
        rule(['networking.k8s.io'], ['ingressclasses'], WATCH),
        rule(['coordination.k8s.io'], ['leases'], ['get', 'update'], ['ingress-nginx-leader']),
        rule(['coordination.k8s.io'], ['leases'], ['create']),
        rule([''], ['events'], ['create', 'patch']),
        rule(['discovery.k8s.io'], ['endpointslices'], ['list', 'watch', 'get']),
      ],
    },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'ingress-nginx-admission', namespace: NS, labels: labels('admission-webhook') }, rules: [rule([''], ['secrets'], ['get', 'create'])] },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'ingress-nginx', labels: labels() },
      rules: [
        rule([''], ['configmaps', 'endpoints', 'nodes', 'pods', 'secrets', 'namespaces'], ['list', 'watch']),
        rule(['coordination.k8s.io'], ['leases'], ['list', 'watch']),
        rule([''], ['nodes'], ['get']),
        rule([''], ['services'], WATCH),
        rule(['networking.k8s.io'], ['ingresses'], WATCH),
        rule([''], ['events'], ['create', 'patch']),
        rule(['networking.k8s.io'], ['ingresses/status'], ['update']),
        rule(['networking.k8s.io'], ['ingressclasses'], WATCH),
        rule(['discovery.k8s.io'], ['endpointslices'], ['list', 'watch', 'get']),
      ],
    },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'ingress-nginx-admission', labels: labels('admission-webhook') }, rules: [rule(['admissionregistration.k8s.io'], ['validatingwebhookconfigurations'], ['get', 'update'])] },
    binding('RoleBinding', 'ingress-nginx', 'controller'),
    binding('RoleBinding', 'ingress-nginx-admission', 'admission-webhook'),
    binding('ClusterRoleBinding', 'ingress-nginx'),
    binding('ClusterRoleBinding', 'ingress-nginx-admission', 'admission-webhook'),
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ingress-nginx-controller', namespace: NS, labels: labels('controller') }, data: { 'allow-snippet-annotations': 'true' } },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'ingress-nginx-controller', namespace: NS, labels: labels('controller') },
      spec: {
        type: 'LoadBalancer',
        externalTrafficPolicy: 'Local',
        ipFamilies: ['IPv4'],
        ipFamilyPolicy: 'SingleStack',
        ports: [
          { appProtocol: 'http', name: 'http', port: 80, protocol: 'TCP', targetPort: 'http' },
          { appProtocol: 'https', name: 'https', port: 443, protocol: 'TCP', targetPort: 'https' },
        ],
        selector: SELECTOR,
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'ingress-nginx-controller-admission', namespace: NS, labels: labels('controller') },
      spec: { type: 'ClusterIP', ports: [{ appProtocol: 'https', name: 'https-webhook', port: 443, targetPort: 'webhook' }], selector: SELECTOR },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'ingress-nginx-controller', namespace: NS, labels: labels('controller') },
      spec: {
        minReadySeconds: 0,
        revisionHistoryLimit: 10,
        selector: { matchLabels: SELECTOR },
        template: {
          metadata: { labels: SELECTOR },
          spec: {
            containers: [
              {
                name: 'controller',
                image: CONTROLLER_IMAGE,
                imagePullPolicy: 'IfNotPresent',
                args: [
                  '/nginx-ingress-controller',
                  '--publish-service=$(POD_NAMESPACE)/ingress-nginx-controller',
                  '--election-id=ingress-nginx-leader',
                  '--controller-class=k8s.io/ingress-nginx',
                  '--ingress-class=nginx',
                  '--configmap=$(POD_NAMESPACE)/ingress-nginx-controller',
                  '--validating-webhook=:8443',
                  '--validating-webhook-certificate=/usr/local/certificates/cert',
                  '--validating-webhook-key=/usr/local/certificates/key',
                ],
                env: [{ name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }, POD_NAMESPACE],
                livenessProbe: { ...probe, failureThreshold: 5 },
                readinessProbe: probe,
                ports: [
                  { containerPort: 80, name: 'http', protocol: 'TCP' },
                  { containerPort: 443, name: 'https', protocol: 'TCP' },
                  { containerPort: 8443, name: 'webhook', protocol: 'TCP' },
                ],
                resources: { requests: { cpu: '100m', memory: '90Mi' } },
                volumeMounts: [{ mountPath: '/usr/local/certificates/', name: 'webhook-cert', readOnly: true }],
              },
            ],
            dnsPolicy: 'ClusterFirst',
            nodeSelector: { 'kubernetes.io/os': 'linux' },
            serviceAccountName: 'ingress-nginx',
            terminationGracePeriodSeconds: 300,
            volumes: [{ name: 'webhook-cert', secret: { secretName: 'ingress-nginx-admission' } }],
          },
        },
      },
    },
    certgenJob('create', ['--host=ingress-nginx-controller-admission,ingress-nginx-controller-admission.$(POD_NAMESPACE).svc', '--namespace=$(POD_NAMESPACE)', '--secret-name=ingress-nginx-admission']),
    certgenJob('patch', ['--webhook-name=ingress-nginx-admission', '--namespace=$(POD_NAMESPACE)', '--patch-mutating=false', '--secret-name=ingress-nginx-admission', '--patch-failure-policy=Fail']),
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'IngressClass',
      metadata: { name: 'nginx', labels: labels('controller'), annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' } },
      spec: { controller: 'k8s.io/ingress-nginx' },
    },
    {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingWebhookConfiguration',
      metadata: { name: 'ingress-nginx-admission', labels: labels('admission-webhook') },
      webhooks: [
        {
          name: 'validate.nginx.ingress.kubernetes.io',
          admissionReviewVersions: ['v1'],
          clientConfig: { service: { name: 'ingress-nginx-controller-admission', namespace: NS, path: '/networking/v1/ingresses' } },
          failurePolicy: 'Fail',
          matchPolicy: 'Equivalent',
          rules: [{ apiGroups: ['networking.k8s.io'], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['ingresses'] }],
          sideEffects: 'None',
        },
      ],
    },
  ];
}
