// The `pod-template-hash` of a Deployment's ReplicaSets, computed the way the deployment controller's
// ComputeHash does it: FNV-32a over the serialised pod template (kdp serialises canonical JSON where
// Kubernetes uses a spew dump, so the values differ from a real cluster's but have the same form),
// then the collision count as 8 little-endian bytes when set, printed in decimal and mapped byte-wise
// into the alphabet of rand.SafeEncodeString (no vowels, no confusable digits).

export const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
export const POD_TEMPLATE_HASH_LABEL = 'pod-template-hash';

/** 32-bit FNV-1a. */
export function fnv32a(bytes: Uint8Array, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (const b of bytes) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** rand.SafeEncodeString: each byte b becomes SAFE_ALPHABET[b % 27]. */
export function safeEncodeString(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) out += SAFE_ALPHABET[s.charCodeAt(i) % SAFE_ALPHABET.length];
  return out;
}

/** JSON with object keys sorted, so equal templates serialise equally whatever their key order. */
export function canonicalJSON(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) return `[${v.map((x) => (x === undefined ? 'null' : canonicalJSON(x))).join(',')}]`;
  const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonicalJSON(x)}`).join(',')}}`;
}

export function computeHash(template: unknown, collisionCount?: number): string {
  const tmpl = new TextEncoder().encode(canonicalJSON(template));
  let bytes = tmpl;
  if (collisionCount !== undefined && collisionCount !== null) {
    bytes = new Uint8Array(tmpl.length + 8);
    bytes.set(tmpl);
    new DataView(bytes.buffer).setUint32(tmpl.length, collisionCount >>> 0, true);
  }
  return safeEncodeString(String(fnv32a(bytes)));
}

/** The template without the pod-template-hash label, to compare a ReplicaSet's with a Deployment's. */
export function templateWithoutHash(template: unknown): unknown {
  const t = structuredClone(template ?? {}) as { metadata?: { labels?: Record<string, string> } };
  if (t.metadata?.labels) {
    delete t.metadata.labels[POD_TEMPLATE_HASH_LABEL];
    if (!Object.keys(t.metadata.labels).length) delete t.metadata.labels;
  }
  return t;
}

export function templatesEqualIgnoringHash(a: unknown, b: unknown): boolean {
  return canonicalJSON(templateWithoutHash(a)) === canonicalJSON(templateWithoutHash(b));
}
