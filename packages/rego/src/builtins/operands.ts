/**
 * Operand conversions shared by the builtin groups, raising OPA's exact operand errors
 * (`operand 2 must be integer number but got floating-point number`, `operand 1 must be array
 * of strings but got array containing number`, ...).
 */
import { BigNum, isNumber, numberFromBigInt, RSet, typeName, type Value } from '../value.js';
import { BuiltinTypeError, operandError } from './registry.js';

export type Num = number | BigNum;

/** "operand N <message>" as a type error. */
export function operandMessage(position: number, message: string): BuiltinTypeError {
  return new BuiltinTypeError(`operand ${position} ${message}`);
}

/** "operand 1 must be array of strings but got array containing number". */
export function elementError(position: number, composite: Value, got: Value, expected: string): BuiltinTypeError {
  const t = typeName(composite);
  return operandMessage(position, `must be ${t} of ${expected}s but got ${t} containing ${typeName(got)}`);
}

export function numberOperand(v: Value, position: number): Num {
  if (!isNumber(v)) throw operandError(position, 'number', v);
  return v;
}

/** An integer operand (OPA's IntOperand / BigIntOperand). */
export function intOperand(v: Value, position: number): bigint {
  const n = numberOperand(v, position);
  const i = exactInt(n);
  if (i === null) throw operandMessage(position, 'must be integer number but got floating-point number');
  return i;
}

/** The bigint of an integer number, or null. */
export function exactInt(n: Num): bigint | null {
  if (typeof n === 'number') return Number.isInteger(n) ? BigInt(n) : null;
  return n.int;
}

/** The number truncated toward zero (big.Float.Int). */
export function truncToBigInt(n: Num): bigint {
  if (typeof n === 'number') return BigInt(Math.trunc(n));
  if (n.int !== null) return n.int;
  const m = /^(-?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(n.text);
  if (!m) return BigInt(Math.trunc(n.toDouble()));
  const digits = (m[2] ?? '') + (m[3] ?? '');
  const point = (m[2] ?? '').length + Number(m[4] ?? '0');
  let int: bigint;
  if (point <= 0) int = 0n;
  else if (point >= digits.length) int = BigInt(digits || '0') * 10n ** BigInt(point - digits.length);
  else int = BigInt(digits.slice(0, point) || '0');
  return m[1] === '-' ? -int : int;
}

export function bigToNumber(b: bigint): Num {
  return numberFromBigInt(b);
}

/** Strings of an array or set operand; elements must all be strings. */
export function stringsOf(v: Value, position: number): string[] {
  const items = Array.isArray(v) ? v : v instanceof RSet ? v.values() : null;
  if (items === null) throw operandError(position, ['array', 'set'], v);
  const out: string[] = [];
  for (const x of items) {
    if (typeof x !== 'string') throw elementError(position, v, x, 'string');
    out.push(x);
  }
  return out;
}

/** Members of an array or set, in order (sets in OPA order). */
export function itemsOf(v: Value): Value[] {
  return Array.isArray(v) ? v : (v as RSet).values();
}
