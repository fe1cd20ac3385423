// Label and field selectors, parsed from the query-string form (`app=nginx,tier!=db,env in (a,b),!x`)
// and from the LabelSelector object form (matchLabels + matchExpressions).
import { errors } from './errors.js';

export type Requirement =
  | { key: string; op: 'in' | 'notin'; values: string[] }
  | { key: string; op: 'exists' | 'doesnotexist' };

export type Selector = Requirement[]; // AND of requirements; empty matches everything

export function parseLabelSelector(text: string | undefined | null): Selector {
  const out: Selector = [];
  if (!text) return out;
  for (const raw of splitTop(text)) {
    const part = raw.trim();
    if (!part) continue;
    let m: RegExpMatchArray | null;
    if ((m = part.match(/^([^\s!=]+)\s+(in|notin)\s+\(([^)]*)\)$/))) {
      out.push({ key: m[1], op: m[2] as 'in' | 'notin', values: m[3].split(',').map((v) => v.trim()).filter(Boolean) });
    } else if ((m = part.match(/^([^\s!=]+)\s*(==|=|!=)\s*([^\s]*)$/))) {
      out.push({ key: m[1], op: m[2] === '!=' ? 'notin' : 'in', values: [m[3]] });
    } else if ((m = part.match(/^!\s*([^\s!=]+)$/))) {
      out.push({ key: m[1], op: 'doesnotexist' });
    } else if ((m = part.match(/^([^\s!=()]+)$/))) {
      out.push({ key: m[1], op: 'exists' });
    } else {
      throw errors.badRequest(`unable to parse requirement: ${JSON.stringify(part)}`);
    }
  }
  return out;
}

function splitTop(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  parts.push(cur);
  return parts;
}

export interface LabelSelectorObject {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

export function fromLabelSelectorObject(sel: LabelSelectorObject | undefined | null): Selector {
  const out: Selector = [];
  if (!sel) return out;
  for (const [key, value] of Object.entries(sel.matchLabels ?? {})) out.push({ key, op: 'in', values: [value] });
  for (const e of sel.matchExpressions ?? []) {
    const op = e.operator.toLowerCase();
    if (op === 'in' || op === 'notin') out.push({ key: e.key, op, values: e.values ?? [] });
    else if (op === 'exists') out.push({ key: e.key, op: 'exists' });
    else if (op === 'doesnotexist') out.push({ key: e.key, op: 'doesnotexist' });
  }
  return out;
}

export function matchesLabels(selector: Selector, labels: Record<string, string> | undefined | null): boolean {
  const l = labels ?? {};
  for (const req of selector) {
    const has = Object.prototype.hasOwnProperty.call(l, req.key);
    switch (req.op) {
      case 'in':
        if (!has || !req.values.includes(l[req.key])) return false;
        break;
      case 'notin':
        if (has && req.values.includes(l[req.key])) return false;
        break;
      case 'exists':
        if (!has) return false;
        break;
      case 'doesnotexist':
        if (has) return false;
        break;
    }
  }
  return true;
}

/** A plain `{app: nginx}` map as a selector (Service.spec.selector, ReplicaSet matchLabels). */
export function fromMap(map: Record<string, string> | undefined | null): Selector {
  return Object.entries(map ?? {}).map(([key, value]) => ({ key, op: 'in' as const, values: [value] }));
}

export function selectorToString(selector: Selector): string {
  return selector.map((r) => {
    switch (r.op) {
      case 'in': return r.values.length === 1 ? `${r.key}=${r.values[0]}` : `${r.key} in (${r.values.join(',')})`;
      case 'notin': return r.values.length === 1 ? `${r.key}!=${r.values[0]}` : `${r.key} notin (${r.values.join(',')})`;
      case 'exists': return r.key;
      case 'doesnotexist': return `!${r.key}`;
    }
  }).join(',');
}

export interface FieldRequirement { path: string; op: '=' | '!='; value: string }

/** `metadata.name=x,spec.nodeName!=n1,status.phase=Running` */
export function parseFieldSelector(text: string | undefined | null): FieldRequirement[] {
  if (!text) return [];
  return text.split(',').filter(Boolean).map((part) => {
    const m = part.match(/^([^!=]+)(==|=|!=)(.*)$/);
    if (!m) throw errors.badRequest(`invalid selector: '${text}'; can't understand '${part}'`);
    return { path: m[1].trim(), op: m[2] === '!=' ? '!=' : '=', value: m[3].trim() };
  });
}

export function matchesFields(reqs: FieldRequirement[], obj: unknown): boolean {
  for (const r of reqs) {
    let v: unknown = obj;
    for (const seg of r.path.split('.')) v = v == null ? undefined : (v as Record<string, unknown>)[seg];
    const s = v == null ? '' : String(v);
    if (r.op === '=' ? s !== r.value : s === r.value) return false;
  }
  return true;
}
