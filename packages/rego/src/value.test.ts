import { describe, expect, it } from 'vitest';
import { plus, div, mul } from './builtins/operators.js';
import { BigNum, compare, equals, numberFromText, parseJSON, RObject, RSet, toJSON, typeName, V } from './value.js';

describe('Rego values', () => {
  it("orders types as OPA does: null < boolean < number < string < array < object < set", () => {
    const vs = [V.set(1), new RObject(), [1], 'a', 1, false, null];
    expect([...vs].sort(compare).map(typeName)).toEqual(['null', 'boolean', 'number', 'string', 'array', 'object', 'set']);
  });

  it('keeps integers beyond 2^53 and long decimals exact', () => {
    const big = numberFromText('18446744073709551614');
    expect(big).toBeInstanceOf(BigNum);
    expect(toJSON(parseJSON('[18446744073709551614, 3.14159265358979323846]'))).toBe('[18446744073709551614,3.14159265358979323846]');
    expect(toJSON(plus(big, 1))).toBe('18446744073709551615');
    expect(compare(numberFromText('9007199254740993'), numberFromText('9007199254740992'))).toBe(1);
  });

  it('does decimal arithmetic as OPA prints it', () => {
    expect(plus(0.1, 0.2)).toBe(0.3);
    expect(mul(1.1, 1.1)).toBe(1.21);
    expect(div(0.3, 0.1)).toBe(3);
    expect(() => div(1, 0)).toThrow('divide by zero');
  });

  it('takes objects with keys of any type and prints non-string keys as JSON text', () => {
    const o = new RObject([[1, 'a'], [[1], true], ['x', V.set(2, 1)]]);
    expect(o.get(1)).toBe('a');
    expect(o.get([1])).toBe(true);
    expect(o.get('1')).toBeUndefined();
    expect(toJSON(o)).toBe('{"1":"a","[1]":true,"x":[1,2]}');
  });

  it('compares structurally; sets ignore insertion order', () => {
    expect(equals(new RSet([3, 1, 2]), new RSet([1, 2, 3]))).toBe(true);
    expect(equals(V.obj({ a: [1, V.set('x')] }), V.obj({ a: [1, V.set('x')] }))).toBe(true);
    expect(equals(1, 1.5)).toBe(false);
    expect(equals('\u0000x', V.obj({}))).toBe(false);
  });
});
