import { describe, expect, it } from 'vitest';
import { InformerFactory } from '../api/informer.js';
import { ObjectStore } from '../api/store.js';
import { GR } from '../api/types.js';
import { kubeadmCorefile } from './addon.js';
import { Metrics } from './metrics.js';
import { compileCorefile, type SetupEnv } from './setup.js';
import { isRaw, QTYPE, RCODE, type DnsRequest, type Reply } from './types.js';
import { encodeQuery, parseQuery } from './wire.js';

function env(over: Partial<SetupEnv> = {}): SetupEnv {
  const store = new ObjectStore();
  store.create(GR.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } });
  store.create(GR.services, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' }, spec: { clusterIP: '127.96.0.20', ports: [{ port: 80 }] } });
  return {
    informers: new InformerFactory(store), podIP: '127.244.0.2', nsAddress: '127.96.0.10', log: () => {}, metrics: new Metrics(),
    resolvConf: () => ['127.60.0.53'], readFile: () => '127.9.9.9 printer.lan\n',
    exchange: async (_u, wire) => { const r = Buffer.from(wire); r[2] |= 0x80; r[3] = 3; return r; },
    ...over,
  };
}

function req(name: string, qtype: number = QTYPE.A): DnsRequest {
  const wire = encodeQuery(7, name, qtype);
  const p = parseQuery(wire);
  if (p.kind !== 'query') throw new Error('bad query');
  return { query: p.query, wire, transport: 'udp' };
}

describe('compileCorefile', () => {
  it('builds kubeadm\'s Corefile into one block with its HTTP endpoints and plugins', () => {
    const [b] = compileCorefile(kubeadmCorefile('cluster.local', '/etc/resolv.conf'), env());
    expect(b).toMatchObject({ zone: '', port: 53, server: 'dns://:53' });
    expect(b.http).toEqual([
      { kind: 'health', address: '127.244.0.2', port: 8080 },
      { kind: 'ready', address: '127.244.0.2', port: 8181 },
      { kind: 'metrics', address: '127.244.0.2', port: 9153 },
    ]);
    expect(b.plugins).toContain('kubernetes');
    b.dispose();
  });

  it('runs plugins in CoreDNS order whatever the Corefile order: hosts before kubernetes before forward', async () => {
    const [b] = compileCorefile('.:53 {\n forward . 127.60.0.53\n kubernetes cluster.local\n hosts {\n  127.1.1.1 web.default.svc.cluster.local\n  fallthrough\n }\n}\n', env());
    const r1 = req('web.default.svc.cluster.local');
    expect((await b.handler(r1) as Reply).answer).toMatchObject([{ address: '127.1.1.1' }]);
    expect(r1.answeredBy).toBe('hosts');
    const r2 = req('elsewhere.example');
    const fwd = await b.handler(r2);
    expect(isRaw(fwd)).toBe(true);
    expect(r2.answeredBy).toBe('forward');
    b.dispose();
  });

  it('applies kubernetes options: ttl, pods disabled, fallthrough', async () => {
    const [b] = compileCorefile('.:53 {\n kubernetes cluster.local {\n  ttl 7\n  pods disabled\n  fallthrough\n }\n}\n', env({ exchange: undefined }));
    expect((await b.handler(req('web.default.svc.cluster.local')) as Reply).answer).toMatchObject([{ ttl: 7, address: '127.96.0.20' }]);
    // pods disabled → NXDOMAIN, and fallthrough hands NXDOMAIN to the end of the chain (SERVFAIL)
    expect((await b.handler(req('1-2-3-4.default.pod.cluster.local')) as Reply).rcode).toBe(RCODE.SERVFAIL);
    b.dispose();
  });

  it('rewrites names and turns the answer back to the asked name', async () => {
    const [b] = compileCorefile('.:53 {\n rewrite name exact www.example.test web.default.svc.cluster.local\n kubernetes cluster.local\n}\n', env());
    const r = await b.handler(req('www.example.test')) as Reply;
    expect(r.answer).toMatchObject([{ name: 'www.example.test', address: '127.96.0.20' }]);
    b.dispose();
  });

  it('refuses unknown and unsupported plugins and bad options with the line', () => {
    expect(() => compileCorefile('.:53 {\n  nosuch\n}\n', env())).toThrow("Corefile:2 - Error during parsing: Unknown directive 'nosuch'");
    expect(() => compileCorefile('.:53 {\n  etcd\n}\n', env())).toThrow('plugin/etcd: not supported by kdp');
    expect(() => compileCorefile('.:53 {\n kubernetes cluster.local {\n  pods sometimes\n }\n}\n', env())).toThrow(/Corefile:3 - .*wrong value for pods: sometimes, {2}must be one of: disabled, verified, insecure/);
    expect(() => compileCorefile('.:53 {\n  forward . 127.96.0.10\n}\n', env())).toThrow(/forwarding loop/);
    expect(() => compileCorefile('.:53 {\n  cache 30\n  cache 40\n}\n', env())).toThrow(/only be used once/);
  });
});
