// Controller expectations (client-go's ControllerExpectations): after a controller creates or deletes
// children it waits until its informer has seen those changes before it counts children again, so
// a lagging cache never makes it create or delete twice. Expectations expire after a timeout.

interface Expectation {
  adds: number;
  dels: Set<string>;
  at: number;
}

export class Expectations {
  private readonly byKey = new Map<string, Expectation>();

  constructor(private readonly now: () => number = Date.now, private readonly ttlMs = 5 * 60_000) {}

  expectCreations(key: string, n: number): void {
    const e = this.get(key);
    e.adds += n;
    e.at = this.now();
  }

  expectDeletions(key: string, childKeys: string[]): void {
    const e = this.get(key);
    for (const k of childKeys) e.dels.add(k);
    e.at = this.now();
  }

  creationObserved(key: string): void {
    const e = this.byKey.get(key);
    if (e && e.adds > 0) e.adds--;
  }

  /** A child failed to be created: do not wait for it. */
  creationFailed(key: string): void {
    this.creationObserved(key);
  }

  deletionObserved(key: string, childKey: string): void {
    this.byKey.get(key)?.dels.delete(childKey);
  }

  satisfied(key: string): boolean {
    const e = this.byKey.get(key);
    if (!e) return true;
    if ((e.adds <= 0 && e.dels.size === 0) || this.now() - e.at > this.ttlMs) {
      this.byKey.delete(key);
      return true;
    }
    return false;
  }

  forget(key: string): void {
    this.byKey.delete(key);
  }

  private get(key: string): Expectation {
    let e = this.byKey.get(key);
    if (!e) this.byKey.set(key, (e = { adds: 0, dels: new Set(), at: this.now() }));
    return e;
  }
}
