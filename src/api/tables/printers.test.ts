import { describe, expect, it } from 'vitest';
import type { KObject } from '../types.js';
import { toTable } from './to-table.js';

const now = new Date('2024-05-01T12:00:00Z');
const created = '2024-04-26T12:00:00Z'; // 5d

function obj(kind: string, name: string, rest: Record<string, unknown> = {}, meta: Record<string, unknown> = {}): KObject {
  return { apiVersion: 'v1', kind, metadata: { name, namespace: 'default', creationTimestamp: created, ...meta }, ...rest } as KObject;
}
function table(group: string, resource: string, o: KObject) {
  const t = toTable({ group, resource }, [o], { now });
  return { names: t.columnDefinitions.map((c) => (c.priority ? `${c.name}*` : c.name)), cells: t.rows[0].cells };
}

describe('service printer', () => {
  it('prints ClusterIP services', () => {
    const t = table('', 'services', obj('Service', 'nginx', { spec: { type: 'ClusterIP', clusterIP: '127.96.0.20', clusterIPs: ['127.96.0.20'], ports: [{ port: 80, protocol: 'TCP' }], selector: { app: 'nginx', tier: 'web' } } }));
    expect(t.names).toEqual(['Name', 'Type', 'Cluster-IP', 'External-IP', 'Port(s)', 'Age', 'Selector*']);
    expect(t.cells).toEqual(['nginx', 'ClusterIP', '127.96.0.20', '<none>', '80/TCP', '5d', 'app=nginx,tier=web']);
  });
  it('prints node ports, pending and assigned load balancers, headless and ExternalName', () => {
    const lb = (status: unknown) => table('', 'services', obj('Service', 'lb', { spec: { type: 'LoadBalancer', clusterIPs: ['127.96.0.30'], ports: [{ port: 80, nodePort: 31045, protocol: 'TCP' }, { port: 53, nodePort: 30053, protocol: 'UDP' }] }, status }));
    expect(lb({}).cells.slice(1, 5)).toEqual(['LoadBalancer', '127.96.0.30', '<pending>', '80:31045/TCP,53:30053/UDP']);
    expect(lb({ loadBalancer: { ingress: [{ ip: '127.200.0.1' }] } }).cells[3]).toBe('127.200.0.1');
    const headless = table('', 'services', obj('Service', 'h', { spec: { type: 'ClusterIP', clusterIP: 'None', clusterIPs: ['None'] } }));
    expect(headless.cells.slice(2, 5)).toEqual(['None', '<none>', '<none>']);
    expect(headless.cells[6]).toBe('<none>');
    const ext = table('', 'services', obj('Service', 'e', { spec: { type: 'ExternalName', externalName: 'example.test' } }));
    expect(ext.cells.slice(1, 4)).toEqual(['ExternalName', '<none>', 'example.test']);
  });
});

describe('workload printers', () => {
  const template = { spec: { containers: [{ name: 'nginx', image: 'nginx:1.25' }, { name: 'side', image: 'busybox' }] } };
  it('deployments', () => {
    const t = table('apps', 'deployments', obj('Deployment', 'nginx', { spec: { replicas: 3, selector: { matchLabels: { app: 'nginx' } }, template }, status: { readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 } }));
    expect(t.names).toEqual(['Name', 'Ready', 'Up-to-date', 'Available', 'Age', 'Containers*', 'Images*', 'Selector*']);
    expect(t.cells).toEqual(['nginx', '2/3', 3, 2, '5d', 'nginx,side', 'nginx:1.25,busybox', 'app=nginx']);
  });
  it('replicasets, statefulsets and daemonsets', () => {
    const sel = { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'env', operator: 'In', values: ['b', 'a'] }, { key: 'debug', operator: 'DoesNotExist' }] };
    const rs = table('apps', 'replicasets', obj('ReplicaSet', 'web-5d8f', { spec: { replicas: 2, selector: sel, template }, status: { replicas: 2, readyReplicas: 1 } }));
    expect(rs.names).toEqual(['Name', 'Desired', 'Current', 'Ready', 'Age', 'Containers*', 'Images*', 'Selector*']);
    expect(rs.cells).toEqual(['web-5d8f', 2, 2, 1, '5d', 'nginx,side', 'nginx:1.25,busybox', 'app=web,!debug,env in (a,b)']);
    const sts = table('apps', 'statefulsets', obj('StatefulSet', 'db', { spec: { replicas: 3, template }, status: { readyReplicas: 3 } }));
    expect(sts.names).toEqual(['Name', 'Ready', 'Age', 'Containers*', 'Images*']);
    expect(sts.cells.slice(0, 3)).toEqual(['db', '3/3', '5d']);
    const ds = table('apps', 'daemonsets', obj('DaemonSet', 'agent', { spec: { selector: { matchLabels: { app: 'agent' } }, template: { spec: { ...template.spec, nodeSelector: { 'kubernetes.io/os': 'linux' } } } }, status: { desiredNumberScheduled: 2, currentNumberScheduled: 2, numberReady: 1, updatedNumberScheduled: 2, numberAvailable: 1 } }));
    expect(ds.names.slice(0, 8)).toEqual(['Name', 'Desired', 'Current', 'Ready', 'Up-to-date', 'Available', 'Node Selector', 'Age']);
    expect(ds.cells.slice(0, 8)).toEqual(['agent', 2, 2, 1, 2, 1, 'kubernetes.io/os=linux', '5d']);
  });
  it('jobs and cronjobs', () => {
    const job = table('batch', 'jobs', obj('Job', 'pi', { spec: { completions: 3, selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': 'u1' } }, template }, status: { succeeded: 3, startTime: '2024-05-01T11:00:00Z', completionTime: '2024-05-01T11:00:42Z', conditions: [{ type: 'Complete', status: 'True' }] } }));
    expect(job.names).toEqual(['Name', 'Status', 'Completions', 'Duration', 'Age', 'Containers*', 'Images*', 'Selector*']);
    expect(job.cells.slice(0, 5)).toEqual(['pi', 'Complete', '3/3', '42s', '5d']);
    const running = table('batch', 'jobs', obj('Job', 'p', { spec: { parallelism: 2 }, status: { startTime: '2024-05-01T11:50:00Z' } }));
    expect(running.cells.slice(1, 4)).toEqual(['Running', '0/1 of 2', '10m']);
    const cj = table('batch', 'cronjobs', obj('CronJob', 'hello', { spec: { schedule: '*/1 * * * *', suspend: false, jobTemplate: { spec: { template } } }, status: { active: [{ name: 'x' }], lastScheduleTime: '2024-05-01T11:59:15Z' } }));
    expect(cj.names.slice(0, 7)).toEqual(['Name', 'Schedule', 'Timezone', 'Suspend', 'Active', 'Last Schedule', 'Age']);
    expect(cj.cells.slice(0, 7)).toEqual(['hello', '*/1 * * * *', '<none>', 'False', 1, '45s', '5d']);
  });
});

describe('core printers', () => {
  it('nodes', () => {
    const n = table('', 'nodes', obj('Node', 'kdp-control-plane', {
      spec: {},
      status: { conditions: [{ type: 'Ready', status: 'True' }], addresses: [{ type: 'InternalIP', address: '127.18.0.2' }], nodeInfo: { kubeletVersion: 'v1.30.0', osImage: 'Ubuntu', kernelVersion: '6.1', containerRuntimeVersion: 'kdp://0.1.0' } },
    }, { labels: { 'node-role.kubernetes.io/control-plane': '' } }));
    expect(n.names).toEqual(['Name', 'Status', 'Roles', 'Age', 'Version', 'Internal-IP*', 'External-IP*', 'OS-Image*', 'Kernel-Version*', 'Container-Runtime*']);
    expect(n.cells).toEqual(['kdp-control-plane', 'Ready', 'control-plane', '5d', 'v1.30.0', '127.18.0.2', '<none>', 'Ubuntu', '6.1', 'kdp://0.1.0']);
    const cordoned = table('', 'nodes', obj('Node', 'w', { spec: { unschedulable: true }, status: { conditions: [{ type: 'Ready', status: 'False' }] } }));
    expect(cordoned.cells.slice(1, 3)).toEqual(['NotReady,SchedulingDisabled', '<none>']);
  });
  it('namespaces, configmaps, secrets, serviceaccounts', () => {
    expect(table('', 'namespaces', obj('Namespace', 'default', { status: { phase: 'Active' } })).cells).toEqual(['default', 'Active', '5d']);
    expect(table('', 'configmaps', obj('ConfigMap', 'cfg', { data: { a: '1', b: '2' }, binaryData: { c: 'AA==' } })).cells).toEqual(['cfg', 3, '5d']);
    const s = table('', 'secrets', obj('Secret', 'tls', { type: 'kubernetes.io/tls', data: { 'tls.crt': 'x', 'tls.key': 'y' } }));
    expect(s.names).toEqual(['Name', 'Type', 'Data', 'Age']);
    expect(s.cells).toEqual(['tls', 'kubernetes.io/tls', 2, '5d']);
    expect(table('', 'serviceaccounts', obj('ServiceAccount', 'default')).cells).toEqual(['default', 0, '5d']);
  });
  it('endpoints and endpointslices', () => {
    const ep = obj('Endpoints', 'nginx', { subsets: [{ addresses: [{ ip: '127.244.1.2' }, { ip: '127.244.1.3' }, { ip: '127.244.1.4' }, { ip: '127.244.1.5' }], ports: [{ port: 80 }] }] });
    expect(table('', 'endpoints', ep).cells).toEqual(['nginx', '127.244.1.2:80,127.244.1.3:80,127.244.1.4:80 + 1 more...', '5d']);
    expect(table('', 'endpoints', obj('Endpoints', 'none')).cells[1]).toBe('<none>');
    const es = obj('EndpointSlice', 'nginx-abcde', { addressType: 'IPv4', ports: [{ port: 80, name: 'http' }], endpoints: [{ addresses: ['127.244.1.2'] }, { addresses: ['127.244.1.3'] }] });
    const t = table('discovery.k8s.io', 'endpointslices', es);
    expect(t.names).toEqual(['Name', 'AddressType', 'Ports', 'Endpoints', 'Age']);
    expect(t.cells).toEqual(['nginx-abcde', 'IPv4', '80', '127.244.1.2,127.244.1.3', '5d']);
    expect(table('discovery.k8s.io', 'endpointslices', obj('EndpointSlice', 'e', { addressType: 'IPv4' })).cells.slice(2, 4)).toEqual(['<unset>', '<unset>']);
  });
  it('events', () => {
    const ev = obj('Event', 'web.17c', { type: 'Normal', reason: 'Scheduled', message: 'Successfully assigned default/web to kdp-worker ', involvedObject: { kind: 'Pod', name: 'web' }, source: { component: 'default-scheduler' }, firstTimestamp: '2024-05-01T11:58:00Z', lastTimestamp: '2024-05-01T11:59:00Z', count: 2 });
    const t = table('', 'events', ev);
    expect(t.names).toEqual(['Last Seen', 'Type', 'Reason', 'Object', 'Subobject*', 'Source*', 'Message', 'First Seen*', 'Count*', 'Name*']);
    expect(t.cells).toEqual(['60s', 'Normal', 'Scheduled', 'pod/web', '', 'default-scheduler', 'Successfully assigned default/web to kdp-worker', '2m', 2, 'web.17c']);
  });
});

describe('network printers and default', () => {
  it('ingresses and ingressclasses', () => {
    const ing = obj('Ingress', 'web', { spec: { ingressClassName: 'nginx', rules: [{ host: 'a.test' }, { host: 'b.test' }], tls: [{ hosts: ['a.test'] }] }, status: { loadBalancer: { ingress: [{ ip: '127.200.0.1' }] } } });
    const t = table('networking.k8s.io', 'ingresses', ing);
    expect(t.names).toEqual(['Name', 'Class', 'Hosts', 'Address', 'Ports', 'Age']);
    expect(t.cells).toEqual(['web', 'nginx', 'a.test,b.test', '127.200.0.1', '80, 443', '5d']);
    const many = obj('Ingress', 'm', { spec: { rules: [{ host: 'a' }, {}, { host: 'b' }, { host: 'c' }, { host: 'd' }] } });
    expect(table('networking.k8s.io', 'ingresses', many).cells.slice(1, 5)).toEqual(['<none>', 'a,b,c + 2 more...', '', '80']);
    expect(table('networking.k8s.io', 'ingresses', obj('Ingress', 'x', { spec: { defaultBackend: {} } })).cells[2]).toBe('*');
    const ic = table('networking.k8s.io', 'ingressclasses', obj('IngressClass', 'nginx', { spec: { controller: 'k8s.io/ingress-nginx' } }));
    expect(ic.cells).toEqual(['nginx', 'k8s.io/ingress-nginx', '<none>', '5d']);
  });
  it('falls back to NAME AGE', () => {
    const t = table('rbac.authorization.k8s.io', 'roles', obj('Role', 'reader'));
    expect(t.names).toEqual(['Name', 'Age']);
    expect(t.cells).toEqual(['reader', '5d']);
  });
});
