/**
 * RE2 (Go regexp/syntax) patterns translated to JavaScript RegExp.
 *
 * OPA's regex builtins use Go's RE2 dialect. This module parses RE2 syntax itself, so that it
 * accepts and rejects the same patterns with Go's error messages ("error parsing regexp: missing
 * closing ]: `[`"), and emits an equivalent JS pattern (always with the `u` flag):
 * - flags `(?i)`, `(?m)`, `(?s)`, `(?U)`, scoped `(?i:...)` and `(?-i)` are applied while
 *   translating (JS on Node 20 has no inline modifiers): `.`, `^`, `$`, quantifier greediness and
 *   case folding are rewritten per node;
 * - `\A`, `\z`, `\Q...\E`, `\x{...}`, octal, `(?P<name>...)`, POSIX classes `[[:alpha:]]` and RE2's
 *   ASCII-only `\s` are translated; `\pN`/`\p{Greek}` become `\p{N}`/`\p{Script=Greek}`;
 * - what RE2 rejects (lookaround, backreferences, `\Z`, repeat counts over 1000, ...) is rejected.
 * Named groups become plain numbered groups; the names are kept in `groupNames` for `${name}`
 * expansion. Differences that remain are documented in docs/rego.md ("Regular expressions:
 * RE2 vs JavaScript").
 */

export class RegexSyntaxError extends Error {}

export interface CompiledRegex {
  /** Anchored nowhere, no `g`/`y` flag: use `globalRegex` for iteration. */
  readonly regex: RegExp;
  /** Same pattern with the `g` flag, for scanning (reset lastIndex before use). */
  readonly globalRegex: RegExp;
  /** Capture group count (numbered groups, named ones included). */
  readonly groups: number;
  /** Group name → group number, for `$name` expansion. */
  readonly groupNames: ReadonlyMap<string, number>;
}

const MAX_REPEAT = 1000;

type Range = [number, number];

interface Flags {
  i: boolean;
  m: boolean;
  s: boolean;
  U: boolean;
}

/** One translated node: its JS source and whether a quantifier may follow it directly. */
interface Piece {
  src: string;
  atom: boolean;
}

const PERL_CLASSES: Record<string, Range[]> = {
  d: [[0x30, 0x39]],
  s: [
    [0x09, 0x0a],
    [0x0c, 0x0d],
    [0x20, 0x20],
  ],
  w: [
    [0x30, 0x39],
    [0x41, 0x5a],
    [0x5f, 0x5f],
    [0x61, 0x7a],
  ],
};

const POSIX_CLASSES: Record<string, Range[]> = {
  alnum: [
    [0x30, 0x39],
    [0x41, 0x5a],
    [0x61, 0x7a],
  ],
  alpha: [
    [0x41, 0x5a],
    [0x61, 0x7a],
  ],
  ascii: [[0x00, 0x7f]],
  blank: [
    [0x09, 0x09],
    [0x20, 0x20],
  ],
  cntrl: [
    [0x00, 0x1f],
    [0x7f, 0x7f],
  ],
  digit: [[0x30, 0x39]],
  graph: [[0x21, 0x7e]],
  lower: [[0x61, 0x7a]],
  print: [[0x20, 0x7e]],
  punct: [
    [0x21, 0x2f],
    [0x3a, 0x40],
    [0x5b, 0x60],
    [0x7b, 0x7e],
  ],
  space: [
    [0x09, 0x0d],
    [0x20, 0x20],
  ],
  upper: [[0x41, 0x5a]],
  word: [
    [0x30, 0x39],
    [0x41, 0x5a],
    [0x5f, 0x5f],
    [0x61, 0x7a],
  ],
  xdigit: [
    [0x30, 0x39],
    [0x41, 0x46],
    [0x61, 0x66],
  ],
};

const SIMPLE_ESCAPES: Record<string, number> = { a: 0x07, f: 0x0c, t: 0x09, n: 0x0a, r: 0x0d, v: 0x0b };

/** Case folding orbits that toLowerCase/toUpperCase alone do not reach (Unicode simple folding). */
const EXTRA_FOLDS: number[][] = [
  [0x4b, 0x6b, 0x212a],
  [0x53, 0x73, 0x17f],
  [0xc5, 0xe5, 0x212b],
  [0xb5, 0x39c, 0x3bc],
];

function fold(cp: number): number[] {
  const out = new Set<number>([cp]);
  const ch = String.fromCodePoint(cp);
  for (const v of [ch.toLowerCase(), ch.toUpperCase()]) {
    const cps = Array.from(v);
    if (cps.length === 1) out.add(cps[0]!.codePointAt(0)!);
  }
  for (const orbit of EXTRA_FOLDS) if (orbit.some((x) => out.has(x))) for (const x of orbit) out.add(x);
  return [...out];
}

function normalize(ranges: Range[]): Range[] {
  const sorted = ranges.map((r) => [r[0], r[1]] as Range).sort((a, b) => a[0] - b[0]);
  const out: Range[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r[0] <= last[1] + 1) last[1] = Math.max(last[1], r[1]);
    else out.push(r);
  }
  return out;
}

function complement(ranges: Range[]): Range[] {
  const out: Range[] = [];
  let next = 0;
  for (const [lo, hi] of normalize(ranges)) {
    if (lo > next) out.push([next, lo - 1]);
    next = hi + 1;
  }
  if (next <= 0x10ffff) out.push([next, 0x10ffff]);
  return out;
}

function foldRanges(ranges: Range[]): Range[] {
  const out: Range[] = [...ranges];
  let budget = 4096; // folding huge ranges adds nothing: they already hold both cases
  for (const [lo, hi] of ranges) {
    if (hi - lo > budget) continue;
    budget -= hi - lo;
    for (let c = lo; c <= hi; c++) for (const f of fold(c)) if (f !== c) out.push([f, f]);
  }
  return normalize(out);
}

function hex(cp: number): string {
  return `\\u{${cp.toString(16)}}`;
}

function classSource(ranges: Range[], props: string[], negated: boolean): string {
  const parts = normalize(ranges).map(([lo, hi]) => (lo === hi ? hex(lo) : `${hex(lo)}-${hex(hi)}`));
  const body = parts.join('') + props.join('');
  if (body === '') return negated ? '[\\s\\S]' : '[]';
  return `[${negated ? '^' : ''}${body}]`;
}

const SAFE_LITERAL = /^[\p{L}\p{N} _,:;'"%&!@#<>=~`-]$/u;

/** Whether `\p{name}` is a JS-valid property escape (category or script). */
function unicodeProperty(name: string): string | null {
  if (name === 'Any') return '\\s\\S';
  for (const candidate of [`\\p{${name}}`, `\\p{Script=${name}}`]) {
    if (/^[A-Za-z_]+$/.test(name) && (name.length <= 2 || candidate.includes('Script'))) {
      try {
        new RegExp(candidate, 'u');
        return candidate.slice(3, -1);
      } catch {
        // try the next form
      }
    }
  }
  return null;
}

class Parser {
  private pos = 0;
  private groups = 0;
  private readonly names = new Map<string, number>();
  /** Whole pattern runs under (?i) from its very start: then JS's own `i` flag does the folding. */
  globalFold = false;

  constructor(private readonly text: string) {}

  private fail(code: string, expr: string): never {
    throw new RegexSyntaxError(`error parsing regexp: ${code}: \`${expr}\``);
  }

  private peek(offset = 0): string | undefined {
    const cp = this.text.codePointAt(this.pos + offset);
    return cp === undefined ? undefined : String.fromCodePoint(cp);
  }

  private next(): string {
    const ch = this.peek()!;
    this.pos += ch.length;
    return ch;
  }

  parse(): { source: string; groups: number; names: Map<string, number> } {
    const flags: Flags = { i: false, m: false, s: false, U: false };
    const lead = /^\(\?([imsU]*i[imsU]*)\)/.exec(this.text);
    if (lead && !/\(\?[a-zA-Z]*-[a-zA-Z]*i/.test(this.text)) this.globalFold = true;
    const source = this.alternation(flags, 0);
    if (this.pos < this.text.length) this.fail('unexpected )', this.text);
    return { source, groups: this.groups, names: this.names };
  }

  private alternation(flags: Flags, depth: number): string {
    const branches: string[] = [this.concatenation(flags, depth)];
    while (this.peek() === '|') {
      this.next();
      branches.push(this.concatenation(flags, depth));
    }
    return branches.join('|');
  }

  private concatenation(flags: Flags, depth: number): string {
    const pieces: Piece[] = [];
    let lastRepeatStart = -1;
    for (;;) {
      const ch = this.peek();
      if (ch === undefined || ch === '|') break;
      if (ch === ')') {
        if (depth === 0) this.fail('unexpected )', this.text);
        break;
      }
      const start = this.pos;
      if (ch === '*' || ch === '+' || ch === '?' || (ch === '{' && this.repeatAhead())) {
        const quant = this.quantifier(flags);
        if (lastRepeatStart >= 0) this.fail('invalid nested repetition operator', this.text.slice(lastRepeatStart, this.pos));
        const prev = pieces.pop();
        if (!prev || prev.src === '') this.fail('missing argument to repetition operator', this.text.slice(start, this.pos));
        pieces.push({ src: (prev.atom ? prev.src : `(?:${prev.src})`) + quant, atom: false });
        lastRepeatStart = start;
        continue;
      }
      lastRepeatStart = -1;
      if (ch === '(' && this.peek(1) === '?' && /^\(\?[imsU-]*\)/.test(this.text.slice(this.pos))) {
        // (?flags) changes the flags for the rest of the current group.
        this.next();
        this.next();
        this.applyFlags(flags, start);
        this.next(); // ')'
        continue;
      }
      pieces.push(...this.atom(flags, depth));
    }
    return pieces.map((p) => p.src).join('');
  }

  /** Whether the `{` at pos starts a valid repeat ({n}, {n,}, {n,m}); otherwise it is a literal. */
  private repeatAhead(): boolean {
    return /^\{\d+(,\d*)?\}/.test(this.text.slice(this.pos));
  }

  private quantifier(flags: Flags): string {
    const start = this.pos;
    const ch = this.next();
    let q: string;
    if (ch === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(this.text.slice(start))!;
      this.pos = start + m[0].length;
      const min = Number(m[1]);
      const max = m[2] === undefined ? min : m[3] === '' ? -1 : Number(m[3]);
      if (min > MAX_REPEAT || max > MAX_REPEAT || (max >= 0 && min > max)) this.fail('invalid repeat count', m[0]);
      q = max === min ? `{${min}}` : max < 0 ? `{${min},}` : `{${min},${max}}`;
    } else q = ch;
    let lazy = flags.U;
    if (this.peek() === '?') {
      this.next();
      lazy = !lazy;
    }
    return lazy ? q + '?' : q;
  }

  /** Parse the flags of `(?flags)` or `(?flags:` with pos after `(?`; leaves pos at `)` or `:`. */
  private applyFlags(flags: Flags, start: number): void {
    let negate = false;
    let sawFlag = false;
    for (;;) {
      const ch = this.peek();
      if (ch === undefined) this.fail('missing closing )', this.text);
      if (ch === ')' || ch === ':') {
        if (!sawFlag && negate) this.fail('invalid or unsupported Perl syntax', this.text.slice(start, this.pos + 1));
        if (!sawFlag && ch === ')') this.fail('missing argument to repetition operator', this.text.slice(start, this.pos + 1));
        return;
      }
      this.next();
      if (ch === '-') {
        if (negate) this.fail('invalid or unsupported Perl syntax', this.text.slice(start, this.pos));
        negate = true;
        sawFlag = false;
        continue;
      }
      if (ch === 'i' || ch === 'm' || ch === 's' || ch === 'U') {
        flags[ch] = !negate;
        sawFlag = true;
        continue;
      }
      this.fail('invalid or unsupported Perl syntax', this.text.slice(start, this.pos));
    }
  }

  private atom(flags: Flags, depth: number): Piece[] {
    const ch = this.peek()!;
    switch (ch) {
      case '(':
        return [this.group(flags, depth)];
      case '[':
        return [{ src: this.charClass(flags), atom: true }];
      case '.':
        this.next();
        return [{ src: flags.s ? '[\\s\\S]' : '[^\\n]', atom: true }];
      case '^':
        this.next();
        return [{ src: flags.m ? '(?<![^\\n])' : '^', atom: false }];
      case '$':
        this.next();
        return [{ src: flags.m ? '(?![^\\n])' : '$', atom: false }];
      case '\\':
        return this.escape(flags);
      default:
        this.next();
        return [this.literal(ch.codePointAt(0)!, flags)];
    }
  }

  private literal(cp: number, flags: Flags): Piece {
    if (flags.i && !this.globalFold) {
      const variants = fold(cp);
      if (variants.length > 1) return { src: classSource(variants.map((c) => [c, c] as Range), [], false), atom: true };
    }
    const ch = String.fromCodePoint(cp);
    return { src: SAFE_LITERAL.test(ch) && ch !== '-' ? ch : hex(cp), atom: true };
  }

  private group(flags: Flags, depth: number): Piece {
    const start = this.pos;
    this.next(); // (
    const inner: Flags = { ...flags };
    let open = '(';
    if (this.peek() === '?') {
      this.next();
      const rest = this.text.slice(this.pos);
      const named = /^(?:P<|<)([^>]*)>/.exec(rest);
      if (rest.startsWith('P=') || rest.startsWith('P>')) this.fail('invalid named capture', this.text.slice(start, this.pos + 2));
      if (named) {
        const name = named[1]!;
        if (name === '' || !/^[A-Za-z0-9_]+$/.test(name)) this.fail('invalid named capture', this.text.slice(start, this.pos + named[0].length));
        if (this.names.has(name)) this.fail('duplicate capture group name', name);
        this.pos += named[0].length;
        this.groups++;
        this.names.set(name, this.groups);
      } else if (/^[imsU-]*:/.test(rest)) {
        this.applyFlags(inner, start);
        this.next(); // ':'
        open = '(?:';
      } else {
        this.fail('invalid or unsupported Perl syntax', this.text.slice(start, this.pos + 1));
      }
    } else {
      this.groups++;
    }
    const body = this.alternation(inner, depth + 1);
    if (this.peek() !== ')') this.fail('missing closing )', this.text);
    this.next();
    return { src: `${open}${body})`, atom: true };
  }

  /** Backslash escapes outside classes. */
  private escape(flags: Flags): Piece[] {
    const start = this.pos;
    this.next(); // backslash
    const ch = this.peek();
    if (ch === undefined) this.fail('trailing backslash at end of expression', '');
    switch (ch) {
      case 'A':
        this.next();
        return [{ src: '(?<![\\s\\S])', atom: false }];
      case 'z':
        this.next();
        return [{ src: '(?![\\s\\S])', atom: false }];
      case 'b':
      case 'B':
        this.next();
        return [{ src: '\\' + ch, atom: false }];
      case 'Q': {
        this.next();
        const end = this.text.indexOf('\\E', this.pos);
        const lit = end < 0 ? this.text.slice(this.pos) : this.text.slice(this.pos, end);
        this.pos = end < 0 ? this.text.length : end + 2;
        return Array.from(lit).map((c) => this.literal(c.codePointAt(0)!, flags));
      }
      case 'E':
        this.next();
        return [];
    }
    const cls = this.classEscape(start, flags);
    if (cls) return [{ src: classSource(cls.ranges, cls.props, cls.negated), atom: true }];
    return [this.literal(this.escapedChar(start), flags)];
  }

  /** \d \s \w (and negations), \pX \p{..}: the ranges or JS property, or null if not a class. */
  private classEscape(start: number, flags: Flags): { ranges: Range[]; props: string[]; negated: boolean } | null {
    const ch = this.peek()!;
    const lower = ch.toLowerCase();
    if (PERL_CLASSES[lower] && (ch === lower || ch === ch.toUpperCase())) {
      this.next();
      let ranges = PERL_CLASSES[lower]!;
      if (flags.i && !this.globalFold) ranges = foldRanges(ranges);
      return ch === lower ? { ranges, props: [], negated: false } : { ranges: complement(ranges), props: [], negated: false };
    }
    if (ch === 'p' || ch === 'P') {
      this.next();
      let name: string;
      if (this.peek() === '{') {
        const end = this.text.indexOf('}', this.pos);
        if (end < 0) this.fail('invalid character class range', this.text.slice(start));
        name = this.text.slice(this.pos + 1, end);
        this.pos = end + 1;
      } else {
        const c = this.peek();
        if (c === undefined) this.fail('invalid character class range', this.text.slice(start));
        name = this.next();
      }
      let negated = ch === 'P';
      if (name.startsWith('^')) {
        negated = !negated;
        name = name.slice(1);
      }
      const prop = unicodeProperty(name);
      if (prop === null) this.fail('invalid character class range', this.text.slice(start, this.pos));
      if (prop === '\\s\\S') return negated ? { ranges: [], props: [], negated: false } : { ranges: [[0, 0x10ffff]], props: [], negated: false };
      return { ranges: [], props: [`\\${negated ? 'P' : 'p'}{${prop}}`], negated: false };
    }
    return null;
  }

  /** A single escaped character (literal escapes, hex, octal, punctuation). */
  private escapedChar(start: number): number {
    const ch = this.next();
    if (SIMPLE_ESCAPES[ch] !== undefined) return SIMPLE_ESCAPES[ch]!;
    if (ch >= '1' && ch <= '7' && !/[0-7]/.test(this.peek() ?? '')) this.fail('invalid escape sequence', this.text.slice(start, this.pos));
    if (ch >= '0' && ch <= '7') {
      let digits = ch;
      while (digits.length < 3 && /[0-7]/.test(this.peek() ?? '')) digits += this.next();
      return parseInt(digits, 8);
    }
    if (ch === 'x') {
      if (this.peek() === '{') {
        const end = this.text.indexOf('}', this.pos);
        const digits = end < 0 ? '' : this.text.slice(this.pos + 1, end);
        if (!/^[0-9a-fA-F]+$/.test(digits) || parseInt(digits, 16) > 0x10ffff) {
          this.fail('invalid escape sequence', this.text.slice(start, end < 0 ? this.text.length : end + 1));
        }
        this.pos = end + 1;
        return parseInt(digits, 16);
      }
      const digits = this.text.slice(this.pos, this.pos + 2);
      if (!/^[0-9a-fA-F]{2}$/.test(digits)) this.fail('invalid escape sequence', this.text.slice(start, this.pos + digits.length));
      this.pos += 2;
      return parseInt(digits, 16);
    }
    const cp = ch.codePointAt(0)!;
    if (cp < 0x80 && !/[A-Za-z0-9]/.test(ch)) return cp; // escaped punctuation
    this.fail('invalid escape sequence', this.text.slice(start, this.pos));
  }

  private charClass(flags: Flags): string {
    const start = this.pos;
    this.next(); // [
    let negated = false;
    if (this.peek() === '^') {
      this.next();
      negated = true;
    }
    let ranges: Range[] = [];
    const props: string[] = [];
    let first = true;
    for (;;) {
      const ch = this.peek();
      if (ch === undefined) this.fail('missing closing ]', this.text.slice(start));
      if (ch === ']' && !first) {
        this.next();
        break;
      }
      first = false;
      // POSIX class [:name:] / [:^name:]
      if (ch === '[' && this.peek(1) === ':') {
        const m = /^\[:(\^?)([a-z]*):\]/.exec(this.text.slice(this.pos));
        if (m) {
          const cls = POSIX_CLASSES[m[2]!];
          if (!cls) this.fail('invalid character class range', m[0]);
          ranges.push(...(m[1] ? complement(cls) : cls));
          this.pos += m[0].length;
          continue;
        }
      }
      const itemStart = this.pos;
      let lo: number;
      if (ch === '\\') {
        this.next();
        if (this.peek() === undefined) this.fail('missing closing ]', this.text.slice(start));
        const cls = this.classEscape(itemStart, { ...flags, i: false });
        if (cls) {
          ranges.push(...cls.ranges);
          props.push(...cls.props);
          continue;
        }
        lo = this.escapedChar(itemStart);
      } else {
        lo = this.next().codePointAt(0)!;
      }
      let hi = lo;
      if (this.peek() === '-' && this.peek(1) !== undefined && this.peek(1) !== ']') {
        this.next();
        if (this.peek() === '\\') {
          const escStart = this.pos;
          this.next();
          hi = this.escapedChar(escStart);
        } else hi = this.next().codePointAt(0)!;
        if (hi < lo) this.fail('invalid character class range', this.text.slice(itemStart, this.pos));
      }
      ranges.push([lo, hi]);
    }
    if (flags.i && !this.globalFold) ranges = foldRanges(ranges);
    return classSource(ranges, props, negated);
  }
}

/** Translate an RE2 pattern; throws RegexSyntaxError with Go's message when RE2 rejects it. */
export function translateRE2(pattern: string): { source: string; flags: string; groups: number; names: Map<string, number> } {
  const p = new Parser(pattern);
  const { source, groups, names } = p.parse();
  return { source, flags: p.globalFold ? 'iu' : 'u', groups, names };
}

const CACHE_SIZE = 256;
const cache = new Map<string, CompiledRegex | RegexSyntaxError>();

/** Compile (cached, LRU) an RE2 pattern to a JS RegExp. */
export function compileRE2(pattern: string): CompiledRegex {
  let hit = cache.get(pattern);
  if (hit !== undefined) {
    cache.delete(pattern);
    cache.set(pattern, hit);
  } else {
    try {
      const t = translateRE2(pattern);
      hit = {
        regex: new RegExp(t.source, t.flags),
        globalRegex: new RegExp(t.source, t.flags + 'g'),
        groups: t.groups,
        groupNames: t.names,
      };
    } catch (e) {
      if (e instanceof RegexSyntaxError) hit = e;
      else if (e instanceof SyntaxError) hit = new RegexSyntaxError(`error parsing regexp: unsupported by this engine: \`${pattern}\``);
      else throw e;
    }
    cache.set(pattern, hit);
    if (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value!);
  }
  if (hit instanceof RegexSyntaxError) throw hit;
  return hit;
}

/** One match: its span and the texts of the whole match (index 0) and of each group. */
export interface Match {
  readonly start: number;
  readonly end: number;
  readonly groups: readonly (string | undefined)[];
}

/** The leftmost match starting at or after `from` (the text before `from` still anchors ^ and \b). */
function execAt(c: CompiledRegex, s: string, from: number): Match | null {
  const re = c.globalRegex;
  re.lastIndex = from;
  const m = re.exec(s);
  if (!m) return null;
  return { start: m.index, end: m.index + m[0].length, groups: Array.from(m) };
}

/** UTF-16 width of the code point at pos. */
function width(s: string, pos: number): number {
  const cp = s.codePointAt(pos);
  return cp !== undefined && cp > 0xffff ? 2 : 1;
}

/** Go's FindAll*: successive non-overlapping matches; an empty match right after a match is skipped. */
export function findAll(c: CompiledRegex, s: string, n: number): Match[] {
  const out: Match[] = [];
  let pos = 0;
  let prevMatchEnd = -1;
  while ((n < 0 || out.length < n) && pos <= s.length) {
    const m = execAt(c, s, pos);
    if (!m) break;
    let accept = true;
    if (m.end === pos) {
      // An empty match: skip it when it abuts the previous match, and step one character.
      if (m.start === prevMatchEnd) accept = false;
      pos = pos < s.length ? pos + width(s, pos) : s.length + 1;
    } else pos = m.end;
    prevMatchEnd = m.end;
    if (accept) out.push(m);
  }
  return out;
}

/** Go's Regexp.Split(s, -1). */
export function split(c: CompiledRegex, s: string, pattern: string): string[] {
  if (pattern.length > 0 && s.length === 0) return [''];
  const out: string[] = [];
  let beg = 0;
  let end = 0;
  for (const m of findAll(c, s, -1)) {
    end = m.start;
    if (m.end !== 0) out.push(s.slice(beg, end));
    beg = m.end;
  }
  if (end !== s.length) out.push(s.slice(beg));
  return out;
}

/** Go's Regexp.Expand of `$1`, `${1}`, `$name`, `${name}`, `$$` against one match's group texts. */
export function expand(template: string, c: CompiledRegex, groups: readonly (string | undefined)[]): string {
  let out = '';
  for (let i = 0; i < template.length; i++) {
    const ch = template[i]!;
    if (ch !== '$' || i + 1 >= template.length) {
      out += ch;
      continue;
    }
    if (template[i + 1] === '$') {
      out += '$';
      i++;
      continue;
    }
    let name: string;
    let next: number;
    if (template[i + 1] === '{') {
      const close = template.indexOf('}', i + 2);
      const inner = close < 0 ? '' : template.slice(i + 2, close);
      if (close < 0 || !/^[A-Za-z0-9_]+$/.test(inner)) {
        out += ch; // malformed: the $ is kept literally
        continue;
      }
      name = inner;
      next = close + 1;
    } else {
      const m = /^[A-Za-z0-9_]+/.exec(template.slice(i + 1));
      if (!m) {
        out += ch;
        continue;
      }
      name = m[0];
      next = i + 1 + name.length;
    }
    const num = /^\d+$/.test(name) ? Number(name) : c.groupNames.get(name);
    if (num !== undefined && num <= c.groups) out += groups[num] ?? '';
    i = next - 1;
  }
  return out;
}

/** Go's ReplaceAllString(src, repl) with $-expansion. */
export function replaceAll(c: CompiledRegex, src: string, repl: string): string {
  let out = '';
  let lastMatchEnd = 0;
  let searchPos = 0;
  while (searchPos <= src.length) {
    const m = execAt(c, src, searchPos);
    if (!m) break;
    const { start, end } = m;
    out += src.slice(lastMatchEnd, start);
    if (end > lastMatchEnd || start === 0) out += expand(repl, c, m.groups);
    lastMatchEnd = end;
    const w = searchPos < src.length ? width(src, searchPos) : 0;
    if (searchPos + w > end) searchPos += w;
    else if (searchPos + 1 > end) searchPos++;
    else searchPos = end;
  }
  return out + src.slice(lastMatchEnd);
}

/** Go's regexp.QuoteMeta. */
export function quoteMeta(s: string): string {
  return s.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&');
}
