import { describe, expect, it } from 'vitest';
import { BigNum, V, type Value } from '../value.js';
import { BuiltinError } from './registry.js';
import { callBuiltin, testContext } from './testing.js';
import './numbers.js';

const ctx = testContext({ random: () => 0.5 });
const call = (name: string, ...args: Value[]): unknown => callBuiltin(name, args, ctx);

describe('number builtins', () => {
  it('rounds like Go math', () => {
    expect(call('abs', -10)).toBe(10);
    expect(call('ceil', -1.99999)).toBe(-1);
    expect(call('ceil', 2222.2222222222)).toBe(2223);
    expect(call('floor', -1.5)).toBe(-2);
    expect(call('round', 2.5)).toBe(3);
    expect(call('round', -2.5)).toBe(-3);
    expect(call('round', 1.4)).toBe(1);
    expect((call('abs', V.num(-18446744073709551614n)) as BigNum).int).toBe(18446744073709551614n);
  });

  it('builds ranges', () => {
    expect(call('numbers.range', -2, 3)).toEqual([-2, -1, 0, 1, 2, 3]);
    expect(call('numbers.range', 2, -1)).toEqual([2, 1, 0, -1]);
    expect(call('numbers.range_step', 0, -10, 2)).toEqual([0, -2, -4, -6, -8, -10]);
    expect(call('numbers.range_step', 2, 5, 2)).toEqual([2, 4]);
    expect(call('numbers.range_step', 0, 10, V.num(99999999999999999999n))).toEqual([0]);
    expect(() => call('numbers.range', 3.14, 4)).toThrow('operand 1 must be integer number but got floating-point number');
    expect(() => call('numbers.range_step', 0, 10, -2)).toThrow(new BuiltinError('step must be a positive integer'));
    expect(() => call('numbers.range', 0, 1e12)).toThrow('result too large');
  });

  it('keeps rand.intn stable within an evaluation', () => {
    const a = call('rand.intn', 'key', 100);
    expect(a).toBe(50);
    expect(call('rand.intn', 'key', 100)).toBe(a);
    expect(call('rand.intn', 'key', 0)).toBe(0);
  });

  it('does bit arithmetic on integers', () => {
    expect(call('bits.and', 5, 3)).toBe(1);
    expect(call('bits.or', 5, 3)).toBe(7);
    expect(call('bits.xor', 5, 3)).toBe(6);
    expect(call('bits.negate', 5)).toBe(-6);
    expect(call('bits.lsh', 1, 3)).toBe(8);
    expect(call('bits.rsh', -8, 1)).toBe(-4);
    expect((call('bits.lsh', 1, 64) as BigNum).int).toBe(18446744073709551616n);
    expect(() => call('bits.and', 1.5, 1)).toThrow('operand 1 must be integer number but got floating-point number');
    expect(() => call('bits.lsh', 1, -1)).toThrow('operand 2 must be an unsigned integer number but got a negative integer');
  });
});
