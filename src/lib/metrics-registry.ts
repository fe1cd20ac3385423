// Metrics that components already count, gathered for one `/metrics` (the dashboard's) without the
// dashboard importing them. The composition root hands one registry to a component, which adds a
// render function per instance (a CoreDNS pod); reading happens only when someone scrapes. Families
// of the same name from several instances are merged under one HELP/TYPE, each sample labelled
// `instance="<name>"` so series stay distinct, as Prometheus's own target label does.

export type RenderMetrics = () => string;

export class MetricsRegistry {
  private readonly sources = new Map<string, RenderMetrics>();

  /** Adds an instance's metrics (Prometheus text); the returned function removes them. */
  add(instance: string, render: RenderMetrics): () => void {
    this.sources.set(instance, render);
    return () => {
      if (this.sources.get(instance) === render) this.sources.delete(instance);
    };
  }

  /** Every instance's families merged, in the order first seen, in the Prometheus text format. */
  render(): string {
    const families = new Map<string, { help?: string; type?: string; samples: string[] }>();
    for (const [instance, render] of [...this.sources].sort(([a], [b]) => (a < b ? -1 : 1))) {
      let text: string;
      try {
        text = render();
      } catch {
        continue; // an instance that cannot render now (stopping) is left out of this scrape
      }
      let current: string | undefined;
      const family = (name: string) => {
        let f = families.get(name);
        if (!f) families.set(name, (f = { samples: [] }));
        return f;
      };
      for (const line of text.split('\n')) {
        const meta = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
        if (meta) {
          current = meta[2];
          const f = family(current);
          if (meta[1] === 'HELP') f.help ??= meta[3];
          else f.type ??= meta[3];
          continue;
        }
        const s = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (.+)$/.exec(line);
        if (!s) continue;
        const name = current && s[1].startsWith(current) ? current : s[1];
        const inst = `instance="${instance.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
        family(name).samples.push(`${s[1]}{${s[2] ? `${inst},${s[2]}` : inst}} ${s[3]}`);
      }
    }
    const out: string[] = [];
    for (const [name, f] of families) {
      if (!f.samples.length) continue;
      if (f.help !== undefined) out.push(`# HELP ${name} ${f.help}`);
      if (f.type !== undefined) out.push(`# TYPE ${name} ${f.type}`);
      out.push(...f.samples);
    }
    return out.length ? out.join('\n') + '\n' : '';
  }
}
