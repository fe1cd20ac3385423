// `registry.k8s.io/ingress-nginx/kube-webhook-certgen`: what ingress-nginx's admission Jobs run.
// - `create --host=a,b --namespace=ns --secret-name=s [--cert-name=cert --key-name=key --ca-name=ca]`:
//   unless the Secret exists, makes a CA and a serving certificate for the hosts (ECDSA P-256) and
//   stores them in the Secret under the keys ca, cert, key.
// - `patch --webhook-name=w --namespace=ns --secret-name=s [--patch-validating=true]
//   [--patch-mutating=true] [--patch-failure-policy=Fail]`: puts the Secret's CA into
//   webhooks[].clientConfig.caBundle of the ValidatingWebhookConfiguration (and/or Mutating…) `w`.
// Exit 0 on success; 1 with the error logged (the Job retries), as the real tool.
import { ApiError } from '../api/errors.js';
import type { ObjectStore } from '../api/store.js';
import type { KObject } from '../api/types.js';
import { idle, type ImageAdapter, type LogSink } from '../lib/image-adapter.js';
import { flagValue } from '../lib/image-flags.js';

const SECRETS = '/secrets';
const VALIDATING = 'admissionregistration.k8s.io/validatingwebhookconfigurations';
const MUTATING = 'admissionregistration.k8s.io/mutatingwebhookconfigurations';

class Fatal extends Error {}

function logger(log: LogSink, now: () => Date) {
  return (level: 'info' | 'fatal', msg: string, fields: Record<string, string> = {}) => {
    const line = JSON.stringify({ level, msg, source: 'kdp', ...fields, time: now().toISOString() });
    if (level === 'info') log.stdout(line);
    else log.stderr(line);
  };
}

async function create(store: ObjectStore, args: string[], log: ReturnType<typeof logger>): Promise<void> {
  const ns = flagValue(args, 'namespace') ?? 'default';
  const name = flagValue(args, 'secret-name');
  const hosts = (flagValue(args, 'host') ?? '').split(',').map((h) => h.trim()).filter(Boolean);
  if (!name) throw new Fatal('required flag(s) "secret-name" not set');
  if (!hosts.length) throw new Fatal('required flag(s) "host" not set');
  if (store.tryGet(SECRETS, ns, name)) {
    log('info', 'secret already exists');
    return;
  }
  log('info', 'creating new secret');
  const { createCertificateAuthority, signedCertificate } = await import('./certificates.js');
  const ca = await createCertificateAuthority(flagValue(args, 'cert-org') ?? 'nginx');
  const leaf = await signedCertificate(ca, { commonName: hosts[0], organization: flagValue(args, 'cert-org') ?? 'nginx', dnsNames: hosts });
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  const secret: KObject = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace: ns },
    data: {
      [flagValue(args, 'ca-name') ?? 'ca']: b64(ca.cert),
      [flagValue(args, 'cert-name') ?? 'cert']: b64(leaf.cert),
      [flagValue(args, 'key-name') ?? 'key']: b64(leaf.key),
    },
  };
  try {
    store.create(SECRETS, secret);
  } catch (err) {
    if (err instanceof ApiError && err.code === 409) return log('info', 'secret already exists');
    throw new Fatal(`failed creating secret: ${(err as Error).message}`);
  }
}

function patchConfig(store: ObjectStore, gr: string, kind: string, name: string, ca: string, failurePolicy: string | undefined, log: ReturnType<typeof logger>): void {
  const cfg = store.tryGet(gr, undefined, name);
  if (!cfg) throw new Fatal(`failed getting ${kind}: ${gr.split('/')[1]}.admissionregistration.k8s.io "${name}" not found`);
  const next = structuredClone(cfg) as KObject;
  for (const w of next.webhooks ?? []) {
    w.clientConfig = { ...(w.clientConfig ?? {}), caBundle: ca };
    if (failurePolicy) w.failurePolicy = failurePolicy;
  }
  store.update(gr, next);
  log('info', `patched hook(s)`, { name });
}

function patch(store: ObjectStore, args: string[], log: ReturnType<typeof logger>): void {
  const ns = flagValue(args, 'namespace') ?? 'default';
  const name = flagValue(args, 'secret-name');
  const hook = flagValue(args, 'webhook-name');
  if (!name) throw new Fatal('required flag(s) "secret-name" not set');
  if (!hook) throw new Fatal('required flag(s) "webhook-name" not set');
  const secret = store.tryGet(SECRETS, ns, name);
  if (!secret) throw new Fatal(`no secret with '${name}' found`);
  const ca = secret.data?.[flagValue(args, 'ca-name') ?? 'ca'];
  if (!ca) throw new Fatal(`no ca found in secret '${name}'`);
  const failurePolicy = flagValue(args, 'patch-failure-policy') || undefined;
  if (flagValue(args, 'patch-validating') !== 'false') patchConfig(store, VALIDATING, 'validating webhook', hook, ca, failurePolicy, log);
  if (flagValue(args, 'patch-mutating') !== 'false') patchConfig(store, MUTATING, 'mutating webhook', hook, ca, failurePolicy, log);
}

export const webhookCertgenImage: ImageAdapter = {
  name: 'kube-webhook-certgen',
  repositories: ['ingress-nginx/kube-webhook-certgen', 'jettech/kube-webhook-certgen'],
  async start(ctx) {
    const log = logger(ctx.log, ctx.now);
    const p = idle();
    let code = 0;
    try {
      if (!ctx.store) throw new Fatal('error building kubernetes config: no cluster store given to the built-in image');
      const cmd = ctx.args.find((a) => !a.startsWith('-'));
      if (cmd === 'create') await create(ctx.store, ctx.args, log);
      else if (cmd === 'patch') patch(ctx.store, ctx.args, log);
      else throw new Fatal(`unknown command "${cmd ?? ''}" for "kube-webhook-certgen"`);
    } catch (err) {
      log('fatal', (err as Error).message);
      code = 1;
    }
    setImmediate(() => void p.stop(0));
    return { exited: p.exited.then(() => code), stop: p.stop };
  },
};
