import { describe, expect, it } from 'vitest';
import { callBuiltin } from './testing.js';
import './semver.js';

const cmp = (a: string, b: string) => callBuiltin('semver.compare', [a, b]);

describe('semver', () => {
  it('orders by core version, then pre-release, ignoring build metadata', () => {
    expect(cmp('1.0.0', '2.0.0')).toBe(-1);
    expect(cmp('2.0.0', '1.0.0')).toBe(1);
    expect(cmp('1.0.0+a', '1.0.0+b')).toBe(0);
    expect(cmp('1.0.0-alpha', '1.0.0')).toBe(-1);
    expect(cmp('1.0.0-alpha.1', '1.0.0-alpha.beta')).toBe(-1);
    expect(cmp('1.0.0-beta.11', '1.0.0-beta.2')).toBe(1);
    expect(cmp('1.0.0-alpha', '1.0.0-alpha.1')).toBe(-1);
    expect(cmp('10.0.0', '9.0.0')).toBe(1);
  });
  it('rejects invalid versions naming the operand', () => {
    expect(() => cmp('1', '1.0.0')).toThrow('operand 1: string "1" is not a valid SemVer');
    expect(() => cmp('1.0.0', 'v1.0.0')).toThrow('operand 2: string "v1.0.0" is not a valid SemVer');
    expect(callBuiltin('semver.is_valid', ['1.0.0'])).toBe(true);
    expect(callBuiltin('semver.is_valid', ['01.0.0'])).toBe(false);
    expect(callBuiltin('semver.is_valid', [1])).toBe(false);
  });
});
