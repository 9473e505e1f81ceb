/** Rego tokenizer: identifiers, numbers, strings (quoted, raw, template), operators; `#` comments. */
import type { Loc } from './ast.js';
import { parseError } from './errors.js';

export type TokKind = 'ident' | 'number' | 'string' | 'template' | 'op' | 'eof';

export interface Token {
  kind: TokKind;
  /** identifier name, operator text, number text, or decoded string value */
  text: string;
  /** template strings: literal parts and raw expression sources, alternating (starts with literal) */
  parts?: { lit: string[]; exprs: { src: string; row: number; col: number }[] };
  /** preceded by a newline (expressions end at line breaks) */
  nl: boolean;
  /** preceded by whitespace */
  ws: boolean;
  row: number;
  col: number;
  /** offset just after the token */
  end: number;
  start: number;
}

const OPS = [':=', '==', '!=', '<=', '>=', '{', '}', '[', ']', '(', ')', '.', ',', ';', ':', '=', '<', '>', '+', '-', '*', '/', '%', '|', '&'];

/** A `#` comment: its text after the `#`, and where the `#` is. */
export interface Comment {
  text: string;
  row: number;
  col: number;
}

/** Tokens of `src`; comments are dropped, or collected into `comments` when given (annotations). */
export function tokenize(src: string, file: string, comments?: Comment[]): Token[] {
  const toks: Token[] = [];
  let i = 0;
  let row = 1;
  let lineStart = 0;
  let nl = false;
  let ws = false;
  const n = src.length;
  const loc = (at: number): Loc => ({ file, row, col: at - lineStart + 1 });
  while (i < n) {
    const c = src.charCodeAt(i);
    if (c === 10) {
      i++;
      row++;
      lineStart = i;
      nl = true;
      ws = true;
      continue;
    }
    if (c === 32 || c === 9 || c === 13) {
      i++;
      ws = true;
      continue;
    }
    if (c === 35 /* # */) {
      const at = i;
      while (i < n && src.charCodeAt(i) !== 10) i++;
      comments?.push({ text: src.slice(at + 1, i).replace(/\r$/, ''), row, col: at - lineStart + 1 });
      continue;
    }
    const start = i;
    const col = i - lineStart + 1;
    const push = (kind: TokKind, text: string, extra?: Partial<Token>): void => {
      toks.push({ kind, text, nl, ws, row, col, end: i, start, ...extra });
      nl = false;
      ws = false;
    };
    if (isIdentStart(c)) {
      while (i < n && isIdentPart(src.charCodeAt(i))) i++;
      push('ident', src.slice(start, i));
      continue;
    }
    if (c >= 48 && c <= 57) {
      const m = /^(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/.exec(src.slice(i, i + 400));
      if (!m) throw parseError('invalid number', loc(i));
      i += m[0].length;
      if (i < n && isIdentPart(src.charCodeAt(i))) throw parseError(`unexpected character after number`, loc(i));
      push('number', m[0]);
      continue;
    }
    if (c === 34 /* " */) {
      const r = readQuoted(src, i, file, loc);
      i = r.end;
      push('string', r.value);
      continue;
    }
    if (c === 96 /* ` */) {
      const close = src.indexOf('`', i + 1);
      if (close < 0) throw parseError('unterminated raw string', loc(i));
      const text = src.slice(i + 1, close);
      for (const ch of text) if (ch === '\n') row++;
      const lastNl = text.lastIndexOf('\n');
      i = close + 1;
      const tok: Token = { kind: 'string', text, nl, ws, row, col, end: i, start };
      if (lastNl >= 0) {
        // the token started on an earlier line
        tok.row = row - text.split('\n').length + 1;
        lineStart = i - (text.length - lastNl);
      }
      toks.push(tok);
      nl = false;
      ws = false;
      continue;
    }
    if (c === 36 /* $ */ && (src[i + 1] === '"' || src[i + 1] === '`')) {
      const r = readTemplate(src, i + 1, file, loc, row, lineStart);
      i = r.end;
      push('template', '', { parts: r.parts });
      row = r.row;
      lineStart = r.lineStart;
      continue;
    }
    let op = '';
    for (const o of OPS) {
      if (src.startsWith(o, i)) {
        op = o;
        break;
      }
    }
    if (!op) throw parseError(`unexpected character ${JSON.stringify(src[i])}`, loc(i));
    i += op.length;
    push('op', op);
  }
  toks.push({ kind: 'eof', text: '<eof>', nl: true, ws: true, row, col: i - lineStart + 1, end: i, start: i });
  return toks;
}

function isIdentStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
}

function isIdentPart(c: number): boolean {
  return isIdentStart(c) || (c >= 48 && c <= 57);
}

function readQuoted(src: string, at: number, _file: string, loc: (at: number) => Loc): { value: string; end: number } {
  let i = at + 1;
  let out = '';
  for (;;) {
    if (i >= src.length || src[i] === '\n') throw parseError('non-terminated string', loc(at));
    const ch = src[i]!;
    if (ch === '"') return { value: out, end: i + 1 };
    if (ch === '\\') {
      const e = src[i + 1];
      switch (e) {
        case '"':
        case '\\':
        case '/':
          out += e;
          i += 2;
          continue;
        case 'b':
          out += '\b';
          i += 2;
          continue;
        case 'f':
          out += '\f';
          i += 2;
          continue;
        case 'n':
          out += '\n';
          i += 2;
          continue;
        case 'r':
          out += '\r';
          i += 2;
          continue;
        case 't':
          out += '\t';
          i += 2;
          continue;
        case 'u': {
          const hex = src.slice(i + 2, i + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw parseError('invalid unicode escape in string', loc(i));
          out += String.fromCharCode(parseInt(hex, 16));
          i += 6;
          continue;
        }
        default:
          throw parseError(`invalid escape sequence \\${e ?? ''} in string`, loc(i));
      }
    }
    out += ch;
    i++;
  }
}

/** $"text {expr} text" or $`raw {expr}`; `\{` escapes a brace in quoted templates. */
function readTemplate(
  src: string,
  at: number,
  _file: string,
  loc: (at: number) => Loc,
  row0: number,
  lineStart0: number,
): { parts: NonNullable<Token['parts']>; end: number; row: number; lineStart: number } {
  const raw = src[at] === '`';
  const quote = raw ? '`' : '"';
  let i = at + 1;
  let row = row0;
  let lineStart = lineStart0;
  const lit: string[] = [];
  const exprs: { src: string; row: number; col: number }[] = [];
  let cur = '';
  for (;;) {
    if (i >= src.length) throw parseError('non-terminated template string', loc(at));
    const ch = src[i]!;
    if (ch === quote) {
      lit.push(cur);
      return { parts: { lit, exprs }, end: i + 1, row, lineStart };
    }
    if (ch === '\n') {
      if (!raw) throw parseError('non-terminated template string', loc(at));
      row++;
      lineStart = i + 1;
    }
    if (ch === '\\' && (src[i + 1] === '{' || src[i + 1] === '}')) {
      cur += src[i + 1];
      i += 2;
      continue;
    }
    if (!raw && ch === '\\') {
      const e = src[i + 1];
      // decode a single escape using the quoted-string reader
      const esc = e === 'u' ? src.slice(i, i + 6) : src.slice(i, i + 2);
      cur += readQuoted(`"${esc}"`, 0, _file, loc).value;
      i += esc.length;
      continue;
    }
    if (ch === '{') {
      // find the matching close brace, skipping nested braces and strings
      let depth = 1;
      let j = i + 1;
      while (j < src.length && depth > 0) {
        const d = src[j]!;
        if (d === '"') {
          j++;
          while (j < src.length && src[j] !== '"') j += src[j] === '\\' ? 2 : 1;
        } else if (d === '{') depth++;
        else if (d === '}') depth--;
        j++;
      }
      if (depth > 0) throw parseError('unterminated template expression', loc(i));
      lit.push(cur);
      cur = '';
      exprs.push({ src: src.slice(i + 1, j - 1), row, col: i + 1 - lineStart + 1 });
      i = j;
      continue;
    }
    cur += ch;
    i++;
  }
}
