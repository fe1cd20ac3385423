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

/**
 * A pod template as Go's typed PodTemplateSpec sees it, so that JSON spellings of the same value
 * compare (and hash) equal: `null` is an absent pointer / omitempty field (kubectl sends
 * `creationTimestamp: null` in every template it copies back, e.g. `rollout undo`), and the
 * non-pointer structs Go always prints (`resources: {}` of a container, an empty `metadata`) equal
 * their absence. Pointer structs (`emptyDir: {}`, `securityContext: {}`) keep their meaning.
 */
export function semanticTemplate(template: unknown): unknown {
  const t = dropNulls(structuredClone(template ?? {})) as Record<string, any>;
  for (const list of ['containers', 'initContainers', 'ephemeralContainers']) {
    for (const c of t.spec?.[list] ?? []) {
      if (c && typeof c === 'object' && c.resources && typeof c.resources === 'object' && !Object.keys(c.resources).length) delete c.resources;
    }
  }
  if (t.metadata && typeof t.metadata === 'object' && !Object.keys(t.metadata).length) delete t.metadata;
  return t;
}

function dropNulls(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(dropNulls);
  if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      if (x === null) delete (v as Record<string, unknown>)[k];
      else dropNulls(x);
    }
  }
  return v;
}

export function computeHash(template: unknown, collisionCount?: number): string {
  const tmpl = new TextEncoder().encode(canonicalJSON(semanticTemplate(template)));
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

/** The deployment controller's EqualIgnoreHash: equal as typed templates, the hash label aside. */
export function templatesEqualIgnoringHash(a: unknown, b: unknown): boolean {
  return canonicalJSON(semanticTemplate(templateWithoutHash(a))) === canonicalJSON(semanticTemplate(templateWithoutHash(b)));
}
