// -o json | yaml | name: objects printed as kubectl prints them (keys sorted as Go marshals maps,
// JSON indented by 4, YAML block style with sequences not indented, several objects as a v1 List).
import YAML from 'yaml';

export type OutputFormat = 'table' | 'wide' | 'json' | 'yaml' | 'name' | 'jsonpath';

export function parseOutput(o: string | undefined): OutputFormat {
  return parseOutputSpec(o).format;
}

/** `-o` value: a format, and for `jsonpath=TEMPLATE` the template (quotes around it are dropped). */
export function parseOutputSpec(o: string | undefined): { format: OutputFormat; template?: string } {
  if (!o) return { format: 'table' };
  if (['wide', 'json', 'yaml', 'name'].includes(o)) return { format: o as OutputFormat };
  const m = o.match(/^jsonpath=(.*)$/s);
  if (m) {
    let template = m[1];
    if (/^'.*'$/s.test(template) || /^".*"$/s.test(template)) template = template.slice(1, -1);
    if (!template) throw new Error('template format specified but no template given');
    return { format: 'jsonpath', template };
  }
  throw new Error(`unable to match a printer suitable for the output format "${o}", allowed formats are: json,jsonpath,name,wide,yaml`);
}

export function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) out[k] = sortKeys((v as Record<string, unknown>)[k]);
    return out;
  }
  return v;
}

export function toJson(obj: unknown): string {
  return `${JSON.stringify(sortKeys(obj), null, 4)}\n`;
}

export function toYaml(obj: unknown): string {
  // YAML 1.1 rules quote strings go-yaml quotes too (timestamps, yes/no/on/off).
  return YAML.stringify(sortKeys(obj), { version: '1.1', indentSeq: false, lineWidth: 0, minContentWidth: 0 });
}

export function asList(items: unknown[]): object {
  return { apiVersion: 'v1', items, kind: 'List', metadata: { resourceVersion: '' } };
}

/** kubectl hides metadata.managedFields unless --show-managed-fields. */
export function withoutManagedFields<T>(obj: T): T {
  const o = obj as { metadata?: { managedFields?: unknown } };
  if (!o?.metadata?.managedFields) return obj;
  const { managedFields: _hidden, ...metadata } = o.metadata;
  return { ...o, metadata } as T;
}

/** Formats objects for json/yaml: one object as itself, otherwise a List. */
export function formatObjects(format: 'json' | 'yaml', objects: unknown[], forceList = false): string {
  objects = objects.map(withoutManagedFields);
  const doc = objects.length === 1 && !forceList ? objects[0] : asList(objects);
  return format === 'json' ? toJson(doc) : toYaml(doc);
}
