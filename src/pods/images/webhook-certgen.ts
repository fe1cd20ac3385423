// `registry.k8s.io/ingress-nginx/kube-webhook-certgen`: the Jobs of ingress-nginx's deploy.yaml run
// it to create and patch the admission webhook's certificate. kdp has no admission webhooks, so it
// completes at once (exit 0) and the Jobs succeed.
import { idle } from './agnhost.js';
import type { BuiltinImage } from './types.js';

export const webhookCertgen: BuiltinImage = {
  name: 'kube-webhook-certgen',
  repositories: ['ingress-nginx/kube-webhook-certgen', 'jettech/kube-webhook-certgen'],
  async start(ctx) {
    const p = idle();
    ctx.log.stdout(`{"level":"info","msg":"kdp: ${ctx.args[0] ?? 'run'} skipped: kdp has no admission webhooks","source":"kdp"}`);
    setImmediate(() => void p.stop(0));
    return { exited: p.exited, stop: p.stop };
  },
};
