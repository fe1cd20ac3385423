import { describe, expect, it } from 'vitest';
import type { KObject } from '../api/types.js';
import { hostsFile, podHostname, resolvConf } from './sandbox-files.js';

const config = { dnsAddress: '127.77.0.10', clusterDomain: 'cluster.local', upstreamDns: ['127.77.0.53:5353'] };

function pod(spec: Record<string, unknown> = {}, name = 'curlpod', namespace = 'team-a'): KObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace }, spec: { containers: [], ...spec } };
}

describe('resolvConf', () => {
  it('points ClusterFirst pods at the cluster DNS with the namespace search path', () => {
    expect(resolvConf(pod(), config)).toBe(
      'nameserver 127.77.0.10\nsearch team-a.svc.cluster.local svc.cluster.local cluster.local\noptions ndots:5\n',
    );
  });

  it('gives Default pods (and hostNetwork ClusterFirst pods) the upstream resolvers', () => {
    expect(resolvConf(pod({ dnsPolicy: 'Default' }), config)).toBe('nameserver 127.77.0.53\n');
    expect(resolvConf(pod({ hostNetwork: true }), config)).toBe('nameserver 127.77.0.53\n');
    expect(resolvConf(pod({ hostNetwork: true, dnsPolicy: 'ClusterFirstWithHostNet' }), config)).toContain('nameserver 127.77.0.10');
  });

  it('merges dnsConfig, overriding an option by name', () => {
    const out = resolvConf(pod({ dnsConfig: { nameservers: ['127.77.0.11'], searches: ['example.test'], options: [{ name: 'ndots', value: '2' }, { name: 'edns0' }] } }), config);
    expect(out).toBe(
      'nameserver 127.77.0.10\nnameserver 127.77.0.11\nsearch team-a.svc.cluster.local svc.cluster.local cluster.local example.test\noptions ndots:2 edns0\n',
    );
    expect(resolvConf(pod({ dnsPolicy: 'None', dnsConfig: { nameservers: ['127.77.0.12'] } }), config)).toBe('nameserver 127.77.0.12\n');
  });
});

describe('hostsFile', () => {
  it('maps the pod IP to its hostname', () => {
    const out = hostsFile(pod(), '127.77.1.5', 'cluster.local');
    expect(out).toContain('127.0.0.1\tlocalhost\n');
    expect(out.endsWith('127.77.1.5\tcurlpod\n')).toBe(true);
  });

  it('adds the FQDN for hostname+subdomain pods and the host aliases', () => {
    const p = pod({ hostname: 'web-0', subdomain: 'nginx', hostAliases: [{ ip: '127.0.0.1', hostnames: ['foo.local', 'bar.local'] }] }, 'web-0', 'default');
    const out = hostsFile(p, '127.77.1.6', 'cluster.local');
    expect(out).toContain('127.77.1.6\tweb-0.nginx.default.svc.cluster.local\tweb-0\n');
    expect(out).toContain('# Entries added by HostAliases.\n127.0.0.1\tfoo.local\tbar.local\n');
  });

  it('cuts long pod names to 63 characters for the hostname', () => {
    expect(podHostname(pod({}, 'a'.repeat(70)))).toBe('a'.repeat(63));
  });
});
