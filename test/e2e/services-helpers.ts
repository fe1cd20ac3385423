// Helpers shared by the services-*.test.ts e2e files: kdp calls, curl, a UDP client, manifests.
import dgram from 'node:dgram';
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { run, type KdpCluster } from '../support/kdp.js';

export function ok(k: KdpCluster, args: string[], input?: string): Promise<string> {
  return k.ok(args, { input });
}

export async function apply(k: KdpCluster, dir: string, name: string, yaml: string): Promise<string> {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, yaml);
  return ok(k, ['apply', '-f', file]);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function getJson(k: KdpCluster, args: string[]): Promise<any> {
  return JSON.parse(await ok(k, ['get', ...args, '-o', 'json']));
}

/** curl: `code` is curl's exit code (0 ok, 7 refused, 28 timeout), `http` the status. */
export async function curl(url: string, extra: string[] = [], maxTime = 3): Promise<{ code: number; http: number; body: string }> {
  const r = await run('curl', ['-s', '-m', String(maxTime), '-w', '\n%{http_code}', ...extra, url]);
  const i = r.stdout.lastIndexOf('\n');
  return { code: r.code, http: Number(r.stdout.slice(i + 1)), body: r.stdout.slice(0, i) };
}

/** One UDP datagram and its reply (or 'TIMEOUT'). */
export function udpAsk(host: string, port: number, msg: string, timeoutMs = 2000): Promise<string> {
  return new Promise((resolve) => {
    const s = dgram.createSocket('udp4');
    const t = setTimeout(() => {
      s.close();
      resolve('TIMEOUT');
    }, timeoutMs);
    s.on('message', (m) => {
      clearTimeout(t);
      s.close();
      resolve(String(m));
    });
    s.on('error', () => undefined);
    s.send(msg, port, host);
  });
}

/** GET on a new connection each time (no keep-alive), optionally from a given local address. */
export function getOnce(url: string, localAddress?: string, timeoutMs = 3000): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false, headers: { Connection: 'close' }, ...(localAddress ? { localAddress } : {}) }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

export const NETEXEC = 'registry.k8s.io/e2e-test-images/agnhost:2.47';

export function deployment(name: string, replicas: number, image: string, extra: { args?: string[]; ports?: string; nodeName?: string; probes?: string } = {}): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
${extra.nodeName ? `      nodeName: ${extra.nodeName}\n` : ''}      containers:
      - name: ${name}
        image: ${image}
${extra.args ? `        args: ${JSON.stringify(extra.args)}\n` : ''}        ports: ${extra.ports ?? '[{containerPort: 80}]'}
${extra.probes ?? ''}`;
}
