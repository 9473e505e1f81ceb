import { describe, expect, it } from 'vitest';
import { V, type Value } from '../value.js';
import { callBuiltin, testContext } from './testing.js';
import './casts.js';

const ctx = testContext({ random: () => 0.5 });
const call = (name: string, ...args: Value[]): unknown => callBuiltin(name, args, ctx);

describe('casts', () => {
  it('converts to numbers', () => {
    expect(call('to_number', '-42.0')).toBe(-42);
    expect(call('to_number', false)).toBe(0);
    expect(call('to_number', true)).toBe(1);
    expect(call('to_number', null)).toBe(0);
    expect(call('to_number', '1e3')).toBe(1000);
    expect(call('to_number', '.5')).toBe(0.5);
    expect(() => call('to_number', 'broken')).toThrow('invalid syntax');
    expect(() => call('to_number', '-Infinity')).toThrow('operand 1 must be valid number string but got string');
    expect(() => call('to_number', [])).toThrow('operand 1 must be one of {null, boolean, number, string} but got array');
  });

  it('casts between arrays and sets', () => {
    expect(call('cast_array', V.set(3, 1))).toEqual([1, 3]);
    expect(call('cast_set', [1, 1, 2])).toEqual(V.set(1, 2));
    expect(() => call('cast_set', 'x')).toThrow('operand 1 must be one of {array, set} but got string');
    expect(() => call('cast_boolean', 1)).toThrow('operand 1 must be boolean but got number');
  });
});
