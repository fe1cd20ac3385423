// GET /api/v1/namespaces/<ns>/pods/<name>/log: the container log as text/plain, optionally followed.
import type http from 'node:http';
import { errors } from './errors.js';
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
  const opts: LogOptions = {
    container,
    follow: q.get('follow') === 'true',
    previous: q.get('previous') === 'true',
    timestamps: q.get('timestamps') === 'true',
    tailLines: q.has('tailLines') ? Number(q.get('tailLines')) : undefined,
    sinceSeconds: q.has('sinceSeconds') ? Number(q.get('sinceSeconds')) : undefined,
  };
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
