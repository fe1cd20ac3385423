import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { decodeTyped } from './typed-decode.js';

const refuse = (obj: object, group: string, version: string, kind: string) => {
  try {
    decodeTyped(obj as Record<string, unknown>, group, version, kind);
  } catch (err) {
    return (err as Error).message;
  }
  return 'accepted';
};

describe('the typed boundary (Go json decode errors from the OpenAPI schemas)', () => {
  it('refuses what kube-apiserver cannot unmarshal, naming the innermost struct, the JSON path and the Go type', () => {
    expect(refuse({ metadata: { name: 'x' }, data: { a: { b: 1 } } }, '', 'v1', 'ConfigMap')).toBe('json: cannot unmarshal object into Go struct field ConfigMap.data of type string');
    const deployment = (container: object) => ({ metadata: { name: 'd' }, spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'nginx', ...container }] } } } });
    expect(refuse(deployment({ env: [{ name: 'X', value: true }] }), 'apps', 'v1', 'Deployment')).toBe('json: cannot unmarshal bool into Go struct field EnvVar.spec.template.spec.containers.env.value of type string');
    expect(refuse(deployment({ ports: [{ containerPort: '80' }] }), 'apps', 'v1', 'Deployment')).toBe('json: cannot unmarshal string into Go struct field ContainerPort.spec.template.spec.containers.ports.containerPort of type int32');
    expect(refuse(deployment({ ports: [{ containerPort: 80.5 }] }), 'apps', 'v1', 'Deployment')).toBe('json: cannot unmarshal number 80.5 into Go struct field ContainerPort.spec.template.spec.containers.ports.containerPort of type int32');
    expect(refuse({ metadata: { name: 'x', labels: { v: 1 } } }, '', 'v1', 'Service')).toBe('json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type string');
    expect(refuse({ metadata: { name: 'x', labels: ['a'] } }, '', 'v1', 'Service')).toBe('json: cannot unmarshal array into Go struct field ObjectMeta.metadata.labels of type map[string]string');
    expect(refuse({ spec: { containers: { name: 'c' } } }, '', 'v1', 'Pod')).toBe('json: cannot unmarshal object into Go struct field PodSpec.spec.containers of type []v1.Container');
    expect(refuse({ spec: 'x' }, '', 'v1', 'Pod')).toBe('json: cannot unmarshal string into Go struct field Pod.spec of type v1.PodSpec');
    expect(refuse({ spec: { activeDeadlineSeconds: 'a' } }, '', 'v1', 'Pod')).toBe('json: cannot unmarshal string into Go struct field PodSpec.spec.activeDeadlineSeconds of type int64');
    expect(refuse({ spec: { template: { spec: { containers: [{ name: 'c', stdin: 'yes' }] } } } }, 'batch', 'v1', 'Job')).toBe('json: cannot unmarshal string into Go struct field Container.spec.template.spec.containers.stdin of type bool');
  });

  it('accepts what decodes: int-or-string, quantities, times, nulls, and unknown kinds untouched', () => {
    expect(refuse({ spec: { ports: [{ port: 80, targetPort: 'http' }, { port: 81, targetPort: 8081 }] } }, '', 'v1', 'Service')).toBe('accepted');
    expect(refuse({ spec: { containers: [{ name: 'c', resources: { limits: { cpu: 1, memory: '1Gi' } } }] }, metadata: { creationTimestamp: null } }, '', 'v1', 'Pod')).toBe('accepted');
    expect(refuse({ spec: { anything: { goes: [1, 'x'] } } }, 'example.com', 'v1', 'Widget')).toBe('accepted');
  });

  it('lists unknown fields with their paths, for fieldValidation', () => {
    const r = decodeTyped({ metadata: { name: 'd' }, spec: { replica: 3, template: { spec: { containers: [{ name: 'c', imagePullPolicyX: 'x' }] } } } }, 'apps', 'v1', 'Deployment');
    expect(r.unknownFields).toEqual(['spec.replica', 'spec.template.spec.containers[0].imagePullPolicyX']);
  });

  it('accepts every manifest of the seed, the examples and the ingress-nginx install as they are', () => {
    const root = resolve(import.meta.dirname, '..', '..');
    const files = [
      ...readdirSync(join(root, 'examples'), { recursive: true }).map(String).filter((f) => /\.ya?ml$/.test(f)).map((f) => join(root, 'examples', f)),
      join(root, '..', 'shared', 'fixtures', 'ingress-nginx-controller-v1.5.1-cloud-deploy.yaml'),
    ];
    let checked = 0;
    for (const f of files) {
      let text: string;
      try {
        text = readFileSync(f, 'utf8');
      } catch {
        continue; // ../shared is beside the clone in CI and here
      }
      for (const doc of parseAllDocuments(text)) {
        const o = doc.toJS() as { apiVersion?: string; kind?: string } | null;
        if (!o?.kind || !o.apiVersion) continue;
        const [group, version] = o.apiVersion.includes('/') ? o.apiVersion.split('/') : ['', o.apiVersion];
        expect(refuse(o, group, version, o.kind), `${f}: ${o.kind}`).toBe('accepted');
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(10);
  });
});
