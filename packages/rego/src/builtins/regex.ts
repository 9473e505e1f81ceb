/**
 * Regular expression builtins (OPA v1/topdown/regex.go) on a linear-time RE2 engine (see
 * re2.ts): regex.match / re_match, regex.is_valid, regex.split, regex.find_n,
 * regex.find_all_string_submatch_n, regex.replace, regex.template_match, regex.globs_match.
 * Invalid patterns raise eval_builtin_error with Go's parse message.
 */
import { type Value } from '../value.js';
import { intOperand } from './operands.js';
import { compileRE2, findAll, matchString, quoteMeta, RegexSyntaxError, replaceAll, split, type CompiledRegex } from './re2.js';
import { globsIntersect } from './regex-globs.js';
import { BuiltinError, registerBuiltins, type BuiltinDef } from './registry.js';

function compile(pattern: string): CompiledRegex {
  try {
    return compileRE2(pattern);
  } catch (e) {
    if (e instanceof RegexSyntaxError) throw new BuiltinError(e.message);
    throw e;
  }
}

function matches(pattern: string, value: string): boolean {
  return matchString(compile(pattern), value);
}

function isValid(pattern: Value): boolean {
  if (typeof pattern !== 'string') return false;
  try {
    compileRE2(pattern);
    return true;
  } catch {
    return false;
  }
}

/** The positions of top-level {...} spans of a template (gorilla/mux style), or an error. */
function delimiterSpans(tpl: string, open: string, close: string): [number, number][] {
  const spans: [number, number][] = [];
  let level = 0;
  let start = 0;
  for (let i = 0; i < tpl.length; i++) {
    if (tpl[i] === open) {
      if (++level === 1) start = i;
    } else if (tpl[i] === close) {
      level--;
      if (level === 0) spans.push([start, i + 1]);
      else if (level < 0) throw new BuiltinError(`unbalanced braces in ${JSON.stringify(tpl)}`);
    }
  }
  if (level !== 0) throw new BuiltinError(`unbalanced braces in ${JSON.stringify(tpl)}`);
  return spans;
}

/** regex.template_match: literal text outside the delimiters, regular expressions inside. */
function templateMatch(tpl: string, value: string, open: string, close: string): boolean {
  if (open.length === 0 || close.length === 0) throw new BuiltinError('delimiters must be non-empty');
  let pattern = '^';
  let end = 0;
  for (const [s, e] of delimiterSpans(tpl, open[0]!, close[0]!)) {
    const inner = tpl.slice(s + 1, e - 1);
    compile(`^${inner}$`);
    pattern += `${quoteMeta(tpl.slice(end, s))}(${inner})`;
    end = e;
  }
  pattern += quoteMeta(tpl.slice(end)) + '$';
  return matchString(compile(pattern), value);
}

const defs: BuiltinDef[] = [
  { name: 'regex.match', args: ['string', 'string'], result: 'boolean', impl: ([p, v]) => matches(p as string, v as string) },
  { name: 're_match', args: ['string', 'string'], result: 'boolean', deprecated: true, impl: ([p, v]) => matches(p as string, v as string) },
  { name: 'regex.is_valid', args: ['any'], result: 'boolean', impl: ([p]) => isValid(p!) },
  {
    name: 'regex.split',
    args: ['string', 'string'],
    result: 'array',
    impl: ([p, v]) => split(compile(p as string), v as string, p as string),
  },
  {
    name: 'regex.find_n',
    args: ['string', 'string', 'number'],
    result: 'array',
    impl: ([p, v, n]) => findAll(compile(p as string), v as string, Number(intOperand(n!, 3))).map((m) => m.groups[0]!),
  },
  {
    name: 'regex.find_all_string_submatch_n',
    args: ['string', 'string', 'number'],
    result: 'array',
    impl: ([p, v, n]) =>
      findAll(compile(p as string), v as string, Number(intOperand(n!, 3))).map((m) => m.groups.map((g) => g ?? '')),
  },
  {
    name: 'regex.replace',
    args: ['string', 'string', 'string'],
    result: 'string',
    impl: ([s, p, r]) => replaceAll(compile(p as string), s as string, r as string),
  },
  {
    name: 'regex.template_match',
    args: ['string', 'string', 'string', 'string'],
    result: 'boolean',
    impl: ([t, v, o, c]) => templateMatch(t as string, v as string, o as string, c as string),
  },
  { name: 'regex.globs_match', args: ['string', 'string'], result: 'boolean', impl: ([a, b]) => globsIntersect(a as string, b as string) },
];

registerBuiltins(defs);
