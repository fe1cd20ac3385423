// DeleteOptions as kube-apiserver's DeleteResource handler reads them.
//
// Options: a request body (DeleteOptions) wins; only a DELETE without a body reads the query
// (`gracePeriodSeconds`, `propagationPolicy`, `orphanDependents`, `dryRun`), strictly (400 on a bad
// integer). Then ValidateDeleteOptions: propagationPolicy one of Foreground|Background|Orphan, not
// together with orphanDependents (422 `DeleteOptions.meta.k8s.io "" is invalid: …`).
import { errors, field, type StatusCause } from './errors.js';
import { int64Param, optionalBoolParam } from './query-params.js';
import type { DeleteOptions } from './store.js';

export interface RequestDeleteOptions extends DeleteOptions {
  /** The deprecated boolean, as sent (undefined when absent). */
  orphanDependents?: boolean;
  dryRun?: string[];
}

const POLICIES = ['Foreground', 'Background', 'Orphan'];

/** Reads DeleteOptions from the body, or from the query when there is no body, and validates them. */
export function parseDeleteOptions(body: unknown, q: URLSearchParams): RequestDeleteOptions {
  let opts: RequestDeleteOptions;
  if (body !== undefined && body !== null) {
    if (typeof body !== 'object' || Array.isArray(body)) throw errors.badRequest('couldn\'t get version/kind; json parse error: expected a DeleteOptions object');
    const b = body as Record<string, any>;
    opts = {
      gracePeriodSeconds: b.gracePeriodSeconds ?? undefined,
      propagationPolicy: b.propagationPolicy ?? undefined,
      orphanDependents: b.orphanDependents ?? undefined,
      preconditions: b.preconditions ?? undefined,
      dryRun: b.dryRun ?? undefined,
    };
  } else {
    opts = {
      gracePeriodSeconds: int64Param(q, 'gracePeriodSeconds'),
      propagationPolicy: (q.get('propagationPolicy') ?? undefined) as DeleteOptions['propagationPolicy'],
      orphanDependents: optionalBoolParam(q, 'orphanDependents'),
      dryRun: q.has('dryRun') ? q.getAll('dryRun') : undefined,
    };
  }
  const causes: StatusCause[] = [];
  if (opts.orphanDependents !== undefined && opts.propagationPolicy !== undefined) {
    causes.push(field.invalid('propagationPolicy', opts.propagationPolicy, 'orphanDependents and deletionPropagation cannot be both set'));
  }
  if (opts.propagationPolicy !== undefined && !POLICIES.includes(opts.propagationPolicy)) {
    causes.push(field.notSupported('propagationPolicy', opts.propagationPolicy, [...POLICIES, 'nil']));
  }
  for (const [i, d] of (opts.dryRun ?? []).entries()) {
    if (d !== 'All') causes.push(field.notSupported(`dryRun[${i}]`, d, ['All']));
  }
  if (causes.length) throw errors.invalid('meta.k8s.io', 'DeleteOptions', '', causes);
  return opts;
}

/** The store's policy: the deprecated boolean maps to Orphan / Background. */
export function storeDeleteOptions(o: RequestDeleteOptions): DeleteOptions {
  let propagationPolicy = o.propagationPolicy;
  if (o.orphanDependents === true) propagationPolicy = 'Orphan';
  else if (o.orphanDependents === false) propagationPolicy = 'Background';
  return { gracePeriodSeconds: o.gracePeriodSeconds, propagationPolicy, preconditions: o.preconditions };
}

