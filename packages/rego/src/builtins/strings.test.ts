import { describe, expect, it } from 'vitest';
import { RObject, RSet, V, type Value } from '../value.js';
import { BuiltinError, BuiltinTypeError } from './registry.js';
import { callBuiltin } from './testing.js';
import './strings.js';

const call = (name: string, ...args: Value[]): unknown => callBuiltin(name, args);

describe('string builtins', () => {
  it('counts code points, not UTF-16 units', () => {
    expect(call('indexof', '🍧🍨🧁🍰🍮', '🍮')).toBe(4);
    expect(call('indexof', 'μx', 'x')).toBe(1);
    expect(call('indexof', 'abc', 'z')).toBe(-1);
    expect(call('indexof_n', '😇😀😇😀😇😀', '😀')).toEqual([1, 3, 5]);
    expect(call('substring', 'aåäö', 2, -1)).toBe('äö');
    expect(call('substring', 'abcdefgh', 2, 10000)).toBe('cdefgh');
    expect(call('substring', 'åäö', 4, -1)).toBe('');
    expect(call('strings.reverse', '1😀𝛾')).toBe('𝛾😀1');
  });

  it('raises OPA errors', () => {
    expect(() => call('substring', 'aaa', -1, -1)).toThrow(new BuiltinError('negative offset'));
    expect(() => call('substring', 'aaa', 1.5, 1)).toThrow('operand 2 must be integer number but got floating-point number');
    expect(() => call('indexof', 'abc', '')).toThrow('empty search character');
    expect(() => call('strings.reverse', 123)).toThrow('operand 1 must be string but got number');
    expect(() => call('format_int', 4.1, 199)).toThrow(new BuiltinTypeError('operand 2 must be one of {2, 8, 10, 16}'));
    expect(() => call('concat', ',', ['a', 1])).toThrow('operand 2 must be array of strings but got array containing number');
    expect(() => call('strings.replace_n', new RObject([[2, 'x']]), 'foo')).toThrow('operand 1 non-string key found in pattern object');
  });

  it('trims like Go strings', () => {
    expect(call('trim', '...foo.bar...', '.fr')).toBe('oo.ba');
    expect(call('trim_left', '¡¡hi', '¡')).toBe('hi');
    expect(call('trim_right', 'hi!?!', '!?')).toBe('hi');
    expect(call('trim_prefix', 'foo.bar', 'foo.')).toBe('bar');
    expect(call('trim_suffix', 'foo.bar', '.bar')).toBe('foo');
    expect(call('trim_space', '\u0085 \t x \u00a0')).toBe('x');
    expect(call('trim_space', '\ufeffx')).toBe('\ufeffx');
  });

  it('splits, replaces and counts like Go', () => {
    expect(call('split', 'foo.bar.baz', '.')).toEqual(['foo', 'bar', 'baz']);
    expect(call('split', 'test', '')).toEqual(['t', 'e', 's', 't']);
    expect(call('replace', 'foo...bar', '..', ',,')).toBe('foo,,.bar');
    expect(call('replace', 'ab', '', '-')).toBe('-a-b-');
    expect(call('strings.replace_n', V.obj({ f: 'x', foo: 'xxx' }), 'foobar')).toBe('xoobar');
    expect(call('strings.replace_n', V.obj({ '<': '&lt;', '>': '&gt;' }), '<b>')).toBe('&lt;b&gt;');
    expect(call('strings.count', 'dummy', '')).toBe(6);
    expect(call('strings.count', '11111', '11')).toBe(2);
  });

  it('formats integers and strings', () => {
    expect(call('format_int', 15.5, 16)).toBe('f');
    expect(call('format_int', -5, 2)).toBe('-101');
    expect(call('sprintf', 'hi %v', [['there', 5, 3.14]])).toBe('hi ["there", 5, 3.14]');
    expect(call('sprintf', '%s %v %d', [true, new RSet(), V.num(18446744073709551614n)])).toBe('true set() 18446744073709551614');
    expect(call('sprintf', '%v', [V.obj({ a: null })])).toBe('{"a": null}');
    expect(call('concat', ',', new RSet(['b', 'a']))).toBe('a,b');
    expect(call('lower', 'ÅB İ')).toBe('åb i');
    expect(call('upper', 'straße')).toBe('STRAßE');
  });

  it('matches any prefix or suffix', () => {
    expect(call('strings.any_prefix_match', ['a/b/c', 'e/f'], ['x/', 'e/'])).toBe(true);
    expect(call('strings.any_suffix_match', 'a/b/c', new RSet(['/c']))).toBe(true);
    expect(call('strings.any_prefix_match', [], ['a'])).toBe(false);
    expect(() => call('strings.any_prefix_match', [1], 'a')).toThrow('operand 1 must be array of strings but got array containing number');
    expect(() => call('strings.any_suffix_match', 'a', 1)).toThrow('operand 2 must be one of {string, set, array} but got number');
  });

  it('renders interpolated template parts', () => {
    expect(call('internal.template_string', ['a ', new RSet(['x']), ' ', new RSet(), ' ', new RSet([[1, 'b']])])).toBe(
      'a x <undefined> [1, "b"]',
    );
  });
});
