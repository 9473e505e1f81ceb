import { describe, expect, it } from 'vitest';
import { V, type Value } from '../value.js';
import { checkArgs, lookupBuiltin, type BuiltinContext } from './registry.js';
import './types.js';

const ctx: BuiltinContext = {
  nowNs: 0n, cache: new Map(), strict: true, name: 'test',
  callFunction: () => undefined, print: () => {}, random: () => 0.5,
};

function call(name: string, ...args: Value[]): unknown {
  const def = lookupBuiltin(name)!;
  checkArgs(def, args);
  return def.impl(args, ctx);
}

describe('type builtins', () => {
  it('names types', () => {
    expect(call('type_name', null)).toBe('null');
    expect(call('type_name', V.set())).toBe('set');
    expect(call('is_number', V.num(18446744073709551614n))).toBe(true);
    expect(call('is_string', 1)).toBe(false);
  });
});
