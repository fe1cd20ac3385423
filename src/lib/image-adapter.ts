// The contract between the pod runtime and a built-in image: kdp's stand-in for a container image
// whose behaviour it implements in-process (nginx, echo servers) instead of running a container.
// A leaf module: the pod runtime (src/pods) runs ImageAdapters, and components that are images
// themselves (src/coredns/image.ts, src/ingress/image.ts) implement one, without importing each other.
import type { ObjectStore } from '../api/store.js';
import type { KObject } from '../api/types.js';
import type { ImageRef } from './image-ref.js';

export interface LogSink {
  /** One line of the container's stdout (no trailing newline). */
  stdout(line: string): void;
  stderr(line: string): void;
}

export interface ImageContext {
  pod: KObject;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  container: any;
  image: ImageRef;
  podIP: string;
  hostIP: string;
  nodeName: string;
  /** The container's args ($(VAR)-expanded); the image's entrypoint gets them. */
  args: string[];
  /** The container's environment as a host process would get it (read-only; its links are shared). */
  env: ReadonlyMap<string, string>;
  log: LogSink;
  now(): Date;
  /** The container's volumeMounts as host paths: `{mountPath: '/usr/share/nginx/html', hostPath, readOnly}`. */
  mounts?: { mountPath: string; hostPath: string; readOnly: boolean }[];
  /**
   * The cluster's object store, for images that are cluster components themselves (the ingress-nginx
   * controller watches Ingresses; kube-webhook-certgen writes a Secret): what a real pod reaches
   * through its ServiceAccount and the API.
   */
  store?: ObjectStore;
}

export interface ImageProcess {
  /** Resolves with the exit code when the "container" ends: on its own (agnhost /exit) or after stop(). */
  exited: Promise<number>;
  /** Stop accepting at once, let in-flight requests finish for up to graceMs, then close everything. */
  stop(graceMs: number): Promise<void>;
}

export interface ImageAdapter {
  /** Short name for docs and logs. */
  name: string;
  /** Repository paths without registry and tag: `nginx`, `traefik/whoami`, `e2e-test-images/agnhost`. */
  repositories: string[];
  /** Resolves once the listeners are bound (the container is Ready then); rejects when binding fails. */
  start(ctx: ImageContext): Promise<ImageProcess>;
}

/** A process that just runs until stopped: `pause`; a Job's tool once it has run. */
export function idle(): ImageProcess {
  let resolveExit!: (n: number) => void;
  const exited = new Promise<number>((r) => (resolveExit = r));
  return {
    exited,
    async stop() {
      resolveExit(0);
    },
  };
}
