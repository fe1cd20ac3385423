// `registry.k8s.io/coredns/coredns`: CoreDNS, run in-process by kdp's own implementation
// (src/coredns; this adapter is handed to the pod runtime by the composition root). It reads its Corefile from the ConfigMap volume that `-conf` points into (kubeadm:
// `-conf /etc/coredns/Corefile`, volume `config-volume` = ConfigMap `coredns`), serves DNS on the pod
// IP, and reloads when the ConfigMap changes (a broken Corefile keeps the running one and says why).
// Like the ingress controller it is a cluster component: it reads the API (ctx.store) through its
// own informers, as a real CoreDNS does with its ServiceAccount.
import { InformerFactory } from '../api/informer.js';
import { GR, type KObject } from '../api/types.js';
import { flagValue } from '../lib/image-flags.js';
import type { ImageContext, ImageAdapter, ImageProcess } from '../lib/image-adapter.js';
import type { MetricsRegistry } from '../lib/metrics-registry.js';
import { CoreDnsInstance } from './instance.js';
import { VERSION } from './metrics.js';

interface CorefileSource {
  path: string;
  configMap?: { namespace: string; name: string; key: string };
}

/** Where `-conf` points: a key of a ConfigMap volume, or (no such volume) nothing kdp can read. */
export function corefileSource(pod: KObject, container: { args?: string[]; volumeMounts?: { name: string; mountPath: string }[] }, args: string[]): CorefileSource {
  const path = flagValue(args, 'conf') ?? 'Corefile';
  const abs = path.startsWith('/') ? path : `/${path}`;
  for (const m of container.volumeMounts ?? []) {
    const dir = m.mountPath.replace(/\/$/, '');
    if (!abs.startsWith(dir + '/')) continue;
    const rel = abs.slice(dir.length + 1);
    const vol = (pod.spec?.volumes ?? []).find((v: { name: string }) => v.name === m.name);
    if (!vol?.configMap?.name) continue;
    const items: { key: string; path: string }[] = vol.configMap.items ?? [];
    const key = items.length ? items.find((i) => i.path === rel)?.key : rel;
    if (!key) continue;
    return { path, configMap: { namespace: pod.metadata.namespace ?? 'default', name: vol.configMap.name, key } };
  }
  return { path };
}

/**
 * The coredns image; with `metrics`, each pod's CoreDNS numbers are also added to that registry
 * (kdp's dashboard /metrics), under the pod's `namespace/name`, while it runs.
 */
export function corednsImageWith(opts: { metrics?: MetricsRegistry } = {}): ImageAdapter {
  return { ...corednsImage, start: (ctx) => startCoreDns(ctx, opts.metrics) };
}

export const corednsImage: ImageAdapter = {
  name: 'coredns',
  repositories: ['coredns/coredns', 'coredns'],
  start: (ctx) => startCoreDns(ctx, undefined),
};

async function startCoreDns(ctx: ImageContext, metrics: MetricsRegistry | undefined): Promise<ImageProcess> {
  {
    if (!ctx.store) throw new Error('coredns: no access to the cluster API');
    const informers = new InformerFactory(ctx.store);
    const src = corefileSource(ctx.pod, ctx.container, ctx.args);
    const configMaps = informers.for(GR.configmaps).start();
    const read = (): string | undefined => {
      if (!src.configMap) return undefined;
      const cm = configMaps.get(src.configMap.namespace, src.configMap.name);
      return cm?.data?.[src.configMap.key];
    };
    const text = read();
    if (text === undefined) {
      informers.stop();
      if (src.configMap) throw new Error(`MountVolume.SetUp failed for volume: configmap "${src.configMap.name}" not found or has no key "${src.configMap.key}"`);
      throw new Error(`plugin/kdp: ${src.path}: no such file (kdp reads the Corefile from a ConfigMap volume: give -conf a path inside one)`);
    }
    // `ns.dns.<zone>` answers with the address clients use: the kube-dns ClusterIP.
    const kubeDns = informers.for(GR.services).start().get('kube-system', 'kube-dns');
    let instance: CoreDnsInstance;
    try {
      instance = await CoreDnsInstance.start({
        informers, address: ctx.podIP, corefile: text, file: src.path, nsAddress: kubeDns?.spec?.clusterIP ?? ctx.podIP,
        log: (l) => ctx.log.stdout(l),
        // a CoreDNS pod's hostname is its pod name: chaos answers hostname.bind with it
        hostname: () => ctx.pod.metadata.name,
      });
    } catch (e) {
      informers.stop();
      throw e;
    }
    ctx.log.stdout('.:53');
    ctx.log.stdout(`CoreDNS-${VERSION}`);
    ctx.log.stdout(`linux/${process.arch === 'x64' ? 'amd64' : process.arch}, kdp, node${process.versions.node}`);

    const unregister = metrics?.add(`${ctx.pod.metadata.namespace}/${ctx.pod.metadata.name}`, () => instance.renderMetrics());
    let stopped = false;
    const onChange = (o: KObject) => {
      const cm = src.configMap;
      if (stopped || !cm || o.metadata.namespace !== cm.namespace || o.metadata.name !== cm.name) return;
      const next = o.data?.[cm.key];
      if (typeof next !== 'string' || next === instance.corefile) return;
      instance.reload(next).catch((e: Error) => {
        ctx.log.stdout(`[ERROR] Restart failed: ${e.message}`);
        console.error(`[WARN] coredns: pod ${ctx.pod.metadata.namespace}/${ctx.pod.metadata.name}: the new Corefile was not loaded, the previous one stays in force: ${e.message}`);
      });
    };
    configMaps.addHandlers({ onUpdate: onChange, onAdd: onChange });

    let resolveExit!: (code: number) => void;
    const exited = new Promise<number>((r) => (resolveExit = r));
    return {
      exited,
      async stop() {
        if (stopped) return;
        stopped = true;
        unregister?.();
        await instance.stop();
        informers.stop();
        resolveExit(0);
      },
    };
  }
}
