// Query parameters read as kube-apiserver reads them: its parameter codec converts url.Values into
// ListOptions, DeleteOptions, PodLogOptions, PodExecOptions… with apimachinery's string conversions.
//
// - booleans (`watch`, `allowWatchBookmarks`, `follow`, `stdin`, `tty`, `force`, `orphanDependents`…):
//   absent → false; "0" or any casing of "false" → false; ANY other value (`true`, `True`, `1`, `t`,
//   `yes`, even the empty string) → true. Never an error. (So the Python client's `watch=True` watches.)
// - `pretty` is the exception: the response writer reads it with Go's strconv.ParseBool and ignores an
//   error (invalid → not pretty); without it curl, Wget and browsers get indented JSON.
// - integers (`limit`, `timeoutSeconds`, `tailLines`, `sinceSeconds`, `limitBytes`, `gracePeriodSeconds`)
//   are strconv.ParseInt(s, 10, 64); a bad one is a 400 BadRequest whose message is Go's error,
//   `strconv.ParseInt: parsing "abc": invalid syntax` (or `… value out of range`).
import type http from 'node:http';
import { errors, field, type StatusCause } from './errors.js';

/** apimachinery's Convert_Slice_string_To_bool: only absent, "0" and "false" (any case) are false. */
export function boolParam(q: URLSearchParams, name: string): boolean {
  return queryBool(q.getAll(name));
}

/** As boolParam, but undefined when the parameter is absent (for *bool fields). */
export function optionalBoolParam(q: URLSearchParams, name: string): boolean | undefined {
  return q.has(name) ? boolParam(q, name) : undefined;
}

export function queryBool(values: string[]): boolean {
  if (!values.length) return false;
  const v = values[0];
  return !(v === '0' || v.toLowerCase() === 'false');
}

/** Go's strconv.ParseBool: 1 t T TRUE true True / 0 f F FALSE false False; anything else is an error. */
export function parseGoBool(s: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(s)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(s)) return false;
  return undefined;
}

const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;

/** Go's strconv.ParseInt(s, 10, 64), with its error text; the result as a JS number. */
export function parseGoInt64(s: string): number {
  if (!/^[+-]?[0-9]+$/.test(s)) throw errors.badRequest(`strconv.ParseInt: parsing ${goQuote(s)}: invalid syntax`);
  const n = BigInt(s);
  if (n > INT64_MAX || n < INT64_MIN) throw errors.badRequest(`strconv.ParseInt: parsing ${goQuote(s)}: value out of range`);
  return Number(n);
}

/** An int64 parameter: undefined when absent, else the first value parsed strictly (400 when bad). */
export function int64Param(q: URLSearchParams, name: string): number | undefined {
  const values = q.getAll(name);
  if (!values.length) return undefined;
  return parseGoInt64(values[0]);
}

/** The response writer's pretty-printing decision (handlers/responsewriters: isPrettyPrint). */
export function prettyPrint(req: http.IncomingMessage | undefined): boolean {
  if (!req) return false;
  const raw = req.url ?? '';
  const i = raw.indexOf('?');
  if (i >= 0 && raw.includes('pretty', i)) {
    const pp = new URLSearchParams(raw.slice(i + 1)).get('pretty');
    if (pp) return parseGoBool(pp) ?? false;
  }
  const ua = req.headers['user-agent'] ?? '';
  return ua.startsWith('curl') || ua.startsWith('Wget') || ua.startsWith('Mozilla/5.0');
}

/** strconv.Quote for the ASCII a query parameter usually holds. */
function goQuote(s: string): string {
  return JSON.stringify(s);
}

/** metav1.ListOptions as the list/watch handler decodes and validates it. */
export interface ListQuery {
  watch: boolean;
  allowWatchBookmarks: boolean;
  sendInitialEvents?: boolean;
  resourceVersion?: string;
  resourceVersionMatch?: string;
  timeoutSeconds?: number;
  limit?: number;
  labelSelector?: string;
  fieldSelector?: string;
}

/**
 * Decodes ListOptions (400 on a bad integer) and validates them as
 * apimachinery's ValidateListOptions does (422 `ListOptions.meta.k8s.io "" is invalid: …`).
 */
export function parseListQuery(q: URLSearchParams, pathWatch = false): ListQuery {
  const opts: ListQuery = {
    watch: pathWatch || boolParam(q, 'watch'),
    allowWatchBookmarks: boolParam(q, 'allowWatchBookmarks'),
    sendInitialEvents: optionalBoolParam(q, 'sendInitialEvents'),
    resourceVersion: q.get('resourceVersion') ?? undefined,
    resourceVersionMatch: q.get('resourceVersionMatch') || undefined,
    timeoutSeconds: int64Param(q, 'timeoutSeconds'),
    limit: int64Param(q, 'limit'),
    labelSelector: q.get('labelSelector') ?? undefined,
    fieldSelector: q.get('fieldSelector') ?? undefined,
  };
  const causes: StatusCause[] = [];
  const match = opts.resourceVersionMatch;
  if (opts.watch) {
    if (opts.sendInitialEvents !== undefined && match !== 'NotOlderThan') {
      causes.push(field.forbidden('resourceVersionMatch', 'sendInitialEvents requires setting resourceVersionMatch to NotOlderThan'));
    }
    if (match) {
      if (opts.sendInitialEvents === undefined) causes.push(field.forbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided'));
      if (match !== 'NotOlderThan') causes.push(field.notSupported('resourceVersionMatch', match, ['NotOlderThan']));
    }
  } else {
    if (match) {
      if (!opts.resourceVersion) causes.push(field.forbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden unless resourceVersion is provided'));
      if (opts.resourceVersion === '0' && match === 'Exact') causes.push(field.forbidden('resourceVersionMatch', 'resourceVersionMatch "exact" is forbidden for resourceVersion "0"'));
      if (match !== 'Exact' && match !== 'NotOlderThan') causes.push(field.notSupported('resourceVersionMatch', match, ['Exact', 'NotOlderThan', '']));
    }
    if (opts.sendInitialEvents !== undefined) causes.push(field.forbidden('sendInitialEvents', 'sendInitialEvents is forbidden for list'));
  }
  if (causes.length) throw errors.invalid('meta.k8s.io', 'ListOptions', '', causes);
  return opts;
}
