// Go's time.ParseDuration ("1h30m", "1.5s", "-100ms"), which OPA's
// time.parse_duration_ns uses: a signed sequence of decimal numbers, each with
// an optional fraction and a unit, summed into int64 nanoseconds.

const UNITS: Readonly<Record<string, bigint>> = {
  ns: 1n,
  us: 1_000n,
  'µs': 1_000n, // U+00B5 micro sign
  'μs': 1_000n, // U+03BC Greek mu
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};

const LIMIT = 1n << 63n;

export class DurationError extends Error {}

function quote(s: string): string {
  return JSON.stringify(s);
}

/** Parses a Go duration into nanoseconds; throws DurationError with Go's message. */
export function parseDuration(text: string): bigint {
  const invalid = () => new DurationError(`time: invalid duration ${quote(text)}`);
  let s = text;
  let neg = false;
  if (s !== '' && (s[0] === '-' || s[0] === '+')) {
    neg = s[0] === '-';
    s = s.slice(1);
  }
  if (s === '0') return 0n;
  if (s === '') throw invalid();
  let total = 0n;
  while (s !== '') {
    if (!(s[0] === '.' || (s[0]! >= '0' && s[0]! <= '9'))) throw invalid();
    const intMatch = /^[0-9]*/.exec(s)![0];
    s = s.slice(intMatch.length);
    let whole = intMatch === '' ? 0n : BigInt(intMatch);
    if (whole >= LIMIT) throw invalid();
    let frac = '';
    let hasFrac = false;
    if (s !== '' && s[0] === '.') {
      s = s.slice(1);
      frac = /^[0-9]*/.exec(s)![0];
      s = s.slice(frac.length);
      hasFrac = frac !== '';
    }
    if (intMatch === '' && !hasFrac) throw invalid();
    const unitText = /^[^0-9.]*/.exec(s)![0];
    if (unitText === '') throw new DurationError(`time: missing unit in duration ${quote(text)}`);
    s = s.slice(unitText.length);
    const unit = UNITS[unitText];
    if (unit === undefined) throw new DurationError(`time: unknown unit ${quote(unitText)} in duration ${quote(text)}`);
    if (whole > LIMIT / unit) throw invalid();
    whole *= unit;
    if (hasFrac) {
      // Go scales the fraction in float64 (and ignores digits past overflow);
      // doing the same keeps results identical to the last nanosecond.
      const digits = frac.slice(0, 18);
      const scaled = Number(BigInt(digits)) * (Number(unit) / 10 ** digits.length);
      whole += BigInt(Math.trunc(scaled));
      if (whole > LIMIT) throw invalid();
    }
    total += whole;
    if (total > LIMIT) throw invalid();
  }
  if (neg) return -total;
  if (total > LIMIT - 1n) throw invalid();
  return total;
}
