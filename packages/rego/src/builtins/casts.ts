/**
 * Casts (OPA v1/topdown/casts.go): to_number, and the cast_* builtins deprecated since OPA
 * v0.13 (identity on their own type, a type error otherwise; cast_array/cast_set convert between
 * arrays and sets).
 */
import { numberFromText, RSet, type Value } from '../value.js';
import { BuiltinError, operandError, registerBuiltins, type BuiltinDef } from './registry.js';

/** What Go's strconv.ParseFloat accepts in decimal form (hex floats and '_' are not Rego numbers). */
const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const NON_FINITE = /^[+-]*(?:inf|infinity|nan)$/i;

function toNumber(v: Value): Value {
  if (v === null) return 0;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string') {
    if (NON_FINITE.test(v)) throw operandError(1, 'valid number string', v);
    if (!DECIMAL.test(v)) throw new BuiltinError(`strconv.ParseFloat: parsing ${JSON.stringify(v)}: invalid syntax`);
    let text = v.startsWith('+') ? v.slice(1) : v;
    if (text.startsWith('.') || text.startsWith('-.')) text = text.replace('.', '0.');
    text = text.replace(/\.(?=[eE]|$)/, '');
    return numberFromText(text);
  }
  return v; // a number (declared types exclude the rest)
}

function castIdentity(name: string, type: 'string' | 'boolean' | 'null' | 'object'): BuiltinDef {
  return { name, args: [type], result: type, deprecated: true, impl: ([v]) => v! };
}

const defs: BuiltinDef[] = [
  { name: 'to_number', args: [['null', 'boolean', 'number', 'string']], result: 'number', impl: ([v]) => toNumber(v!) },
  {
    name: 'cast_array',
    args: [['array', 'set']],
    result: 'array',
    deprecated: true,
    impl: ([v]) => (Array.isArray(v) ? v : (v as RSet).values()),
  },
  {
    name: 'cast_set',
    args: [['array', 'set']],
    result: 'set',
    deprecated: true,
    impl: ([v]) => (v instanceof RSet ? v : new RSet(v as Value[])),
  },
  castIdentity('cast_string', 'string'),
  castIdentity('cast_boolean', 'boolean'),
  castIdentity('cast_null', 'null'),
  castIdentity('cast_object', 'object'),
];

registerBuiltins(defs);
