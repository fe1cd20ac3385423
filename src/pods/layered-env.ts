// A container's environment as one Map-like view over three layers: the variables set before the
// service links (kdp's basics), the service links themselves (a shared, read-only set — see
// service-links.ts) and the variables set after them (envFrom, env). It reads, iterates and sizes
// exactly like the Map that setting the same variables in the same order would give (first
// insertion decides the position, the last value wins), without copying the shared links.

/** A container's environment: read like a Map; `set` adds a variable or overrides one. */
export interface Env extends ReadonlyMap<string, string> {
  set(key: string, value: string): this;
}

const NO_LINKS: ReadonlyMap<string, string> = new Map();

export class LayeredEnv implements Env {
  private readonly before = new Map<string, string>();
  private links: ReadonlyMap<string, string> = NO_LINKS;
  /** Values set for keys that the links hold (they keep the links' position). */
  private readonly overrides = new Map<string, string>();
  private readonly after = new Map<string, string>();
  private attached = false;
  /** Keys of `before` that the links hold too. */
  private shadowed = 0;

  /** Puts `links` after the variables set so far, as if each had been set now. Once. */
  attach(links: ReadonlyMap<string, string>): this {
    if (this.attached) throw new Error('LayeredEnv: links attached twice');
    this.attached = true;
    this.links = links;
    for (const k of this.before.keys()) {
      if (!links.has(k)) continue;
      this.before.set(k, links.get(k)!);
      this.shadowed++;
    }
    return this;
  }

  set(key: string, value: string): this {
    if (!this.attached || this.before.has(key)) this.before.set(key, value);
    else if (this.links.has(key)) this.overrides.set(key, value);
    else this.after.set(key, value);
    return this;
  }

  get(key: string): string | undefined {
    if (this.before.has(key)) return this.before.get(key);
    if (this.overrides.has(key)) return this.overrides.get(key);
    return this.links.get(key) ?? this.after.get(key);
  }

  has(key: string): boolean {
    return this.before.has(key) || this.links.has(key) || this.after.has(key);
  }

  get size(): number {
    return this.before.size + this.links.size - this.shadowed + this.after.size;
  }

  *entries(): MapIterator<[string, string]> {
    yield* this.before;
    if (this.links.size) {
      for (const [k, v] of this.links) {
        if (this.shadowed && this.before.has(k)) continue;
        yield [k, this.overrides.has(k) ? this.overrides.get(k)! : v];
      }
    }
    yield* this.after;
  }

  *keys(): MapIterator<string> {
    for (const [k] of this.entries()) yield k;
  }

  *values(): MapIterator<string> {
    for (const [, v] of this.entries()) yield v;
  }

  forEach(fn: (value: string, key: string, map: ReadonlyMap<string, string>) => void, thisArg?: unknown): void {
    for (const [k, v] of this.entries()) fn.call(thisArg, v, k, this);
  }

  [Symbol.iterator](): MapIterator<[string, string]> {
    return this.entries();
  }
}
