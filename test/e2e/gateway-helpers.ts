// Helpers for the Gateway API conformance port: requests to a Gateway address with the conformance
// suite's expectations (backend pod by name prefix, the request the echo backend saw, status,
// redirect Location, response headers), made "eventually consistent" as upstream's roundtripper does.
import http from 'node:http';
import https from 'node:https';
import { eventually } from '../support/eventually.js';

export interface Req {
  path: string;
  host?: string;
  method?: string;
  headers?: Record<string, string>;
  https?: boolean;
  /** The TLS server name (default: the host). */
  serverName?: string;
  port?: number;
}

export interface Expect {
  status?: number;
  /** The pod name the echo backend reports starts with this (upstream: the backend's name). */
  backend?: string;
  namespace?: string;
  /** What the backend saw. */
  path?: string;
  host?: string;
  headers?: Record<string, string>;
  absentHeaders?: readonly string[];
  /** Expected Location, split as upstream compares it. */
  redirect?: { scheme?: string; host?: string; port?: string; path?: string };
  responseHeaders?: Record<string, string>;
  absentResponseHeaders?: readonly string[];
}

export interface Res {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  json?: any;
}

export function request(address: string, r: Req): Promise<Res> {
  const secure = !!r.https;
  const mod = secure ? https : http;
  return new Promise((resolve, reject) => {
    const req = mod.request({
      host: address, port: r.port ?? (secure ? 443 : 80), method: r.method ?? 'GET', path: r.path, agent: false,
      headers: { Host: r.host ?? 'example.com', ...(r.headers ?? {}) }, timeout: 5000,
      ...(secure ? { servername: r.serverName ?? r.host ?? 'example.com', rejectUnauthorized: false } : {}),
    }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => {
        let json: any;
        try {
          json = JSON.parse(body);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json });
      });
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

const headerOf = (json: any, name: string): string | undefined => {
  const h = json?.headers ?? {};
  const k = Object.keys(h).find((x) => x.toLowerCase() === name.toLowerCase());
  return k ? (h[k] as string[]).join(',') : undefined;
};

/** Throws with what differs between the response and the expectation. */
export function check(res: Res, e: Expect, r: Req): void {
  const want = e.status ?? (e.redirect ? 302 : 200);
  if (res.status !== want) throw new Error(`${r.path}: status ${res.status}, want ${want} (${res.body.slice(0, 120)})`);
  if (e.backend) {
    if (!res.json) throw new Error(`${r.path}: not an echo answer: ${res.body.slice(0, 120)}`);
    if (!String(res.json.pod).startsWith(`${e.backend}-`)) throw new Error(`${r.path}: served by pod ${res.json.pod}, want ${e.backend}-*`);
    if (e.namespace && res.json.namespace !== e.namespace) throw new Error(`${r.path}: namespace ${res.json.namespace}, want ${e.namespace}`);
    const path = e.path ?? r.path;
    if (res.json.path !== path) throw new Error(`${r.path}: backend saw path ${res.json.path}, want ${path}`);
    if (e.host && res.json.host !== e.host) throw new Error(`${r.path}: backend saw host ${res.json.host}, want ${e.host}`);
    for (const [k, v] of Object.entries(e.headers ?? {})) {
      if (headerOf(res.json, k) !== v) throw new Error(`${r.path}: backend saw ${k}: ${headerOf(res.json, k)}, want ${v}`);
    }
    for (const k of e.absentHeaders ?? []) if (headerOf(res.json, k) !== undefined) throw new Error(`${r.path}: backend saw ${k}, want it absent`);
  }
  if (e.redirect) {
    const loc = String(res.headers.location ?? '');
    const u = new URL(loc);
    const got = { scheme: u.protocol.slice(0, -1), host: u.hostname, port: u.port, path: u.pathname + u.search };
    const w = { scheme: e.redirect.scheme ?? 'http', host: e.redirect.host ?? r.host ?? 'example.com', port: e.redirect.port ?? '', path: e.redirect.path ?? r.path };
    if (JSON.stringify(got) !== JSON.stringify(w)) throw new Error(`${r.path}: Location ${loc}, want ${JSON.stringify(w)}`);
  }
  for (const [k, v] of Object.entries(e.responseHeaders ?? {})) {
    const got = res.headers[k.toLowerCase()];
    if ((Array.isArray(got) ? got.join(',') : got) !== v) throw new Error(`${r.path}: response ${k}: ${got}, want ${v}`);
  }
  for (const k of e.absentResponseHeaders ?? []) if (res.headers[k.toLowerCase()] !== undefined) throw new Error(`${r.path}: response has ${k}, want it absent`);
}

/** Upstream's MakeRequestAndExpectEventuallyConsistentResponse: eventually right, then right 3 times in a row. */
export async function expectEventually(address: string, r: Req, e: Expect, timeout = 20_000): Promise<void> {
  await eventually(async () => {
    for (let i = 0; i < 3; i++) check(await request(address, r), e, r);
  }, { timeout, interval: 100, what: `${r.method ?? 'GET'} ${r.host ?? 'example.com'}${r.path}` });
}
