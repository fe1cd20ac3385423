// Reading manifests for `apply|create|delete -f`: files, directories (*.yaml, *.yml, *.json in sorted
// order, -R to recurse) and `-` (stdin); multi-document YAML; `kind: List` expanded. Like kubectl,
// every document is parsed and checked before anything is sent, and errors read like kubectl's:
//   error: error parsing f.yaml: error converting YAML to JSON: yaml: line 3: mapping values are not allowed in this context
//   error: error validating "f.yaml": error validating data: kind not set; if you choose to ignore these errors, turn validation off with --validate=false
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import YAML, { type YAMLError } from 'yaml';
import type { KObject } from '../api/types.js';
import { CliError } from './errors.js';

export interface ManifestDoc {
  /** Where it came from, as kubectl names it: the path as given, or `STDIN`. */
  source: string;
  object: KObject;
}

const EXTENSIONS = ['.json', '.yaml', '.yml'];

/** go-yaml's wording for the problems the `yaml` package reports. */
function goYamlMessage(e: YAMLError, docText: string): string {
  const start = e.linePos?.[0]?.line ?? 1;
  const end = e.linePos?.[1]?.line ?? start;
  switch (e.code) {
    case 'BLOCK_AS_IMPLICIT_KEY':
    case 'MULTILINE_IMPLICIT_KEY':
      return `yaml: line ${end}: mapping values are not allowed in this context`;
    case 'BAD_INDENT':
      return e.message.startsWith('Flow')
        ? `yaml: line ${start}: did not find expected ',' or ']'`
        : `yaml: line ${start}: did not find expected key`;
    case 'TAB_AS_INDENT':
      return `yaml: line ${start}: found character that cannot start any token`;
    case 'MISSING_CHAR':
      return `yaml: line ${start}: found unexpected end of stream`;
    case 'UNEXPECTED_TOKEN':
      return `yaml: line ${start}: did not find expected '-' indicator`;
    case 'DUPLICATE_KEY': {
      const key = (docText.split('\n')[start - 1] ?? '').replace(/^[\s-]*/, '').split(':')[0].trim().replace(/^["']|["']$/g, '');
      return `yaml: unmarshal errors:\n  line ${start}: key ${JSON.stringify(key)} already set in map`;
    }
    default: {
      const text = e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
      return `yaml: line ${start}: ${text.charAt(0).toLowerCase()}${text.slice(1)}`;
    }
  }
}

/** Splits on `---` lines so line numbers are per document, as kubectl's YAML decoder counts them. */
function splitDocuments(text: string): string[] {
  const docs: string[] = [];
  let cur: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (/^---(\s.*)?$/.test(line)) {
      docs.push(cur.join('\n'));
      cur = [];
    } else {
      cur.push(line);
    }
  }
  docs.push(cur.join('\n'));
  return docs;
}

function validate(obj: unknown, source: string): KObject | undefined {
  if (obj === null || obj === undefined) return undefined;
  if (typeof obj !== 'object' || Array.isArray(obj)) {
    throw new CliError(`error validating "${source}": error validating data: invalid object to validate; if you choose to ignore these errors, turn validation off with --validate=false`);
  }
  const o = obj as Record<string, unknown>;
  const missing: string[] = [];
  if (!o.apiVersion) missing.push('apiVersion not set');
  if (!o.kind) missing.push('kind not set');
  if (missing.length) {
    const what = missing.length === 1 ? missing[0] : `[${missing.join(', ')}]`;
    throw new CliError(`error validating "${source}": error validating data: ${what}; if you choose to ignore these errors, turn validation off with --validate=false`);
  }
  return o as KObject;
}

/** Parses one file's text into objects (kind: List expanded). Throws CliError on bad input. */
export function parseManifest(text: string, source: string): ManifestDoc[] {
  const out: ManifestDoc[] = [];
  for (const docText of splitDocuments(text)) {
    if (!docText.trim()) continue;
    const doc = YAML.parseDocument(docText, { uniqueKeys: true, version: '1.1' });
    if (doc.errors.length) {
      throw new CliError(`error parsing ${source}: error converting YAML to JSON: ${goYamlMessage(doc.errors[0], docText)}`);
    }
    const value = doc.toJS({ maxAliasCount: 1000 });
    const obj = validate(value, source);
    if (!obj) continue;
    if (obj.kind === 'List' || (typeof obj.kind === 'string' && obj.kind.endsWith('List') && Array.isArray(obj.items))) {
      for (const item of obj.items ?? []) {
        const v = validate(item, source);
        if (v) out.push({ source, object: v });
      }
    } else {
      out.push({ source, object: obj });
    }
  }
  return out;
}

function filesOf(path: string, recursive: boolean, top: boolean): string[] {
  let st;
  try {
    st = statSync(path);
  } catch {
    throw new CliError(`the path "${path}" does not exist`);
  }
  if (!st.isDirectory()) return [path];
  if (!top && !recursive) return [];
  const out: string[] = [];
  for (const name of readdirSync(path).sort()) {
    const full = join(path, name);
    const isDir = statSync(full).isDirectory();
    if (isDir) out.push(...filesOf(full, recursive, false));
    else if (EXTENSIONS.some((ext) => name.endsWith(ext))) out.push(full);
  }
  return out;
}

export interface ReadOptions {
  recursive?: boolean;
  readStdin?: () => Promise<string>;
}

/** Reads and parses every `-f` argument; all documents are checked before any is returned. */
export async function readManifests(paths: string[], opts: ReadOptions = {}): Promise<ManifestDoc[]> {
  if (!paths.length) throw new CliError('must specify one of -f and -k');
  const docs: ManifestDoc[] = [];
  for (const p of paths) {
    if (p === '-') {
      const text = opts.readStdin ? await opts.readStdin() : await readAll(process.stdin);
      docs.push(...parseManifest(text, 'STDIN'));
      continue;
    }
    if (/^https?:\/\//.test(p)) throw new CliError(`reading manifests from URLs is not supported by kdp: ${p}`);
    for (const file of filesOf(p, !!opts.recursive, true)) {
      docs.push(...parseManifest(readFileSync(file, 'utf8'), file));
    }
  }
  return docs;
}

export async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string));
  return Buffer.concat(chunks).toString('utf8');
}
