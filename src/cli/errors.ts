// Errors the CLI reports, worded as kubectl words them:
//   server errors  -> `Error from server (NotFound): services "x" not found`
//   client errors  -> `error: the server doesn't have a resource type "foo"`
// Both exit 1, unless a command says otherwise (exec passes the remote exit code through).

/** A metav1.Status the API server answered with. */
export interface StatusBody {
  kind?: string;
  apiVersion?: string;
  status?: string;
  message?: string;
  reason?: string;
  code?: number;
  details?: { name?: string; group?: string; kind?: string; causes?: { reason?: string; message?: string; field?: string }[] };
}

export class ApiStatusError extends Error {
  constructor(readonly status: StatusBody) {
    super(status.message ?? 'unknown error');
    this.name = 'ApiStatusError';
  }

  get reason(): string {
    return this.status.reason || reasonForCode(this.status.code ?? 0);
  }

  get code(): number {
    return this.status.code ?? 0;
  }

  /** `Error from server (Reason): message`, optionally with kubectl's `error when creating "f": ` prefix. */
  format(prefix = ''): string {
    const invalid = this.invalidMessage();
    if (invalid !== undefined) return invalid;
    return `Error from server (${this.reason}): ${prefix}${this.message}`;
  }

  /**
   * kubectl prints Invalid errors from the Status details, not the message:
   * `The Service "x" is invalid: spec.ports[0].port: …`, or one `* field: message` line per cause.
   */
  private invalidMessage(): string | undefined {
    if (this.reason !== 'Invalid') return undefined;
    const d = this.status.details;
    if (!d) return `The request is invalid${this.message ? `: ${this.message}` : ''}`;
    const head = d.kind || d.name ? `The ${d.kind ?? ''} ${JSON.stringify(d.name ?? '')} is invalid` : 'The request is invalid';
    const causes = [...new Set((d.causes ?? []).map((c) => (c.field ? `${c.field}: ${c.message}` : `${c.message}`)))];
    if (!causes.length) return head;
    if (causes.length === 1) return `${head}: ${causes[0]}`;
    return `${head}: \n${causes.map((c) => `* ${c}`).join('\n')}`;
  }
}

/** A client-side failure: printed as `error: <message>`. */
export class CliError extends Error {
  constructor(message: string, readonly exitCode = 1) {
    super(message);
    this.name = 'CliError';
  }
}

/** The server could not be reached: kubectl prints these lines as they are, without `error: `. */
export class ConnectionError extends CliError {
  override name = 'ConnectionError';
}

/** Ends the command with an exit code after it has printed what it had to (no extra message). */
export class ExitError extends Error {
  constructor(readonly exitCode: number) {
    super(`exit ${exitCode}`);
    this.name = 'ExitError';
  }
}

export function reasonForCode(code: number): string {
  switch (code) {
    case 400: return 'BadRequest';
    case 401: return 'Unauthorized';
    case 403: return 'Forbidden';
    case 404: return 'NotFound';
    case 405: return 'MethodNotAllowed';
    case 406: return 'NotAcceptable';
    case 409: return 'Conflict';
    case 410: return 'Expired';
    case 415: return 'UnsupportedMediaType';
    case 422: return 'Invalid';
    case 429: return 'TooManyRequests';
    case 500: return 'InternalError';
    case 503: return 'ServiceUnavailable';
    case 504: return 'Timeout';
    default: return 'Unknown';
  }
}

export function isNotFound(err: unknown): boolean {
  return err instanceof ApiStatusError && err.code === 404;
}

/** The message a failure prints on stderr, and the exit code. */
export function describeFailure(err: unknown): { message: string | null; exitCode: number } {
  if (err instanceof ExitError) return { message: null, exitCode: err.exitCode };
  // kubectl's words for a request the server could not authenticate.
  if (err instanceof ApiStatusError && err.code === 401) return { message: `error: You must be logged in to the server (${err.message || 'Unauthorized'})`, exitCode: 1 };
  if (err instanceof ApiStatusError) return { message: err.format(), exitCode: 1 };
  if (err instanceof ConnectionError) return { message: err.message, exitCode: err.exitCode };
  if (err instanceof CliError) return { message: `error: ${err.message}`, exitCode: err.exitCode };
  const msg = err instanceof Error ? err.message : String(err);
  return { message: `error: ${msg}`, exitCode: 1 };
}
