// `pods/attach` (kubectl attach, kubectl run -i): the same transports as exec (WebSocket
// v5/v4.channel.k8s.io, SPDY/3.1 streams) without a command; the session is the container's main
// process (PodConnector.attach). As with the kubelet, the error channel says Success when the
// container's run ends; kubectl then reads the pod's phase for the exit code.
import { errors } from './errors.js';
import { boolParam } from './query-params.js';
import type { ExecOptions, ExecSession, PodConnector } from './pod-connector.js';
import type { ObjectStore } from './store.js';
import type { KObject } from './types.js';

/** The streams and the container an exec or attach request names, checked as the apiserver does. */
export function streamTarget(pod: KObject, name: string, query: URLSearchParams): { container: string; stdin: boolean; tty: boolean } {
  const stdin = boolParam(query, 'stdin');
  const tty = boolParam(query, 'tty');
  if (!stdin && !boolParam(query, 'stdout') && !boolParam(query, 'stderr')) throw errors.badRequest('you must specify at least 1 of stdin, stdout, stderr');
  const containers: string[] = (pod.spec?.containers ?? []).map((c: { name: string }) => c.name);
  const container = query.get('container') ?? containers[0];
  if (!containers.includes(container)) throw errors.badRequest(`container ${container} is not valid for pod ${name}`);
  return { container, stdin, tty };
}

/** Checks an attach request the way the apiserver does before it upgrades the connection. */
export function prepareAttach(u: { store: ObjectStore; connector: PodConnector; namespace?: string; name: string; query: URLSearchParams }): { pod: KObject; opts: ExecOptions } {
  if (!u.connector.attach) throw errors.badRequest('attach is not supported by this node');
  const pod = u.store.get('/pods', u.namespace ?? 'default', u.name);
  const { container, stdin, tty } = streamTarget(pod, u.name, u.query);
  return { pod, opts: { container, command: [], stdin, tty } };
}

export function openAttach(connector: PodConnector, pod: KObject, opts: ExecOptions): Promise<ExecSession> {
  return connector.attach!(pod, { container: opts.container, stdin: opts.stdin, tty: opts.tty });
}
