// For unit tests of builtins: a fixed evaluation context and a direct call.
import { checkArgs, lookupBuiltin, type BuiltinContext } from './registry.js';
import type { Value } from '../value.js';

/** A builtin context for unit tests: fixed time and randomness, strict errors. */
export function testContext(overrides: Partial<BuiltinContext> = {}): BuiltinContext {
  return {
    nowNs: 0n,
    cache: new Map(),
    strict: true,
    name: 'test',
    callFunction: () => undefined,
    print: () => {},
    random: () => 0.5,
    charge: () => {},
    ...overrides,
  };
}

/** Calls a registered builtin as the evaluator would: arguments type-checked first. */
export function callBuiltin(name: string, args: Value[], ctx: BuiltinContext = testContext()): Value | Value[] | undefined {
  const def = lookupBuiltin(name);
  if (!def) throw new Error(`builtin ${name} is not registered`);
  checkArgs(def, args);
  return def.impl(args, ctx);
}
