// The Kubernetes REST API over the object store, shaped like kube-apiserver so that the kdp CLI and
// real kubectl are equal clients: discovery, CRUD with Status errors, PATCH, watch streams, Tables,
// and the pod subresources (status, scale, log, exec).
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { parse as parseYaml } from 'yaml';
import * as discovery from './discovery.js';
import { aggregatedContentType, aggregatedDiscovery, negotiateAggregated } from './aggregated-discovery.js';
import { ApiError, errors } from './errors.js';
import { applyPatch, patchTypeOf } from './patch.js';
import type { PodConnector } from './pod-connector.js';
import { parseRequest, type ResourceRequestInfo as RequestInfo } from './request-info.js';
import { apiVersionOf, groupResource, type ResourceInfo } from './resources.js';
import type { ObjectStore } from './store.js';
import { deleteObject, parseDeleteOptions, storeDeleteOptions } from './delete-options.js';
import { boolParam, parseListQuery, prettyPrint, type ListQuery } from './query-params.js';
import { toTable } from './tables/index.js';
import type { KObject } from './types.js';
import { handleExecUpgrade } from './exec-stream.js';
import { handleSpdyExecUpgrade, isSpdyUpgrade } from './exec-spdy.js';
import { handlePortForwardUpgrade } from './port-forward-spdy.js';
import { handleWebSocketPortForward, isWebSocketUpgrade } from './port-forward-ws.js';
import { getScale, scaleToPatch } from './scale.js';
import { managerOf, recordUpdate, type ManagedFieldsEntry } from './managed-fields.js';
import { applyObject, checkKind, isKObject, nowRfc3339, patchObject, requireObject } from './object-writes.js';
import { decodeKubernetesProtobuf } from './protobuf-wire.js';
import { parseLogQuery, streamLogs } from './log-stream.js';
import { Authenticator, type UserInfo } from './authn.js';
import { RequestAuthorizer } from './authz/filter.js';
import { answerReview, REVIEW_RESOURCES } from './authz/reviews.js';
import type { ServiceAccountTokens } from './serviceaccounts/tokens.js';
import { EVENTS_V1, eventsV1View } from './events-v1.js';
import { serveOpenApiV3 } from './openapi.js';
import { serveCustomResources } from './crd/custom-resources.js';
import { evictPod } from './eviction.js';

export interface ApiServerOptions {
  store: ObjectStore;
  connector?: PodConnector;
  host: string;
  port: number;
  /**
   * Serve HTTPS with this certificate, accept client certificates signed by `ca`, and authenticate
   * every request (`kdp up` always does). Without it: plain HTTP and no authentication, for tests
   * that drive the API alone.
   */
  tls?: { cert: string; key: string; ca: string; authenticator?: Authenticator; tokens?: ServiceAccountTokens };
  /** How long a client may take to send its request head (default 30 s) and whole request (60 s). */
  headersTimeoutMs?: number;
  requestTimeoutMs?: number;
}

export interface ApiServer {
  readonly url: string;
  readonly address: AddressInfo;
  close(): Promise<void>;
}

/**
 * The most a watch stream may have written but not yet sent (bytes): past it the watcher is too far
 * behind and is closed. Several full-size (1.5 MiB) objects fit; a reader that never reads does not.
 */
export const WATCH_BACKLOG_LIMIT = 16 * 1024 * 1024;

/** kube-apiserver's limit on a request body (3 MiB): more is 413 Request Entity Too Large. */
export const MAX_BODY = 3 * 1024 * 1024;

export async function startApiServer(opts: ApiServerOptions): Promise<ApiServer> {
  const { store } = opts;
  const sockets = new Set<Socket>();
  const closers = new Set<() => void>();
  registerCrds(store);

  // Request heads over 16 KiB (URL included) get 431; idle and half-sent requests are checked this often.
  const limits = { maxHeaderSize: 16 * 1024, connectionsCheckingInterval: Math.min(opts.headersTimeoutMs ?? 30_000, 5_000) / 2 };
  const authenticator = opts.tls ? (opts.tls.authenticator ?? new Authenticator({ clientCA: opts.tls.ca })) : undefined;
  const authorizer = opts.tls ? new RequestAuthorizer(store) : undefined;
  /** Authentication, impersonation, authorization: the effective user, or undefined without TLS. */
  const admit = (req: http.IncomingMessage): UserInfo | undefined => {
    const user = authenticator?.authenticate(req, pathOf(req));
    return user && authorizer ? authorizer.authorize(req, new URL(req.url ?? '/', 'http://x'), user) : user;
  };
  const onRequest = (req: http.IncomingMessage, res: http.ServerResponse) => {
    let user: UserInfo | undefined;
    try {
      user = admit(req);
    } catch (err) {
      // The body is not read: the connection cannot be reused for a next request.
      res.shouldKeepAlive = false;
      return sendError(res, err);
    }
    if (user && authorizer && req.method === 'POST') {
      const info = parseRequest('POST', new URL(req.url ?? '/', 'http://x'));
      if (info?.kind === 'resource' && REVIEW_RESOURCES.has(info.gr) && !info.name) {
        readBody(req)
          .then((body) => send(res, 201, answerReview(info.gr, requireObject(body), user, authorizer, info.namespace)))
          .catch((err) => sendError(res, err));
        return;
      }
      const tokens = opts.tls?.tokens;
      if (tokens && info?.kind === 'resource' && info.gr === '/serviceaccounts' && info.subresource === 'token' && info.name && info.namespace) {
        // TokenRequest (kubectl create token): nothing is stored, the token is in the answer's status
        readBody(req)
          .then((body) => {
            const request = (body ?? {}) as KObject;
            const status = tokens.issue(info.namespace!, info.name!, request.spec ?? {});
            send(res, 201, { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', metadata: { name: info.name, namespace: info.namespace, creationTimestamp: null }, spec: request.spec ?? {}, status });
          })
          .catch((err) => sendError(res, err));
        return;
      }
    }
    handle(store, opts.connector, req, res, closers).catch((err) => sendError(res, err));
  };
  const server = opts.tls
    ? // A client certificate is asked for, not verified by OpenSSL: the authenticator checks it against the CA.
      https.createServer({ ...limits, cert: opts.tls.cert, key: opts.tls.key, requestCert: true, rejectUnauthorized: false }, onRequest)
    : http.createServer(limits, onRequest);
  server.keepAliveTimeout = 65_000;
  // A client that is slow to send its request is cut off (408), as Go's ReadHeaderTimeout does for
  // kube-apiserver; watches and log streams are responses, which these limits do not touch.
  server.headersTimeout = opts.headersTimeoutMs ?? 30_000;
  server.requestTimeout = opts.requestTimeoutMs ?? 60_000;
  server.on('connection', (s) => {
    sockets.add(s);
    s.setNoDelay(true);
    s.on('close', () => sockets.delete(s));
  });
  server.on('upgrade', (req, socket, head) => {
    try {
      admit(req);
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      const body = JSON.stringify(err.status);
      socket.end(`HTTP/1.1 ${err.code} ${http.STATUS_CODES[err.code]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
      return;
    }
    try {
      const url = new URL(req.url ?? '/', 'http://x');
      const info = parseRequest(req.method ?? 'GET', url);
      if (info?.kind === 'resource' && info.gr === '/pods' && (info.subresource === 'exec' || info.subresource === 'attach') && info.name && opts.connector) {
        const upgrade = { store, connector: opts.connector, req, socket: socket as Socket, head, namespace: info.namespace, name: info.name, query: url.searchParams, attach: info.subresource === 'attach' };
        if (isSpdyUpgrade(req.headers)) handleSpdyExecUpgrade(upgrade);
        else handleExecUpgrade(upgrade);
        return;
      }
      if (info?.kind === 'resource' && info.gr === '/pods' && info.subresource === 'portforward' && info.name) {
        const upgrade = { store, req, socket: socket as Socket, head, namespace: info.namespace, name: info.name, query: url.searchParams };
        if (isWebSocketUpgrade(req.headers)) handleWebSocketPortForward(upgrade);
        else handlePortForwardUpgrade(upgrade);
        return;
      }
      socket.end('HTTP/1.1 400 Bad Request\r\n\r\n');
    } catch {
      socket.destroy();
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `${opts.tls ? 'https' : 'http'}://${host}:${address.port}`,
    address,
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of closers) c();
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
}

/** CustomResourceDefinitions make their kinds servable, as the apiextensions server does (crd/). */
function registerCrds(store: ObjectStore): void {
  serveCustomResources(store);
}

async function readBody(req: http.IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > MAX_BODY) throw errors.requestEntityTooLarge(MAX_BODY);
    chunks.push(c as Buffer);
  }
  const ct = req.headers['content-type'] ?? '';
  // client-go ≥ 1.32 sends built-in kinds as protobuf (kubectl create deployment|namespace|…); CBOR is not spoken.
  if (/protobuf/.test(ct)) return decodeKubernetesProtobuf(Buffer.concat(chunks));
  if (/cbor/.test(ct)) throw errors.unsupportedMediaType(ct);
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text.trim()) return undefined;
  try {
    if (/yaml/.test(ct)) return parseYaml(text);
    return JSON.parse(text);
  } catch (err) {
    throw errors.badRequest(`couldn't get version/kind; json parse error: ${(err as Error).message}`);
  }
}

function pathOf(req: http.IncomingMessage): string {
  const q = (req.url ?? '/').indexOf('?');
  return q < 0 ? (req.url ?? '/') : (req.url ?? '/').slice(0, q);
}

function send(res: http.ServerResponse, code: number, body: unknown, contentType = 'application/json'): void {
  const data = prettyPrint(res.req) ? `${JSON.stringify(body, null, 2)}\n` : JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': contentType, Vary: 'Accept', 'Content-Length': Buffer.byteLength(data), 'Cache-Control': 'no-cache, private' });
  res.end(data);
}

function sendError(res: http.ServerResponse, err: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (err instanceof ApiError) {
    send(res, err.code, err.status);
    return;
  }
  console.error(`[ERROR] apiserver: ${(err as Error)?.stack ?? err}`);
  send(res, 500, errors.internal(String((err as Error)?.message ?? err)).status);
}

function wantsTable(req: http.IncomingMessage): boolean {
  return /as=Table/.test(req.headers.accept ?? '');
}

async function handle(store: ObjectStore, connector: PodConnector | undefined, req: http.IncomingMessage, res: http.ServerResponse, closers: Set<() => void>): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://x');
  const method = req.method ?? 'GET';
  const p = url.pathname.replace(/\/+$/, '') || '/';

  switch (p) {
    case '/version': return send(res, 200, discovery.versionInfo());
    case '/healthz': case '/livez': case '/readyz':
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      return void res.end('ok');
    case '/api':
    case '/apis': {
      const legacy = p === '/api';
      const aggregated = negotiateAggregated(req.headers.accept);
      if (aggregated) return send(res, 200, aggregatedDiscovery(store.registry, legacy, aggregated), aggregatedContentType(aggregated));
      return send(res, 200, legacy ? discovery.coreVersions(discovery.localServerAddress(req.socket)) : discovery.groupList(store.registry));
    }
    case '/openapi/v2':
      // An empty 200 lets kubectl skip client-side schema validation.
      res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': 0 });
      return void res.end();
  }
  if (p === '/openapi/v3' || p.startsWith('/openapi/v3/')) return serveOpenApiV3(store.registry, p, res);
  const info = parseRequest(method, url);
  if (!info) return send(res, 404, notFoundPath());
  if (info.kind === 'group') {
    const g = discovery.group(store.registry, info.group);
    return g ? send(res, 200, g) : send(res, 404, notFoundPath());
  }
  if (info.kind === 'groupVersion') {
    const l = discovery.resourceList(store.registry, info.group, info.version);
    return l ? send(res, 200, l) : send(res, 404, notFoundPath());
  }
  let resInfo = store.registry.served(info.group, info.resource, info.version);
  const body = method === 'POST' || method === 'PUT' || method === 'PATCH' || method === 'DELETE' ? await readBody(req) : undefined;
  if (!resInfo && method === 'POST' && isKObject(body) && body.apiVersion === apiVersionOf({ group: info.group, version: info.version })) {
    // An unknown kind from a real manifest: store it anyway (kubectl guessed the plural).
    resInfo = store.registry.ensureKind(body.apiVersion, body.kind, !!info.namespace);
  }
  if (!resInfo || resInfo.version !== info.version) return send(res, 404, notFoundPath());
  const gr = groupResource(resInfo.group, resInfo.resource);
  if (gr === EVENTS_V1) store = eventsV1View(store); // the same Events as core/v1, converted
  const ns = resInfo.namespaced ? info.namespace : undefined;
  const dryRun = url.searchParams.getAll('dryRun').includes('All');

  if (info.subresource === 'log') {
    if (!connector) throw errors.badRequest('pod logs are not available');
    parseLogQuery(url.searchParams, info.name!);
    const pod = store.get(gr, ns, info.name!);
    return streamLogs(connector, pod, url.searchParams, req, res);
  }
  if (info.subresource === 'exec' || info.subresource === 'attach') {
    throw errors.badRequest('Upgrade request required');
  }
  if (info.subresource === 'eviction' && gr === '/pods' && info.name) {
    if (method !== 'POST') throw errors.methodNotAllowed();
    const { code, body: answer } = evictPod(store, ns, info.name, body, url.searchParams);
    return send(res, code, answer);
  }
  if (info.subresource === 'scale') {
    return handleScale(store, resInfo, gr, ns, info, method, body, req, res);
  }
  if (info.subresource && info.subresource !== 'status') {
    return send(res, 404, notFoundPath());
  }

  switch (method) {
    case 'GET': {
      if (info.name && !info.watch && !boolParam(url.searchParams, 'watch')) {
        const obj = store.get(gr, ns, info.name);
        return send(res, 200, wantsTable(req) ? toTable(resInfo, [obj], tableOpts(url, obj.metadata.resourceVersion)) : obj);
      }
      const listQuery = parseListQuery(url.searchParams, info.watch);
      if (listQuery.watch) return watch(store, resInfo, gr, ns, info, listQuery, req, res, closers);
      const list = store.list(gr, { namespace: ns, labelSelector: listQuery.labelSelector, fieldSelector: listQuery.fieldSelector });
      if (wantsTable(req)) return send(res, 200, toTable(resInfo, list.items, tableOpts(url, list.resourceVersion)));
      return send(res, 200, { kind: `${resInfo.kind}List`, apiVersion: apiVersionOf(resInfo), metadata: { resourceVersion: list.resourceVersion }, items: list.items });
    }
    case 'POST': {
      if (info.name) throw errors.methodNotAllowed();
      const obj = requireObject(body);
      if (ns && obj.metadata?.namespace && obj.metadata.namespace !== ns) {
        throw errors.badRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      if (ns) obj.metadata = { ...(obj.metadata ?? {}), namespace: ns } as KObject['metadata'];
      checkKind(resInfo, obj);
      if (!obj.metadata?.managedFields?.length) {
        obj.metadata = { ...(obj.metadata ?? {}), managedFields: recordUpdate(undefined, undefined, obj, managerOf(url.searchParams, req.headers['user-agent']), nowRfc3339()) } as KObject['metadata'];
      }
      return send(res, 201, store.create(gr, obj, { dryRun }));
    }
    case 'PUT': {
      if (!info.name) throw errors.methodNotAllowed();
      const obj = requireObject(body);
      if (obj.metadata?.name && obj.metadata.name !== info.name) {
        throw errors.badRequest(`the name of the object (${obj.metadata.name}) does not match the name on the URL (${info.name})`);
      }
      obj.metadata = { ...(obj.metadata ?? {}), name: info.name, namespace: ns } as KObject['metadata'];
      checkKind(resInfo, obj);
      const old = store.tryGet(gr, ns, info.name);
      if (old) {
        const entries = (obj.metadata.managedFields ?? old.metadata.managedFields) as ManagedFieldsEntry[] | undefined;
        obj.metadata.managedFields = recordUpdate(entries, old, obj, managerOf(url.searchParams, req.headers['user-agent']), nowRfc3339(), info.subresource);
      }
      return send(res, 200, store.update(gr, obj, { subresource: info.subresource === 'status' ? 'status' : undefined, dryRun }));
    }
    case 'PATCH': {
      if (!info.name) throw errors.methodNotAllowed();
      const type = patchTypeOf(req.headers['content-type']);
      if (!type) throw errors.unsupportedMediaType(req.headers['content-type'] ?? '');
      const manager = managerOf(url.searchParams, req.headers['user-agent']);
      if (type === 'apply' && !info.subresource) {
        const { code, object } = applyObject(store, resInfo, gr, ns, info.name, body, manager, boolParam(url.searchParams, 'force'), dryRun);
        return send(res, code, object);
      }
      return send(res, 200, patchObject(store, gr, ns, info.name, type, body, info.subresource === 'status', dryRun, manager));
    }
    case 'DELETE': {
      if (info.name) {
        const { code, body: answer } = deleteObject(store, resInfo, gr, ns, info.name, parseDeleteOptions(body, url.searchParams));
        return send(res, code, answer);
      }
      const sel = parseListQuery(url.searchParams);
      const opts = storeDeleteOptions(parseDeleteOptions(body, url.searchParams));
      const list = store.list(gr, { namespace: ns, labelSelector: sel.labelSelector, fieldSelector: sel.fieldSelector });
      const items = list.items.map((o) => store.delete(gr, o.metadata.namespace, o.metadata.name, opts));
      return send(res, 200, { kind: `${resInfo.kind}List`, apiVersion: apiVersionOf(resInfo), metadata: { resourceVersion: store.resourceVersion() }, items });
    }
    default:
      throw errors.methodNotAllowed();
  }
}

function notFoundPath(): object {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'the server could not find the requested resource', reason: 'NotFound', details: {}, code: 404 };
}

function tableOpts(url: URL, resourceVersion: string | undefined) {
  const inc = url.searchParams.get('includeObject');
  return { includeObject: (inc === 'Object' || inc === 'None' || inc === 'Metadata' ? inc : 'Metadata') as 'Object' | 'None' | 'Metadata', resourceVersion };
}

async function handleScale(store: ObjectStore, resInfo: ResourceInfo, gr: string, ns: string | undefined, info: RequestInfo, method: string, body: unknown, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  if (!resInfo.subresources.includes('scale') || !info.name) return send(res, 404, notFoundPath());
  if (method === 'GET') return send(res, 200, getScale(store.get(gr, ns, info.name)));
  if (method !== 'PUT' && method !== 'PATCH') throw errors.methodNotAllowed();
  const current = getScale(store.get(gr, ns, info.name));
  let desired: { spec?: { replicas?: number } };
  if (method === 'PUT') desired = requireObject(body);
  else {
    const type = patchTypeOf(req.headers['content-type']);
    if (!type) throw errors.unsupportedMediaType(req.headers['content-type'] ?? '');
    desired = applyPatch(type, current, body) as typeof desired;
  }
  const replicas = desired.spec?.replicas;
  if (typeof replicas !== 'number' || replicas < 0 || !Number.isInteger(replicas)) {
    throw errors.invalid('autoscaling', 'Scale', info.name, [{ reason: 'FieldValueInvalid', field: 'spec.replicas', message: `Invalid value: ${replicas}: must be greater than or equal to 0` }]);
  }
  const updated = patchObject(store, gr, ns, info.name, 'merge', scaleToPatch(replicas), false, false, managerOf(new URL(req.url ?? '/', 'http://x').searchParams, req.headers['user-agent']));
  return send(res, 200, getScale(updated));
}

function watch(store: ObjectStore, resInfo: ResourceInfo, gr: string, ns: string | undefined, info: RequestInfo, q: ListQuery, req: http.IncomingMessage, res: http.ServerResponse, closers: Set<() => void>): void {
  const table = wantsTable(req);
  const fieldSelector = [q.fieldSelector, info.name ? `metadata.name=${info.name}` : null].filter(Boolean).join(',');
  const selectors = { namespace: ns, labelSelector: q.labelSelector, fieldSelector: fieldSelector || undefined };
  let first = true;
  let ended = false;
  const write = (type: string, object: KObject) => {
    let obj: unknown = object;
    if (table && type !== 'BOOKMARK') {
      const t = toTable(resInfo, [object], { includeObject: 'Object', resourceVersion: object.metadata.resourceVersion }) as { columnDefinitions?: unknown[] };
      if (!first) t.columnDefinitions = [];
      obj = t;
      first = false;
    }
    if (ended) return;
    res.write(`${JSON.stringify({ type, object: obj })}\n`);
    // A watcher that does not read its events falls behind: as kube-apiserver's watch cache drops an
    // unresponsive watcher, the stream is cut (the client relists), so its backlog cannot grow without bound.
    if (res.writableLength > WATCH_BACKLOG_LIMIT) {
      console.error(`[WARN] apiserver: watch of ${gr} by ${req.socket.remoteAddress}:${req.socket.remotePort} fell ${res.writableLength} bytes behind; closing it (the client relists)`);
      end();
      res.destroy();
    }
  };
  res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked', 'Cache-Control': 'no-cache, private' });
  res.flushHeaders();
  let stop: (() => void) | undefined;
  const end = () => {
    if (ended) return;
    ended = true;
    stop?.();
    closers.delete(end);
    res.end();
  };
  try {
    let rv = q.resourceVersion;
    let initial = !rv || rv === '0';
    if (q.sendInitialEvents !== undefined) {
      // The watch-list protocol: the current state as ADDED events, then (for a client that allows
      // bookmarks) a BOOKMARK annotated k8s.io/initial-events-end, then the changes after it.
      initial = false;
      if (q.sendInitialEvents) {
        const list = store.list(gr, selectors);
        for (const o of list.items) write('ADDED', o);
        rv = list.resourceVersion;
        if (q.allowWatchBookmarks) {
          write('BOOKMARK', { apiVersion: apiVersionOf(resInfo), kind: resInfo.kind, metadata: { resourceVersion: rv, annotations: { 'k8s.io/initial-events-end': 'true' } } } as unknown as KObject);
        }
      }
    }
    stop = store.watch(gr, { ...selectors, resourceVersion: rv, sendInitialEvents: initial }, (ev) => write(ev.type, ev.object));
  } catch (err) {
    // As the apiserver does: the stream opens, then says why it ends (410 Gone for an expired RV).
    if (!(err instanceof ApiError)) throw err;
    res.end(`${JSON.stringify({ type: 'ERROR', object: err.status })}\n`);
    return;
  }
  if (ended) {
    stop(); // cut while replaying the initial events
    return;
  }
  closers.add(end);
  const timeout = q.timeoutSeconds ?? 0;
  const timer = timeout > 0 ? setTimeout(end, timeout * 1000) : undefined;
  req.on('close', () => {
    if (timer) clearTimeout(timer);
    end();
  });
}
