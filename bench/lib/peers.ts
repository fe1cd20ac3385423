// The peers, configured for the same job kdp does: HAProxy (mode tcp, 1 thread), dnsmasq with the same
// record, nginx as a reverse proxy, and Debian's nginx as a backend that a host-process pod runs.
import net from 'node:net';
import { Resolver } from 'node:dns/promises';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { until } from './cluster.js';
import { startProc, type Proc } from './procs.js';

export async function waitTcp(host: string, port: number, timeoutMs = 10_000): Promise<void> {
  await until(`${host}:${port} to accept connections`, () =>
    new Promise<true | undefined>((resolve) => {
      const s = net.connect({ host, port });
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(undefined));
    }), timeoutMs, 20);
}

function checkAlive(p: Proc): Promise<never> {
  return p.exited.then((code) => {
    throw new Error(`${p.name} exited with ${code}: ${p.output().trim()}`);
  });
}

export async function startHaproxy(dir: string, listen: string, backend: string): Promise<Proc> {
  const conf = join(dir, 'haproxy.cfg');
  writeFileSync(conf, [
    'global',
    '  nbthread 1',
    '  maxconn 8000',
    'defaults',
    '  mode tcp',
    '  timeout connect 1s',
    '  timeout client 60s',
    '  timeout server 60s',
    'frontend fe',
    `  bind ${listen}:80`,
    '  default_backend be',
    'backend be',
    `  server s1 ${backend}`,
    '',
  ].join('\n'));
  const p = startProc('haproxy', 'haproxy', ['-db', '-f', conf]);
  await Promise.race([waitTcp(listen, 80), checkAlive(p)]);
  return p;
}

export async function startDnsmasq(listen: string, name: string, ip: string): Promise<Proc> {
  const p = startProc('dnsmasq', 'dnsmasq', [
    '-k', '--conf-file=/dev/null', '--port=53', `--listen-address=${listen}`, '--bind-interfaces',
    '--no-resolv', '--no-hosts', `--host-record=${name},${ip}`, '--user=root', '--pid-file=',
  ]);
  const r = new Resolver({ timeout: 200, tries: 1 });
  r.setServers([listen]);
  await Promise.race([until(`dnsmasq on ${listen}`, async () => ((await r.resolve4(name)).includes(ip) ? true : undefined), 10_000, 50), checkAlive(p)]);
  return p;
}

const TEMP_PATHS = (dir: string) => ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((k) => `  ${k}_temp_path ${dir}/tmp-${k};`).join('\n');

/**
 * A template for Debian's nginx serving a short 200 on `@POD_IP@:<port>`, run as a host-process pod
 * (the pod's command substitutes its $POD_IP). Returns the pod's container command.
 */
/**
 * The bench backend (Debian nginx) as a host-process pod's command, listening on the pod IP and on
 * `extraListen` addresses (one per peer that reaches it: with short connections each side then has its
 * own TIME_WAIT tuples, and a kernel-NATed side can't trip over another side's leftovers).
 */
export function nginxBackendCommand(dir: string, port: number, extraListen: readonly string[] = []): string[] {
  mkdirSync(dir, { recursive: true });
  const tmpl = join(dir, 'backend.conf.in');
  writeFileSync(tmpl, `worker_processes 1;
pid ${dir}/backend-@POD_IP@.pid;
error_log ${dir}/backend-@POD_IP@.error.log warn;
events { worker_connections 8192; }
http {
  access_log off;
  keepalive_requests 1000000;
  keepalive_timeout 75s;
${TEMP_PATHS(dir)}
  server {
    listen @POD_IP@:${port} backlog=4096;
${extraListen.map((ip) => `    listen ${ip}:${port} backlog=4096;\n`).join('')}    location / {
      default_type text/plain;
      return 200 "hello from a kdp bench backend\\n";
    }
  }
}
`);
  const conf = `${dir}/backend-$POD_IP.conf`;
  return ['sh', '-c', `sed "s/@POD_IP@/$POD_IP/g" ${tmpl} > ${conf} && exec nginx -c ${conf} -g 'daemon off; master_process on;'`];
}

/** nginx as ingress-nginx would configure it: host + ^/app prefix, rewrite to /, upstream keep-alive. */
export async function startNginxProxy(dir: string, listen: string, host: string, prefix: string, backend: string): Promise<Proc> {
  const conf = join(dir, 'proxy.conf');
  writeFileSync(conf, `worker_processes 1;
pid ${dir}/proxy.pid;
error_log ${dir}/proxy.error.log warn;
events { worker_connections 8192; }
http {
  access_log off;
  keepalive_requests 1000000;
${TEMP_PATHS(dir)}
  upstream backend {
    server ${backend};
    keepalive 320;
    keepalive_requests 1000000;
  }
  server {
    listen ${listen}:80 backlog=4096;
    server_name ${host};
    location ~* "^${prefix}" {
      rewrite "(?i)${prefix}" / break;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_set_header X-Request-ID $request_id;
      proxy_set_header X-Real-IP $remote_addr;
      proxy_set_header X-Forwarded-For $remote_addr;
      proxy_set_header X-Forwarded-Host $host;
      proxy_set_header X-Forwarded-Port 80;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_set_header X-Forwarded-Scheme $scheme;
      proxy_set_header X-Scheme $scheme;
      proxy_pass http://backend;
    }
  }
}
`);
  const p = startProc('nginx-proxy', 'nginx', ['-c', conf, '-g', 'daemon off;']);
  await Promise.race([waitTcp(listen, 80), checkAlive(p)]);
  return p;
}
