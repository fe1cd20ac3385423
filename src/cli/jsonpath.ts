// `-o jsonpath=TEMPLATE`: kubectl's JSONPath templates — `{.spec.clusterIP}`, `{.items[*].metadata.name}`,
// `{.status.addresses[?(@.type=="InternalIP")].address}`, `{range .items[*]}{.metadata.name}{"\n"}{end}`,
// `..name`, `['a.b']`, `[0]`, `[-1]`, `[0:2]`. Several results print space-separated.
import { CliError } from './errors.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Node = { kind: 'text'; text: string } | { kind: 'expr'; path: string } | { kind: 'range'; path: string; body: Node[] };

function parseTemplate(tpl: string): Node[] {
  const root: Node[] = [];
  const stack: Node[][] = [root];
  const ranges: { path: string; body: Node[] }[] = [];
  let i = 0;
  while (i < tpl.length) {
    const open = tpl.indexOf('{', i);
    if (open < 0) {
      stack[stack.length - 1].push({ kind: 'text', text: tpl.slice(i) });
      break;
    }
    if (open > i) stack[stack.length - 1].push({ kind: 'text', text: tpl.slice(i, open) });
    let depth = 0;
    let close = -1;
    let quote = '';
    for (let j = open; j < tpl.length; j++) {
      const ch = tpl[j];
      if (quote) {
        if (ch === '\\') j++;
        else if (ch === quote) quote = '';
      } else if (ch === '"' || ch === "'") quote = ch;
      else if (ch === '{') depth++;
      else if (ch === '}' && --depth === 0) {
        close = j;
        break;
      }
    }
    if (close < 0) throw new CliError(`error parsing jsonpath ${tpl}, unclosed action`);
    const inner = tpl.slice(open + 1, close).trim();
    const cur = stack[stack.length - 1];
    if (inner.startsWith('range ')) {
      const node = { kind: 'range' as const, path: inner.slice(6).trim(), body: [] as Node[] };
      cur.push(node);
      ranges.push(node);
      stack.push(node.body);
    } else if (inner === 'end') {
      if (stack.length === 1) throw new CliError(`error parsing jsonpath ${tpl}, not in range, nothing to end`);
      stack.pop();
      ranges.pop();
    } else if (/^".*"$/s.test(inner) || /^'.*'$/s.test(inner)) {
      cur.push({ kind: 'text', text: JSON.parse(inner.startsWith("'") ? `"${inner.slice(1, -1).replace(/"/g, '\\"')}"` : inner) });
    } else {
      cur.push({ kind: 'expr', path: inner });
    }
    i = close + 1;
  }
  return root;
}

function children(v: any): any[] {
  if (Array.isArray(v)) return v;
  if (v && typeof v === 'object') return Object.values(v);
  return [];
}

function descendants(v: any): any[] {
  const out: any[] = [v];
  for (const c of children(v)) out.push(...descendants(c));
  return out;
}

function literal(text: string): any {
  const t = text.trim();
  if (/^(['"]).*\1$/.test(t)) return t.slice(1, -1);
  if (t === 'true' || t === 'false') return t === 'true';
  if (!Number.isNaN(Number(t))) return Number(t);
  return t;
}

function filter(items: any[], expr: string): any[] {
  const m = expr.match(/^@((?:\.[\w-]+|\[['"][^'"]+['"]\])*)\s*(==|!=|<=|>=|<|>)?\s*(.*)$/);
  if (!m) throw new CliError(`unrecognized filter: ${expr}`);
  return items.flatMap(children).filter((item) => {
    const got = evaluate(`${m[1]}`, [item])[0];
    if (!m[2]) return got !== undefined;
    const want = literal(m[3]);
    switch (m[2]) {
      case '==': return got == want; // eslint-disable-line eqeqeq
      case '!=': return got != want; // eslint-disable-line eqeqeq
      case '<': return got < want;
      case '>': return got > want;
      case '<=': return got <= want;
      default: return got >= want;
    }
  });
}

/** Evaluates one path against the current values; returns every match. */
export function evaluate(path: string, current: any[]): any[] {
  let vals = current;
  let p = path.trim();
  if (p.startsWith('$')) p = p.slice(1);
  while (p.length) {
    let m: RegExpMatchArray | null;
    if ((m = p.match(/^\.\.([\w-]+)/))) {
      const key = m[1];
      vals = vals.flatMap(descendants).filter((v) => v && typeof v === 'object' && !Array.isArray(v) && key in v).map((v) => v[key]);
    } else if ((m = p.match(/^\.([\w-]+)/))) {
      const key = m[1];
      vals = vals.filter((v) => v && typeof v === 'object' && key in v).map((v) => v[key]);
    } else if ((m = p.match(/^\[\*\]/)) || (m = p.match(/^\.\*/))) {
      vals = vals.flatMap(children);
    } else if ((m = p.match(/^\[\?\((.*?)\)\]/))) {
      vals = filter(vals, m[1]);
    } else if ((m = p.match(/^\[(['"])(.*?)\1\]/))) {
      const key = m[2];
      vals = vals.filter((v) => v && typeof v === 'object' && key in v).map((v) => v[key]);
    } else if ((m = p.match(/^\[(-?\d*):(-?\d*)\]/))) {
      const [s, e] = [m[1], m[2]];
      vals = vals.flatMap((v) => (Array.isArray(v) ? v.slice(s ? Number(s) : 0, e ? Number(e) : undefined) : []));
    } else if ((m = p.match(/^\[(-?\d+)\]/))) {
      const idx = Number(m[1]);
      vals = vals.flatMap((v) => {
        if (!Array.isArray(v)) return [];
        const i = idx < 0 ? v.length + idx : idx;
        if (i < 0 || i >= v.length) throw new CliError(`array index out of bounds: index ${idx}, length ${v.length}`);
        return [v[i]];
      });
    } else if (p.startsWith('.') && p.length === 1) {
      break;
    } else {
      throw new CliError(`unrecognized character in action: ${p}`);
    }
    p = p.slice(m[0].length);
  }
  return vals;
}

function show(v: any): string {
  if (typeof v === 'string') return v;
  if (v === null || v === undefined) return '';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

function render(nodes: Node[], data: any): string {
  let out = '';
  for (const n of nodes) {
    if (n.kind === 'text') out += n.text;
    else if (n.kind === 'expr') out += evaluate(n.path, [data]).map(show).join(' ');
    else for (const item of evaluate(n.path, [data]).flatMap((v) => (Array.isArray(v) ? v : [v]))) out += render(n.body, item);
  }
  return out;
}

export function jsonpath(template: string, data: unknown): string {
  return render(parseTemplate(template), data);
}
