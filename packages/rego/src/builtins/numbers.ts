/**
 * Number builtins (OPA v1/topdown/arithmetic.go, numbers.go, bits.go): abs, ceil, floor, round,
 * numbers.range, numbers.range_step, rand.intn and the bits.* family. Integers are exact (bigint
 * beyond 2^53); rounding of decimals follows Go's math (round half away from zero).
 */
import { BigNum, numberFromBigInt, makeNumber, type Value } from '../value.js';
import { intOperand, operandMessage, truncToBigInt, type Num } from './operands.js';
import { BuiltinError, registerBuiltins, type BuiltinContext, type BuiltinDef } from './registry.js';

/** Largest list numbers.range and numbers.range_step build: a guard against runaway policies. */
const MAX_RANGE_LENGTH = 10_000_000;

function isInt(n: Num): boolean {
  return typeof n === 'number' ? Number.isInteger(n) : n.int !== null;
}

function abs(n: Num): Num {
  if (typeof n === 'number') return Math.abs(n);
  if (n.int !== null) return numberFromBigInt(n.int < 0n ? -n.int : n.int);
  return n.text.startsWith('-') ? new BigNum(n.text.slice(1), null) : n;
}

/** Round a decimal to an integer with mode: floor, ceil, or half away from zero. */
function toInteger(n: Num, mode: 'floor' | 'ceil' | 'round'): Num {
  if (isInt(n)) return n;
  if (typeof n === 'number') {
    if (mode === 'floor') return makeNumber(Math.floor(n));
    if (mode === 'ceil') return makeNumber(Math.ceil(n));
    return makeNumber(Math.sign(n) * Math.round(Math.abs(n)));
  }
  // Exact decimal text beyond double precision: truncate, then adjust.
  const t = truncToBigInt(n);
  const neg = n.text.startsWith('-');
  if (mode === 'floor') return numberFromBigInt(neg ? t - 1n : t);
  if (mode === 'ceil') return numberFromBigInt(neg ? t : t + 1n);
  const frac = /\.(\d)/.exec(n.text);
  const up = frac !== null && frac[1]! >= '5';
  return numberFromBigInt(up ? (neg ? t - 1n : t + 1n) : t);
}

function range(from: bigint, to: bigint, step: bigint): Value[] {
  const length = (from <= to ? to - from : from - to) / step + 1n;
  if (length > BigInt(MAX_RANGE_LENGTH)) throw new BuiltinError(`result too large (over ${MAX_RANGE_LENGTH} numbers)`);
  const out: Value[] = [];
  if (from <= to) for (let i = from; i <= to; i += step) out.push(numberFromBigInt(i));
  else for (let i = from; i >= to; i -= step) out.push(numberFromBigInt(i));
  return out;
}

function unsigned(v: Value, position: number): bigint {
  const i = intOperand(v, position);
  if (i < 0n) throw operandMessage(position, 'must be an unsigned integer number but got a negative integer');
  return i;
}

/** rand.intn: one value per (str, n) within an evaluation, as OPA memoises it. */
function randIntn(str: string, n: bigint, ctx: BuiltinContext): Value {
  if (n === 0n) return 0;
  const bound = n < 0n ? -n : n;
  const key = `rand.intn\u0000${str}\u0000${bound}`;
  const cached = ctx.cache.get(key);
  if (cached !== undefined) return cached as Value;
  const r = numberFromBigInt(BigInt(Math.floor(ctx.random() * Number(bound))) % bound);
  ctx.cache.set(key, r);
  return r;
}

/** Length of the list numbers.range(_step) will build, charged before it is built (cost.ts). */
function rangeLength([a, b, s]: readonly Value[]): number {
  const n = (v: Value | undefined): number => (typeof v === 'number' ? v : v instanceof BigNum ? v.toDouble() : 1);
  const len = Math.abs(n(b) - n(a)) / Math.max(1, Math.abs(s === undefined ? 1 : n(s)));
  return Number.isFinite(len) ? Math.floor(len) : Number.MAX_SAFE_INTEGER;
}

const bigint2 = (f: (a: bigint, b: bigint) => bigint) => ([a, b]: Value[]) => numberFromBigInt(f(intOperand(a!, 1), intOperand(b!, 2)));

const defs: BuiltinDef[] = [
  { name: 'abs', args: ['number'], result: 'number', impl: ([n]) => abs(n as Num) },
  { name: 'ceil', args: ['number'], result: 'number', impl: ([n]) => toInteger(n as Num, 'ceil') },
  { name: 'floor', args: ['number'], result: 'number', impl: ([n]) => toInteger(n as Num, 'floor') },
  { name: 'round', args: ['number'], result: 'number', impl: ([n]) => toInteger(n as Num, 'round') },
  {
    name: 'numbers.range',
    cost: rangeLength,
    args: ['number', 'number'],
    result: 'array',
    impl: ([a, b]) => range(intOperand(a!, 1), intOperand(b!, 2), 1n),
  },
  {
    name: 'numbers.range_step',
    cost: rangeLength,
    args: ['number', 'number', 'number'],
    result: 'array',
    impl: ([a, b, s]) => {
      const from = intOperand(a!, 1);
      const to = intOperand(b!, 2);
      const step = intOperand(s!, 3);
      if (step <= 0n) throw new BuiltinError('step must be a positive integer');
      return range(from, to, step);
    },
  },
  {
    name: 'rand.intn',
    args: ['string', 'number'],
    result: 'number',
    nondeterministic: true,
    impl: ([s, n], ctx) => randIntn(s as string, intOperand(n!, 2), ctx),
  },
  { name: 'bits.and', args: ['number', 'number'], result: 'number', impl: bigint2((a, b) => a & b) },
  { name: 'bits.or', args: ['number', 'number'], result: 'number', impl: bigint2((a, b) => a | b) },
  { name: 'bits.xor', args: ['number', 'number'], result: 'number', impl: bigint2((a, b) => a ^ b) },
  { name: 'bits.negate', args: ['number'], result: 'number', impl: ([a]) => numberFromBigInt(~intOperand(a!, 1)) },
  {
    name: 'bits.lsh',
    args: ['number', 'number'],
    result: 'number',
    impl: ([a, b]) => {
      const x = intOperand(a!, 1);
      const s = unsigned(b!, 2);
      if (s > 100_000n) throw new BuiltinError('shift too large');
      return numberFromBigInt(x << s);
    },
  },
  {
    name: 'bits.rsh',
    args: ['number', 'number'],
    result: 'number',
    impl: ([a, b]) => {
      const x = intOperand(a!, 1);
      const s = unsigned(b!, 2);
      return numberFromBigInt(s > 100_000n ? (x < 0n ? -1n : 0n) : x >> s);
    },
  },
];

registerBuiltins(defs);
