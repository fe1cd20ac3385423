import { describe, expect, it } from 'vitest';
import type { KObject } from '../api/types.js';
import { tryHints } from './up-hints.js';

const config = { dnsAddress: '127.96.0.10', dnsPort: 53, clusterDomain: 'cluster.local' };
const svc = (name: string, namespace = 'default', port = 80, extra: object = {}): KObject => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace }, spec: { clusterIP: '127.96.0.20', ports: [{ port, protocol: 'TCP' }], ...extra } });
const pod = (name: string, image: string, extra: Partial<KObject['metadata']> = {}, command = ['sleep', 'infinity']): KObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', ...extra }, spec: { containers: [{ name: 'c', image, command }] } });
const kubernetes = svc('kubernetes', 'default', 443);
const kubeDns = svc('kube-dns', 'kube-system', 53);

describe("kdp up's Try hints", () => {
  it('names the seed walkthrough\'s Service and client pod when they are there', () => {
    expect(tryHints({ services: [kubernetes, kubeDns, svc('nginx')], pods: [pod('curlpod', 'docker.io/curlimages/curl:7.86.0')], ingresses: [] }, config)).toEqual([
      'Try, in another terminal:',
      '  npx kdp get pods,svc            # what is running',
      "  curl -s http://$(npx kdp get svc nginx -o jsonpath='{.spec.clusterIP}')/ | head -4",
      '  npx kdp exec curlpod -- curl -s http://nginx.default.svc.cluster.local/ | head -4',
      '  dig @127.96.0.10 nginx.default.svc.cluster.local +short',
      'Ctrl-C stops everything.',
    ]);
  });

  it('says nothing of nginx or curlpod on an empty cluster', () => {
    const lines = tryHints({ services: [kubernetes, kubeDns], pods: [], ingresses: [] }, { ...config, dnsPort: 5353 });
    expect(lines.join('\n')).not.toMatch(/nginx|curlpod|exec/);
    expect(lines).toContain('  dig @127.96.0.10 -p 5353 kubernetes.default.svc.cluster.local +short');
  });

  it('uses what was applied: its namespace, port and client', () => {
    const lines = tryHints({
      services: [kubernetes, svc('web', 'shop', 8080), svc('headless', 'default', 80, { clusterIP: 'None' })],
      pods: [pod('web-abc', 'curlimages/curl', { ownerReferences: [{ kind: 'ReplicaSet' }] as never }), pod('box', 'busybox:1.36', { namespace: 'shop' })],
      ingresses: [{ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'web', namespace: 'shop' } }],
    }, config);
    expect(lines).toContain("  curl -s http://$(npx kdp get svc web -n shop -o jsonpath='{.spec.clusterIP}'):8080/ | head -4");
    expect(lines).toContain('  npx kdp exec box -n shop -- wget -qO- http://web.shop.svc.cluster.local:8080/ | head -4');
    expect(lines).toContain('  dig @127.96.0.10 web.shop.svc.cluster.local +short');
    expect(lines.some((l) => l.includes('kdp get ingress'))).toBe(true);
  });

  it('offers no exec line without a pod that has an HTTP client', () => {
    const lines = tryHints({ services: [svc('nginx')], pods: [pod('app', 'node:20', {}, ['node', 'server.js'])], ingresses: [] }, config);
    expect(lines.some((l) => l.includes('exec'))).toBe(false);
  });
});
