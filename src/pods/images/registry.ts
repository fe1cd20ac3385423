// The built-in image registry: which image names kdp realises in-process, matched on the
// repository path whatever the registry, tag or digest (`nginx`, `nginx:stable`,
// `docker.io/library/nginx:1.25`, `mirror.gcr.io/library/nginx@sha256:…` are all nginx).
import { createHash } from 'node:crypto';
import { agnhost, pause } from './agnhost.js';
import { coredns } from './coredns.js';
import { ealenEchoServer } from './ealen-echo-server.js';
import { echoserver } from './echoserver.js';
import { httpEcho } from './http-echo.js';
import { parseImageRef, type ImageRef } from './image-ref.js';
import { ingressNginxController } from './ingress-nginx-controller.js';
import { nginx } from './nginx.js';
import type { BuiltinImage } from './types.js';
import { webhookCertgen } from './webhook-certgen.js';
import { whoami } from './whoami.js';

export const BUILTIN_IMAGES: readonly BuiltinImage[] = [nginx, whoami, httpEcho, agnhost, echoserver, ealenEchoServer, pause, webhookCertgen, ingressNginxController, coredns];

export class ImageRegistry {
  private readonly byRepository = new Map<string, BuiltinImage>();

  /** Later images win on the same repository: callers add or replace built-ins (e.g. the ingress controller). */
  constructor(images: readonly BuiltinImage[] = BUILTIN_IMAGES) {
    for (const img of images) for (const r of img.repositories) this.byRepository.set(r.toLowerCase(), img);
  }

  lookup(image: string): { builtin: BuiltinImage; ref: ImageRef } | undefined {
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

export type { BuiltinImage, BuiltinContext, BuiltinProcess, LogSink } from './types.js';
export { parseImageRef, type ImageRef } from './image-ref.js';
