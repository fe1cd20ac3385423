// Small clients the rows poll with: one HTTP GET with a short timeout, one DNS A lookup.
import http from 'node:http';
import { Resolver } from 'node:dns/promises';

/** Resolves with the status code, or undefined when the connection fails or times out. */
export function httpStatus(host: string, port = 80, path = '/', timeoutMs = 500, headers: Record<string, string> = {}): Promise<number | undefined> {
  return new Promise((resolve) => {
    const req = http.get({ host, port, path, timeout: timeoutMs, agent: false, headers }, (res) => {
      res.resume();
      res.once('end', () => resolve(res.statusCode));
      res.once('error', () => resolve(undefined));
    });
    req.once('timeout', () => req.destroy());
    req.once('error', () => resolve(undefined));
  });
}

export function resolver(server: string, timeoutMs = 300): Resolver {
  const r = new Resolver({ timeout: timeoutMs, tries: 1 });
  r.setServers([server]);
  return r;
}

export async function resolveA(r: Resolver, name: string): Promise<string | undefined> {
  try {
    return (await r.resolve4(name))[0];
  } catch {
    return undefined;
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
