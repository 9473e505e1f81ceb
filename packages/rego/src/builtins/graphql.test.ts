import { describe, expect, it } from 'vitest';
import { toJSON, type Value } from '../value.js';
import { callBuiltin } from './testing.js';
import './graphql.js';

const json = (v: unknown) => JSON.parse(toJSON(v as Value));
const schema = 'type Query { hero(episode: Episode!): Character } enum Episode { NEWHOPE EMPIRE } type Character { id: ID! name: String }';

describe('graphql builtins', () => {
  it('parses queries into gqlparser-shaped ASTs', () => {
    expect(json(callBuiltin('graphql.parse_query', ['query q($e: Episode! = EMPIRE) { h: hero(episode: $e) { id } }']))).toEqual({
      Operations: [{
        Name: 'q', Operation: 'query',
        VariableDefinitions: [{ Variable: 'e', Type: { NamedType: 'Episode', NonNull: true }, DefaultValue: { ExpectedTypeHasDefault: false, Kind: 7, Raw: 'EMPIRE' }, Used: false }],
        SelectionSet: [{ Alias: 'h', Name: 'hero', Arguments: [{ Name: 'episode', Value: { ExpectedTypeHasDefault: false, Kind: 0, Raw: 'e' } }], SelectionSet: [{ Alias: 'id', Name: 'id' }] }],
      }],
    });
  });
  it('parses schemas and reports syntax errors as OPA does', () => {
    expect(json(callBuiltin('graphql.parse_schema', ['type Hello implements World { field: String }']))).toEqual({
      Definitions: [{ BuiltIn: false, Description: '', Fields: [{ Description: '', Name: 'field', Type: { NamedType: 'String', NonNull: false } }], Interfaces: ['World'], Kind: 'OBJECT', Name: 'Hello' }],
    });
    expect(() => callBuiltin('graphql.parse_schema', ['extend schema'])).toThrow('Unexpected <EOF> in GraphQL string at location 1:14');
    expect(() => callBuiltin('graphql.parse_query', ['{ f { } }'])).toThrow('expected at least one definition, found } in GraphQL string at location 1:7');
  });
  it('validates schemas and queries', () => {
    expect(callBuiltin('graphql.schema_is_valid', [schema])).toBe(true);
    expect(callBuiltin('graphql.schema_is_valid', ['enum Hello {}'])).toBe(false);
    expect(callBuiltin('graphql.schema_is_valid', ['type A { b: Missing }'])).toBe(false);
    expect(callBuiltin('graphql.is_valid', ['{ hero(episode: EMPIRE) { name } }', schema])).toBe(true);
    expect(callBuiltin('graphql.is_valid', ['{ hero { name } }', schema])).toBe(false);
    expect(callBuiltin('graphql.is_valid', ['{ villain }', schema])).toBe(false);
    const [ok] = callBuiltin('graphql.parse_and_verify', ['{ hero(episode: EMPIRE) { id } }', schema]) as Value[];
    expect(ok).toBe(true);
  });
  it('accepts ASTs in place of text', () => {
    const ast = callBuiltin('graphql.parse_schema', [schema]) as Value;
    expect(callBuiltin('graphql.schema_is_valid', [ast])).toBe(true);
    expect(callBuiltin('graphql.is_valid', ['{ hero(episode: EMPIRE) { id } }', ast])).toBe(true);
  });
});
