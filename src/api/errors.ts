// The apiserver's error catalogue: every failure the API returns is a metav1.Status with a reason,
// an HTTP code and a message worded as kube-apiserver words it. Callers match on `reason`.

export interface StatusCause {
  reason?: string; // FieldValueInvalid, FieldValueRequired, FieldValueDuplicate, FieldValueNotSupported…
  message: string;
  field?: string;
}

export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure' | 'Success';
  message: string;
  reason: string;
  details?: { name?: string; group?: string; kind?: string; causes?: StatusCause[]; retryAfterSeconds?: number };
  code: number;
}

export class ApiError extends Error {
  constructor(readonly status: Status) {
    super(status.message);
    this.name = 'ApiError';
  }

  get code(): number {
    return this.status.code;
  }

  get reason(): string {
    return this.status.reason;
  }
}

function status(code: number, reason: string, message: string, details?: Status['details']): ApiError {
  return new ApiError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, details, code });
}

/** `resource` is the plural with group, as the apiserver prints it: `deployments.apps`, `pods`. */
export function qualified(group: string, resource: string): string {
  return group ? `${resource}.${group}` : resource;
}

export const errors = {
  notFound(group: string, resource: string, name: string): ApiError {
    return status(404, 'NotFound', `${qualified(group, resource)} "${name}" not found`, { name, group: group || undefined, kind: resource });
  },
  alreadyExists(group: string, resource: string, name: string): ApiError {
    return status(409, 'AlreadyExists', `${qualified(group, resource)} "${name}" already exists`, { name, group: group || undefined, kind: resource });
  },
  conflict(group: string, resource: string, name: string, why: string): ApiError {
    return status(409, 'Conflict', `Operation cannot be fulfilled on ${qualified(group, resource)} "${name}": ${why}`, { name, group: group || undefined, kind: resource });
  },
  /**
   * 422, worded as apimachinery's NewInvalid: `Service "x" is invalid: spec.ports[0].port: Invalid value: …`
   * (qualified kind, e.g. `Deployment.apps`; several causes in brackets). kubectl rebuilds its
   * `The Service "x" is invalid: …` line from `details`.
   */
  invalid(group: string, kind: string, name: string, causes: StatusCause[]): ApiError {
    const msgs = causes.map((c) => (c.field ? `${c.field}: ${c.message}` : c.message));
    const body = msgs.length === 1 ? msgs[0] : `[${msgs.join(', ')}]`;
    const kindName = group ? `${kind}.${group}` : kind;
    return status(422, 'Invalid', `${kindName} "${name}" is invalid: ${body}`, { name, group: group || undefined, kind, causes });
  },
  badRequest(message: string): ApiError {
    return status(400, 'BadRequest', message);
  },
  methodNotAllowed(message = 'the server does not allow this method on the requested resource'): ApiError {
    return status(405, 'MethodNotAllowed', message);
  },
  notAcceptable(message: string): ApiError {
    return status(406, 'NotAcceptable', message);
  },
  unsupportedMediaType(contentType: string): ApiError {
    return status(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json, application/strategic-merge-patch+json, application/merge-patch+json, application/json-patch+json, application/apply-patch+yaml (got ${contentType})`);
  },
  gone(message: string): ApiError {
    return status(410, 'Expired', message);
  },
  /** What kube-apiserver answers a request it cannot authenticate: no details, message "Unauthorized". */
  unauthorized(): ApiError {
    return status(401, 'Unauthorized', 'Unauthorized');
  },
  /** kube-apiserver's words when a body passes its limit. */
  requestEntityTooLarge(limit: number): ApiError {
    return status(413, 'RequestEntityTooLarge', `Request entity too large: limit is ${limit}`);
  },
  forbidden(message: string): ApiError {
    return status(403, 'Forbidden', message);
  },
  internal(message: string): ApiError {
    return status(500, 'InternalError', `Internal error occurred: ${message}`);
  },
  serviceUnavailable(message: string): ApiError {
    return status(503, 'ServiceUnavailable', message);
  },
  /** For a Namespace that is being deleted, or a missing namespace on create. */
  namespaceNotFound(ns: string): ApiError {
    return status(404, 'NotFound', `namespaces "${ns}" not found`, { name: ns, kind: 'namespaces' });
  },
};

/** Field-error helpers in the wording of k8s.io/apimachinery/pkg/util/validation/field. */
export const field = {
  required(path: string, detail = ''): StatusCause {
    return { reason: 'FieldValueRequired', field: path, message: `Required value${detail ? `: ${detail}` : ''}` };
  },
  invalid(path: string, value: unknown, detail: string): StatusCause {
    return { reason: 'FieldValueInvalid', field: path, message: `Invalid value: ${formatValue(value)}: ${detail}` };
  },
  notSupported(path: string, value: unknown, valid: string[]): StatusCause {
    return { reason: 'FieldValueNotSupported', field: path, message: `Unsupported value: ${formatValue(value)}: supported values: ${valid.map((v) => `"${v}"`).join(', ')}` };
  },
  duplicate(path: string, value: unknown): StatusCause {
    return { reason: 'FieldValueDuplicate', field: path, message: `Duplicate value: ${formatValue(value)}` };
  },
  forbidden(path: string, detail: string): StatusCause {
    return { reason: 'FieldValueForbidden', field: path, message: `Forbidden: ${detail}` };
  },
};

/** Go's %#v-ish rendering the apiserver uses in field errors: strings quoted, numbers bare. */
export function formatValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return `[]string{${v.map((x) => JSON.stringify(x)).join(', ')}}`;
  if (v && typeof v === 'object') return `map[string]string{${Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}:${JSON.stringify(x)}`).join(', ')}}`;
  return String(v);
}
