// Field numbers of the k8s.io/api messages (generated.proto) that kubectl's `create` generators send.
// A field spec is [jsonName, type]: s string, i integer, b bool, y bytes (base64), map / mapb (bytes) /
// mapq (Quantity values), time, ios (IntOrString), quantity, or a message name; `[T]` repeated;
// a trailing `?` keeps zero values (pointer fields such as replicas: 0, emptyDir: {}); `inline:T`
// merges the message into its parent (Volume's source, an IngressRule's http).
export type FieldSpec = [string, string];
type Schema = Record<number, FieldSpec>;

const objectMeta: Schema = {
  1: ['name', 's'], 2: ['generateName', 's'], 3: ['namespace', 's'], 5: ['uid', 's'], 6: ['resourceVersion', 's'],
  8: ['creationTimestamp', 'time'], 11: ['labels', 'map'], 12: ['annotations', 'map'], 13: ['ownerReferences', '[OwnerReference]'],
  14: ['finalizers', '[s]'],
};

export const SCHEMAS: Record<string, Schema> = {
  ObjectMeta: objectMeta,
  OwnerReference: { 1: ['kind', 's'], 3: ['name', 's'], 4: ['uid', 's'], 5: ['apiVersion', 's'], 6: ['controller', 'b?'], 7: ['blockOwnerDeletion', 'b?'] },
  LabelSelector: { 1: ['matchLabels', 'map'], 2: ['matchExpressions', '[LabelSelectorRequirement]'] },
  LabelSelectorRequirement: { 1: ['key', 's'], 2: ['operator', 's'], 3: ['values', '[s]'] },
  PodTemplateSpec: { 1: ['metadata', 'ObjectMeta'], 2: ['spec', 'PodSpec'] },
  PodSpec: {
    1: ['volumes', '[Volume]'], 2: ['containers', '[Container]'], 3: ['restartPolicy', 's'], 4: ['terminationGracePeriodSeconds', 'i?'],
    5: ['activeDeadlineSeconds', 'i?'], 6: ['dnsPolicy', 's'], 7: ['nodeSelector', 'map'], 8: ['serviceAccountName', 's'],
    10: ['nodeName', 's'], 11: ['hostNetwork', 'b'], 16: ['hostname', 's'], 17: ['subdomain', 's'], 19: ['schedulerName', 's'],
    20: ['initContainers', '[Container]'], 22: ['tolerations', '[Toleration]'], 24: ['priorityClassName', 's'],
  },
  Container: {
    1: ['name', 's'], 2: ['image', 's'], 3: ['command', '[s]'], 4: ['args', '[s]'], 5: ['workingDir', 's'], 6: ['ports', '[ContainerPort]'],
    7: ['env', '[EnvVar]'], 8: ['resources', 'ResourceRequirements'], 9: ['volumeMounts', '[VolumeMount]'], 13: ['terminationMessagePath', 's'],
    14: ['imagePullPolicy', 's'], 16: ['stdin', 'b'], 17: ['stdinOnce', 'b'], 18: ['tty', 'b'], 20: ['terminationMessagePolicy', 's'],
  },
  ContainerPort: { 1: ['name', 's'], 2: ['hostPort', 'i'], 3: ['containerPort', 'i'], 4: ['protocol', 's'], 5: ['hostIP', 's'] },
  EnvVar: { 1: ['name', 's'], 2: ['value', 's'] },
  ResourceRequirements: { 1: ['limits', 'mapq'], 2: ['requests', 'mapq'] },
  VolumeMount: { 1: ['name', 's'], 2: ['readOnly', 'b'], 3: ['mountPath', 's'], 4: ['subPath', 's'] },
  Volume: { 1: ['name', 's'], 2: ['volumeSource', 'inline:VolumeSource'] },
  VolumeSource: { 1: ['hostPath', 'HostPathVolumeSource'], 2: ['emptyDir', 'EmptyDirVolumeSource?'], 6: ['secret', 'SecretVolumeSource?'], 10: ['persistentVolumeClaim', 'PVCVolumeSource'], 19: ['configMap', 'ConfigMapVolumeSource?'] },
  HostPathVolumeSource: { 1: ['path', 's'], 2: ['type', 's'] },
  EmptyDirVolumeSource: { 1: ['medium', 's'], 2: ['sizeLimit', 'quantity'] },
  SecretVolumeSource: { 1: ['secretName', 's'] },
  ConfigMapVolumeSource: { 1: ['localObjectReference', 'inline:LocalObjectReference'] },
  LocalObjectReference: { 1: ['name', 's'] },
  PVCVolumeSource: { 1: ['claimName', 's'], 2: ['readOnly', 'b'] },
  Toleration: { 1: ['key', 's'], 2: ['operator', 's'], 3: ['value', 's'], 4: ['effect', 's'], 5: ['tolerationSeconds', 'i?'] },
  Namespace: { 1: ['metadata', 'ObjectMeta'], 2: ['spec', 'NamespaceSpec'] },
  NamespaceSpec: { 1: ['finalizers', '[s]'] },
  ConfigMap: { 1: ['metadata', 'ObjectMeta'], 2: ['data', 'map'], 3: ['binaryData', 'mapb'], 4: ['immutable', 'b?'] },
  Secret: { 1: ['metadata', 'ObjectMeta'], 2: ['data', 'mapb'], 3: ['type', 's'], 4: ['stringData', 'map'], 5: ['immutable', 'b?'] },
  ServiceAccount: { 1: ['metadata', 'ObjectMeta'], 3: ['imagePullSecrets', '[LocalObjectReference]'], 4: ['automountServiceAccountToken', 'b?'] },
  Service: { 1: ['metadata', 'ObjectMeta'], 2: ['spec', 'ServiceSpec'] },
  ServiceSpec: {
    1: ['ports', '[ServicePort]'], 2: ['selector', 'map'], 3: ['clusterIP', 's'], 4: ['type', 's'], 5: ['externalIPs', '[s]'],
    7: ['sessionAffinity', 's'], 8: ['loadBalancerIP', 's'], 10: ['externalName', 's'], 11: ['externalTrafficPolicy', 's'],
    13: ['publishNotReadyAddresses', 'b'], 18: ['clusterIPs', '[s]'], 22: ['internalTrafficPolicy', 's'],
  },
  ServicePort: { 1: ['name', 's'], 2: ['protocol', 's'], 3: ['port', 'i'], 4: ['targetPort', 'ios'], 5: ['nodePort', 'i'], 6: ['appProtocol', 's'] },
  Pod: { 1: ['metadata', 'ObjectMeta'], 2: ['spec', 'PodSpec'] },
  Deployment: { 1: ['metadata', 'ObjectMeta'], 2: ['spec', 'DeploymentSpec'] },
  DeploymentSpec: {
    1: ['replicas', 'i?'], 2: ['selector', 'LabelSelector'], 3: ['template', 'PodTemplateSpec?'], 4: ['strategy', 'DeploymentStrategy?'],
    5: ['minReadySeconds', 'i'], 6: ['revisionHistoryLimit', 'i?'], 7: ['paused', 'b'], 9: ['progressDeadlineSeconds', 'i?'],
  },
  DeploymentStrategy: { 1: ['type', 's'], 2: ['rollingUpdate', 'RollingUpdateDeployment'] },
  RollingUpdateDeployment: { 1: ['maxUnavailable', 'ios'], 2: ['maxSurge', 'ios'] },
  Job: { 1: ['metadata', 'ObjectMeta'], 2: ['spec', 'JobSpec'] },
  JobSpec: {
    1: ['parallelism', 'i?'], 2: ['completions', 'i?'], 3: ['activeDeadlineSeconds', 'i?'], 4: ['selector', 'LabelSelector'],
    5: ['manualSelector', 'b?'], 6: ['template', 'PodTemplateSpec?'], 7: ['backoffLimit', 'i?'], 8: ['ttlSecondsAfterFinished', 'i?'],
    9: ['completionMode', 's'], 10: ['suspend', 'b?'],
  },
  CronJob: { 1: ['metadata', 'ObjectMeta'], 2: ['spec', 'CronJobSpec'] },
  CronJobSpec: {
    1: ['schedule', 's'], 2: ['startingDeadlineSeconds', 'i?'], 3: ['concurrencyPolicy', 's'], 4: ['suspend', 'b?'],
    5: ['jobTemplate', 'JobTemplateSpec?'], 6: ['successfulJobsHistoryLimit', 'i?'], 7: ['failedJobsHistoryLimit', 'i?'], 8: ['timeZone', 's'],
  },
  JobTemplateSpec: { 1: ['metadata', 'ObjectMeta'], 2: ['spec', 'JobSpec?'] },
  PriorityClass: { 1: ['metadata', 'ObjectMeta'], 2: ['value', 'i?'], 3: ['globalDefault', 'b'], 4: ['description', 's'], 5: ['preemptionPolicy', 's'] },
  PodDisruptionBudget: { 1: ['metadata', 'ObjectMeta'], 2: ['spec', 'PodDisruptionBudgetSpec'] },
  PodDisruptionBudgetSpec: { 1: ['minAvailable', 'ios'], 2: ['selector', 'LabelSelector'], 3: ['maxUnavailable', 'ios'], 4: ['unhealthyPodEvictionPolicy', 's'] },
  ResourceQuota: { 1: ['metadata', 'ObjectMeta'], 2: ['spec', 'ResourceQuotaSpec'] },
  ResourceQuotaSpec: { 1: ['hard', 'mapq'], 2: ['scopes', '[s]'] },
  Role: { 1: ['metadata', 'ObjectMeta'], 2: ['rules', '[PolicyRule]'] },
  ClusterRole: { 1: ['metadata', 'ObjectMeta'], 2: ['rules', '[PolicyRule]'] },
  PolicyRule: { 1: ['verbs', '[s]'], 2: ['apiGroups', '[s]'], 3: ['resources', '[s]'], 4: ['resourceNames', '[s]'], 5: ['nonResourceURLs', '[s]'] },
  RoleBinding: { 1: ['metadata', 'ObjectMeta'], 2: ['subjects', '[Subject]'], 3: ['roleRef', 'RoleRef'] },
  ClusterRoleBinding: { 1: ['metadata', 'ObjectMeta'], 2: ['subjects', '[Subject]'], 3: ['roleRef', 'RoleRef'] },
  Subject: { 1: ['kind', 's'], 2: ['apiGroup', 's'], 3: ['name', 's'], 4: ['namespace', 's'] },
  RoleRef: { 1: ['apiGroup', 's'], 2: ['kind', 's'], 3: ['name', 's'] },
  Ingress: { 1: ['metadata', 'ObjectMeta'], 2: ['spec', 'IngressSpec'] },
  IngressSpec: { 1: ['defaultBackend', 'IngressBackend'], 2: ['tls', '[IngressTLS]'], 3: ['rules', '[IngressRule]'], 4: ['ingressClassName', 's'] },
  IngressTLS: { 1: ['hosts', '[s]'], 2: ['secretName', 's'] },
  IngressRule: { 1: ['host', 's'], 2: ['ingressRuleValue', 'inline:IngressRuleValue'] },
  IngressRuleValue: { 1: ['http', 'HTTPIngressRuleValue'] },
  HTTPIngressRuleValue: { 1: ['paths', '[HTTPIngressPath]'] },
  HTTPIngressPath: { 1: ['path', 's'], 2: ['backend', 'IngressBackend'], 3: ['pathType', 's'] },
  IngressBackend: { 4: ['service', 'IngressServiceBackend'] },
  IngressServiceBackend: { 1: ['name', 's'], 2: ['port', 'ServiceBackendPort?'] },
  ServiceBackendPort: { 1: ['name', 's'], 2: ['number', 'i'] },
};
