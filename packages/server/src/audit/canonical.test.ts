import canonicalize from 'canonicalize';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson, isCheckedFrozen } from './canonical.js';

/** The reference implementation's answer: its text, or that it refused (threw, or had no text for a top-level undefined). */
function reference(value: unknown): { text: string } | { threw: true } {
  try {
    const text = canonicalize(value);
    return text === undefined ? { threw: true } : { text };
  } catch {
    return { threw: true };
  }
}

function ours(value: unknown): { text: string } | { threw: true } {
  try {
    return { text: canonicalJson(value) };
  } catch {
    return { threw: true };
  }
}

/** Any UTF-16 code unit, so lone surrogates, controls and non-BMP pairs all occur. */
const anyText = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 12 });
const anyNumber = fc.oneof(
  fc.double(),
  fc.integer(),
  fc.constantFrom(0, -0, 1e21, 1e-7, 5e-324, Number.MAX_VALUE, Number.MAX_SAFE_INTEGER + 2, 1795905349000000000, NaN, Infinity, -Infinity),
);
/** JSON-like trees with the awkward parts: odd keys, undefined members, dates, every number and string. */
const tree = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    anyNumber,
    anyText,
    fc.constant(undefined),
    fc.date({ noInvalidDate: false }),
    fc.array(tie('value'), { maxLength: 5 }),
    fc.dictionary(fc.oneof(anyText, fc.constantFrom('a', 'b', 'A', '10', '2', '01', '4294967295', 'é', '\u{1F600}', '\uFB33', 'toJSON', '__proto__')), tie('value'), { maxKeys: 6 }),
  ),
})).value;

describe('canonicalJson (RFC 8785)', () => {
  it('writes exactly what the canonicalize package writes, and refuses what it refuses', () => {
    fc.assert(
      fc.property(tree, (value) => {
        expect(ours(value)).toEqual(reference(value));
      }),
      { numRuns: 3000 },
    );
  });

  it('agrees with canonicalize on fast-check’s arbitrary values (typed arrays, boxed values, null prototypes, bigints)', () => {
    fc.assert(
      fc.property(fc.anything({ withBigInt: true, withBoxedValues: true, withDate: true, withMap: true, withSet: true, withNullPrototype: true, withTypedArray: true, withObjectString: true, withSparseArray: false }), (value) => {
        expect(ours(value)).toEqual(reference(value));
      }),
      { numRuns: 3000 },
    );
  });

  it('writes values whose keys are already in canonical order (the no-copy path) as canonicalize does', () => {
    fc.assert(
      fc.property(tree, (value) => {
        const expected = reference(value);
        if (!('text' in expected)) return;
        // Parsing canonical text rebuilds every object with its keys inserted in sorted order.
        const ordered = JSON.parse(expected.text) as unknown;
        expect(ours(ordered)).toEqual(reference(ordered));
        expect(ours(ordered)).toEqual(expected);
      }),
      { numRuns: 2000 },
    );
  });

  it('does not let JSON.stringify unwrap boxed values or call toJSON on the no-copy path', () => {
    const boxed = [Object(5), Object('ab'), Object(true)] as unknown[];
    expect(canonicalJson({ a: boxed })).toBe(canonicalize({ a: boxed }));
    const custom = { a: { toJSON: () => ({ z: 1, y: 2 }) } };
    expect(canonicalJson(custom)).toBe('{"a":{"y":2,"z":1}}');
  });

  it('matches the RFC 8785 example ordering and number forms', () => {
    const value = { '\u20ac': 'Euro Sign', '\r': 'Carriage Return', '\ufb33': 'Hebrew Letter Dalet With Dagesh', '1': 'One', '\u{1F600}': 'Emoji: Grinning Face', '\u0080': 'Control', '\u00f6': 'Latin Small Letter O With Diaeresis' };
    expect(canonicalJson(value)).toBe(
      '{"\\r":"Carriage Return","1":"One","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis","\u20ac":"Euro Sign","\u{1F600}":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
    );
    expect(canonicalJson({ numbers: [333333333.33333329, 1e30, 4.5, 2e-3, 0.000001, 1e-7, -0] })).toBe('{"numbers":[333333333.3333333,1e+30,4.5,0.002,0.000001,1e-7,0]}');
  });

  it('refuses cycles, lone surrogates, non-finite numbers, functions and bigints', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = { back: cyclic };
    expect(() => canonicalJson(cyclic)).toThrow(/Circular/);
    expect(() => canonicalJson({ text: 'a\ud800' })).toThrow(/surrogate/);
    expect(() => canonicalJson({ ['\udc00']: 1 })).toThrow(/surrogate/);
    expect(() => canonicalJson([NaN])).toThrow(/NaN/);
    expect(() => canonicalJson({ n: -Infinity })).toThrow(/Infinity/);
    expect(() => canonicalJson({ f: () => 1 })).toThrow(/function/);
    expect(() => canonicalJson({ n: 1n })).toThrow(/BigInt/);
    expect(() => canonicalJson(undefined)).toThrow();
  });

  it('writes objects with array-index keys and __proto__ in sorted order too (the direct writer)', () => {
    const value = JSON.parse('{"b":1,"10":2,"2":3,"__proto__":{"z":1,"a":2},"a":[{"1":0,"0":1}]}') as unknown;
    expect(canonicalJson(value)).toBe('{"10":2,"2":3,"__proto__":{"a":2,"z":1},"a":[{"0":1,"1":0}],"b":1}');
    expect(canonicalJson(value)).toBe(canonicalize(value));
  });

  it('lets shared (non-cyclic) references appear twice, as canonicalize does', () => {
    const shared = { k: [1, 2] };
    expect(canonicalJson({ a: shared, b: [shared, shared] })).toBe(canonicalize({ a: shared, b: [shared, shared] }));
  });

  describe('deep-frozen parts shared between values (the decision input\'s per-token parts)', () => {
    const deepFreeze = <T>(value: T): T => {
      if (value !== null && typeof value === 'object') {
        for (const member of Object.values(value)) deepFreeze(member);
        Object.freeze(value);
      }
      return value;
    };

    it('checks a deep-frozen part once and writes every value holding it as canonicalize does', () => {
      const part = deepFreeze({ id: 'agent-1', scopes: ['a', 'b'], token: { exp: 1, jti: 'j' } });
      for (let i = 0; i < 3; i += 1) {
        const value = { decision_id: `d${i}`, input: { agent: part, context: { n: i } }, list: [part, { x: i }] };
        expect(canonicalJson(value)).toBe(canonicalize(value));
      }
      expect(isCheckedFrozen(part)).toBe(true);
      expect(isCheckedFrozen(part.token)).toBe(true);
    });

    it('never trusts what can still change: a frozen object with a mutable member, or a getter', () => {
      const inner = { n: 1 };
      const shallow = Object.freeze({ inner });
      expect(canonicalJson({ shallow })).toBe('{"shallow":{"inner":{"n":1}}}');
      expect(isCheckedFrozen(shallow)).toBe(false);
      inner.n = 2;
      expect(canonicalJson({ shallow })).toBe('{"shallow":{"inner":{"n":2}}}');
      let calls = 0;
      const getter = Object.freeze({
        get n() {
          calls += 1;
          return calls;
        },
      });
      const first = canonicalJson({ getter });
      expect(isCheckedFrozen(getter)).toBe(false);
      expect(canonicalJson({ getter })).not.toBe(first); // read again, not remembered
    });

    it('writes a frozen part whose keys are not sorted through the sorting path, correctly', () => {
      const unsorted = deepFreeze({ b: 1, a: [2, { d: 1, c: 0 }] });
      expect(canonicalJson({ z: unsorted, y: 0 })).toBe(canonicalize({ z: unsorted, y: 0 }));
      expect(canonicalJson({ z: unsorted, y: 0 })).toBe(canonicalize({ z: unsorted, y: 0 }));
    });

    it('agrees with canonicalize on generated values sharing generated frozen parts (fast-check)', () => {
      fc.assert(
        fc.property(fc.jsonValue({ maxDepth: 3 }), fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 3 }), (shared, others) => {
          const part = deepFreeze(structuredClone(shared));
          const values = others.map((other, i) => ({ i, part, nested: { other, again: [part] } }));
          for (const value of values) expect(canonicalJson(value)).toBe(canonicalize(value));
        }),
        { numRuns: 300 },
      );
    });
  });
});
