/**
 * String builtins (OPA v1/topdown/strings.go semantics): indexes and lengths count code points,
 * trims and replacements follow Go's `strings` package (see go-strings.ts), and `sprintf` is Go's
 * fmt.Sprintf over the arguments as OPA converts them (see go-fmt.ts).
 */
import { RObject, RSet, type Value } from '../value.js';
import { goSprintf } from './go-fmt.js';
import { renderTemplate } from './go-template.js';
import { toGoArg } from './sprintf-args.js';
import * as gs from './go-strings.js';
import { intOperand, itemsOf, operandMessage, stringsOf, truncToBigInt, type Num } from './operands.js';
import { BuiltinError, operandError, registerBuiltins, type BuiltinDef } from './registry.js';
import { regoText } from './value-text.js';

/** Go's unicode.ToLower/ToUpper per code point (JS would expand ß to SS or İ to i̇). */
function mapCase(s: string, upper: boolean): string {
  // eslint-disable-next-line no-control-regex
  if (/^[\x00-\x7f]*$/.test(s)) return upper ? s.toUpperCase() : s.toLowerCase();
  let out = '';
  for (const ch of s) {
    const m = upper ? ch.toUpperCase() : ch.toLowerCase();
    if (gs.runeCount(m) === 1) out += m;
    else if (!upper && ch === '\u0130') out += 'i';
    else out += ch;
  }
  return out;
}

const FORMAT_BASES: Record<string, number> = { '2': 2, '8': 8, '10': 10, '16': 16 };

function formatInt(n: Num, base: Value): string {
  const b = typeof base === 'number' ? FORMAT_BASES[String(base)] : undefined;
  if (b === undefined) throw operandMessage(2, 'must be one of {2, 8, 10, 16}');
  return truncToBigInt(n).toString(b);
}

function substring(s: string, start: bigint, length: bigint): string {
  if (start < 0n) throw new BuiltinError('negative offset');
  if (s === '') return '';
  const rs = gs.runes(s);
  if (start >= BigInt(rs.length)) return '';
  const from = Number(start);
  if (length < 0n) return rs.slice(from).join('');
  const upto = BigInt(from) + length > BigInt(rs.length) ? rs.length : from + Number(length);
  return rs.slice(from, upto).join('');
}

/** Strings of a string, array or set operand (strings.any_prefix_match and friends). */
function stringList(v: Value, position: number): string[] {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v) || v instanceof RSet) return stringsOf(v, position);
  throw operandError(position, ['string', 'set', 'array'], v);
}

function replaceN(patterns: RObject, s: string): string {
  const pairs: [string, string][] = [];
  for (const [k, v] of patterns.entries()) {
    if (typeof k !== 'string') throw operandMessage(1, 'non-string key found in pattern object');
    if (typeof v !== 'string') throw operandMessage(1, 'non-string value found in pattern object');
    pairs.push([k, v]);
  }
  return gs.replaceAll(s, pairs);
}

function concat(delim: string, coll: Value): string {
  return stringsOf(coll, 2).join(delim);
}

function templateString(parts: Value[]): string {
  let out = '';
  for (const p of parts) {
    if (typeof p === 'string') {
      out += p;
      continue;
    }
    if (!(p instanceof RSet)) {
      out += regoText(p);
      continue;
    }
    if (p.size === 0) out += '<undefined>';
    else if (p.size > 1) throw new BuiltinError('template-strings must not produce multiple outputs');
    else {
      const v = p.values()[0]!;
      out += typeof v === 'string' ? v : regoText(v);
    }
  }
  return out;
}

const defs: BuiltinDef[] = [
  { name: 'concat', args: ['string', ['set', 'array']], result: 'string', impl: ([d, c]) => concat(d as string, c!) },
  { name: 'contains', args: ['string', 'string'], result: 'boolean', impl: ([s, t]) => (s as string).includes(t as string) },
  { name: 'startswith', args: ['string', 'string'], result: 'boolean', impl: ([s, t]) => (s as string).startsWith(t as string) },
  { name: 'endswith', args: ['string', 'string'], result: 'boolean', impl: ([s, t]) => (s as string).endsWith(t as string) },
  { name: 'format_int', args: ['number', 'number'], result: 'string', impl: ([n, b]) => formatInt(n as Num, b!) },
  {
    name: 'indexof',
    args: ['string', 'string'],
    result: 'number',
    impl: ([s, t]) => {
      if (t === '') throw new BuiltinError('empty search character');
      return gs.indexOfRunes(s as string, t as string);
    },
  },
  {
    name: 'indexof_n',
    args: ['string', 'string'],
    result: 'array',
    impl: ([s, t]) => {
      if (t === '') throw new BuiltinError('empty search character');
      return gs.indexesOfRunes(s as string, t as string);
    },
  },
  { name: 'lower', args: ['string'], result: 'string', impl: ([s]) => mapCase(s as string, false) },
  { name: 'upper', args: ['string'], result: 'string', impl: ([s]) => mapCase(s as string, true) },
  {
    name: 'replace',
    args: ['string', 'string', 'string'],
    result: 'string',
    impl: ([s, o, n]) => gs.replaceAll(s as string, [[o as string, n as string]]),
  },
  { name: 'strings.replace_n', args: ['object', 'string'], result: 'string', impl: ([p, s]) => replaceN(p as RObject, s as string) },
  { name: 'split', args: ['string', 'string'], result: 'array', impl: ([s, d]) => gs.split(s as string, d as string) },
  { name: 'sprintf', walks: true, args: ['string', 'array'], result: 'string', impl: ([f, a]) => goSprintf(f as string, (a as Value[]).map(toGoArg)) },
  {
    name: 'substring',
    args: ['string', 'number', 'number'],
    result: 'string',
    impl: ([s, start, len]) => substring(s as string, intOperand(start!, 2), intOperand(len!, 3)),
  },
  { name: 'trim', args: ['string', 'string'], result: 'string', impl: ([s, c]) => gs.trim(s as string, c as string) },
  { name: 'trim_left', args: ['string', 'string'], result: 'string', impl: ([s, c]) => gs.trimLeft(s as string, c as string) },
  { name: 'trim_right', args: ['string', 'string'], result: 'string', impl: ([s, c]) => gs.trimRight(s as string, c as string) },
  {
    name: 'trim_prefix',
    args: ['string', 'string'],
    result: 'string',
    impl: ([s, p]) => ((s as string).startsWith(p as string) ? (s as string).slice((p as string).length) : s!),
  },
  {
    name: 'trim_suffix',
    args: ['string', 'string'],
    result: 'string',
    impl: ([s, p]) =>
      (p as string) !== '' && (s as string).endsWith(p as string) ? (s as string).slice(0, -(p as string).length) : s!,
  },
  { name: 'trim_space', args: ['string'], result: 'string', impl: ([s]) => gs.trimSpace(s as string) },
  { name: 'strings.reverse', args: ['string'], result: 'string', impl: ([s]) => gs.reverse(s as string) },
  { name: 'strings.count', args: ['string', 'string'], result: 'number', impl: ([s, t]) => gs.count(s as string, t as string) },
  {
    name: 'strings.any_prefix_match',
    args: ['any', 'any'],
    result: 'boolean',
    impl: ([a, b]) => {
      const strs = stringList(a!, 1);
      const prefixes = stringList(b!, 2);
      return strs.some((s) => prefixes.some((p) => s.startsWith(p)));
    },
  },
  {
    name: 'strings.any_suffix_match',
    args: ['any', 'any'],
    result: 'boolean',
    impl: ([a, b]) => {
      const strs = stringList(a!, 1);
      const suffixes = stringList(b!, 2);
      return strs.some((s) => suffixes.some((p) => s.endsWith(p)));
    },
  },
  {
    name: 'strings.render_template', walks: true,
    args: ['string', 'object'],
    result: 'string',
    impl: ([t, vars]) => renderTemplate(t as string, vars!),
  },
  { name: 'internal.template_string', args: ['array'], result: 'string', impl: ([parts]) => templateString(itemsOf(parts!)) },
];

registerBuiltins(defs);
