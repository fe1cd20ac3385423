// The patch `kdp apply` sends: what the new manifest sets that the live object does not already
// have, plus `null` for fields the previous manifest (last-applied-configuration) set and the new one
// dropped. A JSON merge patch, so lists are replaced whole when they differ.

/* eslint-disable @typescript-eslint/no-explicit-any */
export function isPlainObject(v: unknown): v is Record<string, any> {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

/** True when everything `want` says is already true of `have` (extra fields in `have` are fine). */
export function contains(have: unknown, want: unknown): boolean {
  if (isPlainObject(want)) {
    if (!isPlainObject(have)) return false;
    return Object.keys(want).every((k) => contains(have[k], want[k]));
  }
  if (Array.isArray(want)) {
    return Array.isArray(have) && have.length === want.length && want.every((w, i) => contains(have[i], w));
  }
  if (want === null) return have === null || have === undefined;
  return have === want;
}

export function threeWayMergePatch(original: unknown, modified: Record<string, any>, current: unknown): Record<string, any> {
  const patch: Record<string, any> = {};
  const cur = isPlainObject(current) ? current : {};
  const orig = isPlainObject(original) ? original : {};
  for (const [k, m] of Object.entries(modified)) {
    const c = cur[k];
    if (isPlainObject(m) && isPlainObject(c)) {
      const sub = threeWayMergePatch(orig[k], m, c);
      if (Object.keys(sub).length) patch[k] = sub;
    } else if (!contains(c, m)) {
      patch[k] = m;
    }
  }
  for (const k of Object.keys(orig)) {
    if (!(k in modified) && k in cur) patch[k] = null;
  }
  return patch;
}
