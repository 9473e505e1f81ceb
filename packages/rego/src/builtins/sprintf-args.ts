/**
 * How OPA hands a Rego value to Go's fmt.Sprintf (sprintf, and printf in templates): an `int`
 * for integers within int64, a `*big.Int` beyond, a `float64` for other numbers, and the Rego
 * text for everything else.
 */
import { BigNum, isNumber, type Value } from '../value.js';
import type { GoArg } from './go-fmt.js';
import { exactInt } from './operands.js';
import { regoText } from './value-text.js';

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** How OPA hands a Rego value to Go's Sprintf: int, *big.Int, float64, or text. */
export function toGoArg(v: Value): GoArg {
  if (typeof v === 'string') return { kind: 'string', value: v };
  if (isNumber(v)) {
    const i = exactInt(v);
    if (i !== null) {
      if (i >= INT64_MIN && i <= INT64_MAX) return { kind: 'int', value: i };
      // Beyond float64 range OPA only ever saw such a number written with an exponent (2e308),
      // which Go prints as that text; within range it is a *big.Int.
      if (!Number.isFinite(Number(i))) return { kind: 'string', value: exponentText(i) };
      return { kind: 'bigint', value: i };
    }
    const d = typeof v === 'number' ? v : v.toDouble();
    if (Number.isFinite(d)) return { kind: 'float', value: d };
    return { kind: 'string', value: (v as BigNum).text };
  }
  return { kind: 'string', value: regoText(v) };
}

/** 2e308 rather than 2 followed by 308 zeros. */
function exponentText(i: bigint): string {
  const digits = (i < 0n ? -i : i).toString();
  const trimmed = digits.replace(/0+$/, '');
  const zeros = digits.length - trimmed.length;
  return (i < 0n ? '-' : '') + (zeros > 0 ? `${trimmed}e${zeros}` : digits);
}

