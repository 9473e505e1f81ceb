import { describe, expect, it } from 'vitest';
import { BigNum, RObject, RSet, V, type Value } from '../value.js';
import { callBuiltin } from './testing.js';
import './aggregates.js';

const call = (name: string, ...args: Value[]): unknown => callBuiltin(name, args);

describe('aggregates', () => {
  it('counts collections and code points', () => {
    expect(call('count', [1, 2, 3])).toBe(3);
    expect(call('count', V.obj({ a: 1 }))).toBe(1);
    expect(call('count', new RSet([1, 1, 2]))).toBe(2);
    expect(call('count', 'åäö😀')).toBe(4);
    expect(() => call('count', null)).toThrow('operand 1 must be one of {array, object, set, string} but got null');
  });

  it('sums and multiplies exactly', () => {
    expect(call('sum', [1, 2, 3, 4])).toBe(10);
    expect(call('sum', new RSet([1, 2, 3, 4]))).toBe(10);
    expect(call('sum', [49649733057, 1])).toBe(49649733058);
    expect(call('sum', [0.1, 0.2])).toBe(0.3);
    expect(call('sum', [])).toBe(0);
    expect((call('sum', [Number.MAX_SAFE_INTEGER, 2]) as BigNum).int).toBe(9007199254740993n);
    expect(call('product', [1, 2, 3, 4])).toBe(24);
    expect(call('product', [])).toBe(1);
    expect(() => call('sum', [1, 'a'])).toThrow('operand 1 must be array of numbers but got array containing string');
  });

  it('orders with OPA total order', () => {
    expect(call('max', [1, 2, 3, 4])).toBe(4);
    expect(call('min', [3, 2, 1, 4, 6, -7, 10])).toBe(-7);
    expect(call('max', [1, 'a', null])).toBe('a');
    expect(call('max', [])).toBeUndefined();
    expect(call('min', new RSet())).toBeUndefined();
    expect(call('sort', [4, 'b', null, 1, [1]])).toEqual([null, 1, 4, 'b', [1]]);
    expect(call('sort', new RSet([3, 1, 2]))).toEqual([1, 2, 3]);
  });

  it('all and any test for true', () => {
    expect(call('all', [])).toBe(true);
    expect(call('all', [true, 1])).toBe(false);
    expect(call('any', new RSet([false, true]))).toBe(true);
    expect(call('any', new RSet())).toBe(false);
    expect(call('any', [1, 'true'])).toBe(false);
    expect(() => call('all', new RObject())).toThrow('operand 1 must be one of {array, set} but got object');
  });
});
