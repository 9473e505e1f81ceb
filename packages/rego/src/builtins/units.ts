/**
 * OPA's units.parse and units.parse_bytes: a decimal amount (exponents
 * allowed) with an SI or binary unit, computed exactly: amounts like
 * 10Ei exceed 2^53, and 500m must be exactly 0.5.
 */
import { numberFromBigInt, numberFromText, type Value } from '../value.js';
import { BuiltinError, registerBuiltins } from './registry.js';

const K = 1000n;
const KI = 1024n;

/** units.parse multipliers as [numerator, denominator]; keys after OPA's case folding. */
const SI_UNITS: Readonly<Record<string, [bigint, bigint]>> = {
  '': [1n, 1n],
  m: [1n, 1000n],
  k: [K, 1n], K: [K, 1n],
  M: [K ** 2n, 1n],
  g: [K ** 3n, 1n], G: [K ** 3n, 1n],
  t: [K ** 4n, 1n], T: [K ** 4n, 1n],
  p: [K ** 5n, 1n], P: [K ** 5n, 1n],
  e: [K ** 6n, 1n], E: [K ** 6n, 1n],
  ki: [KI, 1n], Ki: [KI, 1n],
  mi: [KI ** 2n, 1n], Mi: [KI ** 2n, 1n],
  gi: [KI ** 3n, 1n], Gi: [KI ** 3n, 1n],
  ti: [KI ** 4n, 1n], Ti: [KI ** 4n, 1n],
  pi: [KI ** 5n, 1n], Pi: [KI ** 5n, 1n],
  ei: [KI ** 6n, 1n], Ei: [KI ** 6n, 1n],
};

/** units.parse_bytes multipliers; the whole string is lower-cased first. */
const BYTE_UNITS: Readonly<Record<string, bigint>> = {
  '': 1n,
  kb: K, k: K, kib: KI, ki: KI,
  mb: K ** 2n, m: K ** 2n, mib: KI ** 2n, mi: KI ** 2n,
  gb: K ** 3n, g: K ** 3n, gib: KI ** 3n, gi: KI ** 3n,
  tb: K ** 4n, t: K ** 4n, tib: KI ** 4n, ti: KI ** 4n,
  pb: K ** 5n, p: K ** 5n, pib: KI ** 5n, pi: KI ** 5n,
  eb: K ** 6n, e: K ** 6n, eib: KI ** 6n, ei: KI ** 6n,
};

/** Exponents with more digits than this are refused (as OPA does). */
const MAX_EXPONENT_DIGITS = 6;

class ExponentTooLarge extends Error {}

/** Splits "10.5e3Mi" into the amount and the unit, as OPA's extractNumAndUnit. */
export function splitAmount(s: string): [string, string] {
  const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (!isDigit(c) && c !== '.' && c !== 'e' && c !== 'E' && c !== '+' && c !== '-') {
      return i === 0 ? ['', s] : [s.slice(0, i), s.slice(i)];
    }
    if (c === 'e' || c === 'E') {
      const next = s[i + 1];
      // An e/E not followed by a digit or sign starts the unit.
      if (i === s.length - 1 || (!isDigit(next) && next !== '+' && next !== '-')) {
        return i === 0 ? ['', s] : [s.slice(0, i), s.slice(i)];
      }
      if (next === '+' || next === '-') i++;
      let end = i + 1;
      while (isDigit(s[end])) end++;
      if (end - (i + 1) > MAX_EXPONENT_DIGITS) throw new ExponentTooLarge();
    }
  }
  return [s, ''];
}

/** An exact decimal "±d.ddde±x" as a fraction, or null when it is not one. */
export function parseDecimal(text: string): [bigint, bigint] | null {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) return null;
  const frac = m[3] ?? '';
  let num = BigInt((m[2] ?? '') + frac || '0');
  if (m[1] === '-') num = -num;
  const exp = Number(m[4] ?? '0') - frac.length;
  return exp >= 0 ? [num * 10n ** BigInt(exp), 1n] : [num, 10n ** BigInt(-exp)];
}

/** n/d as OPA prints it: an integer, or a decimal rounded to 10 places (big.Rat.FloatString). */
function rationalValue(n: bigint, d: bigint): Value {
  if (n % d === 0n) return numberFromBigInt(n / d);
  const neg = n < 0n;
  const abs = neg ? -n : n;
  const scaled = (abs * 10n ** 10n * 2n + d) / (2n * d); // round half away from zero
  const digits = scaled.toString().padStart(11, '0');
  return numberFromText(`${neg ? '-' : ''}${digits.slice(0, -10)}.${digits.slice(-10)}`);
}

/** Amount and unit of a resource string such as `10Gi` or `1.5e3m`, with OPA's error messages. */
function splitResourceString(s: string, noAmountMessage: string): [string, string] {
  if (s.includes(' ')) throw new BuiltinError('spaces not allowed in resource strings');
  let parts: [string, string];
  try {
    parts = splitAmount(s);
  } catch {
    throw new BuiltinError('exponent too large');
  }
  if (parts[0] === '') throw new BuiltinError(noAmountMessage);
  return parts;
}

function parseUnits(raw: string): Value {
  let [num, unit] = splitResourceString(raw.replaceAll('"', ''), 'no amount provided');
  // Only the letters after the first are folded, so that m (milli) and M (mega) differ.
  if (unit.length > 1) unit = unit[0] + unit.slice(1).toLowerCase();
  const mult = SI_UNITS[unit];
  if (!mult) throw new BuiltinError(`unit ${unit} not recognized`);
  const amount = parseDecimal(num);
  if (!amount) throw new BuiltinError('could not parse amount to a number');
  return rationalValue(amount[0] * mult[0], amount[1] * mult[1]);
}

function parseBytes(raw: string): Value {
  const [num, unit] = splitResourceString(raw.toLowerCase().replaceAll('"', ''), 'no byte amount provided');
  const mult = BYTE_UNITS[unit];
  if (mult === undefined) throw new BuiltinError(`byte unit ${unit} not recognized`);
  const amount = parseDecimal(num);
  if (!amount) throw new BuiltinError('could not parse byte amount to a number');
  // Whole bytes: the product is truncated toward zero.
  return numberFromBigInt((amount[0] * mult) / amount[1]);
}

registerBuiltins([
  { name: 'units.parse', args: ['string'], result: 'number', impl: ([s]) => parseUnits(s as string) },
  { name: 'units.parse_bytes', args: ['string'], result: 'number', impl: ([s]) => parseBytes(s as string) },
]);
