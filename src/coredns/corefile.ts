// The Corefile: CoreDNS's configuration (Caddyfile syntax). Server blocks `ZONE[:PORT]… { … }`, each
// a list of plugin directives, a directive being a line of arguments optionally followed by a
// `{ … }` block of sub-directives. Pure: text in, structure (or an error worded as CoreDNS's) out.

export interface Directive {
  name: string;
  args: string[];
  block: Directive[];
  line: number;
}

export interface ServerKey {
  /** Lower-cased zone without the trailing dot; '' is the root `.`. */
  zone: string;
  port: number;
}

export interface ServerBlock {
  keys: ServerKey[];
  directives: Directive[];
  line: number;
}

export class CorefileError extends Error {
  constructor(readonly file: string, readonly line: number, message: string) {
    super(`${file}:${line} - Error during parsing: ${message}`);
  }
}

interface Token {
  text: string;
  line: number;
  /** First token on its line. */
  first: boolean;
  quoted: boolean;
}

function tokenize(text: string, file: string): Token[] {
  const out: Token[] = [];
  let line = 1;
  let lastLine = 0;
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '\n') { line++; i++; continue; }
    if (c === ' ' || c === '\t' || c === '\r') { i++; continue; }
    if (c === '#') { while (i < text.length && text[i] !== '\n') i++; continue; }
    const startLine = line;
    let tok = '';
    let quoted = false;
    if (c === '"') {
      quoted = true;
      i++;
      while (i < text.length && text[i] !== '"') {
        if (text[i] === '\\' && text[i + 1] === '"') { tok += '"'; i += 2; continue; }
        if (text[i] === '\n') line++;
        tok += text[i++];
      }
      if (i >= text.length) throw new CorefileError(file, startLine, 'Unterminated quoted string');
      i++;
    } else if (c === '{' || c === '}') {
      tok = c;
      i++;
    } else {
      while (i < text.length && !/[\s#]/.test(text[i])) tok += text[i++];
      // `foo{` and `foo}` at a line end: split off the brace
      if (tok.length > 1 && (tok.endsWith('{') || tok.endsWith('}'))) {
        out.push({ text: tok.slice(0, -1), line: startLine, first: startLine !== lastLine, quoted });
        lastLine = startLine;
        tok = tok.slice(-1);
      }
    }
    out.push({ text: tok, line: startLine, first: startLine !== lastLine, quoted });
    lastLine = line;
  }
  return out;
}

export function parseServerKey(key: string, file: string, line: number): ServerKey {
  let k = key.trim().toLowerCase();
  for (const scheme of ['dns://', 'tls://', 'grpc://', 'https://', 'quic://']) {
    if (k.startsWith(scheme)) {
      if (scheme !== 'dns://') throw new CorefileError(file, line, `plugin/kdp: transport ${scheme.slice(0, -3)} is not supported by kdp (only dns://)`);
      k = k.slice(scheme.length);
    }
  }
  let port = 53;
  const colon = k.lastIndexOf(':');
  if (colon >= 0) {
    const p = k.slice(colon + 1);
    port = Number(p);
    if (p === '' || !Number.isInteger(port) || port < 0 || port > 65535) throw new CorefileError(file, line, `invalid port '${p}' in server key '${key}'`);
    k = k.slice(0, colon);
  }
  if (k === '') throw new CorefileError(file, line, `missing zone in server key '${key}'`);
  const zone = k === '.' ? '' : k.replace(/\.$/, '');
  return { zone, port };
}

/** Parses a Corefile; throws CorefileError naming the file and line. */
export function parseCorefile(text: string, file = 'Corefile'): ServerBlock[] {
  const toks = tokenize(text, file);
  let i = 0;
  const blocks: ServerBlock[] = [];

  const directives = (closeLine: number): Directive[] => {
    const out: Directive[] = [];
    for (;;) {
      const t = toks[i];
      if (!t) throw new CorefileError(file, closeLine, "Unexpected EOF, expecting '}'");
      if (t.text === '}' && !t.quoted) { i++; return out; }
      if (t.text === '{' && !t.quoted) throw new CorefileError(file, t.line, "Unexpected token '{', expecting a directive");
      const d: Directive = { name: t.text.toLowerCase(), args: [], block: [], line: t.line };
      i++;
      while (i < toks.length && !toks[i].first && !(toks[i].text === '{' && !toks[i].quoted) && !(toks[i].text === '}' && !toks[i].quoted)) d.args.push(toks[i++].text);
      if (toks[i]?.text === '{' && !toks[i].quoted && toks[i].line === t.line) {
        i++;
        d.block = directives(toks[i - 1].line);
      }
      out.push(d);
    }
  };

  while (i < toks.length) {
    const start = toks[i];
    const keys: string[] = [];
    while (i < toks.length && !(toks[i].text === '{' && !toks[i].quoted)) {
      if (toks[i].text === '}') throw new CorefileError(file, toks[i].line, "Unexpected token '}'");
      keys.push(...toks[i].text.split(',').filter(Boolean));
      i++;
    }
    if (i >= toks.length) throw new CorefileError(file, start.line, `Unexpected EOF, expecting '{' after '${keys.join(' ')}'`);
    i++;
    const block: ServerBlock = { keys: keys.map((k) => parseServerKey(k, file, start.line)), directives: [], line: start.line };
    block.directives = directives(start.line);
    blocks.push(block);
  }
  if (blocks.length === 0) throw new CorefileError(file, 1, 'no server blocks');
  const seen = new Set<string>();
  for (const b of blocks) {
    for (const k of b.keys) {
      const id = `${k.zone || '.'}:${k.port}`;
      if (seen.has(id)) throw new CorefileError(file, b.line, `cannot serve dns://${k.zone || '.'}${k.zone ? '.' : ''}:${k.port} - it is already defined`);
      seen.add(id);
    }
  }
  return blocks;
}

/** Is `name` (lower-cased, no trailing dot) inside `zone` ('' = root)? */
export function inZone(name: string, zone: string): boolean {
  if (zone === '') return true;
  return name === zone || (name.length > zone.length && name.endsWith(zone) && name[name.length - zone.length - 1] === '.');
}

/** A zone argument as written (`cluster.local.`, `.`, `10.in-addr.arpa`) in the internal form. */
export function normalizeZone(z: string): string {
  const l = z.toLowerCase();
  return l === '.' ? '' : l.replace(/\.$/, '');
}
