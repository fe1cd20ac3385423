// How the API server reaches into a running pod for `exec`, `attach` and `log` — the role the kubelet's
// streaming server plays in Kubernetes. The pod runtime implements it; `kdp up` hands it to the API.
import type { Readable, Writable } from 'node:stream';
import type { KObject } from './types.js';

export interface ExecOptions {
  container?: string;
  command: string[];
  stdin: boolean;
  tty: boolean;
}

export interface ExecSession {
  /** Present when ExecOptions.stdin is true. Ending it closes the command's stdin. */
  stdin?: Writable;
  stdout: Readable;
  /** Absent with a tty (stderr is merged into the terminal). */
  stderr?: Readable;
  /** Resolves with the exit code once the command has ended and its output is drained. */
  exited: Promise<number>;
  resize?(cols: number, rows: number): void;
  kill(): void;
}

export interface AttachOptions {
  container?: string;
  /** Connect to the container's stdin (it must have been started with `stdin: true`). */
  stdin: boolean;
  tty: boolean;
}

export interface LogOptions {
  container?: string;
  follow?: boolean;
  tailLines?: number;
  previous?: boolean;
  timestamps?: boolean;
  sinceSeconds?: number;
}

export interface PodConnector {
  /**
   * Starts `command` in the pod's sandbox. Throws ApiError (BadRequest/NotFound) when the pod or
   * container cannot run it, e.g. `container nginx is not valid for pod x`.
   */
  exec(pod: KObject, opts: ExecOptions): Promise<ExecSession>;
  /**
   * Connects to the stdio of the container's main process (`kubectl attach`, `kubectl run -i`): its
   * output from now on (and, on a `stdin: true` container's first attach, what it printed before),
   * its stdin when asked for. `exited` resolves (0) when the container's run ends; kill() detaches.
   */
  attach?(pod: KObject, opts: AttachOptions): Promise<ExecSession>;
  /** The container's log; with `follow`, the stream stays open until the container ends or abort. */
  logs(pod: KObject, opts: LogOptions, signal: AbortSignal): Promise<Readable>;
}
