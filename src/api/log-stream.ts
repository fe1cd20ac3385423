// GET /api/v1/namespaces/<ns>/pods/<name>/log: the container log as text/plain, optionally followed.
import type http from 'node:http';
import { errors, field, type StatusCause } from './errors.js';
import { boolParam, int64Param } from './query-params.js';
import type { LogOptions, PodConnector } from './pod-connector.js';
import type { KObject } from './types.js';

export async function streamLogs(connector: PodConnector, pod: KObject, q: URLSearchParams, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const containers: string[] = (pod.spec?.containers ?? []).map((c: { name: string }) => c.name);
  let container = q.get('container') ?? undefined;
  if (!container) {
    if (containers.length > 1) {
      throw errors.badRequest(`a container name must be specified for pod ${pod.metadata.name}, choose one of: [${containers.join(' ')}]`);
    }
    container = containers[0];
  } else if (!containers.includes(container)) {
    throw errors.badRequest(`container ${container} is not valid for pod ${pod.metadata.name}`);
  }
  const opts: LogOptions = { container, ...parseLogQuery(q, pod.metadata.name) };
  const abort = new AbortController();
  req.on('close', () => abort.abort());
  const stream = await connector.logs(pod, opts, abort.signal);
  res.writeHead(200, { 'Content-Type': 'text/plain', 'Transfer-Encoding': 'chunked', 'Cache-Control': 'no-cache, private' });
  res.flushHeaders();
  stream.on('data', (c) => res.write(c));
  stream.on('end', () => res.end());
  stream.on('error', () => res.end());
  res.on('close', () => stream.destroy());
}

/**
 * PodLogOptions from the query, as the apiserver decodes (400 on a bad integer) and validates them
 * (422 `PodLogOptions "x" is invalid: tailLines: Invalid value: -1: must be greater than or equal to 0`).
 * Call before looking the pod up: the apiserver validates first.
 */
export function parseLogQuery(q: URLSearchParams, name: string): Omit<LogOptions, 'container'> {
  const opts = {
    follow: boolParam(q, 'follow'),
    previous: boolParam(q, 'previous'),
    timestamps: boolParam(q, 'timestamps'),
    tailLines: int64Param(q, 'tailLines'),
    sinceSeconds: int64Param(q, 'sinceSeconds'),
  };
  const limitBytes = int64Param(q, 'limitBytes');
  const causes: StatusCause[] = [];
  if (opts.tailLines !== undefined && opts.tailLines < 0) causes.push(field.invalid('tailLines', opts.tailLines, 'must be greater than or equal to 0'));
  if (limitBytes !== undefined && limitBytes < 1) causes.push(field.invalid('limitBytes', limitBytes, 'must be greater than 0'));
  if (opts.sinceSeconds !== undefined && q.has('sinceTime')) causes.push(field.forbidden('', 'at most one of `sinceTime` or `sinceSeconds` may be specified'));
  else if (opts.sinceSeconds !== undefined && opts.sinceSeconds < 1) causes.push(field.invalid('sinceSeconds', opts.sinceSeconds, 'must be greater than 0'));
  if (causes.length) throw errors.invalid('', 'PodLogOptions', name, causes);
  return opts;
}
