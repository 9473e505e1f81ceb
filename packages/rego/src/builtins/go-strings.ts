/**
 * Go's `strings` package semantics that OPA's string builtins inherit and that differ from the
 * JavaScript built-ins: cutsets are sets of code points (not UTF-16 units), "space" is Unicode
 * White_Space (JS `\s` adds U+FEFF and misses U+0085), `strings.NewReplacer` picks, at each
 * position, the first listed pattern that matches, and empty patterns match between code points.
 *
 * Pure string helpers; no Rego values.
 */

/** Code points of s (lone surrogates stay single units, as JSON may carry them). */
export function runes(s: string): string[] {
  return Array.from(s);
}

export function runeCount(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

function cutsetOf(cutset: string): Set<string> {
  return new Set(Array.from(cutset));
}

/** strings.TrimLeft: drop leading code points found in cutset. */
export function trimLeft(s: string, cutset: string): string {
  if (s === '' || cutset === '') return s;
  const cut = cutsetOf(cutset);
  const rs = runes(s);
  let i = 0;
  while (i < rs.length && cut.has(rs[i]!)) i++;
  return rs.slice(i).join('');
}

/** strings.TrimRight: drop trailing code points found in cutset. */
export function trimRight(s: string, cutset: string): string {
  if (s === '' || cutset === '') return s;
  const cut = cutsetOf(cutset);
  const rs = runes(s);
  let j = rs.length;
  while (j > 0 && cut.has(rs[j - 1]!)) j--;
  return rs.slice(0, j).join('');
}

/** strings.Trim */
export function trim(s: string, cutset: string): string {
  return trimRight(trimLeft(s, cutset), cutset);
}

/** unicode.IsSpace: the Unicode White_Space property (U+0085 included, U+FEFF not). */
const SPACE = /^\p{White_Space}$/u;

/** strings.TrimSpace (a scan, not a regex: `\s+$` backtracks quadratically on long inner runs). */
export function trimSpace(s: string): string {
  let i = 0;
  let j = s.length;
  while (i < j && SPACE.test(s[i]!)) i++;
  while (j > i && SPACE.test(s[j - 1]!)) j--;
  return s.slice(i, j);
}

/** strings.Split, including Go's split into code points when sep is empty. */
export function split(s: string, sep: string): string[] {
  if (sep === '') return runes(s);
  return s.split(sep);
}

/** strings.Count: non-overlapping occurrences; an empty substr counts code points + 1. */
export function count(s: string, substr: string): number {
  if (substr === '') return runeCount(s) + 1;
  let n = 0;
  let i = s.indexOf(substr);
  while (i >= 0) {
    n++;
    i = s.indexOf(substr, i + substr.length);
  }
  return n;
}

/**
 * strings.NewReplacer(old1, new1, old2, new2, ...).Replace(s): scan left to right; at each
 * position the earliest listed `old` that matches wins; matches never overlap. An empty `old`
 * matches at every code point boundary (once per position).
 */
export function replaceAll(s: string, pairs: readonly (readonly [string, string])[]): string {
  if (pairs.length === 0) return s;
  if (pairs.length === 1 && pairs[0]![0] !== '') return s.split(pairs[0]![0]).join(pairs[0]![1]);
  const out: string[] = [];
  let last = 0;
  let i = 0;
  let prevMatchEmpty = false;
  while (i <= s.length) {
    let matched: readonly [string, string] | undefined;
    for (const p of pairs) {
      if (p[0] === '' && prevMatchEmpty) continue;
      if (s.startsWith(p[0], i)) {
        matched = p;
        break;
      }
    }
    prevMatchEmpty = matched !== undefined && matched[0] === '';
    if (matched) {
      out.push(s.slice(last, i), matched[1]);
      i += matched[0].length;
      last = i;
      continue;
    }
    if (i === s.length) break;
    // Step over one code point so empty patterns never land inside a surrogate pair.
    const cp = s.codePointAt(i)!;
    i += cp > 0xffff ? 2 : 1;
  }
  out.push(s.slice(last));
  return out.join('');
}

/** Index (in code points) of the first occurrence of search in base, or -1. */
export function indexOfRunes(base: string, search: string): number {
  const at = base.indexOf(search);
  if (at < 0) return -1;
  return runeCount(base.slice(0, at));
}

/** All code point indexes where search starts (overlapping occurrences included). */
export function indexesOfRunes(base: string, search: string): number[] {
  const b = runes(base);
  const t = runes(search);
  const out: number[] = [];
  outer: for (let i = 0; i + t.length <= b.length; i++) {
    for (let j = 0; j < t.length; j++) if (b[i + j] !== t[j]) continue outer;
    out.push(i);
  }
  return out;
}

/** Reverse by code points. */
export function reverse(s: string): string {
  return runes(s).reverse().join('');
}
