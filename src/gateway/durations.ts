// Gateway API Duration (GEP-2257): `1h`, `30s`, `500ms`, `1h30m`; `0s` means no timeout.

/** Milliseconds, or undefined for no timeout (absent, zero or malformed). */
export function parseDuration(d: string | undefined): number | undefined {
  if (!d) return undefined;
  const re = /(\d+)(h|ms|m|s)/gy;
  let ms = 0;
  let m: RegExpExecArray | null;
  let at = 0;
  while ((m = re.exec(d))) {
    ms += Number(m[1]) * { h: 3_600_000, m: 60_000, s: 1000, ms: 1 }[m[2] as 'h']!;
    at = re.lastIndex;
  }
  if (at !== d.length || ms === 0) return undefined;
  return ms;
}
