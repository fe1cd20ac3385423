// The image table `kdp up` gives the pod runtime: the runtime's own images (nginx, echo servers,
// pause) and the images that are cluster components, each owned by its component. This is the one
// place that decides which components can run as pods; the pod runtime imports none of them.
import { corednsImageWith } from '../coredns/index.js';
import type { MetricsRegistry } from '../lib/metrics-registry.js';
// image.ts, not index.ts: the light entry, so that every CLI verb does not load the proxy libraries.
import { ingressNginxControllerImage, webhookCertgenImage } from '../ingress/image.js';
import { BUILTIN_IMAGES, ImageTable } from '../pods/index.js';

/** `metrics`: where the component images add the numbers they count (the dashboard's /metrics). */
export function clusterImages(opts: { metrics?: MetricsRegistry } = {}): ImageTable {
  return new ImageTable([...BUILTIN_IMAGES, webhookCertgenImage, ingressNginxControllerImage, corednsImageWith({ metrics: opts.metrics })]);
}
