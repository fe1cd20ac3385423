// A small Kubernetes REST client: JSON requests, metav1.Status errors as ApiStatusError, Tables,
// watch streams (newline-delimited JSON events) and raw streams (logs). Exec lives in exec-client.ts.
import { Agent, fetch as undiciFetch } from 'undici';
import { ApiStatusError, ConnectionError, type StatusBody } from './errors.js';

export const TABLE_ACCEPT = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json';

export type Query = Record<string, string | number | boolean | string[] | undefined>;

export interface RequestOptions {
  query?: Query;
  body?: unknown;
  contentType?: string;
  accept?: string;
  signal?: AbortSignal;
}

export interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  object: any;
}

export type FetchLike = typeof fetch;

/** OpenSSL's codes for a server certificate not signed by a CA the client trusts. */
const UNKNOWN_AUTHORITY = new Set(['SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY']);

/** How the client proves who it is and which server it trusts (from the kubeconfig). */
export interface Credentials {
  ca?: string;
  cert?: string;
  key?: string;
  token?: string;
  insecureSkipTlsVerify?: boolean;
}

/** TLS options for node:tls / ws from credentials. */
export function tlsOptions(creds: Credentials | undefined): { ca?: string; cert?: string; key?: string; rejectUnauthorized?: boolean } {
  if (!creds) return {};
  return { ca: creds.ca, cert: creds.cert, key: creds.key, ...(creds.insecureSkipTlsVerify ? { rejectUnauthorized: false } : {}) };
}

/** A fetch that presents the client certificate and trusts the kubeconfig's CA (undici, Node's own fetch engine). */
export function tlsFetch(creds: Credentials): FetchLike {
  const dispatcher = new Agent({ connect: tlsOptions(creds) });
  return ((input: string, init?: RequestInit) => undiciFetch(input, { ...(init as object), dispatcher } as Parameters<typeof undiciFetch>[1])) as unknown as FetchLike;
}

export function buildQuery(query: Query | undefined): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) {
    if (v === undefined) continue;
    if (Array.isArray(v)) for (const item of v) params.append(k, item);
    else params.append(k, String(v));
  }
  const s = params.toString();
  return s ? `?${s}` : '';
}

export class KubeClient {
  readonly server: string;

  private readonly fetchImpl: FetchLike;

  constructor(server: string, fetchImpl?: FetchLike, readonly credentials: Credentials = {}) {
    this.server = server.replace(/\/+$/, '');
    const tls = server.startsWith('https:') && (credentials.ca || credentials.cert || credentials.insecureSkipTlsVerify);
    this.fetchImpl = fetchImpl ?? (tls ? tlsFetch(credentials) : fetch);
  }

  /** Headers every request carries: the bearer token, when the kubeconfig has one. */
  authHeaders(): Record<string, string> {
    return this.credentials.token ? { Authorization: `Bearer ${this.credentials.token}` } : {};
  }

  url(path: string, query?: Query): string {
    return `${this.server}${path}${buildQuery(query)}`;
  }

  private async send(method: string, path: string, opts: RequestOptions): Promise<Response> {
    const headers: Record<string, string> = { Accept: opts.accept ?? 'application/json', 'User-Agent': 'kdp/0.1.0', ...this.authHeaders() };
    let body: string | undefined;
    if (opts.body !== undefined) {
      body = typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
      headers['Content-Type'] = opts.contentType ?? 'application/json';
    }
    let res: Response;
    try {
      res = await this.fetchImpl(this.url(path, opts.query), { method, headers, body, signal: opts.signal });
    } catch (err) {
      throw this.connectionError(err);
    }
    if (!res.ok) throw await statusError(res);
    return res;
  }

  private connectionError(err: unknown): Error {
    if ((err as Error)?.name === 'AbortError') return err as Error;
    const cause = (err as { cause?: { code?: string; message?: string } })?.cause;
    const host = new URL(this.server).host;
    if (cause?.code && UNKNOWN_AUTHORITY.has(cause.code)) {
      return new ConnectionError('Unable to connect to the server: tls: failed to verify certificate: x509: certificate signed by unknown authority');
    }
    if (cause?.code === 'ECONNREFUSED') {
      return new ConnectionError(`The connection to the server ${host} was refused - did you specify the right host or port?`);
    }
    return new ConnectionError(`Unable to connect to the server: ${cause?.message ?? (err as Error)?.message ?? String(err)}`);
  }

  async request<T = unknown>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    const res = await this.send(method, path, opts);
    const text = await res.text();
    if (!text) return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      return text as T;
    }
  }

  get<T = unknown>(path: string, query?: Query, accept?: string): Promise<T> {
    return this.request<T>('GET', path, { query, accept });
  }

  /** A raw byte stream (pod logs). */
  async stream(path: string, query: Query | undefined, signal?: AbortSignal): Promise<AsyncIterable<Uint8Array>> {
    const res = await this.send('GET', path, { query, signal, accept: '*/*' });
    if (!res.body) return (async function* empty() {})();
    return res.body as unknown as AsyncIterable<Uint8Array>;
  }

  /** A watch: yields events until the server ends the stream or `signal` aborts. */
  async *watch(path: string, query: Query, signal?: AbortSignal, accept?: string): AsyncGenerator<WatchEvent> {
    let res: Response;
    try {
      res = await this.send('GET', path, { query: { ...query, watch: 'true' }, signal, accept });
    } catch (err) {
      // Interrupted before the server answered (Ctrl-C right after the list): a clean end too.
      if (signal?.aborted) return;
      throw err;
    }
    if (!res.body) return;
    const decoder = new TextDecoder();
    let buf = '';
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buf += decoder.decode(chunk, { stream: true });
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl).trim();
          buf = buf.slice(nl + 1);
          if (line) yield JSON.parse(line) as WatchEvent;
        }
      }
    } catch (err) {
      if ((err as Error)?.name === 'AbortError' || signal?.aborted) return;
      throw err;
    }
    if (buf.trim()) yield JSON.parse(buf) as WatchEvent;
  }
}

async function statusError(res: Response): Promise<ApiStatusError> {
  const text = await res.text().catch(() => '');
  let body: StatusBody | undefined;
  try {
    const parsed = JSON.parse(text);
    if (parsed && typeof parsed === 'object' && parsed.kind === 'Status') body = parsed;
  } catch {
    // not JSON
  }
  if (!body) {
    // kubectl's wording for a non-Status error body.
    const message = text.trim() ? `the server responded with the status code ${res.status} but did not return more information` : `the server could not find the requested resource`;
    body = { kind: 'Status', status: 'Failure', code: res.status, message: res.status === 404 ? 'the server could not find the requested resource' : message };
  }
  if (!body.code) body.code = res.status;
  return new ApiStatusError(body);
}
