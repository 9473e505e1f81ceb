/**
 * The delta of a compact entry against its base (compact.ts): what is new in an entry, as a
 * tree that mirrors the JSON it changes.
 *
 * - an object member that is an object recurses into the base's member of that name;
 * - a member that is a one-element array `[value]` sets that member to `value`;
 * - a member that is an empty array `[]` removes that member.
 *
 * Every change is wrapped in an array, so a delta never confuses "recurse" with "set": a value
 * that is itself an object or array is set whole (`[{…}]`, `[[…]]`). Arrays are compared and
 * replaced whole. `null` is an ordinary value (unlike JSON merge patch, RFC 7396, which cannot
 * set one), so applying the delta to the base gives back exactly the JSON it was taken from:
 * delta.test.ts checks `applyDelta(base, diffDelta(base, x))` equals `x` over generated values.
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type Delta = { [key: string]: Delta | [] | [Json] };

/** A plain object (what JSON.parse makes): anything else (a Date, a class) is compared and set whole. */
const isRecord = (value: unknown): value is Record<string, Json> => {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return (prototype === Object.prototype || prototype === null) && typeof (value as { toJSON?: unknown }).toJSON !== 'function';
};
/** Members canonical JSON leaves out of objects. */
const absent = (value: unknown): boolean => value === undefined || typeof value === 'symbol';
const isPlain = (value: object): boolean => Array.isArray(value) || isRecord(value);

/**
 * Deep equality of JSON values (member order ignored, as in canonical JSON). Conservative: a
 * value JSON would write differently from itself (a Date, an undefined array item) is unequal
 * to everything but itself, so the delta sets it and canonical JSON writes it as the hash did.
 */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (!isPlain(a) || !isPlain(b)) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i += 1) if (a[i] === undefined || !jsonEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  let count = 0;
  for (const key in ra) {
    if (!Object.prototype.hasOwnProperty.call(ra, key) || absent(ra[key])) continue;
    count += 1;
    if (!Object.prototype.hasOwnProperty.call(rb, key) || !jsonEqual(ra[key], rb[key])) return false;
  }
  for (const key in rb) if (Object.prototype.hasOwnProperty.call(rb, key) && !absent(rb[key])) count -= 1;
  return count === 0;
}

/**
 * The delta that turns `base` into `value` (both objects), or undefined when they are equal.
 * Members whose value is undefined or a symbol count as absent (canonical JSON leaves them out).
 */
export function diffDelta(base: Record<string, unknown>, value: Record<string, unknown>): Delta | undefined {
  let delta: Delta | undefined;
  const put = (key: string, change: Delta | [] | [Json]) => {
    delta ??= {};
    setMember(delta, key, change);
  };
  for (const key of Object.keys(value)) {
    const next = value[key];
    if (absent(next)) continue;
    const before = Object.prototype.hasOwnProperty.call(base, key) ? base[key] : undefined;
    // The same object (a shared part of the input, kept by the base: compact.ts): no change.
    if (before === next) continue;
    if (isRecord(before) && isRecord(next)) {
      const inner = diffDelta(before, next);
      if (inner) put(key, inner);
    } else if (before === undefined || !jsonEqual(before, next)) {
      put(key, [next as Json]);
    }
  }
  for (const key of Object.keys(base)) {
    if (!absent(base[key]) && (!Object.prototype.hasOwnProperty.call(value, key) || absent(value[key]))) put(key, []);
  }
  return delta;
}

/**
 * Applies `delta` to `base` in place and returns it (callers pass a fresh copy, e.g. just
 * parsed from the stored blob). Throws on a delta that does not fit the base (a stored row
 * edited into something no write produces), which verification reports as a hash mismatch.
 */
export function applyDelta(base: Record<string, unknown>, delta: Delta): Record<string, unknown> {
  for (const key of Object.keys(delta)) {
    const change = delta[key];
    if (Array.isArray(change)) {
      if (change.length === 0) delete base[key];
      else if (change.length === 1) setMember(base, key, change[0]);
      else throw new TypeError(`delta member '${key}' is neither [] nor [value]`);
    } else if (isRecord(change)) {
      const inner = Object.prototype.hasOwnProperty.call(base, key) ? base[key] : undefined;
      if (!isRecord(inner)) throw new TypeError(`delta recurses into '${key}', which the base has no object at`);
      applyDelta(inner, change as Delta);
    } else {
      throw new TypeError(`delta member '${key}' is neither an object nor an array`);
    }
  }
  return base;
}

/** Sets a member, as an own data property even for `__proto__` (JSON.parse makes those too). */
function setMember(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
}
