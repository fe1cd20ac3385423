// `registry.k8s.io/e2e-test-images/agnhost`: Kubernetes' e2e test image. Subcommands:
// `netexec` (HTTP on --http-port 8080: /hostname, /echo?msg=, /clientip, /header?key=, /healthz,
// /exit?code=; UDP on --udp-port 8081: `hostname`, `echo <msg>`, `clientip`), `serve-hostname`
// (--port 9376) and `pause`.
import { createSocket } from 'node:dgram';
import { flagValue, listenPorts } from '../../lib/image-flags.js';
import { startHttpListeners, type HttpListeners } from './http-listener.js';
import { idle, type ImageContext, type ImageAdapter, type ImageProcess } from '../../lib/image-adapter.js';

/** Go's time.Time.String() shape: `2006-01-02 15:04:05.999999999 +0000 UTC`. */
function goNow(d: Date): string {
  return d.toISOString().replace('T', ' ').replace('Z', '') + ' +0000 UTC';
}

function startUdp(ctx: ImageContext, port: number, hostname: string): Promise<{ close(): void }> {
  return new Promise((resolve, reject) => {
    const sock = createSocket('udp4');
    sock.on('message', (msg, rinfo) => {
      const text = msg.toString().trim();
      let reply: string | undefined;
      if (text === 'hostname') reply = hostname;
      else if (text.startsWith('echo ')) reply = text.slice(5);
      else if (text === 'clientip') reply = `${rinfo.address}:${rinfo.port}`;
      if (reply !== undefined) sock.send(reply, rinfo.port, rinfo.address);
    });
    sock.once('error', reject);
    sock.bind(port, ctx.podIP, () => {
      sock.off('error', reject);
      resolve({ close: () => sock.close() });
    });
  });
}

async function netexec(ctx: ImageContext): Promise<ImageProcess> {
  const hostname = ctx.env.get('HOSTNAME') ?? ctx.pod.metadata.name;
  const ports = listenPorts(ctx.container, flagValue(ctx.args, 'http-port'), 8080);
  const udpPort = Number(flagValue(ctx.args, 'udp-port') ?? 8081);
  ctx.log.stdout(`I0000 netexec.go: Started HTTP server on port ${ports[0]}`);
  let listeners: HttpListeners | undefined = undefined;
  const http = await startHttpListeners(ctx, ports, (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const send = (status: number, body: string) => {
      res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
      res.end(body);
    };
    switch (url.pathname) {
      case '/':
        return send(200, `NOW: ${goNow(ctx.now())}`);
      case '/hostname':
        return send(200, hostname);
      case '/echo':
        return send(200, url.searchParams.get('msg') ?? '');
      case '/clientip':
        return send(200, `${req.socket.remoteAddress?.replace(/^::ffff:/, '')}:${req.socket.remotePort}`);
      case '/header': {
        const v = req.headers[(url.searchParams.get('key') ?? '').toLowerCase()];
        return send(200, Array.isArray(v) ? v.join(',') : v ?? '');
      }
      case '/healthz':
      case '/readyz':
        return send(200, 'ok');
      case '/exit': {
        const code = Number(url.searchParams.get('code') ?? 0) || 0;
        send(200, '');
        ctx.log.stdout(`I0000 netexec.go: GET /exit?code=${code}`);
        listeners?.exit(code);
        return;
      }
      default:
        return send(404, '404 page not found\n');
    }
  });
  listeners = http;
  let udp: { close(): void } | undefined;
  if (udpPort > 0) {
    try {
      udp = await startUdp(ctx, udpPort, hostname);
      ctx.log.stdout(`I0000 netexec.go: Started UDP server on port ${udpPort}`);
    } catch (err) {
      await http.stop(0);
      throw err;
    }
  }
  return {
    exited: http.exited.finally(() => udp?.close()),
    async stop(graceMs) {
      udp?.close();
      udp = undefined;
      await http.stop(graceMs);
    },
  };
}

async function serveHostname(ctx: ImageContext): Promise<ImageProcess> {
  const hostname = ctx.env.get('HOSTNAME') ?? ctx.pod.metadata.name;
  const ports = listenPorts(ctx.container, flagValue(ctx.args, 'port'), 9376);
  ctx.log.stdout(`Serving on port ${ports[0]}.`);
  return startHttpListeners(ctx, ports, (_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end(hostname);
  });
}

export const agnhost: ImageAdapter = {
  name: 'agnhost',
  repositories: ['e2e-test-images/agnhost', 'kubernetes-e2e-test-images/agnhost'],
  async start(ctx) {
    const sub = ctx.args[0] ?? '';
    switch (sub) {
      case 'netexec':
        return netexec(ctx);
      case 'serve-hostname':
        return serveHostname(ctx);
      case 'pause':
      case '':
        return idle();
      default:
        ctx.log.stderr(`Error: unknown command "${sub}" for "agnhost"`);
        throw Object.assign(new Error(`agnhost ${sub} is not built into kdp (it knows netexec, serve-hostname, pause)`), { exitCode: 1 });
    }
  },
};

/** `registry.k8s.io/pause`: the sandbox image; does nothing until stopped. */
export const pause: ImageAdapter = {
  name: 'pause',
  repositories: ['pause', 'google_containers/pause', 'google-containers/pause'],
  async start() {
    return idle();
  },
};
