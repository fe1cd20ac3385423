import { describe, expect, it } from 'vitest';
import { MetricsRegistry } from './metrics-registry.js';

describe('MetricsRegistry', () => {
  it('merges families of several instances under one HELP/TYPE, labelling each sample', () => {
    const r = new MetricsRegistry();
    const text = (n: number) => `# HELP coredns_dns_requests_total Counter of DNS requests.\n# TYPE coredns_dns_requests_total counter\ncoredns_dns_requests_total{zone="."} ${n}\n# HELP h A histogram.\n# TYPE h histogram\nh_bucket{le="+Inf"} ${n}\nh_sum ${n}\nh_count ${n}\n`;
    r.add('kube-system/coredns-b', () => text(2));
    const remove = r.add('kube-system/coredns-a', () => text(1));
    r.add('broken', () => {
      throw new Error('stopping');
    });
    expect(r.render()).toBe([
      '# HELP coredns_dns_requests_total Counter of DNS requests.',
      '# TYPE coredns_dns_requests_total counter',
      'coredns_dns_requests_total{instance="kube-system/coredns-a",zone="."} 1',
      'coredns_dns_requests_total{instance="kube-system/coredns-b",zone="."} 2',
      '# HELP h A histogram.',
      '# TYPE h histogram',
      'h_bucket{instance="kube-system/coredns-a",le="+Inf"} 1',
      'h_sum{instance="kube-system/coredns-a"} 1',
      'h_count{instance="kube-system/coredns-a"} 1',
      'h_bucket{instance="kube-system/coredns-b",le="+Inf"} 2',
      'h_sum{instance="kube-system/coredns-b"} 2',
      'h_count{instance="kube-system/coredns-b"} 2',
      '',
    ].join('\n'));
    remove();
    expect(r.render()).not.toContain('coredns-a');
  });
});
