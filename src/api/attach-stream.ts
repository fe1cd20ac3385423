// `pods/attach` (kubectl attach, kubectl run -i): the same transports as exec (WebSocket
// v5/v4.channel.k8s.io, SPDY/3.1 streams) without a command; the session is the container's main
// process (PodConnector.attach). As with the kubelet, the error channel says Success when the
// container's run ends; kubectl then reads the pod's phase for the exit code.
import { errors } from './errors.js';
import { boolParam } from './query-params.js';
import type { ExecOptions, ExecSession, PodConnector } from './pod-connector.js';
import type { ObjectStore } from './store.js';
import type { KObject } from './types.js';

/** Checks an attach request the way the apiserver does before it upgrades the connection. */
export function prepareAttach(u: { store: ObjectStore; connector: PodConnector; namespace?: string; name: string; query: URLSearchParams }): { pod: KObject; opts: ExecOptions } {
  if (!u.connector.attach) throw errors.badRequest('attach is not supported by this node');
  const pod = u.store.get('/pods', u.namespace ?? 'default', u.name);
  const stdin = boolParam(u.query, 'stdin');
  const tty = boolParam(u.query, 'tty');
  if (!stdin && !boolParam(u.query, 'stdout') && !boolParam(u.query, 'stderr')) throw errors.badRequest('you must specify at least 1 of stdin, stdout, stderr');
  const containers: string[] = (pod.spec?.containers ?? []).map((c: { name: string }) => c.name);
  const container = u.query.get('container') ?? containers[0];
  if (!containers.includes(container)) throw errors.badRequest(`container ${container} is not valid for pod ${u.name}`);
  return { pod, opts: { container, command: [], stdin, tty } };
}

export function openAttach(connector: PodConnector, pod: KObject, opts: ExecOptions): Promise<ExecSession> {
  return connector.attach!(pod, { container: opts.container, stdin: opts.stdin, tty: opts.tty });
}
