// Calls a registered builtin directly, with a fixed evaluation context, for unit tests.
import type { Value } from '../value.js';
import { lookupBuiltin, type BuiltinContext } from './registry.js';

export function testContext(nowNs = 0n): BuiltinContext {
  return {
    nowNs,
    cache: new Map(),
    strict: true,
    name: 'test',
    callFunction: () => undefined,
    print: () => {},
    random: () => 0.5,
  };
}

export function callBuiltin(name: string, args: Value[], ctx: BuiltinContext = testContext()): Value | Value[] | undefined {
  const def = lookupBuiltin(name);
  if (!def) throw new Error(`no builtin ${name}`);
  return def.impl(args, ctx);
}
