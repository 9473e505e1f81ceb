import { describe, expect, it } from 'vitest';
import { toJSON, type Value } from '../value.js';
import { callBuiltin, testContext } from './testing.js';
import './uuid.js';

const parse = (s: string) => {
  const v = callBuiltin('uuid.parse', [s]);
  return v === undefined ? undefined : JSON.parse(toJSON(v as Value));
};

describe('uuid', () => {
  it('parses every form google/uuid accepts', () => {
    expect(parse('00000000-0000-4000-8000-000000000000')).toEqual({ variant: 'RFC4122', version: 4 });
    expect(parse('{00000000-0000-4000-8000-000000000000}')).toEqual({ variant: 'RFC4122', version: 4 });
    expect(parse('6bea8ef2d3d33cd184e09bab06a52ece')).toEqual({ variant: 'RFC4122', version: 3 });
    expect(parse('urn:uuid:000003e8-48b9-21ee-b200-325096b39f47')).toEqual({
      clocksequence: 12800, domain: 'Person', id: 1000, macvariables: 'local:unicast',
      nodeid: '32-50-96-b3-9f-47', time: 1693566990121469600, variant: 'RFC4122', version: 2,
    });
    expect(parse('not-a-uuid')).toBeUndefined();
  });
  it('gives one random v4 UUID per key and evaluation', () => {
    const ctx = testContext();
    const a = callBuiltin('uuid.rfc4122', ['k'], ctx);
    expect(callBuiltin('uuid.rfc4122', ['k'], ctx)).toBe(a);
    expect(callBuiltin('uuid.rfc4122', ['other'], ctx)).not.toBe(a);
    expect(callBuiltin('uuid.rfc4122', ['k'], testContext())).not.toBe(a);
    expect(parse(a as string)).toEqual({ variant: 'RFC4122', version: 4 });
  });
});
