import { describe, expect, it } from 'vitest';
import { parseJSON, toJSON, type Value } from '../value.js';
import { callBuiltin } from './testing.js';
import './json-schema.js';
import './opa-runtime.js';

const v = (x: unknown) => parseJSON(JSON.stringify(x));
const json = (x: unknown) => JSON.parse(toJSON(x as Value));
const schema = { properties: { id: { type: 'integer' } }, required: ['id'] };

describe('json.verify_schema / json.match_schema', () => {
  it('accepts valid schemas and reports unknown types as gojsonschema does', () => {
    expect(json(callBuiltin('json.verify_schema', [v({ type: 'boolean' })]))).toEqual([true, null]);
    expect(json(callBuiltin('json.verify_schema', ['{"type": "unknown_type"}']))).toEqual([false,
      'jsonschema: has a primitive type that is NOT VALID -- given: /unknown_type/ Expected valid values are:[array boolean integer number null object string]']);
  });
  it('matches documents given as values or JSON text', () => {
    expect(json(callBuiltin('json.match_schema', [v({ id: 5 }), v(schema)]))).toEqual([true, []]);
    expect(json(callBuiltin('json.match_schema', ['{"id": 5}', JSON.stringify(schema)]))).toEqual([true, []]);
    const [ok, errors] = json(callBuiltin('json.match_schema', [v({ id: 'x' }), v(schema)]));
    expect(ok).toBe(false);
    expect(errors[0]).toMatchObject({ field: 'id', type: 'invalid_type' });
    expect(() => callBuiltin('json.match_schema', [v({}), v({ type: 'nope' })])).toThrow('has a primitive type that is NOT VALID');
  });
});

describe('json.match_schema patterns', () => {
  it('uses RE2 syntax and matches in linear time', () => {
    const patterned = v({ properties: { a: { type: 'string', pattern: '^(a+)+$' } }, patternProperties: { '^k(x+x+)+y': { type: 'number' } } });
    const long = 'a'.repeat(4000);
    // A backtracking RegExp would not finish these within the test timeout.
    const [ok, errors] = json(callBuiltin('json.match_schema', [v({ a: long + '!', ['k' + 'x'.repeat(4000)]: 's' }), patterned]));
    expect(ok).toBe(false);
    expect(errors.map((e: { type: string }) => e.type)).toEqual(['pattern']);
    expect(json(callBuiltin('json.match_schema', [v({ a: long, kxxy: 1 }), patterned]))).toEqual([true, []]);
    expect(json(callBuiltin('json.match_schema', [v({ kxxy: 's' }), patterned]))[0]).toBe(false);
    // \z is RE2 (and gojsonschema) syntax that JavaScript's RegExp rejects.
    expect(json(callBuiltin('json.match_schema', [v({ s: 'ab' }), v({ properties: { s: { pattern: 'b\\z' } } })]))).toEqual([true, []]);
    expect(() => callBuiltin('json.match_schema', [v({ s: 'x' }), v({ properties: { s: { pattern: '(' } } })])).toThrow('missing closing )');
  });
});

describe('opa.runtime', () => {
  it('describes no runtime and exposes no environment', () => {
    expect(json(callBuiltin('opa.runtime', []))).toEqual({});
  });
});
