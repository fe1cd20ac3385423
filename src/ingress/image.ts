// `registry.k8s.io/ingress-nginx/controller` (any tag): runs kdp's ingress-nginx controller
// (src/ingress) as this pod, the way ingress-nginx's deploy.yaml runs the real one: HTTP on the pod IP
// :80 (--http-port), HTTPS :443 (--https-port), /healthz and /metrics on :10254 (--healthz-port), and
// the flags that change routing: --ingress-class, --controller-class, --watch-ingress-without-class,
// --publish-service. It reads the cluster through the store it is given (a real controller uses its
// ServiceAccount); without one it exits 1, as the real one does when it cannot reach the API.
import { createServer, type Server } from 'node:http';
import { bindReason } from '../lib/bind-errors.js';
import type { ImageAdapter } from '../lib/image-adapter.js';
import { flagValue } from '../lib/image-flags.js';
export { webhookCertgenImage } from './webhook-certgen-image.js';

function port(v: string | undefined, dflt: number): number {
  const n = Number(v);
  return Number.isInteger(n) && n > 0 && n < 65536 ? n : dflt;
}

function klog(d: Date, msg: string): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `I${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}.${p(d.getUTCMilliseconds(), 3)}000       7 ${msg}`;
}

export const ingressNginxControllerImage: ImageAdapter = {
  name: 'ingress-nginx-controller',
  repositories: ['ingress-nginx/controller', 'ingress-nginx/controller-chroot', 'kubernetes-ingress-controller/nginx-ingress-controller'],
  async start(ctx) {
    const line = (msg: string) => ctx.log.stderr(klog(ctx.now(), msg));
    const release = ctx.image.tag?.replace(/@.*$/, '') ?? 'kdp';
    ctx.log.stdout('-------------------------------------------------------------------------------');
    ctx.log.stdout('NGINX Ingress controller');
    ctx.log.stdout(`  Release:       ${release}`);
    ctx.log.stdout('  Build:         kdp (in-process, no nginx binary)');
    ctx.log.stdout('-------------------------------------------------------------------------------');
    if (!ctx.store) throw Object.assign(new Error('error while initiating a connection to the Kubernetes API server: no cluster store given to the built-in image'), { exitCode: 1 });
    const args = ctx.args;
    const bool = (name: string) => {
      const v = flagValue(args, name);
      return v === '' || v === 'true' || (v === undefined && args.includes(`--${name}`));
    };
    const healthPort = port(flagValue(args, 'healthz-port'), 10254);
    // Loaded on first use: the proxy and certificate libraries cost ~0.3 s, which `kdp up` and every
    // CLI verb would otherwise pay at start-up (this file is the light entry the composition root loads).
    const [{ startIngressController }, { DEFAULT_CLASS_OPTIONS }] = await Promise.all([import('./controller.js'), import('./ingress-class.js')]);
    const controller = await startIngressController({
      store: ctx.store,
      address: ctx.podIP,
      httpPort: port(flagValue(args, 'http-port'), 80),
      httpsPort: port(flagValue(args, 'https-port'), 443),
      classes: {
        ingressClass: flagValue(args, 'ingress-class') ?? DEFAULT_CLASS_OPTIONS.ingressClass,
        controllerClass: flagValue(args, 'controller-class') ?? DEFAULT_CLASS_OPTIONS.controllerClass,
        watchWithoutClass: bool('watch-ingress-without-class'),
      },
      publishService: flagValue(args, 'publish-service') || undefined,
      nodeAddresses: [ctx.hostIP],
      eventSource: { component: 'nginx-ingress-controller', host: ctx.nodeName },
      log: (level, msg) => (level === 'INFO' ? line(msg) : ctx.log.stderr(`${level[0]}${klog(ctx.now(), msg).slice(1)}`)),
      now: ctx.now,
    }).catch((err: NodeJS.ErrnoException & { address?: string; port?: number }) => {
      throw Object.assign(new Error(`listen tcp ${ctx.podIP}:${err.port ?? ''}: bind: ${bindReason(err)}`), { exitCode: 1 });
    });
    const health: Server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      if (path === '/healthz') {
        res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': 2 });
        res.end('ok');
      } else if (path === '/metrics') {
        const body = `# HELP nginx_ingress_controller_config_last_reload_successful Whether the last configuration reload attempt was successful\n# TYPE nginx_ingress_controller_config_last_reload_successful gauge\nnginx_ingress_controller_config_last_reload_successful 1\n`;
        res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' });
        res.end(body);
      } else {
        res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
        res.end('404 page not found\n');
      }
    });
    try {
      await new Promise<void>((resolve, reject) => {
        health.once('error', reject);
        health.listen({ host: ctx.podIP, port: healthPort, exclusive: true }, () => resolve());
      });
    } catch (err) {
      await controller.stop(0);
      throw Object.assign(new Error(`listen tcp ${ctx.podIP}:${healthPort}: bind: ${bindReason(err as NodeJS.ErrnoException)}`), { exitCode: 1 });
    }
    line(`main.go: "Starting NGINX Ingress controller" class="${flagValue(args, 'ingress-class') ?? 'nginx'}"`);
    line('controller.go: "Backend successfully reloaded"');
    let resolveExit!: (code: number) => void;
    const exited = new Promise<number>((r) => (resolveExit = r));
    let stopping: Promise<void> | undefined;
    return {
      exited,
      stop(graceMs) {
        stopping ??= (async () => {
          line('sigterm.go: "Received SIGTERM, shutting down"');
          health.close();
          health.closeAllConnections();
          await controller.stop(graceMs);
          line('sigterm.go: "Exiting" code=0');
          resolveExit(0);
        })();
        return stopping;
      },
    };
  },
};
