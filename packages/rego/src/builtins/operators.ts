/**
 * The core language's operators as builtins: comparison, arithmetic, set operations and the
 * `in` membership tests. Integer arithmetic is exact (bigint beyond 2^53); + - * on decimals is
 * exact decimal arithmetic, as OPA's big.Float gives 0.1 + 0.2 = 0.3.
 */
import {
  BigNum,
  compare,
  equals,
  isNumber,
  makeNumber,
  numberFromBigInt,
  numberFromText,
  numberText,
  RObject,
  RSet,
  toBigInt,
  toDouble,
  type Value,
} from '../value.js';
import { BuiltinError, operandError, registerBuiltins, type BuiltinDef } from './registry.js';

type Num = number | BigNum;

/** Exact decimal m × 10^e of a number value. */
function toDecimal(v: Num): { m: bigint; e: number } {
  const text = numberText(v);
  const m = /^(-?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!m) return { m: 0n, e: 0 };
  const frac = m[3] ?? '';
  const digits = BigInt((m[2] ?? '') + frac || '0');
  return { m: m[1] === '-' ? -digits : digits, e: Number(m[4] ?? '0') - frac.length };
}

function fromDecimal(m: bigint, e: number): Num {
  if (m === 0n) return 0;
  const neg = m < 0n;
  let digits = (neg ? -m : m).toString();
  while (e < 0 && digits.endsWith('0')) {
    digits = digits.slice(0, -1);
    e++;
  }
  let text: string;
  if (e >= 0) text = digits + '0'.repeat(e);
  else if (digits.length > -e) text = digits.slice(0, digits.length + e) + '.' + digits.slice(digits.length + e);
  else text = '0.' + '0'.repeat(-e - digits.length) + digits;
  return numberFromText((neg ? '-' : '') + text);
}

function align(a: Num, b: Num): [bigint, bigint, number] {
  const x = toDecimal(a);
  const y = toDecimal(b);
  const e = Math.min(x.e, y.e);
  return [x.m * 10n ** BigInt(x.e - e), y.m * 10n ** BigInt(y.e - e), e];
}

function isPlainInt(v: Value): v is number {
  return typeof v === 'number' && Number.isInteger(v);
}

function num(v: Value, pos: number): Num {
  if (!isNumber(v)) throw operandError(pos, 'number', v);
  return v;
}

export function plus(a: Value, b: Value): Num {
  if (isPlainInt(a) && isPlainInt(b)) {
    const r = a + b;
    return Number.isSafeInteger(r) ? r : numberFromBigInt(BigInt(a) + BigInt(b));
  }
  const x = num(a, 1);
  const y = num(b, 2);
  const [m, n, e] = align(x, y);
  return fromDecimal(m + n, e);
}

export function minusNumbers(a: Num, b: Num): Num {
  if (isPlainInt(a) && isPlainInt(b)) {
    const r = a - b;
    return Number.isSafeInteger(r) ? r : numberFromBigInt(BigInt(a) - BigInt(b));
  }
  const [m, n, e] = align(a, b);
  return fromDecimal(m - n, e);
}

export function mul(a: Value, b: Value): Num {
  if (isPlainInt(a) && isPlainInt(b)) {
    const r = a * b;
    return Number.isSafeInteger(r) ? r : numberFromBigInt(BigInt(a) * BigInt(b));
  }
  const x = toDecimal(num(a, 1));
  const y = toDecimal(num(b, 2));
  return fromDecimal(x.m * y.m, x.e + y.e);
}

export function div(a: Value, b: Value): Num {
  const x = num(a, 1);
  const y = num(b, 2);
  if (toDouble(y) === 0 && (toBigInt(y) === 0n || toBigInt(y) === null)) {
    if (compare(y, 0) === 0) throw new BuiltinError('divide by zero');
  }
  const xi = toBigInt(x);
  const yi = toBigInt(y);
  if (xi !== null && yi !== null && yi !== 0n && xi % yi === 0n) return numberFromBigInt(xi / yi);
  const r = toDouble(x) / toDouble(y);
  if (!Number.isFinite(r)) throw new BuiltinError('divide result out of range');
  // Trim double noise (OPA computes with 64-bit mantissas, so 0.3 / 0.1 prints 3, not 2.9999999999999996).
  const tidy = Number(r.toPrecision(15));
  return makeNumber(Math.abs(tidy - r) <= Math.abs(r) * 4e-16 ? tidy : r);
}

export function rem(a: Value, b: Value): Num {
  const x = num(a, 1);
  const y = num(b, 2);
  const xi = toBigInt(x);
  const yi = toBigInt(y);
  if (xi === null || yi === null) throw new BuiltinError('modulo on floating-point number');
  if (yi === 0n) throw new BuiltinError('modulo by zero');
  if (isPlainInt(x) && isPlainInt(y)) return makeNumber(x % y);
  return numberFromBigInt(xi % yi);
}

function minus(a: Value, b: Value): Value {
  if (isNumber(a)) {
    if (!isNumber(b)) throw operandError(2, 'number', b);
    return minusNumbers(a, b);
  }
  if (a instanceof RSet) {
    if (!(b instanceof RSet)) throw operandError(2, 'set', b);
    const out = new RSet();
    for (const v of a.unorderedValues()) if (!b.has(v)) out.add(v);
    return out;
  }
  throw operandError(1, ['number', 'set'], a);
}

function setOf(v: Value, pos: number): RSet {
  if (!(v instanceof RSet)) throw operandError(pos, 'set', v);
  return v;
}

export function union(a: RSet, b: RSet): RSet {
  const out = new RSet(a.unorderedValues());
  for (const v of b.unorderedValues()) out.add(v);
  return out;
}

export function intersect(a: RSet, b: RSet): RSet {
  const out = new RSet();
  const [small, big] = a.size <= b.size ? [a, b] : [b, a];
  for (const v of small.unorderedValues()) if (big.has(v)) out.add(v);
  return out;
}

/** `x in coll`. */
export function member(x: Value, coll: Value): boolean {
  if (Array.isArray(coll)) {
    for (const v of coll) if (equals(v, x)) return true;
    return false;
  }
  if (coll instanceof RSet) return coll.has(x);
  if (coll instanceof RObject) {
    for (const [, v] of coll.unorderedEntries()) if (equals(v, x)) return true;
    return false;
  }
  return false;
}

/** `k, v in coll`. */
export function memberWithKey(k: Value, v: Value, coll: Value): boolean {
  if (Array.isArray(coll)) {
    if (typeof k !== 'number' || !Number.isInteger(k) || k < 0 || k >= coll.length) return false;
    return equals(coll[k]!, v);
  }
  if (coll instanceof RObject) {
    const got = coll.get(k);
    return got !== undefined && equals(got, v);
  }
  if (coll instanceof RSet) return coll.has(k) && equals(k, v);
  return false;
}

const defs: BuiltinDef[] = [
  { name: 'equal', infix: '==', args: ['any', 'any'], result: 'boolean', impl: ([a, b]) => equals(a!, b!) },
  { name: 'neq', infix: '!=', args: ['any', 'any'], result: 'boolean', impl: ([a, b]) => !equals(a!, b!) },
  { name: 'lt', infix: '<', args: ['any', 'any'], result: 'boolean', impl: ([a, b]) => compare(a!, b!) < 0 },
  { name: 'lte', infix: '<=', args: ['any', 'any'], result: 'boolean', impl: ([a, b]) => compare(a!, b!) <= 0 },
  { name: 'gt', infix: '>', args: ['any', 'any'], result: 'boolean', impl: ([a, b]) => compare(a!, b!) > 0 },
  { name: 'gte', infix: '>=', args: ['any', 'any'], result: 'boolean', impl: ([a, b]) => compare(a!, b!) >= 0 },
  { name: 'plus', infix: '+', args: ['number', 'number'], result: 'number', impl: ([a, b]) => plus(a!, b!) },
  { name: 'minus', infix: '-', args: [['number', 'set'], ['number', 'set']], result: 'any', impl: ([a, b]) => minus(a!, b!) },
  { name: 'mul', infix: '*', args: ['number', 'number'], result: 'number', impl: ([a, b]) => mul(a!, b!) },
  { name: 'div', infix: '/', args: ['number', 'number'], result: 'number', impl: ([a, b]) => div(a!, b!) },
  { name: 'rem', infix: '%', args: ['number', 'number'], result: 'number', impl: ([a, b]) => rem(a!, b!) },
  { name: 'or', infix: '|', args: ['set', 'set'], result: 'set', impl: ([a, b]) => union(setOf(a!, 1), setOf(b!, 2)) },
  { name: 'and', infix: '&', args: ['set', 'set'], result: 'set', impl: ([a, b]) => intersect(setOf(a!, 1), setOf(b!, 2)) },
  { name: 'internal.member_2', args: ['any', 'any'], result: 'boolean', impl: ([x, c]) => member(x!, c!) },
  { name: 'internal.member_3', args: ['any', 'any', 'any'], result: 'boolean', impl: ([k, v, c]) => memberWithKey(k!, v!, c!) },
];

registerBuiltins(defs);
