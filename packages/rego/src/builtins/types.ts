/**
 * Type tests (is_number, is_string, ...) and type_name. The is_* tests are true or false for
 * every value, never undefined.
 */
import { typeName, type TypeName, type Value } from '../value.js';
import { registerBuiltins, type BuiltinDef } from './registry.js';

const TESTS: readonly (readonly [string, TypeName])[] = [
  ['is_number', 'number'],
  ['is_string', 'string'],
  ['is_boolean', 'boolean'],
  ['is_array', 'array'],
  ['is_set', 'set'],
  ['is_object', 'object'],
  ['is_null', 'null'],
];

const defs: BuiltinDef[] = [
  ...TESTS.map(
    ([name, type]): BuiltinDef => ({ name, args: ['any'], result: 'boolean', impl: ([v]: Value[]) => typeName(v!) === type }),
  ),
  { name: 'type_name', args: ['any'], result: 'string', impl: ([v]) => typeName(v!) },
];

registerBuiltins(defs);
