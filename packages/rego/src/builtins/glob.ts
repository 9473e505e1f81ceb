/**
 * glob.match and glob.quote_meta with the semantics of gobwas/glob, which OPA uses:
 * `*` matches any run of non-delimiter characters, `**` any run at all, `?` one non-delimiter
 * character, `[abc]`/`[!abc]`/`[a-z]`/`[!a-z]` one character in (or not in) the list or range,
 * `{a,b}` one of the alternatives, `\` escapes. Delimiters default to "." when the list is
 * empty and to none when it is null. Patterns compile to anchored RE2 expressions run by re2js
 * (linear in the input, whatever the pattern: `*a*a*a*b` on a long run of `a`s cannot backtrack),
 * LRU cached.
 */
import { RE2JS } from 're2js';
import { type Value } from '../value.js';
import { elementError, operandMessage } from './operands.js';
import { BuiltinError, operandError, registerBuiltins, type BuiltinDef } from './registry.js';

const SPECIALS = new Set(['*', '?', '\\', '[', ']', '{', '}']);

/** A character as an RE2 escape: safe inside and outside classes. */
function hex(c: string): string {
  return `\\x{${c.codePointAt(0)!.toString(16)}}`;
}

/** An RE2 class that matches nothing (RE2 has no `(?!)`). */
const NOTHING = '[^\\x{0}-\\x{10ffff}]';

class GlobParser {
  private pos = 0;
  constructor(
    private readonly text: string,
    private readonly delimiters: string[],
  ) {}

  private peek(): string | undefined {
    const cp = this.text.codePointAt(this.pos);
    return cp === undefined ? undefined : String.fromCodePoint(cp);
  }

  private next(): string | undefined {
    const c = this.peek();
    if (c !== undefined) this.pos += c.length;
    return c;
  }

  private get notDelimiter(): string {
    return this.delimiters.length === 0 ? '[\\s\\S]' : `[^${this.delimiters.map(hex).join('')}]`;
  }

  parse(): string {
    const body = this.sequence(false);
    if (this.pos < this.text.length) throw new BuiltinError(`unexpected ${this.peek()} in glob`);
    return `^${body}$`;
  }

  private sequence(inTerms: boolean): string {
    let out = '';
    for (;;) {
      const c = this.peek();
      if (c === undefined) {
        if (inTerms) throw new BuiltinError('unexpected end of input: missing }');
        return out;
      }
      if (inTerms && (c === ',' || c === '}')) return out;
      if (c === '{') out += this.terms();
      else if (c === '[') out += this.range();
      else if (c === '?') {
        this.next();
        out += this.notDelimiter;
      } else if (c === '*') {
        this.next();
        if (this.peek() === '*') {
          this.next();
          out += '[\\s\\S]*';
        } else out += this.notDelimiter + '*';
      } else out += this.textRun(inTerms);
    }
  }

  private terms(): string {
    this.next(); // {
    const alts = [this.sequence(true)];
    while (this.peek() === ',') {
      this.next();
      alts.push(this.sequence(true));
    }
    if (this.next() !== '}') throw new BuiltinError('unexpected end of input: missing }');
    return `(?:${alts.join('|')})`;
  }

  private range(): string {
    this.next(); // [
    let not = false;
    if (this.peek() === '!') {
      this.next();
      not = true;
    }
    const first = this.next();
    if (first === undefined) throw new BuiltinError('unexpected end of input');
    let body: string;
    if (this.peek() === '-') {
      this.next();
      const hi = this.next();
      if (hi === undefined) throw new BuiltinError('unexpected end of input');
      if (hi.codePointAt(0)! < first.codePointAt(0)!) throw new BuiltinError('hi character should be greater than lo character');
      body = `${hex(first)}-${hex(hi)}`;
    } else {
      // A list: every character up to the closing bracket, with escapes.
      this.pos -= first.length;
      let chars = '';
      for (;;) {
        let c = this.peek();
        if (c === undefined) throw new BuiltinError('unexpected end of input');
        if (c === ']') break;
        this.next();
        if (c === '\\') {
          c = this.next();
          if (c === undefined) throw new BuiltinError('unexpected end of input');
        }
        chars += hex(c);
      }
      body = chars;
    }
    if (this.next() !== ']') throw new BuiltinError('expected close range character');
    if (body === '') return not ? '[\\s\\S]' : NOTHING;
    return `[${not ? '^' : ''}${body}]`;
  }

  private textRun(inTerms: boolean): string {
    let out = '';
    for (;;) {
      const c = this.peek();
      if (c === undefined) return out;
      if (c === '?' || c === '*' || c === '[' || c === '{' || (inTerms && (c === '}' || c === ','))) return out;
      this.next();
      if (c === '\\') {
        const e = this.next();
        if (e !== undefined) out += hex(e);
        continue;
      }
      out += hex(c);
    }
  }
}

const CACHE_SIZE = 256;
const cache = new Map<string, RE2JS>();

export function compileGlob(pattern: string, delimiters: string[]): RE2JS {
  const key = `${delimiters.join('')}\u0000${pattern}`;
  let re = cache.get(key);
  if (re) {
    cache.delete(key);
  } else {
    re = RE2JS.compile(new GlobParser(pattern, delimiters).parse());
  }
  cache.set(key, re);
  if (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value!);
  return re;
}

function delimitersOf(v: Value): string[] {
  if (v === null) return [];
  if (!Array.isArray(v)) throw operandError(2, ['array', 'null'], v);
  if (v.length === 0) return ['.'];
  return v.map((d) => {
    if (typeof d !== 'string') throw elementError(2, v, d, 'string');
    if (Array.from(d).length !== 1) throw operandMessage(2, 'must be array of runes but got array containing string');
    return d;
  });
}

export function quoteMeta(s: string): string {
  let out = '';
  for (const c of s) out += SPECIALS.has(c) ? '\\' + c : c;
  return out;
}

const defs: BuiltinDef[] = [
  {
    name: 'glob.match',
    args: ['string', ['array', 'null'], 'string'],
    result: 'boolean',
    impl: ([p, d, s]) => compileGlob(p as string, delimitersOf(d!)).test(s as string),
  },
  { name: 'glob.quote_meta', args: ['string'], result: 'string', impl: ([s]) => quoteMeta(s as string) },
];

registerBuiltins(defs);
