import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { currentContext, currentServer, kubeconfigYaml, mergeKubeconfig } from './kubeconfig.js';

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

describe('the credentials of the current context', () => {
  const creds = { ca: 'CA PEM\n', cert: 'CERT PEM\n', key: 'KEY PEM\n' };

  it('embeds the CA and the client certificate as kind writes them, and reads them back', () => {
    const doc = parse(kubeconfigYaml('https://127.0.0.1:6443', 'kdp', creds));
    expect(doc.clusters[0].cluster['certificate-authority-data']).toBe(Buffer.from(creds.ca).toString('base64'));
    expect(doc.users[0].user['client-key-data']).toBe(Buffer.from(creds.key).toString('base64'));
    expect(currentContext([{ text: kubeconfigYaml('https://127.0.0.1:6443', 'kdp', creds), dir: '/x' }])).toEqual({ server: 'https://127.0.0.1:6443', ...creds, namespace: 'default', insecureSkipTlsVerify: undefined, token: undefined });
  });

  it('merges several files as kubectl merges $KUBECONFIG: the first current-context and the first entry of a name win', () => {
    const a = 'current-context: b\nclusters: []\n';
    const b = [
      'contexts: [{name: b, context: {cluster: c, user: u, namespace: team}}]',
      'clusters: [{name: c, cluster: {server: "https://127.0.0.9:6443", certificate-authority: ca.crt}}]',
      'users: [{name: u, user: {token: abc}}]',
    ].join('\n');
    const read = (p: string) => `read ${p}`;
    expect(currentContext([{ text: a, dir: '/one' }, { text: b, dir: '/two' }], read)).toMatchObject({ server: 'https://127.0.0.9:6443', ca: 'read /two/ca.crt', token: 'abc', namespace: 'team' });
  });
});
