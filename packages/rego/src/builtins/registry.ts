/**
 * How a Rego builtin is declared and registered.
 *
 * Usage (one module per builtin group, e.g. builtins/strings.ts):
 *
 *   import { registerBuiltins, BuiltinError } from './registry.js';
 *   import type { Value } from '../value.js';
 *
 *   registerBuiltins([
 *     {
 *       name: 'startswith',
 *       args: ['string', 'string'],          // checked by the engine before impl runs:
 *       result: 'boolean',                   //  "operand 1 must be string but got number"
 *       impl: ([s, p]) => (s as string).startsWith(p as string),
 *     },
 *     {
 *       name: 'json.remove', walks: true,
 *       args: ['object', ['set', 'array']],   // a union: "operand 2 must be one of {set, array} but got number"
 *       result: 'any',
 *       impl: (args, ctx) => { ...; throw new BuiltinError('bad path'); },
 *     },
 *   ]);
 *
 * Then add `import './strings.js';` to builtins/index.ts (a plain list of imports).
 *
 * Semantics the engine applies around `impl`:
 * - Arguments are already evaluated Values (see ../value.ts). Declared argument types are checked
 *   first; a mismatch raises BuiltinTypeError with OPA's message. Use 'any' to check yourself.
 * - Return a Value, or `undefined` for "the call is undefined" (e.g. `to_number("x")` fails as
 *   undefined only where OPA does so; errors should be thrown).
 * - Throw `BuiltinTypeError` (→ eval_type_error) or `BuiltinError` (→ eval_builtin_error) with the
 *   message only; the engine prefixes the builtin name ("startswith: operand 1 must be ...").
 *   Outside strict mode (ctx.strict false) the engine turns those errors into "undefined", as OPA
 *   does. Any other thrown exception is treated as BuiltinError with its message.
 * - `relation: true` (e.g. `walk`): impl returns a JS array of all outputs (each a Value), or
 *   undefined for none; the engine iterates them.
 * - `nondeterministic: true` (time.now_ns, rand.intn, http.send, ...): results must not be
 *   folded at compile time; use ctx.cache for per-evaluation memoisation.
 * - Time: never read the clock; use ctx.nowNs (fixed for one evaluation).
 * - Cost (../cost.ts): every call is charged evaluation steps by the shallow size of its arguments
 *   and of its result. A builtin that walks nested values declares `walks: true` (charged by the
 *   deep size of its arguments); one that builds more than its arguments show declares `cost`
 *   (e.g. numbers.range: the length of the list). A loop inside impl that is not bounded by either
 *   calls ctx.charge(steps) as it goes, so the step and time limits stop it.
 */
import type { TypeName, Value } from '../value.js';
import { typeName } from '../value.js';

/** A declared operand/result type: one type, 'any', or a union (array of types). */
export type ArgType = TypeName | 'any' | readonly TypeName[];

export interface BuiltinContext {
  /** The evaluation's fixed time in nanoseconds since the Unix epoch. */
  readonly nowNs: bigint;
  /** Per-evaluation cache (e.g. for rand.intn, http.send); key it by builtin name + args. */
  readonly cache: Map<string, unknown>;
  /** strict-builtin-errors: errors halt evaluation instead of making the call undefined. */
  readonly strict: boolean;
  /** Name of the builtin being called (as written in policy, after `with` mocks are resolved). */
  readonly name: string;
  /** Call a user-defined function or builtin by its full name (e.g. 'data.lib.f' or 'count'). */
  callFunction(name: string, args: Value[]): Value | undefined;
  /** Print sink (the engine decides where `print` output goes). */
  print(message: string): void;
  /** Random source in [0, 1) for rand.intn; deterministic when the caller supplies a seed. */
  random(): number;
  /** Syntax of the policy being evaluated (rego.parse_module parses in it). */
  readonly regoVersion?: 'v0' | 'v1';
  /** Charge evaluation steps for work done inside impl; throws the limit error when one is spent. */
  charge(steps: number): void;
}

export type BuiltinImpl = (args: Value[], ctx: BuiltinContext) => Value | Value[] | undefined;

export interface BuiltinDef {
  /** Full name as written in policy, e.g. 'time.now_ns', 'io.jwt.decode', 'count'. */
  readonly name: string;
  /** Declared operand types, in order. Their count is the builtin's arity. */
  readonly args: readonly ArgType[];
  /** Declared result type (documentation and strict checks). */
  readonly result: ArgType;
  readonly impl: BuiltinImpl;
  /** Result varies between evaluations (time, randomness, network). */
  readonly nondeterministic?: boolean;
  /** impl returns all outputs as a JS array (Value[]) to iterate. */
  readonly relation?: boolean;
  /** Deprecated in OPA v1 (e.g. re_match, any, all): still callable, rejected in strict mode. */
  readonly deprecated?: boolean;
  /** Needs the network; the conformance runner skips cases that use it. */
  readonly network?: boolean;
  /** Takes any number of operands (e.g. print); `args` then gives the type of each. */
  readonly variadic?: boolean;
  /** Infix operator spelling, e.g. '+' for plus (core language only). */
  readonly infix?: string;
  /** Walks nested values of its arguments: charged by their deep size, not the shallow one. */
  readonly walks?: boolean;
  /** Steps charged before impl runs for what it will build (beyond the size of the arguments). */
  readonly cost?: (args: readonly Value[]) => number;
}

/** → OPA eval_type_error. Message without the builtin name, e.g. "operand 1 must be string but got number". */
export class BuiltinTypeError extends Error {
  override readonly name = 'BuiltinTypeError';
  readonly code = 'eval_type_error';
}

/** → OPA eval_builtin_error. Message without the builtin name. */
export class BuiltinError extends Error {
  override readonly name = 'BuiltinError';
  readonly code = 'eval_builtin_error';
}

const registry = new Map<string, BuiltinDef>();

/** Register builtins; a later registration of the same name replaces the earlier one. */
export function registerBuiltins(defs: readonly BuiltinDef[]): void {
  for (const def of defs) registry.set(def.name, def);
}

export function lookupBuiltin(name: string): BuiltinDef | undefined {
  return registry.get(name);
}

export function allBuiltins(): ReadonlyMap<string, BuiltinDef> {
  return registry;
}

/** Text of a declared type as OPA writes it in operand errors. */
export function describeType(t: ArgType): string {
  if (typeof t === 'string') return t;
  return `one of {${t.join(', ')}}`;
}

/** Whether a value matches a declared type. */
export function matchesType(v: Value, t: ArgType): boolean {
  if (t === 'any') return true;
  const n = typeName(v);
  return typeof t === 'string' ? n === t : t.includes(n);
}

/** The OPA operand error: "operand 2 must be one of {set, array} but got number". */
export function operandError(position: number, expected: ArgType | string, got: Value): BuiltinTypeError {
  const want = typeof expected === 'string' && !isTypeName(expected) ? expected : describeType(expected as ArgType);
  return new BuiltinTypeError(`operand ${position} must be ${want} but got ${typeName(got)}`);
}

function isTypeName(s: string): boolean {
  return s === 'any' || s === 'null' || s === 'boolean' || s === 'number' || s === 'string' || s === 'array' || s === 'object' || s === 'set';
}

/** Check declared operand types; throws BuiltinTypeError at the first mismatch. */
export function checkArgs(def: BuiltinDef, args: readonly Value[]): void {
  const types = def.args;
  for (let i = 0; i < types.length; i++) {
    const t = types[i]!;
    if (t !== 'any' && !matchesType(args[i]!, t)) throw operandError(i + 1, t, args[i]!);
  }
}
