// The `rewrite` plugin, `name` rules: the question name is rewritten before the rest of the chain
// sees it (`exact`, `prefix`, `suffix`, `substring`, `regex` with {1}… groups), and the response is
// turned back: the client gets its own question, and answer records owned by the rewritten name
// carry the original name (`answer auto`), so stub resolvers accept them. Rules run in order;
// the first match wins unless it says `continue`.
import { decodeMessage } from './message.js';
import { parseQuery } from './wire.js';
import { isRaw, type DnsRequest, type DnsResult, type Handler, type Next, type Reply, type Rr } from './types.js';

export type MatchType = 'exact' | 'prefix' | 'suffix' | 'substring' | 'regex';

export interface NameRule {
  mode: 'stop' | 'continue';
  match: MatchType;
  from: string;
  to: string;
  regex?: RegExp;
}

/** Builds a rule from the arguments after `name`; throws a CoreDNS-style message when malformed. */
export function nameRule(args: string[], mode: 'stop' | 'continue'): NameRule {
  let a = args.slice();
  let match: MatchType = 'exact';
  if (['exact', 'prefix', 'suffix', 'substring', 'regex'].includes(a[0]?.toLowerCase())) match = a.shift()!.toLowerCase() as MatchType;
  // `answer auto` / `answer name FROM TO` options are accepted: kdp always turns answers back.
  const ai = a.findIndex((x) => x.toLowerCase() === 'answer');
  if (ai >= 0) a = a.slice(0, ai);
  if (a.length !== 2) throw new Error(`plugin/rewrite: name rule needs FROM and TO, got ${JSON.stringify(args.join(' '))}`);
  const norm = (s: string) => s.toLowerCase().replace(/\.$/, '');
  const rule: NameRule = { mode, match, from: match === 'regex' ? a[0] : norm(a[0]), to: match === 'regex' ? a[1].replace(/\.$/, '') : norm(a[1]) };
  if (match === 'regex') {
    try {
      rule.regex = new RegExp(withoutRootDot(a[0]), 'i');
    } catch (e) {
      throw new Error(`plugin/rewrite: invalid regex ${JSON.stringify(a[0])}: ${(e as Error).message}`);
    }
  }
  return rule;
}

/** CoreDNS matches regexes against the FQDN (`…\.example\.$`); kdp's names have no trailing dot. */
function withoutRootDot(p: string): string {
  if (p.endsWith('\\.$')) return p.slice(0, -3) + '$';
  if (p.endsWith('\\.')) return p.slice(0, -2);
  return p.endsWith('.') && !p.endsWith('\\.') ? p.slice(0, -1) : p;
}

export function applyRule(rule: NameRule, name: string): string | undefined {
  switch (rule.match) {
    case 'exact': return name === rule.from ? rule.to : undefined;
    case 'prefix': return name.startsWith(rule.from) ? rule.to + name.slice(rule.from.length) : undefined;
    case 'suffix': return name.endsWith(rule.from) ? name.slice(0, name.length - rule.from.length) + rule.to : undefined;
    case 'substring': return name.includes(rule.from) ? name.replace(rule.from, rule.to) : undefined;
    case 'regex': {
      const m = rule.regex!.exec(name);
      if (!m) return undefined;
      return rule.to.replace(/\{(\d+)\}/g, (_, i: string) => m[Number(i)] ?? '').toLowerCase();
    }
  }
}

export class RewriteHandler implements Handler {
  readonly name = 'rewrite';
  constructor(readonly rules: NameRule[]) {}

  serveDns(req: DnsRequest, next: Next): DnsResult | Promise<DnsResult> {
    const original = req.query.name;
    let name = original;
    for (const r of this.rules) {
      const out = applyRule(r, name);
      if (out === undefined) continue;
      name = out;
      if (r.mode === 'stop') break;
    }
    if (name === original) return next(req);
    const wire = withQuestionName(req.wire, req.query.questionEnd, name);
    const parsed = wire && parseQuery(wire);
    if (!parsed || parsed.kind !== 'query') return next(req);
    const sub: DnsRequest = { ...req, query: parsed.query, wire };
    const back = (r: DnsResult): DnsResult => {
      req.answeredBy = sub.answeredBy;
      let reply: Reply;
      try {
        reply = isRaw(r) ? decodeMessage(r.raw) : r;
      } catch {
        return r;
      }
      const fix = (rr: Rr): Rr => (rr.name === name ? { ...rr, name: original } : rr);
      return { ...reply, answer: reply.answer.map(fix), authority: reply.authority, additional: reply.additional.map(fix) };
    };
    const res = next(sub);
    return res instanceof Promise ? res.then(back) : back(res);
  }
}

/** The request with its question name replaced (header, type, class and EDNS kept). */
function withQuestionName(wire: Buffer, questionEnd: number, name: string): Buffer | undefined {
  let off = 12;
  while (off < wire.length && wire[off] !== 0) off += 1 + wire[off];
  const nameEnd = off + 1;
  const labels = name.split('.').filter(Boolean);
  if (labels.some((l) => l.length > 63) || name.length > 253) return undefined;
  const enc = Buffer.alloc(labels.reduce((n, l) => n + l.length + 1, 0) + 1);
  let o = 0;
  for (const l of labels) { enc[o++] = l.length; o += enc.write(l, o, 'latin1'); }
  return Buffer.concat([wire.subarray(0, 12), enc, wire.subarray(nameEnd, questionEnd), wire.subarray(questionEnd)]);
}
