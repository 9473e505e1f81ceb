import { describe, expect, it } from 'vitest';
import { type Value } from '../value.js';
import { callBuiltin } from './testing.js';
import './glob.js';

const call = (name: string, ...args: Value[]): unknown => callBuiltin(name, args);

const g = (p: string, d: Value, s: string) => call('glob.match', p, d, s);

describe('glob builtins', () => {
  it('matches with delimiters', () => {
    expect(g('*.github.com', ['.'], 'api.github.com')).toBe(true);
    expect(g('*.github.com', ['.'], 'api.cdn.github.com')).toBe(false);
    expect(g('api.**.com', ['.'], 'api.cdn.github.com')).toBe(true);
    expect(g('*:github:com', [':'], 'api:github:com')).toBe(true);
    expect(g('*', [], 'foo.bar')).toBe(false); // [] means the default "."
    expect(g('*', null, 'foo.bar')).toBe(true); // null means no delimiters
    expect(g('?at', ['f'], 'bat')).toBe(true);
    expect(g('?at', [], 'at')).toBe(false);
  });

  it('matches lists, ranges and alternatives', () => {
    expect(g('[abc]at', [], 'cat')).toBe(true);
    expect(g('[!abc]at', [], 'cat')).toBe(false);
    expect(g('[a-c]at', [], 'bat')).toBe(true);
    expect(g('[!a-c]at', [], 'fat')).toBe(true);
    expect(g('{cat,bat,[fr]at}', [], 'rat')).toBe(true);
    expect(g('{cat,bat,[fr]at}', [], 'at')).toBe(false);
    expect(g('a\\*b', [], 'a*b')).toBe(true);
    expect(g('a\\*b', [], 'axb')).toBe(false);
    expect(g('x}y,z', [], 'x}y,z')).toBe(true);
  });

  it('rejects bad patterns and delimiters', () => {
    expect(() => g('[abc', [], 'a')).toThrow();
    expect(() => g('{a,b', [], 'a')).toThrow();
    expect(() => g('*', ['ab'], 'a')).toThrow('operand 2 must be array of runes but got array containing string');
    expect(() => g('*', 'x', 'a')).toThrow('operand 2 must be one of {array, null} but got string');
  });

  it('quotes meta characters', () => {
    expect(call('glob.quote_meta', '*.github.com')).toBe('\\*.github.com');
    expect(call('glob.quote_meta', '[a]{b}?\\')).toBe('\\[a\\]\\{b\\}\\?\\\\');
  });
});

describe('glob.match in linear time', () => {
  // Each `*` lets a backtracking matcher try every split point: on a long run of `a`s without
  // the final `b`, JavaScript's RegExp would need O(n^k) steps for k stars.
  const long = 'a'.repeat(5000);
  it.each([
    ['*a*a*a*a*a*a*b', null],
    ['**a**a**a**a**a**b', ['.']],
    ['{*a,*aa}*{*a,*aa}*b', null],
  ] as [string, Value][])('%s', (pattern, delimiters) => {
    expect(g(pattern, delimiters, long)).toBe(false);
    expect(g(pattern, delimiters, long + 'b')).toBe(true);
  });
});
