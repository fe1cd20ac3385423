// Waits for a condition with a deadline instead of sleeping: retries `fn` until it stops throwing.
export async function eventually<T>(fn: () => T | Promise<T>, opts: { timeout?: number; interval?: number; what?: string } = {}): Promise<T> {
  const deadline = Date.now() + (opts.timeout ?? 10_000);
  let last: unknown;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      const msg = last instanceof Error ? last.message : String(last);
      throw new Error(`${opts.what ?? 'condition'} not met within ${opts.timeout ?? 10_000} ms: ${msg}`);
    }
    await new Promise((r) => setTimeout(r, opts.interval ?? 25));
  }
}

/**
 * Waits until `fn` gives a truthy value and returns it (a throw counts as "not yet"): for conditions
 * read off the store, e.g. `await until(() => pod('web')?.status?.podIP, 'web has an IP')`.
 */
export function until<T>(fn: () => T | undefined | null | false | Promise<T | undefined | null | false>, what: string, timeout = 10_000): Promise<T> {
  return eventually(async () => {
    const v = await fn();
    if (!v) throw new Error('still false');
    return v;
  }, { timeout, what, interval: 50 });
}
