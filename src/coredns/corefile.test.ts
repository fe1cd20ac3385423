import { describe, expect, it } from 'vitest';
import { CorefileError, inZone, parseCorefile } from './corefile.js';
import { kubeadmCorefile } from './addon.js';

describe('Corefile parser', () => {
  it('reads kubeadm\'s Corefile: one server block, directives with arguments and sub-blocks', () => {
    const [b, ...rest] = parseCorefile(kubeadmCorefile('cluster.local', '/etc/resolv.conf'));
    expect(rest).toEqual([]);
    expect(b.keys).toEqual([{ zone: '', port: 53 }]);
    expect(b.directives.map((d) => d.name)).toEqual(['errors', 'health', 'ready', 'kubernetes', 'prometheus', 'forward', 'cache', 'loop', 'reload', 'loadbalance']);
    const k = b.directives.find((d) => d.name === 'kubernetes')!;
    expect(k.args).toEqual(['cluster.local', 'in-addr.arpa', 'ip6.arpa']);
    expect(k.block.map((d) => [d.name, ...d.args])).toEqual([['pods', 'insecure'], ['fallthrough', 'in-addr.arpa', 'ip6.arpa'], ['ttl', '30']]);
    expect(b.directives.find((d) => d.name === 'health')!.block).toMatchObject([{ name: 'lameduck', args: ['5s'] }]);
    expect(b.directives.find((d) => d.name === 'forward')!.args).toEqual(['.', '/etc/resolv.conf']);
  });

  it('takes several keys, dns:// prefixes, ports, comments and quotes', () => {
    const blocks = parseCorefile('# top\ndns://example.org:1053, Example.NET. {\n  hosts {\n    127.1.1.1 "a b"  # c\n  }\n}\n.:5300 {\n whoami_not_checked_here\n}\n');
    expect(blocks[0].keys).toEqual([{ zone: 'example.org', port: 1053 }, { zone: 'example.net', port: 53 }]);
    expect(blocks[0].directives[0].block[0]).toMatchObject({ name: '127.1.1.1', args: ['a b'] });
    expect(blocks[1].keys).toEqual([{ zone: '', port: 5300 }]);
  });

  it('says where a Corefile is broken, as CoreDNS does', () => {
    expect(() => parseCorefile('.:53 {\n  errors\n', '/etc/coredns/Corefile')).toThrow(CorefileError);
    expect(() => parseCorefile('.:53 {\n  errors\n', '/etc/coredns/Corefile')).toThrow(/^\/etc\/coredns\/Corefile:1 - Error during parsing: Unexpected EOF/);
    expect(() => parseCorefile('.:99999 {\n}\n')).toThrow(/invalid port '99999'/);
    expect(() => parseCorefile('.:53 {\n}\n.:53 {\n}\n')).toThrow(/Corefile:3 - Error during parsing: cannot serve dns:\/\/.:53 - it is already defined/);
    expect(() => parseCorefile('')).toThrow(/no server blocks/);
  });

  it('matches zones on label boundaries', () => {
    expect(inZone('a.cluster.local', 'cluster.local')).toBe(true);
    expect(inZone('cluster.local', 'cluster.local')).toBe(true);
    expect(inZone('acluster.local', 'cluster.local')).toBe(false);
    expect(inZone('anything', '')).toBe(true);
  });
});

describe('kubeadm Corefile upstreams', () => {
  it('says /etc/resolv.conf when kdp uses the host resolvers, the --upstream-dns list otherwise, no forward when empty', async () => {
    const { corefileUpstreams } = await import('./addon.js');
    expect(corefileUpstreams({ upstreamDns: ['127.0.0.53'] }, ['127.0.0.53'])).toBe('/etc/resolv.conf');
    expect(corefileUpstreams({ upstreamDns: ['127.60.0.53:5353'] }, ['127.0.0.53'])).toEqual(['127.60.0.53:5353']);
    expect(kubeadmCorefile('cluster.local', ['127.60.0.53:5353', '127.60.0.54'])).toContain('    forward . 127.60.0.53:5353 127.60.0.54 {\n');
    expect(kubeadmCorefile('cluster.local', [])).not.toContain('forward');
    expect(kubeadmCorefile('k8s.example', '/etc/resolv.conf')).toContain('    kubernetes k8s.example in-addr.arpa ip6.arpa {\n');
  });
});
