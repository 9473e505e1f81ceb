import { describe, expect, it } from 'vitest';
import { V, type Value } from '../value.js';
import { callBuiltin, testContext } from './testing.js';
import './types.js';

const ctx = testContext({ random: () => 0.5 });
const call = (name: string, ...args: Value[]): unknown => callBuiltin(name, args, ctx);

describe('type builtins', () => {
  it('names types', () => {
    expect(call('type_name', null)).toBe('null');
    expect(call('type_name', V.set())).toBe('set');
    expect(call('is_number', V.num(18446744073709551614n))).toBe(true);
    expect(call('is_string', 1)).toBe(false);
  });
});
