/**
 * The Rego runtime value model.
 *
 *   Value = null | boolean | string | number | BigNum | Value[] | RObject | RSet
 *
 * - Plain JS `null`, `boolean`, `string` and `number` are used directly so the hot path never
 *   allocates wrappers. A JS `number` is always either a safe integer (|n| <= 2^53 - 1) or a
 *   non-integer double whose shortest decimal text is exact for the source text.
 * - `BigNum` holds every other number exactly: integers beyond 2^53 (`int` is a bigint) and
 *   decimals a double cannot hold (`int` is null; `text` is the decimal text as written).
 *   Build numbers only through `makeNumber`, `numberFromText` or `numberFromBigInt` so the
 *   invariant above holds and equal numbers always have the same representation.
 * - Arrays are plain JS arrays (treat them as immutable once built).
 * - Objects (`RObject`) take keys of any value type; sets (`RSet`) take members of any type.
 *   Both index by `hashKey`, which is the string itself for strings (no allocation), and iterate
 *   in OPA's sorted order (`compare`).
 *
 * `compare` is OPA's total order: null < boolean < number < string < array < object < set.
 */
import { isLosslessNumber, parse as parseLossless } from 'lossless-json';

export type Value = null | boolean | string | number | BigNum | Value[] | RObject | RSet;

/** An exact number that a JS double cannot hold. */
export class BigNum {
  constructor(
    /** Canonical decimal text (for integers: bigint digits). */
    readonly text: string,
    /** The integer value, or null for a non-integer decimal. */
    readonly int: bigint | null,
  ) {}
  /** Nearest double (may be ±Infinity for huge values). */
  toDouble(): number {
    return this.int !== null ? Number(this.int) : Number(this.text);
  }
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);

/** A number value from a JS double (NaN/Infinity are not Rego values: caller must check). */
export function makeNumber(n: number): number | BigNum {
  if (Number.isInteger(n) && !Number.isSafeInteger(n)) return new BigNum(BigInt(n).toString(), BigInt(n));
  if (Object.is(n, -0)) return 0;
  return n;
}

/** A number value from a bigint, as a plain number when it fits. */
export function numberFromBigInt(b: bigint): number | BigNum {
  if (b <= MAX_SAFE && b >= MIN_SAFE) return Number(b);
  return new BigNum(b.toString(), b);
}

const INT_RE = /^-?\d+$/;
const EXP_INT_RE = /^(-?)(\d+)(?:\.(\d*))?[eE]\+?(\d+)$/;

/** A number value from its JSON/Rego text, exactly. */
export function numberFromText(text: string): number | BigNum {
  if (INT_RE.test(text)) {
    if (text.length < 16) return Number(text) + 0;
    return numberFromBigInt(BigInt(text));
  }
  const d = Number(text);
  // Exponent forms that denote integers (1e400, 1.5e3) are kept exact as integers.
  const m = EXP_INT_RE.exec(text);
  if (m && (!Number.isFinite(d) || Number.isInteger(d))) {
    const frac = m[3] ?? '';
    const exp = Number(m[4]);
    if (exp >= frac.replace(/0+$/, '').length && exp < 100_000) {
      const digits = m[2]! + frac;
      const big = BigInt(digits) * 10n ** BigInt(exp - frac.length);
      return numberFromBigInt(m[1] === '-' ? -big : big);
    }
  }
  if (Number.isFinite(d)) {
    if (Number.isInteger(d)) return makeNumber(d);
    if (decimalEqualsDouble(text, d)) return d;
  }
  return new BigNum(normalizeDecimal(text), null);
}

/** Whether the decimal text denotes the same value as the shortest text of the double. */
function decimalEqualsDouble(text: string, d: number): boolean {
  return normalizeDecimal(text) === normalizeDecimal(String(d));
}

/** Normalise a decimal text to sign, digits and exponent so equal values compare equal. */
function normalizeDecimal(text: string): string {
  const m = /^(-?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!m) return text;
  let digits = (m[2] ?? '') + (m[3] ?? '');
  let exp = Number(m[4] ?? '0') - (m[3] ?? '').length;
  digits = digits.replace(/^0+/, '');
  if (digits === '') return '0';
  while (digits.endsWith('0')) {
    digits = digits.slice(0, -1);
    exp++;
  }
  const point = digits.length + exp; // position of the decimal point from the left
  if (exp >= 0 && point <= 30) return m[1] + digits + '0'.repeat(exp);
  if (exp < 0 && point > 0) return `${m[1]}${digits.slice(0, point)}.${digits.slice(point)}`;
  if (exp < 0 && point > -30) return `${m[1]}0.${'0'.repeat(-point)}${digits}`;
  return `${m[1]}${digits}e${exp}`;
}

export function isNumber(v: Value): v is number | BigNum {
  return typeof v === 'number' || v instanceof BigNum;
}

/** The nearest double of a number value. */
export function toDouble(v: number | BigNum): number {
  return typeof v === 'number' ? v : v.toDouble();
}

/** The bigint of an integer number value, or null when it is not an integer. */
export function toBigInt(v: number | BigNum): bigint | null {
  if (typeof v === 'number') return Number.isInteger(v) ? BigInt(v) : null;
  return v.int;
}

export function isInteger(v: number | BigNum): boolean {
  return typeof v === 'number' ? Number.isInteger(v) : v.int !== null;
}

function compareNumbers(a: number | BigNum, b: number | BigNum): number {
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0;
  const ai = toBigInt(a);
  const bi = toBigInt(b);
  if (ai !== null && bi !== null) return ai < bi ? -1 : ai > bi ? 1 : 0;
  const ad = toDouble(a);
  const bd = toDouble(b);
  if (ad !== bd) return ad < bd ? -1 : 1;
  // Doubles tie: fall back to the exact decimal texts.
  const at = a instanceof BigNum ? a.text : String(a);
  const bt = b instanceof BigNum ? b.text : String(b);
  return at === bt ? 0 : at < bt ? -1 : 1;
}

/** Prefix for hash keys of non-string values (and of strings starting with NUL). */
const NUL = '\u0000';

/**
 * The key under which a value is stored in an object or set. Strings map to themselves
 * (no allocation on the hot path); other values to a NUL-prefixed canonical text.
 */
export function hashKey(v: Value): string {
  if (typeof v === 'string') return v.length > 0 && v.charCodeAt(0) === 0 ? NUL + 's' + v : v;
  return NUL + canonical(v);
}

function canonical(v: Value): string {
  if (v === null) return 'z';
  if (v === true) return 't';
  if (v === false) return 'f';
  if (typeof v === 'number') return 'n' + String(v);
  if (typeof v === 'string') return 's' + JSON.stringify(v);
  if (v instanceof BigNum) return 'n' + v.text;
  if (Array.isArray(v)) return 'a[' + v.map(canonical).join(',') + ']';
  if (v instanceof RObject) return 'o{' + v.entries().map(([k, x]) => canonical(k) + ':' + canonical(x)).join(',') + '}';
  return 'S{' + v.values().map(canonical).join(',') + '}';
}

/** A Rego object: keys of any value type, sorted iteration. */
export class RObject {
  /** hashKey(key) → value */
  private readonly vals: Map<string, Value>;
  /** hashKey(key) → key, only for non-string keys (string keys are their own hash). */
  private nonStr: Map<string, Value> | null = null;
  private sortedKeys: Value[] | null = null;

  constructor(entries?: Iterable<readonly [Value, Value]>) {
    this.vals = new Map();
    if (entries) for (const [k, v] of entries) this.set(k, v);
  }

  /** Build from a string-keyed record of values. */
  static fromRecord(rec: Record<string, Value>): RObject {
    const o = new RObject();
    for (const k of Object.keys(rec)) o.set(k, rec[k]!);
    return o;
  }

  get size(): number {
    return this.vals.size;
  }

  get(key: Value): Value | undefined {
    return this.vals.get(typeof key === 'string' && (key.length === 0 || key.charCodeAt(0) !== 0) ? key : hashKey(key));
  }

  has(key: Value): boolean {
    return this.vals.has(hashKey(key));
  }

  /** Insert or replace. Objects are mutable only while being built. */
  set(key: Value, value: Value): this {
    const h = hashKey(key);
    if (typeof key !== 'string' || h !== key) {
      if (!this.nonStr) this.nonStr = new Map();
      this.nonStr.set(h, key);
    }
    if (!this.vals.has(h)) this.sortedKeys = null;
    this.vals.set(h, value);
    return this;
  }

  delete(key: Value): boolean {
    const h = hashKey(key);
    this.nonStr?.delete(h);
    this.sortedKeys = null;
    return this.vals.delete(h);
  }

  /** Keys in OPA order. */
  keys(): Value[] {
    if (this.sortedKeys) return this.sortedKeys;
    const ks: Value[] = [];
    for (const h of this.vals.keys()) ks.push(this.keyOf(h));
    ks.sort(compare);
    this.sortedKeys = ks;
    return ks;
  }

  /** Entries in OPA key order. */
  entries(): [Value, Value][] {
    return this.keys().map((k) => [k, this.get(k)!]);
  }

  values(): Value[] {
    return this.keys().map((k) => this.get(k)!);
  }

  /** Insertion-order iteration without sorting (for internal hot paths where order is irrelevant). */
  *unorderedEntries(): IterableIterator<[Value, Value]> {
    for (const [h, v] of this.vals) yield [this.keyOf(h), v];
  }

  private keyOf(h: string): Value {
    if (this.nonStr !== null && this.nonStr.has(h)) return this.nonStr.get(h)!;
    return h;
  }
}

/** A Rego set: members of any value type, sorted iteration. */
export class RSet {
  private readonly members: Map<string, Value> = new Map();
  private sorted: Value[] | null = null;

  constructor(values?: Iterable<Value>) {
    if (values) for (const v of values) this.add(v);
  }

  get size(): number {
    return this.members.size;
  }

  has(v: Value): boolean {
    return this.members.has(hashKey(v));
  }

  /** Add a member; returns false when it was already present. */
  add(v: Value): boolean {
    const h = hashKey(v);
    if (this.members.has(h)) return false;
    this.members.set(h, v);
    this.sorted = null;
    return true;
  }

  delete(v: Value): boolean {
    this.sorted = null;
    return this.members.delete(hashKey(v));
  }

  /** Members in OPA order. */
  values(): Value[] {
    if (this.sorted) return this.sorted;
    const vs = [...this.members.values()].sort(compare);
    this.sorted = vs;
    return vs;
  }

  unorderedValues(): IterableIterator<Value> {
    return this.members.values();
  }
}

/** OPA's type order rank. */
function rank(v: Value): number {
  if (v === null) return 0;
  switch (typeof v) {
    case 'boolean':
      return 1;
    case 'number':
      return 2;
    case 'string':
      return 3;
  }
  if (v instanceof BigNum) return 2;
  if (Array.isArray(v)) return 4;
  if (v instanceof RObject) return 5;
  return 6;
}

/** OPA's total order over values: negative, zero or positive. */
export function compare(a: Value, b: Value): number {
  if (a === b) return 0;
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra < rb ? -1 : 1;
  switch (ra) {
    case 0:
      return 0;
    case 1:
      return a === b ? 0 : a === false ? -1 : 1;
    case 2:
      return compareNumbers(a as number | BigNum, b as number | BigNum);
    case 3:
      return (a as string) < (b as string) ? -1 : 1; // strings: UTF-16 order; equal handled above
    case 4: {
      const x = a as Value[];
      const y = b as Value[];
      const n = Math.min(x.length, y.length);
      for (let i = 0; i < n; i++) {
        const c = compare(x[i]!, y[i]!);
        if (c !== 0) return c;
      }
      return x.length - y.length < 0 ? -1 : x.length > y.length ? 1 : 0;
    }
    case 5: {
      const x = a as RObject;
      const y = b as RObject;
      const xk = x.keys();
      const yk = y.keys();
      const n = Math.min(xk.length, yk.length);
      for (let i = 0; i < n; i++) {
        const c = compare(xk[i]!, yk[i]!);
        if (c !== 0) return c;
        const d = compare(x.get(xk[i]!)!, y.get(yk[i]!)!);
        if (d !== 0) return d;
      }
      return xk.length < yk.length ? -1 : xk.length > yk.length ? 1 : 0;
    }
    default: {
      const xv = (a as RSet).values();
      const yv = (b as RSet).values();
      const n = Math.min(xv.length, yv.length);
      for (let i = 0; i < n; i++) {
        const c = compare(xv[i]!, yv[i]!);
        if (c !== 0) return c;
      }
      return xv.length < yv.length ? -1 : xv.length > yv.length ? 1 : 0;
    }
  }
}

/** Structural equality (same as compare(a, b) === 0, with fast paths). */
export function equals(a: Value, b: Value): boolean {
  if (a === b) return true;
  const ta = typeof a;
  if (ta === 'string' || ta === 'boolean' || a === null || b === null) return false;
  if (ta === 'number' && typeof b === 'number') return false; // a !== b already
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!equals(a[i]!, b[i]!)) return false;
    return true;
  }
  if (a instanceof RObject) {
    if (!(b instanceof RObject) || a.size !== b.size) return false;
    for (const [k, v] of a.unorderedEntries()) {
      const w = b.get(k);
      if (w === undefined || !equals(v, w)) return false;
    }
    return true;
  }
  if (a instanceof RSet) {
    if (!(b instanceof RSet) || a.size !== b.size) return false;
    for (const v of a.unorderedValues()) if (!b.has(v)) return false;
    return true;
  }
  return compare(a, b) === 0;
}

export type TypeName = 'null' | 'boolean' | 'number' | 'string' | 'array' | 'object' | 'set';

/** The type name as OPA's `type_name` builtin gives it. */
export function typeName(v: Value): TypeName {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'boolean':
      return 'boolean';
    case 'number':
      return 'number';
    case 'string':
      return 'string';
  }
  if (v instanceof BigNum) return 'number';
  if (Array.isArray(v)) return 'array';
  if (v instanceof RObject) return 'object';
  return 'set';
}

/** Convert lossless-json output (LosslessNumber for numbers) or plain JS data to a Value. */
export function fromJSON(x: unknown): Value {
  if (x === null || x === undefined) return null;
  switch (typeof x) {
    case 'string':
    case 'boolean':
      return x;
    case 'number':
      return Number.isFinite(x) ? makeNumber(x) : null;
    case 'bigint':
      return numberFromBigInt(x);
  }
  if (isLosslessNumber(x)) return numberFromText(x.value);
  if (Array.isArray(x)) return x.map(fromJSON);
  if (x instanceof RObject || x instanceof RSet || x instanceof BigNum) return x;
  if (x instanceof Set) return new RSet([...x].map(fromJSON));
  const o = new RObject();
  for (const k of Object.keys(x as object)) o.set(k, fromJSON((x as Record<string, unknown>)[k]));
  return o;
}

/** Parse JSON text exactly (numbers keep their value). */
export function parseJSON(text: string): Value {
  return fromJSON(parseLossless(text));
}

/** The JSON text of a number, as OPA prints it. */
export function numberText(v: number | BigNum): string {
  if (typeof v !== 'number') return v.text;
  if (Number.isInteger(v)) return String(v);
  const s = String(v);
  // JS writes 1e-7 / 1.5e+300; both are valid JSON, Go writes 1e-07 / 1.5e+300. Keep JS form.
  return s;
}

/** OPA's JSON text of a value: sets as sorted arrays, non-string keys as their JSON text. */
export function toJSON(v: Value, indent?: number): string {
  const out: string[] = [];
  writeJSON(v, out, indent ?? 0, 0);
  return out.join('');
}

function writeJSON(v: Value, out: string[], indent: number, depth: number): void {
  if (v === null) return void out.push('null');
  switch (typeof v) {
    case 'boolean':
      return void out.push(v ? 'true' : 'false');
    case 'number':
      return void out.push(numberText(v));
    case 'string':
      return void out.push(JSON.stringify(v));
  }
  if (v instanceof BigNum) return void out.push(v.text);
  const nl = indent > 0 ? '\n' + ' '.repeat(indent * (depth + 1)) : '';
  const end = indent > 0 ? '\n' + ' '.repeat(indent * depth) : '';
  const sep = indent > 0 ? ': ' : ':';
  if (Array.isArray(v) || v instanceof RSet) {
    const items = Array.isArray(v) ? v : v.values();
    if (items.length === 0) return void out.push('[]');
    out.push('[');
    items.forEach((x, i) => {
      if (i > 0) out.push(',');
      out.push(nl);
      writeJSON(x, out, indent, depth + 1);
    });
    out.push(end, ']');
    return;
  }
  const obj = v as RObject;
  const keys = obj.keys();
  if (keys.length === 0) return void out.push('{}');
  // Non-string keys become their JSON text; JSON objects are sorted by that text as OPA does.
  const pairs = keys.map((k) => [typeof k === 'string' ? k : toJSON(k), obj.get(k)!] as const);
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  out.push('{');
  pairs.forEach(([k, x], i) => {
    if (i > 0) out.push(',');
    out.push(nl, JSON.stringify(k), sep);
    writeJSON(x, out, indent, depth + 1);
  });
  out.push(end, '}');
}

/** Plain JS data of a value (numbers as number or, beyond 2^53, as bigint; sets as sorted arrays). */
export function toJS(v: Value): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (v instanceof BigNum) return v.int ?? Number(v.text);
  if (Array.isArray(v)) return v.map(toJS);
  if (v instanceof RSet) return v.values().map(toJS);
  const o: Record<string, unknown> = {};
  for (const [k, x] of v.entries()) o[typeof k === 'string' ? k : toJSON(k)] = toJS(x);
  return o;
}

/** Shorthand constructors. */
export const V = {
  obj: (rec: Record<string, Value>): RObject => RObject.fromRecord(rec),
  set: (...members: Value[]): RSet => new RSet(members),
  num: (n: number | bigint | string): number | BigNum =>
    typeof n === 'number' ? makeNumber(n) : typeof n === 'bigint' ? numberFromBigInt(n) : numberFromText(n),
};
