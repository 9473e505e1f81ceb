/**
 * Go's fmt.Sprintf, as OPA's `sprintf` uses it: OPA hands Go an `int` for integers that fit
 * int64, a `*big.Int` for larger integers, a `float64` for other numbers and a `string` for
 * strings and for every other value (its Rego text). So `%d` of 3.5 prints `%!d(float64=3.5)`
 * and `%s` of 5 prints `%!s(int=5)`, exactly as OPA does; policies rely on `%v` working for all.
 *
 * Pure: no Rego values here, only the four Go argument kinds.
 */

export type GoArg =
  | { readonly kind: 'int'; readonly value: bigint }
  | { readonly kind: 'bigint'; readonly value: bigint }
  | { readonly kind: 'float'; readonly value: number }
  | { readonly kind: 'string'; readonly value: string };

const TYPE_NAMES: Record<GoArg['kind'], string> = { int: 'int', bigint: '*big.Int', float: 'float64', string: 'string' };

/** Parsed flags, width and precision of one verb (Go's fmt.fmtFlags + wid/prec). */
interface Spec {
  plus: boolean;
  minus: boolean;
  sharp: boolean;
  space: boolean;
  zero: boolean;
  plusV: boolean;
  sharpV: boolean;
  wid: number;
  widPresent: boolean;
  prec: number;
  precPresent: boolean;
}

function newSpec(): Spec {
  return { plus: false, minus: false, sharp: false, space: false, zero: false, plusV: false, sharpV: false, wid: 0, widPresent: false, prec: 0, precPresent: false };
}

const MAX_WIDTH = 1_000_000; // Go refuses larger widths/precisions (tooLarge)

/** fmt.Sprintf(format, args...) */
export function goSprintf(format: string, args: readonly GoArg[]): string {
  const out: string[] = [];
  let argNum = 0;
  let reordered = false;
  let i = 0;
  const end = format.length;

  while (i < end) {
    let goodArgNum = true;
    const lasti = i;
    while (i < end && format[i] !== '%') i++;
    if (i > lasti) out.push(format.slice(lasti, i));
    if (i >= end) break;
    i++; // skip %
    const spec = newSpec();

    flags: for (; i < end; i++) {
      switch (format[i]) {
        case '#':
          spec.sharp = true;
          break;
        case '0':
          spec.zero = !spec.minus;
          break;
        case '+':
          spec.plus = true;
          break;
        case '-':
          spec.minus = true;
          spec.zero = false;
          break;
        case ' ':
          spec.space = true;
          break;
        default:
          break flags;
      }
    }

    // Argument index [n], then width.
    let afterIndex = false;
    ({ argNum, i, afterIndex } = argNumber(argNum, format, i, args.length, (ok) => (goodArgNum &&= ok), () => (reordered = true)));
    if (i < end && format[i] === '*') {
      i++;
      const r = intFromArg(args, argNum);
      spec.wid = r.num;
      spec.widPresent = r.isInt;
      argNum = r.argNum;
      if (!spec.widPresent) out.push('%!(BADWIDTH)');
      if (spec.wid < 0) {
        spec.wid = -spec.wid;
        spec.minus = true;
        spec.zero = false;
      }
      afterIndex = false;
    } else {
      const r = parseNum(format, i, end);
      spec.wid = r.num;
      spec.widPresent = r.isNum;
      i = r.next;
      if (afterIndex && spec.widPresent) goodArgNum = false; // "%[3]2d"
    }

    // Precision.
    if (i + 1 < end && format[i] === '.') {
      i++;
      if (afterIndex) goodArgNum = false; // "%[3].2d"
      ({ argNum, i, afterIndex } = argNumber(argNum, format, i, args.length, (ok) => (goodArgNum &&= ok), () => (reordered = true)));
      if (i < end && format[i] === '*') {
        i++;
        const r = intFromArg(args, argNum);
        spec.prec = r.num;
        spec.precPresent = r.isInt;
        argNum = r.argNum;
        if (spec.prec < 0) {
          spec.prec = 0;
          spec.precPresent = false;
        }
        if (!spec.precPresent) out.push('%!(BADPREC)');
        afterIndex = false;
      } else {
        const r = parseNum(format, i, end);
        spec.prec = r.isNum ? r.num : 0;
        spec.precPresent = true;
        i = r.next;
      }
    }

    if (!afterIndex) ({ argNum, i, afterIndex } = argNumber(argNum, format, i, args.length, (ok) => (goodArgNum &&= ok), () => (reordered = true)));

    if (i >= end) {
      out.push('%!(NOVERB)');
      break;
    }
    const verb = String.fromCodePoint(format.codePointAt(i)!);
    i += verb.length;

    if (verb === '%') {
      out.push('%'); // does not absorb operands and ignores width and precision
    } else if (!goodArgNum) {
      out.push(`%!${verb}(BADINDEX)`);
    } else if (argNum >= args.length) {
      out.push(`%!${verb}(MISSING)`);
    } else {
      if (verb === 'v') {
        spec.sharpV = spec.sharp;
        spec.sharp = false;
        spec.plusV = spec.plus;
        spec.plus = false;
      }
      out.push(printArg(args[argNum]!, verb, spec));
      argNum++;
    }
  }

  if (!reordered && argNum < args.length) {
    const extra = args.slice(argNum).map((a) => `${TYPE_NAMES[a.kind]}=${printArg(a, 'v', newSpec())}`);
    out.push(`%!(EXTRA ${extra.join(', ')})`);
  }
  return out.join('');
}

function argNumber(
  argNum: number,
  format: string,
  i: number,
  numArgs: number,
  setGood: (ok: boolean) => void,
  setReordered: () => void,
): { argNum: number; i: number; afterIndex: boolean } {
  if (format.length <= i || format[i] !== '[') return { argNum, i, afterIndex: false };
  setReordered();
  // Parse "[n]".
  const close = format.indexOf(']', i + 1);
  if (close < 0) {
    setGood(false);
    return { argNum, i: i + 1, afterIndex: false };
  }
  const digits = format.slice(i + 1, close);
  if (!/^\d+$/.test(digits)) {
    setGood(false);
    return { argNum, i: close + 1, afterIndex: false };
  }
  const index = Number(digits) - 1;
  if (index >= 0 && index < numArgs) return { argNum: index, i: close + 1, afterIndex: true };
  setGood(false);
  return { argNum, i: close + 1, afterIndex: true };
}

function parseNum(s: string, start: number, end: number): { num: number; isNum: boolean; next: number } {
  let num = 0;
  let isNum = false;
  let i = start;
  for (; i < end && s[i]! >= '0' && s[i]! <= '9'; i++) {
    if (num > MAX_WIDTH) return { num: 0, isNum: false, next: end }; // overflow: Go gives up
    num = num * 10 + (s.charCodeAt(i) - 48);
    isNum = true;
  }
  return { num, isNum, next: i };
}

function intFromArg(args: readonly GoArg[], argNum: number): { num: number; isInt: boolean; argNum: number } {
  if (argNum >= args.length) return { num: 0, isInt: false, argNum };
  const a = args[argNum]!;
  if (a.kind !== 'int') return { num: 0, isInt: false, argNum: argNum + 1 };
  if (a.value > BigInt(MAX_WIDTH) || a.value < -BigInt(MAX_WIDTH)) return { num: 0, isInt: false, argNum: argNum + 1 };
  return { num: Number(a.value), isInt: true, argNum: argNum + 1 };
}

function badVerb(arg: GoArg, verb: string, spec: Spec): string {
  return `%!${verb}(${TYPE_NAMES[arg.kind]}=${printArg(arg, 'v', spec, true)})`;
}

function printArg(arg: GoArg, verb: string, spec: Spec, erroring = false): string {
  if (verb === 'T') return pad(TYPE_NAMES[arg.kind], { ...spec, zero: false });
  switch (arg.kind) {
    case 'int':
      return fmtIntegerVerb(arg.value, verb, spec) ?? (erroring ? String(arg.value) : badVerb(arg, verb, spec));
    case 'bigint':
      return fmtBigInt(arg.value, verb, spec) ?? `%!${verb}(big.Int=${arg.value})`;
    case 'float':
      return fmtFloatVerb(arg.value, verb, spec) ?? (erroring ? String(arg.value) : badVerb(arg, verb, spec));
    case 'string':
      return fmtStringVerb(arg.value, verb, spec) ?? (erroring ? arg.value : badVerb(arg, verb, spec));
  }
}

// ---------------------------------------------------------------------------------------------
// Padding

function runeCount(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

function padding(n: number, zero: boolean): string {
  return n > 0 ? (zero ? '0' : ' ').repeat(n) : '';
}

function pad(s: string, spec: Spec): string {
  if (!spec.widPresent || spec.wid === 0) return s;
  const width = spec.wid - runeCount(s);
  return spec.minus ? s + padding(width, false) : padding(width, spec.zero) + s;
}

// ---------------------------------------------------------------------------------------------
// Integers

function fmtIntegerVerb(v: bigint, verb: string, spec: Spec): string | undefined {
  switch (verb) {
    case 'v':
      return fmtInteger(v, 10, verb, spec, false);
    case 'd':
      return fmtInteger(v, 10, verb, spec, false);
    case 'b':
      return fmtInteger(v, 2, verb, spec, false);
    case 'o':
    case 'O':
      return fmtInteger(v, 8, verb, spec, false);
    case 'x':
      return fmtInteger(v, 16, verb, spec, false);
    case 'X':
      return fmtInteger(v, 16, verb, spec, true);
    case 'c':
      return pad(runeOf(v), spec);
    case 'q':
      return pad(quoteRune(runeOf(v), spec.plus), spec);
    case 'U':
      return fmtUnicode(v, spec);
    default:
      return undefined;
  }
}

function runeOf(v: bigint): string {
  if (v < 0n || v > 0x10ffffn || (v >= 0xd800n && v <= 0xdfffn)) return '\ufffd';
  return String.fromCodePoint(Number(v));
}

function fmtUnicode(v: bigint, spec: Spec): string {
  let hex = (v < 0n ? BigInt.asUintN(64, v) : v).toString(16).toUpperCase();
  const prec = spec.precPresent && spec.prec > 4 ? spec.prec : 4;
  hex = hex.padStart(prec, '0');
  let s = 'U+' + hex;
  if (spec.sharp && v >= 0n && v <= 0x10ffffn && isPrint(Number(v))) s += ` '${String.fromCodePoint(Number(v))}'`;
  return pad(s, { ...spec, zero: false });
}

/** Go's fmtInteger: precision or zero padding, then prefix and sign. */
function fmtInteger(v: bigint, base: number, verb: string, spec: Spec, upper: boolean): string {
  const negative = v < 0n;
  const u = negative ? -v : v;
  let prec = 0;
  if (spec.precPresent) {
    prec = spec.prec;
    // Precision 0 and value 0 means "print nothing" but padding.
    if (prec === 0 && u === 0n) return padding(spec.widPresent ? spec.wid : 0, false);
  } else if (spec.zero && !spec.minus && spec.widPresent) {
    prec = spec.wid;
    if (negative || spec.plus || spec.space) prec--; // leave room for the sign
  }
  let digits = u.toString(base);
  if (upper) digits = digits.toUpperCase();
  if (digits.length < prec) digits = '0'.repeat(prec - digits.length) + digits;
  if (spec.sharp) {
    if (base === 2) digits = '0b' + digits;
    else if (base === 8 && digits[0] !== '0') digits = '0' + digits;
    else if (base === 16) digits = (upper ? '0X' : '0x') + digits;
  }
  if (verb === 'O') digits = '0o' + digits;
  if (negative) digits = '-' + digits;
  else if (spec.plus) digits = '+' + digits;
  else if (spec.space) digits = ' ' + digits;
  return pad(digits, { ...spec, zero: false });
}

/** math/big's (*Int).Format: b, o, O, d, s, v, x, X. */
function fmtBigInt(v: bigint, verb: string, spec: Spec): string | undefined {
  let base: number;
  switch (verb) {
    case 'b':
      base = 2;
      break;
    case 'o':
    case 'O':
      base = 8;
      break;
    case 'd':
    case 's':
    case 'v':
      base = 10;
      break;
    case 'x':
    case 'X':
      base = 16;
      break;
    default:
      return undefined;
  }
  const negative = v < 0n;
  let digits = (negative ? -v : v).toString(base);
  if (verb === 'X') digits = digits.toUpperCase();
  let sign = negative ? '-' : spec.plus ? '+' : spec.space ? ' ' : '';
  let prefix = '';
  if (spec.sharp) {
    if (verb === 'b') prefix = '0b';
    else if (verb === 'o') prefix = '0';
    else if (verb === 'x') prefix = '0x';
    else if (verb === 'X') prefix = '0X';
  }
  if (verb === 'O') prefix = '0o';
  let zeros = '';
  if (spec.precPresent) {
    if (digits.length < spec.prec) zeros = '0'.repeat(spec.prec - digits.length);
    else if (digits === '0' && spec.prec === 0) return padding(spec.widPresent ? spec.wid : 0, false);
  }
  const length = sign.length + prefix.length + zeros.length + digits.length;
  if (spec.widPresent && length < spec.wid) {
    const d = spec.wid - length;
    if (spec.minus) return sign + prefix + zeros + digits + ' '.repeat(d);
    if (spec.zero && !spec.precPresent) return sign + prefix + '0'.repeat(d) + zeros + digits;
    return ' '.repeat(d) + sign + prefix + zeros + digits;
  }
  sign += prefix;
  return sign + zeros + digits;
}

// ---------------------------------------------------------------------------------------------
// Floats

function fmtFloatVerb(v: number, verb: string, spec: Spec): string | undefined {
  switch (verb) {
    case 'v':
      return fmtFloat(v, 'g', -1, spec);
    case 'b':
    case 'g':
    case 'G':
    case 'x':
    case 'X':
      return fmtFloat(v, verb, -1, spec);
    case 'f':
    case 'e':
    case 'E':
    case 'F':
      return fmtFloat(v, verb, 6, spec);
    default:
      return undefined;
  }
}

function fmtFloat(v: number, verb: string, defaultPrec: number, spec: Spec): string {
  const prec = spec.precPresent ? spec.prec : defaultPrec;
  let num = formatFloat(v, verb, prec);
  // Reserve a leading sign.
  num = num[0] === '-' || num[0] === '+' ? num : '+' + num;
  if (spec.space && num[0] === '+' && !spec.plus) num = ' ' + num.slice(1);
  if (num[1] === 'I' || num[1] === 'N') {
    if (num[1] === 'N' && !spec.space && !spec.plus) num = num.slice(1);
    return pad(num, { ...spec, zero: false });
  }
  if (spec.sharp && verb !== 'b') num = sharpFloat(num, verb, prec);
  if (spec.plus || num[0] !== '+') {
    if (spec.zero && !spec.minus && spec.widPresent && spec.wid > num.length) {
      return num[0] + '0'.repeat(spec.wid - num.length) + num.slice(1);
    }
    return pad(num, spec);
  }
  return pad(num.slice(1), spec);
}

/** The '#' flag: always a decimal point; %g keeps trailing zeros. */
function sharpFloat(num: string, verb: string, prec: number): string {
  let digits = 0;
  if (verb === 'g' || verb === 'G' || verb === 'x' || verb === 'X') digits = prec === -1 ? 6 : prec;
  let tail = '';
  const eIdx = num.search(/[eEpP]/);
  if (eIdx >= 0) {
    tail = num.slice(eIdx);
    num = num.slice(0, eIdx);
  }
  let sawNonzero = false;
  let hasDot = false;
  for (let i = 1; i < num.length; i++) {
    const c = num[i]!;
    if (c === '.') hasDot = true;
    else if (c >= '0' && c <= '9') {
      if (c !== '0') sawNonzero = true;
      if (sawNonzero) digits--;
    }
  }
  if (!hasDot) {
    if (num.length === 2 && num[1] === '0') digits--; // leading 0 counts as a digit
    num += '.';
  }
  if (verb !== 'x' && verb !== 'X' && digits > 0) num += '0'.repeat(digits);
  return num + tail;
}

/** A decimal d (digit string without leading/trailing zeros) with the point at dp: 0.d × 10^dp. */
interface Decimal {
  d: string;
  dp: number;
}

/** The exact decimal value of a finite double. */
function exactDecimal(x: number): Decimal {
  if (x === 0) return { d: '', dp: 0 };
  const buf = new DataView(new ArrayBuffer(8));
  buf.setFloat64(0, Math.abs(x));
  const hi = buf.getUint32(0);
  const lo = buf.getUint32(4);
  const expBits = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let exp: number;
  if (expBits === 0) exp = -1074;
  else {
    mant |= 1n << 52n;
    exp = expBits - 1075;
  }
  let digits: string;
  let dp: number;
  if (exp >= 0) {
    digits = (mant << BigInt(exp)).toString();
    dp = digits.length;
  } else {
    digits = (mant * 5n ** BigInt(-exp)).toString();
    dp = digits.length + exp;
  }
  const trimmed = digits.replace(/0+$/, '');
  return { d: trimmed, dp };
}

/** The shortest decimal that reads back as x (same digits as Go's shortest formatting). */
function shortestDecimal(x: number): Decimal {
  if (x === 0) return { d: '', dp: 0 };
  const m = /^(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(Math.abs(x).toExponential())!;
  const d = (m[1]! + (m[2] ?? '')).replace(/0+$/, '');
  return { d, dp: Number(m[3]) + 1 };
}

/** Round to nd digits, half to even on exact ties (Go's decimal.Round). */
function roundDecimal(a: Decimal, nd: number): Decimal {
  if (nd < 0 || nd >= a.d.length) return a;
  let up: boolean;
  if (a.d[nd] === '5' && nd + 1 === a.d.length) up = nd > 0 && (a.d.charCodeAt(nd - 1) - 48) % 2 === 1;
  else up = a.d[nd]! >= '5';
  if (!up) return { d: a.d.slice(0, nd).replace(/0+$/, ''), dp: nd === 0 ? 0 : a.dp };
  let i = nd - 1;
  while (i >= 0 && a.d[i] === '9') i--;
  if (i < 0) return { d: '1', dp: a.dp + 1 };
  return { d: a.d.slice(0, i) + String.fromCharCode(a.d.charCodeAt(i) + 1), dp: a.dp };
}

/** strconv.FormatFloat(x, verb, prec, 64). */
export function formatFloat(x: number, verb: string, prec: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return '+Inf';
  if (x === -Infinity) return '-Inf';
  const neg = x < 0 || Object.is(x, -0);
  if (verb === 'b') return formatBinary(x);
  if (verb === 'x' || verb === 'X') return formatHex(x, verb, prec);
  const shortest = prec < 0;
  let digs: Decimal;
  if (shortest) {
    digs = shortestDecimal(x);
    switch (verb) {
      case 'e':
      case 'E':
        prec = Math.max(digs.d.length - 1, 0);
        break;
      case 'f':
      case 'F':
        prec = Math.max(digs.d.length - digs.dp, 0);
        break;
      default:
        prec = digs.d.length;
    }
  } else {
    const exact = exactDecimal(x);
    switch (verb) {
      case 'e':
      case 'E':
        digs = roundDecimal(exact, prec + 1);
        break;
      case 'f':
      case 'F':
        digs = roundDecimal(exact, exact.dp + prec);
        break;
      default:
        if (prec === 0) prec = 1;
        digs = roundDecimal(exact, prec);
    }
  }
  const sign = neg ? '-' : '';
  switch (verb) {
    case 'e':
    case 'E':
      return sign + fmtE(digs, prec, verb);
    case 'f':
    case 'F':
      return sign + fmtF(digs, prec);
    default: {
      // g, G
      let eprec = prec;
      if (eprec > digs.d.length && digs.d.length >= digs.dp) eprec = digs.d.length;
      if (shortest) eprec = 6;
      const exp = digs.dp - 1;
      if (exp < -4 || exp >= eprec) {
        if (prec > digs.d.length) prec = digs.d.length;
        return sign + fmtE(digs, prec - 1, verb === 'G' ? 'E' : 'e');
      }
      if (prec > digs.dp) prec = digs.d.length;
      return sign + fmtF(digs, Math.max(prec - digs.dp, 0));
    }
  }
}

function fmtE(d: Decimal, prec: number, e: string): string {
  let s = d.d.length === 0 ? '0' : d.d[0]!;
  if (prec > 0) {
    s += '.';
    const frac = d.d.slice(1, 1 + prec);
    s += frac + '0'.repeat(prec - frac.length);
  }
  let exp = d.d.length === 0 ? 0 : d.dp - 1;
  const expSign = exp < 0 ? '-' : '+';
  exp = Math.abs(exp);
  return s + e + expSign + (exp < 10 ? '0' : '') + String(exp);
}

function fmtF(d: Decimal, prec: number): string {
  let s: string;
  if (d.dp > 0) s = d.d.slice(0, d.dp) + '0'.repeat(Math.max(0, d.dp - d.d.length));
  else s = '0';
  if (prec > 0) {
    s += '.';
    for (let i = 1; i <= prec; i++) {
      const j = d.dp + i - 1;
      s += j >= 0 && j < d.d.length ? d.d[j] : '0';
    }
  }
  return s;
}

function floatBits(x: number): { neg: boolean; mant: bigint; exp: number } {
  const buf = new DataView(new ArrayBuffer(8));
  buf.setFloat64(0, x);
  const hi = buf.getUint32(0);
  const lo = buf.getUint32(4);
  const neg = hi >>> 31 === 1;
  const expBits = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let exp = expBits;
  if (exp === 0) exp++;
  else mant |= 1n << 52n;
  return { neg, mant, exp: exp - 1023 - 52 };
}

/** %b: decimalless scientific notation with a power-of-two exponent, e.g. 4503599627370496p-52. */
function formatBinary(x: number): string {
  const { neg, mant, exp } = floatBits(x);
  return (neg ? '-' : '') + mant.toString() + 'p' + (exp >= 0 ? '+' : '') + String(exp);
}

/** %x: hexadecimal mantissa and binary exponent, e.g. 0x1.8p+01. */
function formatHex(x: number, verb: string, prec: number): string {
  let { neg, mant, exp } = floatBits(x);
  if (mant === 0n) exp = 0;
  // Shift so the leading 1 is at bit 60 (a 1 followed by 15 hex digits).
  const shift = 60n - 52n;
  mant <<= shift;
  exp += 52;
  while (mant !== 0n && (mant & (1n << 60n)) === 0n) {
    mant <<= 1n;
    exp--;
  }
  if (prec >= 0 && prec < 15) {
    const s = BigInt(60 - prec * 4);
    const extra = mant & ((1n << s) - 1n);
    mant >>= s;
    const half = 1n << (s - 1n);
    if (extra > half || (extra === half && (mant & 1n) === 1n)) mant++;
    mant <<= s;
    if ((mant & (1n << 61n)) !== 0n) {
      mant >>= 1n;
      exp++;
    }
  }
  const hexDigits = verb === 'X' ? '0123456789ABCDEF' : '0123456789abcdef';
  let s = (neg ? '-' : '') + '0' + (verb === 'X' ? 'X' : 'x') + String((mant >> 60n) & 1n);
  mant = (mant << 4n) & ((1n << 64n) - 1n);
  if (prec < 0 && mant !== 0n) {
    s += '.';
    while (mant !== 0n) {
      s += hexDigits[Number((mant >> 60n) & 15n)];
      mant = (mant << 4n) & ((1n << 64n) - 1n);
    }
  } else if (prec > 0) {
    s += '.';
    for (let i = 0; i < prec; i++) {
      s += hexDigits[Number((mant >> 60n) & 15n)];
      mant = (mant << 4n) & ((1n << 64n) - 1n);
    }
  }
  s += verb === 'X' ? 'P' : 'p';
  const e = exp;
  s += (e < 0 ? '-' : '+') + (Math.abs(e) < 10 ? '0' : '') + String(Math.abs(e));
  return s;
}

// ---------------------------------------------------------------------------------------------
// Strings

function truncate(s: string, spec: Spec): string {
  if (!spec.precPresent) return s;
  let n = 0;
  let out = '';
  for (const ch of s) {
    if (n++ >= spec.prec) break;
    out += ch;
  }
  return out;
}

function fmtStringVerb(s: string, verb: string, spec: Spec): string | undefined {
  switch (verb) {
    case 'v':
      return spec.sharpV ? pad(quote(truncate(s, spec), false), spec) : pad(truncate(s, spec), spec);
    case 's':
      return pad(truncate(s, spec), spec);
    case 'x':
      return fmtSx(s, spec, false);
    case 'X':
      return fmtSx(s, spec, true);
    case 'q': {
      const t = truncate(s, spec);
      if (spec.sharp && canBackquote(t)) return pad('`' + t + '`', spec);
      return pad(quote(t, spec.plus), spec);
    }
    default:
      return undefined;
  }
}

function fmtSx(s: string, spec: Spec, upper: boolean): string {
  let bytes = Buffer.from(s, 'utf8');
  if (spec.precPresent && spec.prec < bytes.length) bytes = bytes.subarray(0, spec.prec);
  const prefix = upper ? '0X' : '0x';
  const parts: string[] = [];
  bytes.forEach((b, i) => {
    let h = b.toString(16).padStart(2, '0');
    if (upper) h = h.toUpperCase();
    if (spec.space) {
      if (i > 0) parts.push(' ');
      if (spec.sharp) parts.push(prefix);
    } else if (spec.sharp && i === 0) parts.push(prefix);
    parts.push(h);
  });
  return pad(parts.join(''), spec);
}

function canBackquote(s: string): boolean {
  for (const ch of s) {
    if (ch === '`' || ch === '\ufeff') return false;
    const c = ch.codePointAt(0)!;
    if (c < 0x20 && c !== 0x09) return false;
    if (c === 0x7f) return false;
  }
  return true;
}

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

function isPrint(cp: number): boolean {
  return PRINTABLE.test(String.fromCodePoint(cp));
}

const SIMPLE_ESCAPES: Record<string, string> = {
  '\u0007': '\\a',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\v': '\\v',
  '\\': '\\\\',
};

function escapeRune(ch: string, quoteChar: string, asciiOnly: boolean): string {
  if (ch === quoteChar) return '\\' + ch;
  const simple = SIMPLE_ESCAPES[ch];
  if (simple) return simple;
  const cp = ch.codePointAt(0)!;
  if (cp < 0x80 ? isPrint(cp) : !asciiOnly && isPrint(cp)) return ch;
  if (cp < 0x20 || cp === 0x7f) return '\\x' + cp.toString(16).padStart(2, '0');
  if (cp === 0xfffd && !asciiOnly) return ch;
  if (cp < 0x10000) return '\\u' + cp.toString(16).padStart(4, '0');
  return '\\U' + cp.toString(16).padStart(8, '0');
}

/** strconv.Quote / QuoteToASCII. */
export function quote(s: string, asciiOnly: boolean): string {
  let out = '"';
  for (const ch of s) out += escapeRune(ch, '"', asciiOnly);
  return out + '"';
}

function quoteRune(ch: string, asciiOnly: boolean): string {
  return "'" + escapeRune(ch, "'", asciiOnly) + "'";
}
