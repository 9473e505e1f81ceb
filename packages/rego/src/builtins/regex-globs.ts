/**
 * regex.globs_match: whether two "regex globs" can match a common string (the semantics of
 * yashtewari/glob-intersection, which OPA uses). The syntax is small: literal characters, `.`
 * (any character), sets `[a-z0-9]` (no negation), `\` escapes, and the flags `*` (zero or more)
 * and `+` (one or more) after a token. Non-emptiness of the intersection is decided on the
 * product of the two token automata (breadth-first search): time and memory proportional to the
 * product of the two glob lengths, whatever the input. Sets are kept as sorted rune ranges, so a
 * range over all of Unicode costs one entry, not a million.
 */
import { BuiltinError } from './registry.js';

/** Inclusive rune range [lo, hi]. */
type Range = [number, number];

type Atom = { kind: 'char'; c: number } | { kind: 'dot' } | { kind: 'set'; ranges: Range[] };

interface Token {
  atom: Atom;
  star: boolean; // may repeat zero or more times
}

function invalid(input: number[], pos: number, message: string): BuiltinError {
  return new BuiltinError(`input:${String.fromCodePoint(...input)}, pos:${pos}, ${message}: the input provided is invalid`);
}

/** The rune at i (after a backslash when escaped): [nextIndex, rune, escaped]. */
function nextRune(input: number[], i: number): [number, number, boolean] {
  if (input[i] === 0x5c) {
    if (i === input.length - 1) throw invalid(input, i, 'input ends with a \\ (escape) character');
    return [i + 2, input[i + 1]!, true];
  }
  return [i + 1, input[i]!, false];
}

/** Sorted, merged ranges. */
function normalize(ranges: Range[]): Range[] {
  const out: Range[] = [];
  for (const [lo, hi] of [...ranges].sort((a, b) => a[0] - b[0])) {
    const last = out[out.length - 1];
    if (last && lo <= last[1] + 1) last[1] = Math.max(last[1], hi);
    else out.push([lo, hi]);
  }
  return out;
}

function parseSet(input: number[], start: number): [number, Atom] {
  const ranges: Range[] = [];
  let i = start;
  let prev = -1;
  while (i < input.length) {
    const [next, r, escaped] = nextRune(input, i);
    i = next;
    if (!escaped && r === 0x2d) {
      if (prev < 0) throw invalid(input, i, "range character '-' must be preceded by a Unicode character");
      if (i >= input.length - 1) throw invalid(input, i, "range character '-' must be followed by a Unicode character");
      const [after, hi, esc] = nextRune(input, i);
      i = after;
      if (!esc && (hi === 0x5d || hi === 0x2d)) throw invalid(input, i, "range character '-' cannot be followed by a special symbol");
      if (hi < prev) {
        throw invalid(input, i, `range is out of order: '${String.fromCodePoint(hi)}' comes before '${String.fromCodePoint(prev)}' in Unicode`);
      }
      ranges.push([prev, hi]);
      prev = -1;
    } else if (!escaped && r === 0x5d) {
      return [i, { kind: 'set', ranges: normalize(ranges) }];
    } else {
      ranges.push([r, r]);
      prev = r;
    }
  }
  throw invalid(input, i, 'found [ without matching ]');
}

function tokenize(glob: string): Token[] {
  const input = Array.from(glob, (c) => c.codePointAt(0)!);
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const [next, r, escaped] = nextRune(input, i);
    i = next;
    let atom: Atom;
    if (escaped) atom = { kind: 'char', c: r };
    else if (r === 0x2e) atom = { kind: 'dot' };
    else if (r === 0x5d) throw invalid(input, i, "set-close ']' with no preceding '['");
    else if (r === 0x5b) [i, atom] = parseSet(input, i);
    else if (r === 0x2a || r === 0x2b) throw invalid(input, i, `flag '${String.fromCodePoint(r)}' must be preceded by a non-flag`);
    else atom = { kind: 'char', c: r };
    const flag = i < input.length ? input[i] : undefined;
    if (flag === 0x2a) {
      i++;
      tokens.push({ atom, star: true });
    } else if (flag === 0x2b) {
      i++;
      tokens.push({ atom, star: false }, { atom, star: true }); // t+ = t t*
    } else tokens.push({ atom, star: false });
  }
  return tokens;
}

function rangesOf(a: Exclude<Atom, { kind: 'dot' }>): Range[] {
  return a.kind === 'char' ? [[a.c, a.c]] : a.ranges;
}

/** Whether two atoms share a rune: a merge walk over their sorted ranges. */
function overlap(a: Atom, b: Atom): boolean {
  if (a.kind === 'dot' || b.kind === 'dot') return true;
  const x = rangesOf(a);
  const y = rangesOf(b);
  let i = 0;
  let j = 0;
  while (i < x.length && j < y.length) {
    if (x[i]![1] < y[j]![0]) i++;
    else if (y[j]![1] < x[i]![0]) j++;
    else return true;
  }
  return false;
}

/** Whether some string matches both globs (each glob must match the whole string). */
export function globsIntersect(a: string, b: string): boolean {
  const x = tokenize(a);
  const y = tokenize(b);
  const seen = new Set<number>();
  const width = y.length + 1;
  const queue: [number, number][] = [[0, 0]];
  seen.add(0);
  const push = (i: number, j: number): void => {
    const key = i * width + j;
    if (!seen.has(key)) {
      seen.add(key);
      queue.push([i, j]);
    }
  };
  for (let head = 0; head < queue.length; head++) {
    const [i, j] = queue[head]!;
    if (i === x.length && j === y.length) return true;
    // Skip a starred token on either side (zero repetitions).
    if (i < x.length && x[i]!.star) push(i + 1, j);
    if (j < y.length && y[j]!.star) push(i, j + 1);
    // Consume one character on both sides.
    if (i < x.length && j < y.length && overlap(x[i]!.atom, y[j]!.atom)) {
      const ni = x[i]!.star ? i : i + 1;
      const nj = y[j]!.star ? j : j + 1;
      push(ni, nj);
    }
  }
  return false;
}
