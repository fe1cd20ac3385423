// `kdp expose deployment|rs|rc|pod|service NAME --port P`: a Service selecting the same pods,
// labelled like the object, as kubectl's service generator builds it. Prints `service/nginx exposed`.
import type { Command } from 'commander';
import type { KObject } from '../api/types.js';
import { action, withGlobalFlags, type CliIO, type Ctx } from './context.js';
import { resourcePath } from './discovery.js';
import { CliError } from './errors.js';
import { parseResourceArgs, resolveRequests } from './resource-args.js';

export interface ExposeFlags {
  port?: string;
  targetPort?: string;
  name?: string;
  type?: string;
  protocol?: string;
  selector?: string;
  labels?: string;
  externalIp?: string;
  clusterIp?: string;
  sessionAffinity?: string;
}

/* eslint-disable @typescript-eslint/no-explicit-any */

/** The pod selector of an exposable object, as a `{k: v}` map. */
export function selectorOf(obj: KObject): Record<string, string> {
  switch (obj.kind) {
    case 'Pod':
      return obj.metadata.labels ?? {};
    case 'Service':
    case 'ReplicationController':
      if (!obj.spec?.selector || !Object.keys(obj.spec.selector).length) throw new CliError(`couldn't retrieve selectors via --selector flag or introspection: the service has no pod selector set`);
      return obj.spec.selector;
    case 'Deployment':
    case 'ReplicaSet':
    case 'StatefulSet':
    case 'DaemonSet': {
      const sel = obj.spec?.selector ?? {};
      if (sel.matchExpressions?.length) throw new CliError(`couldn't convert expressions - "${JSON.stringify(sel.matchExpressions)}", to map-based selector format`);
      return sel.matchLabels ?? {};
    }
    default:
      throw new CliError(`cannot expose a ${obj.kind}`);
  }
}

function podSpecOf(obj: KObject): any {
  return obj.kind === 'Pod' ? obj.spec : obj.spec?.template?.spec;
}

/** Ports found by introspection: the containers' ports (or the Service's own ports). */
export function portsOf(obj: KObject): { port: number; protocol: string; name?: string }[] {
  if (obj.kind === 'Service') return (obj.spec?.ports ?? []).map((p: any) => ({ port: p.port, protocol: p.protocol ?? 'TCP', name: p.name }));
  const out: { port: number; protocol: string; name?: string }[] = [];
  for (const c of podSpecOf(obj)?.containers ?? []) for (const p of c.ports ?? []) out.push({ port: p.containerPort, protocol: p.protocol ?? 'TCP', name: p.name });
  return out;
}

function parseMap(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of text.split(',').filter(Boolean)) {
    const [k, v] = part.split('=');
    if (!k || v === undefined) throw new CliError(`invalid label spec: ${part}`);
    out[k.trim()] = v.trim();
  }
  return out;
}

export function buildService(obj: KObject, flags: ExposeFlags, namespace: string): KObject {
  const selector = flags.selector ? parseMap(flags.selector) : selectorOf(obj);
  const labels = flags.labels ? parseMap(flags.labels) : obj.metadata.labels;
  const protocol = (flags.protocol ?? '').toUpperCase();
  let ports: any[];
  if (flags.port !== undefined) {
    const n = Number(flags.port);
    if (!Number.isInteger(n) || n < 1 || n > 65535) throw new CliError(`invalid port: ${flags.port}`);
    ports = [{ port: n, protocol: protocol || 'TCP' }];
  } else {
    const found = portsOf(obj);
    if (!found.length) throw new CliError("couldn't find port via --port flag or introspection");
    ports = found.map((p, i) => ({ ...(found.length > 1 ? { name: p.name ?? `port-${i + 1}` } : {}), port: p.port, protocol: protocol || p.protocol }));
  }
  for (const p of ports) {
    if (flags.targetPort !== undefined) p.targetPort = /^\d+$/.test(flags.targetPort) ? Number(flags.targetPort) : flags.targetPort;
    else p.targetPort = p.port;
  }
  const spec: any = { ports, selector };
  if (flags.type) spec.type = flags.type;
  if (flags.externalIp) spec.externalIPs = [flags.externalIp];
  if (flags.clusterIp) spec.clusterIP = flags.clusterIp;
  if (flags.sessionAffinity) spec.sessionAffinity = flags.sessionAffinity;
  const metadata: any = { name: flags.name || obj.metadata.name, namespace };
  if (labels && Object.keys(labels).length) metadata.labels = labels;
  return { apiVersion: 'v1', kind: 'Service', metadata, spec };
}

export async function runExpose(ctx: Ctx, args: string[], flags: ExposeFlags): Promise<number> {
  const requests = await resolveRequests(ctx.discovery, parseResourceArgs(args));
  const req = requests[0];
  if (!req?.names.length) throw new CliError('resource(s) were provided, but no name was specified');
  const allowed = ['Pod', 'Service', 'ReplicationController', 'Deployment', 'ReplicaSet'];
  if (!allowed.includes(req.resource.kind)) {
    throw new CliError(`cannot expose a ${req.resource.kind}.${req.resource.group || ''}`.replace(/\.$/, ''));
  }
  if (flags.type && !['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'].includes(flags.type)) {
    throw new CliError(`invalid service type "${flags.type}"`);
  }
  const ns = ctx.namespace;
  const obj = await ctx.client.get<KObject>(resourcePath(req.resource, ns, req.names[0]));
  const service = buildService(obj, flags, ns);
  await ctx.client.request('POST', `/api/v1/namespaces/${encodeURIComponent(ns)}/services`, { body: service });
  ctx.out(`service/${service.metadata.name} exposed\n`);
  return 0;
}

export function registerExpose(program: Command, io: CliIO): void {
  withGlobalFlags(program.command('expose'))
    .description('Take a replication controller, service, deployment or pod and expose it as a new Kubernetes service')
    .argument('<resources...>', 'TYPE NAME or TYPE/NAME')
    .option('--port <port>', 'The port that the service should serve on')
    .option('--target-port <port>', 'Name or number for the port on the container that the service should direct traffic to')
    .option('--name <name>', 'The name for the newly created object')
    .option('--type <type>', 'Type for this service: ClusterIP, NodePort, LoadBalancer, or ExternalName')
    .option('--protocol <protocol>', 'The network protocol for the service to be created (TCP, UDP)')
    .option('--selector <selector>', 'A label selector to use for this service (only equality-based)')
    .option('-l, --labels <labels>', 'Labels to apply to the service created by this call')
    .option('--external-ip <ip>', 'Additional external IP address to accept for the service')
    .option('--cluster-ip <ip>', 'ClusterIP to be assigned to the service; None for a headless service')
    .option('--session-affinity <mode>', 'None or ClientIP')
    .action(action(io, (ctx, args: string[], flags: ExposeFlags) => runExpose(ctx, args, flags)));
}
