import { describe, expect, it } from 'vitest';
import { type Value } from '../value.js';
import { callBuiltin } from './testing.js';
import './regex.js';

const call = (name: string, ...args: Value[]): unknown => callBuiltin(name, args);

const m = (p: string, s: string) => call('regex.match', p, s);

describe('RE2 syntax', () => {
  it('matches ordinary patterns', () => {
    expect(m('^[a-z]+\\[[0-9]+\\]$', 'foo[1]')).toBe(true);
    expect(m('^$', '')).toBe(true);
    expect(m('', 'x')).toBe(true);
    expect(m('^$', 'something')).toBe(false);
    expect(m('a{2,3}', 'caab')).toBe(true);
    expect(m('x{', 'x{')).toBe(true); // not a repeat: literal
  });

  it('applies RE2 flags, also scoped', () => {
    expect(m('(?i)^abc$', 'ABC')).toBe(true);
    expect(m('^a(?i:b)c$', 'aBc')).toBe(true);
    expect(m('^a(?i:b)c$', 'aBC')).toBe(false);
    expect(m('^a(?i)b$', 'aB')).toBe(true);
    expect(m('(?s)^a.b$', 'a\nb')).toBe(true);
    expect(m('^a.b$', 'a\nb')).toBe(false);
    expect(m('^a.b$', 'a\rb')).toBe(true); // RE2's . excludes only \n
    expect(m('(?m)^b$', 'a\nb\nc')).toBe(true);
    expect(m('^b$', 'a\nb\nc')).toBe(false);
    expect(m('a$', 'a\n')).toBe(false); // $ is \z without (?m)
  });

  it('translates RE2-only syntax', () => {
    expect(m('\\Aab\\z', 'ab')).toBe(true);
    expect(m('^(?P<first>\\w+) (?<last>\\w+)$', 'ada lovelace')).toBe(true);
    expect(m('^[[:alpha:]]+$', 'abcXYZ')).toBe(true);
    expect(m('^[[:^digit:]]+$', 'ab1')).toBe(false);
    expect(m('^\\pL+$', 'héllo')).toBe(true);
    expect(m('^\\p{Greek}+$', 'αβγ')).toBe(true);
    expect(m('^\\Qa.b\\E$', 'a.b')).toBe(true);
    expect(m('^\\Qa.b\\E$', 'axb')).toBe(false);
    expect(m('^\\x{1F600}$', '😀')).toBe(true);
    expect(m('^\\s$', '\u00a0')).toBe(false); // RE2 \s is ASCII
    expect(m('^\\101$', 'A')).toBe(true);
  });

  it('rejects what RE2 rejects, with Go messages', () => {
    expect(() => m('][', 'x')).toThrow('error parsing regexp: missing closing ]: `[`');
    expect(() => m('(abc', 'x')).toThrow('error parsing regexp: missing closing ): `(abc`');
    expect(() => m('abc)', 'x')).toThrow('error parsing regexp: unexpected ): `abc)`');
    expect(() => m('a**', 'x')).toThrow('error parsing regexp: invalid nested repetition operator: `**`');
    expect(() => m('*a', 'x')).toThrow('error parsing regexp: missing argument to repetition operator: `*`');
    expect(() => m('a{1001}', 'x')).toThrow('error parsing regexp: invalid repeat count: `{1001}`');
    expect(() => m('(?=a)', 'x')).toThrow('invalid or unsupported Perl syntax');
    expect(() => m('(a)\\1', 'x')).toThrow('invalid escape sequence: `\\1`');
    expect(() => m('\\Z', 'x')).toThrow('invalid escape sequence: `\\Z`');
    expect(() => m('[z-a]', 'x')).toThrow('invalid character class range: `z-a`');
    expect(call('regex.is_valid', '$^[[[')).toBe(false);
    expect(call('regex.is_valid', '.+')).toBe(true);
    expect(call('regex.is_valid', 10)).toBe(false);
  });

});

describe('regex builtins', () => {
  it('finds matches like Go FindAll', () => {
    expect(call('regex.find_n', 'a.', 'paranormal', -1)).toEqual(['ar', 'an', 'al']);
    expect(call('regex.find_n', 'a.', 'paranormal', 2)).toEqual(['ar', 'an']);
    expect(call('regex.find_n', '[abcdef]{2}', 'abacadaeaf', -1)).toEqual(['ab', 'ac', 'ad', 'ae', 'af']);
    expect(call('regex.find_n', 'a*', 'baaa', -1)).toEqual(['', 'aaa']);
    expect(call('regex.find_all_string_submatch_n', 'a(x*)b', '-ab-axb-', -1)).toEqual([
      ['ab', ''],
      ['axb', 'x'],
    ]);
    expect(call('regex.find_all_string_submatch_n', '[^aouiye]([aouiye])([^aouiye])?', 'somestri', -1)).toEqual([
      ['som', 'o', 'm'],
      ['ri', 'i', ''],
    ]);
  });

  it('splits like Go', () => {
    expect(call('regex.split', '^[a-z]+\\[[0-9]+\\]$', '')).toEqual(['']);
    expect(call('regex.split', '^[a-z]+', 'foobar baz')).toEqual(['', ' baz']);
    expect(call('regex.split', '[a-z]+$', 'foobar baz')).toEqual(['foobar ', '']);
    expect(call('regex.split', '^[a-z ]+$', 'foobar baz')).toEqual(['', '']);
    expect(call('regex.split', 'a', 'banana')).toEqual(['b', 'n', 'n', '']);
  });

  it('replaces with Go $-expansion', () => {
    expect(call('regex.replace', '-wy-wxxy-', 'w(x*)y', '0')).toBe('-0-0-');
    expect(call('regex.replace', 'foo', '(foo)', '$1$1')).toBe('foofoo');
    expect(call('regex.replace', 'foo barx', '[a-z]{3}', '_')).toBe('_ _x');
    expect(call('regex.replace', 'ab', '(?P<x>a)', '[${x}]$1x$$')).toBe('[a]$b');
    expect(call('regex.replace', 'abc', 'x*', '-')).toBe('-a-b-c-');
  });

  it('matches templates and glob intersections', () => {
    expect(call('regex.template_match', 'urn:foo:{.*}', 'urn:foo:bar:baz', '{', '}')).toBe(true);
    expect(call('regex.template_match', 'urn:foo.<[a-z]+>', 'urn:fooxbar', '<', '>')).toBe(false);
    expect(() => call('regex.template_match', 'urn:{a', 'x', '{', '}')).toThrow('unbalanced braces');
    expect(call('regex.globs_match', '[a-z]+', '[0-9]*')).toBe(false);
    expect(call('regex.globs_match', 'b.*', 'bar')).toBe(true);
    expect(call('regex.globs_match', '[a-z]+\\[[0-9]+\\]', 'foo\\[1\\]')).toBe(true);
    expect(call('regex.globs_match', '[a-z]+\\[[0-9]+\\]', 'foo["bar"]')).toBe(false);
    expect(() => call('regex.globs_match', 'pqrs]', '[a-b]+')).toThrow(
      "input:pqrs], pos:5, set-close ']' with no preceding '[': the input provided is invalid",
    );
  });
});

// Patterns with nested or overlapping quantifiers that make a backtracking engine take time
// exponential (or a high power) in the input length. JavaScript's RegExp needed 8.6 s for
// `^(a+)+$` on 30 `a`s and a `!`; these inputs are thousands of characters long, so these calls
// finish within the test timeout only if matching is linear in the input, as RE2's is.
const PATHOLOGICAL: [pattern: string, input: string][] = [
  ['^(a+)+$', 'a'.repeat(4000) + '!'],
  ['(a|aa)+$', 'a'.repeat(4000) + '!'],
  ['(x+x+)+y', 'x'.repeat(4000)],
];

describe('linear-time matching (no ReDoS)', () => {
  it.each(PATHOLOGICAL)('regex.match and re_match: %s', (p, s) => {
    expect(call('regex.match', p, s)).toBe(false);
    expect(call('re_match', p, s)).toBe(false);
    expect(call('regex.match', p, s.slice(0, -1) + (p.endsWith('y') ? 'y' : 'a'))).toBe(true);
  });

  it.each(PATHOLOGICAL)('regex.split, regex.find_n, regex.find_all_string_submatch_n: %s', (p, s) => {
    expect(call('regex.split', p, s)).toEqual([s]);
    expect(call('regex.find_n', p, s, -1)).toEqual([]);
    expect(call('regex.find_all_string_submatch_n', p, s, -1)).toEqual([]);
  });

  it.each(PATHOLOGICAL)('regex.replace: %s', (p, s) => {
    expect(call('regex.replace', s, p, 'z')).toBe(s);
  });

  it.each(PATHOLOGICAL)('regex.template_match: %s', (p, s) => {
    // The inner expression is anchored by the template: `^prefix(<inner>)suffix$`.
    const inner = p.replace(/^\^/, '').replace(/\$$/, '');
    expect(call('regex.template_match', `id:{${inner}}:end`, `id:${s}:end`, '{', '}')).toBe(false);
  });

  it('regex.globs_match: wide ranges and long globs', () => {
    const all = `[${String.fromCodePoint(0)}-${String.fromCodePoint(0x10ffff)}]`;
    expect(call('regex.globs_match', all.repeat(300), '.'.repeat(300))).toBe(true);
    expect(call('regex.globs_match', all.repeat(300), 'a'.repeat(301))).toBe(false);
    expect(call('regex.globs_match', 'a*'.repeat(300) + 'b', 'a'.repeat(300))).toBe(false);
    expect(call('regex.globs_match', '[x-z0-2]+', '[a-y]*')).toBe(true);
    expect(call('regex.globs_match', '[x-z0-2]+', '[a-w3]*')).toBe(false);
  });

  it('still reports captures of a long match', () => {
    const s = 'a'.repeat(3000);
    expect(call('regex.find_all_string_submatch_n', '^(a+)+$', s, -1)).toEqual([[s, s]]);
    expect(call('regex.replace', s + '!', '(a|aa)+', '<$1>')).toBe('<a>!');
  });
});
