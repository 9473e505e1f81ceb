/**
 * RE2 (Go regexp) patterns on re2js, a port of Go's regexp package: Go's syntax and parse errors
 * ("error parsing regexp: missing closing ]: `[`"), leftmost-first semantics, and matching in
 * time linear in the input (DFA / NFA / bounded bit-state backtracker, never exponential
 * backtracking). A pattern from a policy can therefore be applied to agent-supplied input
 * without a ReDoS: OPA's own engine is Go's RE2 too.
 *
 * This module adds what the builtins need on top: an LRU cache of compiled patterns, and Go's
 * iteration rules (FindAll, Split, ReplaceAllString with $-expansion) on UTF-16 strings.
 * Differences that remain are documented in the package README ("Regular expressions").
 */
import { RE2JS, RE2JSException } from 're2js';

export class RegexSyntaxError extends Error {}

export interface CompiledRegex {
  readonly re: RE2JS;
  /** Capture group count (numbered groups, named ones included). */
  readonly groups: number;
  /** Group name → group number, for `$name` expansion. */
  readonly groupNames: ReadonlyMap<string, number>;
}

/** One match: its span and the texts of the whole match (index 0) and of each group. */
export interface Match {
  readonly start: number;
  readonly end: number;
  readonly groups: readonly (string | undefined)[];
}

/** re2js's anchor value for an unanchored search (RE2Flags.UNANCHORED). */
const UNANCHORED = 0;

const CACHE_SIZE = 256;
const cache = new Map<string, CompiledRegex | RegexSyntaxError>();

function build(pattern: string): CompiledRegex | RegexSyntaxError {
  try {
    const re = RE2JS.compile(pattern);
    return { re, groups: re.groupCount(), groupNames: new Map(Object.entries(re.namedGroups())) };
  } catch (e) {
    // re2js's syntax errors carry Go's text ("error parsing regexp: <code>: `<expr>`").
    if (e instanceof RE2JSException) return new RegexSyntaxError(e.message);
    throw e;
  }
}

/**
 * Compile (cached, LRU) an RE2 pattern; throws RegexSyntaxError with Go's message when RE2
 * rejects it. Compiling is the expensive step (parse, simplify, program, DFA cache), so a pattern
 * used by a policy is compiled once and its warmed DFA reused across decisions.
 */
export function compileRE2(pattern: string): CompiledRegex {
  let hit = cache.get(pattern);
  if (hit !== undefined) cache.delete(pattern);
  else hit = build(pattern);
  cache.set(pattern, hit);
  if (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value!);
  if (hit instanceof RegexSyntaxError) throw hit;
  return hit;
}

/** Whether the pattern matches anywhere in s (Go's MatchString). */
export function matchString(c: CompiledRegex, s: string): boolean {
  return c.re.test(s);
}

function toMatch(s: string, idx: readonly number[], groups: number): Match {
  const texts: (string | undefined)[] = [];
  for (let g = 0; g <= groups; g++) {
    const a = idx[2 * g] ?? -1;
    texts.push(a < 0 ? undefined : s.slice(a, idx[2 * g + 1]));
  }
  return { start: idx[0]!, end: idx[1]!, groups: texts };
}

/** Go's FindAllStringSubmatch(s, n): successive non-overlapping matches (n < 0: all). */
export function findAll(c: CompiledRegex, s: string, n: number): Match[] {
  if (n === 0) return [];
  const all = c.re.re2().findAllSubmatchIndex(s, n) as number[][] | null;
  return (all ?? []).map((idx) => toMatch(s, idx, c.groups));
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

/** UTF-16 width of the code point at pos. */
function width(s: string, pos: number): number {
  const cp = s.codePointAt(pos);
  return cp !== undefined && cp > 0xffff ? 2 : 1;
}

/** Go's ReplaceAllString(src, repl) with $-expansion (its replaceAll loop, step for step). */
export function replaceAll(c: CompiledRegex, src: string, repl: string): string {
  const re2 = c.re.re2();
  let out = '';
  let lastMatchEnd = 0;
  let searchPos = 0;
  while (searchPos <= src.length) {
    // The whole input is passed, so ^, \b and \A still see the text before searchPos, as in Go.
    const [found, idx] = re2.matchWithGroup(src, searchPos, src.length, UNANCHORED, 1 + c.groups) as [boolean, number[] | null];
    if (!found || !idx) break;
    const m = toMatch(src, idx, c.groups);
    out += src.slice(lastMatchEnd, m.start);
    if (m.end > lastMatchEnd || m.start === 0) out += expand(repl, c, m.groups);
    lastMatchEnd = m.end;
    const w = searchPos < src.length ? width(src, searchPos) : 0;
    if (searchPos + w > m.end) searchPos += w;
    else if (searchPos + 1 > m.end) searchPos++;
    else searchPos = m.end;
  }
  return out + src.slice(lastMatchEnd);
}

/** Go's regexp.QuoteMeta. */
export function quoteMeta(s: string): string {
  return s.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&');
}
