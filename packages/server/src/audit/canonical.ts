/**
 * RFC 8785 JSON Canonicalization Scheme (JCS): the serialisation the audit hash chain and the
 * checkpoint signatures are defined over (docs/audit.md). Object keys sorted by UTF-16 code
 * units, no whitespace, strings and numbers exactly as ECMAScript's JSON.stringify writes them.
 *
 * The text is the `canonicalize` package's (verifiers are told to use "any RFC 8785
 * implementation"; canonical.test.ts checks equality with fast-check), at a third to a half of
 * the cost, which matters because every audit entry — one per authorization decision — is
 * canonicalised on the event loop. A value whose objects already have their keys in sorted
 * order (the decision log builds its details so) is checked and handed to the native
 * JSON.stringify as it is. Otherwise a copy is made with its keys inserted in sorted order,
 * checking what JSON.stringify would not (lone surrogates, non-finite numbers), and the native
 * JSON.stringify writes the copy: it writes keys in insertion order and strings and numbers as
 * JCS does. That holds except for keys that are array indices ("0", "10"), which
 * objects always enumerate first in numeric order, and `__proto__`, which a plain object cannot
 * hold as an own key: a value with either is written by `writeCanonical`, a direct serialiser.
 *
 * Values JSON cannot express are refused rather than written as invalid JSON: NaN, ±Infinity,
 * lone surrogates, cycles and bigints throw (as `canonicalize` does), and so does a function
 * anywhere or `undefined`/a symbol at the top (where `canonicalize` returns undefined or the
 * text `undefined`). Inside objects, members whose value is undefined or a symbol are left out;
 * inside arrays they become null — as JSON.stringify and `canonicalize` do.
 */

export class CanonicalJsonError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CanonicalJsonError';
  }
}

/** Raised inside the fast path when a key cannot keep its sorted place in a plain object. */
class NeedsDirectWriter extends Error {}

/** `String.prototype.isWellFormed` (ES2024; Node ≥ 20): true when the string has no lone surrogate. */
const isWellFormed = (text: string): boolean => (text as unknown as { isWellFormed(): boolean }).isWellFormed();

const ARRAY_INDEX = /^(?:0|[1-9][0-9]*)$/;
/** Keys a plain object would not enumerate in insertion order (or not hold at all). */
const misplacedKey = (key: string): boolean => {
  const first = key.charCodeAt(0);
  return (first >= 0x30 && first <= 0x39 && ARRAY_INDEX.test(key)) || key === '__proto__';
};

function checkString(text: string): string {
  if (!isWellFormed(text)) throw new CanonicalJsonError('Lone surrogate is not allowed');
  return text;
}

function checkNumber(value: number): number {
  if (Number.isNaN(value)) throw new CanonicalJsonError('NaN is not allowed');
  if (!Number.isFinite(value)) throw new CanonicalJsonError('Infinity is not allowed');
  return value;
}

/** Left out of objects, null in arrays (JSON.stringify's rule). */
const skipped = (value: unknown): boolean => value === undefined || typeof value === 'symbol';

function refuse(value: unknown): never {
  if (typeof value === 'bigint') throw new CanonicalJsonError('BigInt value can not be serialized in JSON');
  throw new CanonicalJsonError(`a ${typeof value} cannot be serialised as JSON`);
}

function enter(value: object, ancestors: object[]): void {
  if (ancestors.includes(value)) throw new CanonicalJsonError('Circular reference detected');
  ancestors.push(value);
}

/** Object.keys in UTF-16 code unit order (already sorted is the common case: skip the sort). */
function sortedKeys(record: object): string[] {
  const keys = Object.keys(record);
  for (let i = 1; i < keys.length; i += 1) {
    if (keys[i - 1]! > keys[i]!) return keys.sort();
  }
  return keys;
}

// ---- fastest path: already in canonical order ---------------------------------------------------

/**
 * Deep-frozen objects already found in canonical order. Frozen all the way down, they cannot
 * change, so they are checked once: the decision point shares the parts of an input that follow
 * from the agent and its token (policy/input.ts) between every decision made with that token.
 */
const checkedFrozen = new WeakSet<object>();

/** True when `value` is a deep-frozen object whose canonical form was checked (compact.ts shares those by identity). */
export const isCheckedFrozen = (value: unknown): boolean => value !== null && typeof value === 'object' && checkedFrozen.has(value);

/** The JSON text of objects in `checkedFrozen`, written once when first needed. */
const frozenTexts = new WeakMap<object, string>();
/** Objects (not frozen themselves) holding a `checkedFrozen` object somewhere inside. */
const holdsFrozen = new WeakSet<object>();

/** Whether `member` is, or holds, a checked frozen object (whose text can be reused). */
const sharesText = (member: unknown): boolean => member !== null && typeof member === 'object' && (checkedFrozen.has(member) || holdsFrozen.has(member));

/** No getters: a frozen object's accessor could still answer differently each time. */
const onlyDataMembers = (value: object): boolean => Object.values(Object.getOwnPropertyDescriptors(value)).every((member) => 'value' in member);

/** Whether `member` leaves its frozen parent eligible for `checkedFrozen` (a primitive, or itself in it). */
const settled = (member: unknown): boolean => member === null || typeof member !== 'object' || checkedFrozen.has(member);

/**
 * True when JSON.stringify(value) is already canonical: every object's keys in sorted order (as
 * objects built in that order, e.g. the decision log's input, have them), none misplaced, no
 * toJSON. Throws, as the other paths do, for what JSON cannot express. Allocates nothing.
 */
function inCanonicalOrder(value: unknown, ancestors: object[]): boolean {
  switch (typeof value) {
    case 'string':
      checkString(value);
      return true;
    case 'number':
      checkNumber(value);
      return true;
    case 'boolean':
      return true;
    case 'object':
      if (value === null) return true;
      break;
    default:
      refuse(value);
  }
  // Only plain objects and arrays: JSON.stringify unwraps boxed primitives (canonicalize does not).
  const prototype: unknown = Object.getPrototypeOf(value);
  if (!(prototype === Object.prototype || prototype === null || Array.isArray(value))) return false;
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return false;
  if (checkedFrozen.has(value)) return true;
  enter(value, ancestors);
  let frozen = Object.isFrozen(value);
  let holds = false;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i += 1) {
      const item: unknown = value[i];
      if (!skipped(item) && !inCanonicalOrder(item, ancestors)) return false;
      frozen &&= settled(item);
      holds ||= sharesText(item);
    }
  } else {
    const record = value as Record<string, unknown>;
    let previous: string | null = null;
    for (const key in record) {
      if (!Object.prototype.hasOwnProperty.call(record, key)) continue;
      const member = record[key];
      if (skipped(member)) continue;
      if ((previous !== null && previous > key) || misplacedKey(key)) return false;
      checkString(key);
      if (!inCanonicalOrder(member, ancestors)) return false;
      frozen &&= settled(member);
      holds ||= sharesText(member);
      previous = key;
    }
  }
  ancestors.pop();
  if (frozen && onlyDataMembers(value)) checkedFrozen.add(value);
  else if (holds) holdsFrozen.add(value);
  return true;
}

/**
 * JSON.stringify of a value `inCanonicalOrder` accepted (so its text is canonical as written),
 * reusing the text of its checked frozen parts: only what holds one is written member by member.
 */
function writeInOrder(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (checkedFrozen.has(value)) {
    let text = frozenTexts.get(value);
    if (text === undefined) frozenTexts.set(value, (text = JSON.stringify(value)));
    return text;
  }
  if (!holdsFrozen.has(value)) return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((item: unknown) => (skipped(item) ? 'null' : writeInOrder(item))).join(',')}]`;
  const parts: string[] = [];
  const record = value as Record<string, unknown>;
  for (const key in record) {
    if (!Object.prototype.hasOwnProperty.call(record, key) || skipped(record[key])) continue;
    parts.push(`${JSON.stringify(key)}:${writeInOrder(record[key])}`);
  }
  return `{${parts.join(',')}}`;
}

// ---- fast path: a sorted copy for JSON.stringify ------------------------------------------------

function sortedCopy(value: unknown, ancestors: object[]): unknown {
  switch (typeof value) {
    case 'string':
      return checkString(value);
    case 'number':
      return checkNumber(value);
    case 'boolean':
      return value;
    case 'object':
      if (value === null) return null;
      break;
    default:
      refuse(value);
  }
  enter(value, ancestors);
  let copy: unknown;
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') {
    copy = sortedCopy(toJSON.call(value), ancestors);
  } else if (Array.isArray(value)) {
    const items: unknown[] = new Array(value.length);
    for (let i = 0; i < value.length; i += 1) {
      const item: unknown = value[i];
      items[i] = skipped(item) ? null : sortedCopy(item, ancestors);
    }
    copy = items;
  } else {
    const record = value as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const key of sortedKeys(record)) {
      const member = record[key];
      if (skipped(member)) continue;
      if (misplacedKey(key)) throw new NeedsDirectWriter();
      out[checkString(key)] = sortedCopy(member, ancestors);
    }
    copy = out;
  }
  ancestors.pop();
  return copy;
}

// ---- direct serialiser (any key) ----------------------------------------------------------------

function writeCanonical(value: unknown, ancestors: object[]): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(checkString(value));
    case 'number':
      return JSON.stringify(checkNumber(value));
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      if (value === null) return 'null';
      break;
    default:
      refuse(value);
  }
  enter(value, ancestors);
  const parts: string[] = [];
  let text: string;
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') {
    text = writeCanonical(toJSON.call(value), ancestors);
  } else if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i += 1) {
      const item: unknown = value[i];
      parts.push(skipped(item) ? 'null' : writeCanonical(item, ancestors));
    }
    text = `[${parts.join(',')}]`;
  } else {
    const record = value as Record<string, unknown>;
    for (const key of sortedKeys(record)) {
      const member = record[key];
      if (skipped(member)) continue;
      parts.push(`${JSON.stringify(checkString(key))}:${writeCanonical(member, ancestors)}`);
    }
    text = `{${parts.join(',')}}`;
  }
  ancestors.pop();
  return text;
}

/** The RFC 8785 canonical JSON text of `value`. Throws CanonicalJsonError for what JSON cannot express. */
export function canonicalJson(value: unknown): string {
  if (skipped(value)) refuse(value);
  try {
    if (inCanonicalOrder(value, [])) return writeInOrder(value);
    return JSON.stringify(sortedCopy(value, []));
  } catch (error) {
    if (!(error instanceof NeedsDirectWriter)) throw error;
    return writeCanonical(value, []);
  }
}
