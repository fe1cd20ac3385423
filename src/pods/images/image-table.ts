// The image table: which image names the pod runtime realises in-process, matched on the
// repository path whatever the registry, tag or digest (`nginx`, `nginx:stable`,
// `docker.io/library/nginx:1.25`, `mirror.gcr.io/library/nginx@sha256:…` are all nginx).
// The pod runtime knows images only through ImageAdapter (src/lib/image-adapter.ts); the images here
// are its own stand-ins (nginx, echo servers, pause). Images that are cluster components (CoreDNS,
// the ingress-nginx controller) belong to their component and are added by the composition root
// (src/cli/up.ts → cluster-images.ts), which passes the whole table as PodRuntimeOptions.images.
import { createHash } from 'node:crypto';
import { agnhost, pause } from './agnhost.js';
import { ealenEchoServer } from './ealen-echo-server.js';
import { echoBasic } from './echo-basic.js';
import { echoserver } from './echoserver.js';
import { httpEcho } from './http-echo.js';
import { parseImageRef, type ImageRef } from '../../lib/image-ref.js';
import { nginx } from './nginx.js';
import type { ImageAdapter } from '../../lib/image-adapter.js';
import { whoami } from './whoami.js';

/** The pod runtime's own images; the default table when PodRuntimeOptions.images is not given. */
export const BUILTIN_IMAGES: readonly ImageAdapter[] = [nginx, whoami, httpEcho, agnhost, echoserver, ealenEchoServer, echoBasic, pause];

export class ImageTable {
  private readonly byRepository = new Map<string, ImageAdapter>();

  /** Later images win on the same repository: callers add or replace built-ins (e.g. a component's own image). */
  constructor(images: readonly ImageAdapter[] = BUILTIN_IMAGES) {
    for (const img of images) for (const r of img.repositories) this.byRepository.set(r.toLowerCase(), img);
  }

  lookup(image: string): { builtin: ImageAdapter; ref: ImageRef } | undefined {
    if (!image) return undefined;
    const ref = parseImageRef(image);
    const builtin = this.byRepository.get(ref.repository);
    return builtin ? { builtin, ref } : undefined;
  }

  /** Repository names for messages: `nginx, traefik/whoami, …`. */
  names(): string[] {
    return [...new Set([...this.byRepository.values()].map((i) => i.repositories[0]))];
  }
}

/** A stable image ID for containerStatuses[].imageID, shaped like a registry digest. */
export function imageId(image: string): string {
  const ref = parseImageRef(image);
  const digest = ref.digest ?? `sha256:${createHash('sha256').update(`${ref.registry}/${ref.repository}:${ref.tag ?? 'latest'}`).digest('hex')}`;
  const registry = ref.registry === 'docker.io' && !ref.repository.includes('/') ? 'docker.io/library' : ref.registry;
  return `${registry}/${ref.repository}@${digest}`;
}

export type { ImageAdapter, ImageContext, ImageProcess, LogSink } from '../../lib/image-adapter.js';
export { parseImageRef, type ImageRef } from '../../lib/image-ref.js';
