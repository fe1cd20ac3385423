import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { currentServer, kubeconfigYaml, mergeKubeconfig } from './kubeconfig.js';

const existing = `apiVersion: v1
kind: Config
clusters:
- cluster:
    server: http://127.0.0.1:7000
  name: other
- cluster:
    server: http://127.0.0.1:1
  name: kdp
contexts:
- context:
    cluster: other
    user: other
  name: other
current-context: other
users:
- name: other
  user: {}
`;

describe('kubeconfig', () => {
  it('kdp up writes context kdp pointing at the API server', () => {
    expect(currentServer(kubeconfigYaml('http://127.0.0.1:6443'))).toBe('http://127.0.0.1:6443');
  });

  it('--merge replaces same-named entries, keeps the others and switches the current context', () => {
    const merged = parse(mergeKubeconfig(existing, kubeconfigYaml('http://127.0.0.1:6443')));
    expect(merged.clusters.map((c: any) => [c.name, c.cluster.server])).toEqual([['other', 'http://127.0.0.1:7000'], ['kdp', 'http://127.0.0.1:6443']]);
    expect(merged.contexts.map((c: any) => c.name)).toEqual(['other', 'kdp']);
    expect(merged.users.map((u: any) => u.name)).toEqual(['other', 'kdp']);
    expect(merged['current-context']).toBe('kdp');
    expect(currentServer(mergeKubeconfig(undefined, kubeconfigYaml('http://127.0.0.1:6443')))).toBe('http://127.0.0.1:6443');
  });
});
