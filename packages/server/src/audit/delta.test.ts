import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from './canonical.js';
import { applyDelta, diffDelta, jsonEqual } from './delta.js';

/** JSON trees with the awkward parts: nulls, empty and nested arrays and objects, odd keys. */
const key = fc.oneof(fc.constantFrom('a', 'b', 'input', 'time', '0', '10', '__proto__', 'constructor', '', 'ä', '\u{1F600}'), fc.string({ maxLength: 4 }));
const json = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constant(1796213787237000000)),
    fc.string({ maxLength: 6 }),
    fc.array(tie('value'), { maxLength: 4 }),
    tie('object'),
  ),
  object: fc.dictionary(key, tie('value'), { maxKeys: 5 }),
})).object as fc.Arbitrary<Record<string, unknown>>;

/** A value and a variation of it: some members changed, removed, added, nested changes. */
function vary(base: Record<string, unknown>, edits: Record<string, unknown>, drop: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = JSON.parse(JSON.stringify(base)) as Record<string, unknown>;
  for (const k of drop) delete out[k];
  for (const [k, v] of Object.entries(edits)) Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  return out;
}

const roundTrip = (base: Record<string, unknown>, value: Record<string, unknown>) => {
  const delta = diffDelta(base, value);
  // What the log stores: canonical texts, parsed back on reading.
  const stored = delta === undefined ? {} : JSON.parse(canonicalJson(delta));
  return applyDelta(JSON.parse(canonicalJson(base)), stored);
};

describe('compact-entry deltas', () => {
  it('applying the delta to its base gives back exactly the value (canonical JSON equal), for any two JSON objects', () => {
    fc.assert(
      fc.property(json, json, (base, value) => {
        expect(canonicalJson(roundTrip(base, value))).toBe(canonicalJson(value));
      }),
      { numRuns: 500 },
    );
  });

  it('does so for near variations (the common case: few members differ, nested)', () => {
    fc.assert(
      fc.property(json, json, fc.array(key, { maxLength: 3 }), (base, edits, drop) => {
        const value = vary(base, edits, drop);
        expect(canonicalJson(roundTrip(base, value))).toBe(canonicalJson(value));
        const nested = { details: base, actor: { id: 'x' } };
        const changed = { details: value, actor: { id: 'x' } };
        expect(canonicalJson(roundTrip(nested, changed))).toBe(canonicalJson(changed));
      }),
      { numRuns: 500 },
    );
  });

  it('is empty for equal values and holds only what changed', () => {
    const base = { input: { agent: { id: 'a', scopes: ['x'] }, time: { now: 1, day: 'Mon' } }, decision_id: 'd1', gone: 1 };
    expect(diffDelta(base, JSON.parse(JSON.stringify(base)))).toBeUndefined();
    const value = { input: { agent: { id: 'a', scopes: ['x'] }, time: { now: 2, day: 'Mon' } }, decision_id: 'd2', added: null };
    expect(diffDelta(base, value)).toEqual({ input: { time: { now: [2] } }, decision_id: ['d2'], added: [null], gone: [] });
  });

  it('sets null, objects and arrays whole and never recurses into a value that is not an object on both sides', () => {
    expect(diffDelta({ a: { b: 1 } }, { a: null })).toEqual({ a: [null] });
    expect(diffDelta({ a: null }, { a: { b: 1 } })).toEqual({ a: [{ b: 1 }] });
    expect(diffDelta({ a: [1, 2] }, { a: [1, 3] })).toEqual({ a: [[1, 3]] });
  });

  it('treats undefined members as absent and values JSON writes differently (dates) as changed', () => {
    expect(diffDelta({ a: 1 }, { a: 1, b: undefined })).toBeUndefined();
    const date = new Date(0);
    expect(jsonEqual(date, new Date(0))).toBe(false);
    expect(roundTrip({ at: '1970-01-01T00:00:00.000Z' }, { at: date })).toEqual({ at: '1970-01-01T00:00:00.000Z' });
  });

  it('never touches Object.prototype, whatever the delta says', () => {
    expect(() => applyDelta({}, JSON.parse('{"__proto__":{"polluted":[true]}}'))).toThrow(/no object/);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const set = applyDelta({}, JSON.parse('{"__proto__":[{"x":1}]}'));
    expect(Object.getPrototypeOf(set)).toBe(Object.prototype);
    expect(canonicalJson(set)).toBe('{"__proto__":{"x":1}}');
  });

  it('refuses deltas no write produces', () => {
    expect(() => applyDelta({ a: 1 }, JSON.parse('{"a":[1,2]}'))).toThrow(TypeError);
    expect(() => applyDelta({ a: 1 }, JSON.parse('{"a":1}'))).toThrow(TypeError);
  });
});
