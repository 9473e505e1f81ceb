/**
 * OPA's json.verify_schema and json.match_schema (JSON Schema drafts 4-7 in
 * OPA, via gojsonschema), validated here with ajv. Schemas and documents may
 * be given as values or as JSON text. Messages for the common schema error
 * (an unknown "type") follow gojsonschema's wording. `pattern` and `patternProperties` run on
 * the RE2 engine of the regex builtins (Go's syntax, as gojsonschema; linear time), not on
 * JavaScript's backtracking RegExp: a schema may come from input.
 */
import Ajv, { type CodeOptions, type ErrorObject, type ValidateFunction } from 'ajv';
import { RObject, fromJSON, toJS, type Value } from '../value.js';
import { parseJSONLastWins } from './jwt-encoding.js';
import { compileRE2, matchString } from './re2.js';
import { BuiltinError, operandError, registerBuiltins } from './registry.js';

const PRIMITIVES = ['array', 'boolean', 'integer', 'number', 'null', 'object', 'string'];

class SchemaError extends Error {}

function json(v: Value, position: number): unknown {
  if (typeof v === 'string') {
    try {
      return toJS(parseJSONLastWins(v));
    } catch (e) {
      throw new SchemaError(`invalid JSON: ${(e as Error).message}`);
    }
  }
  if (v instanceof RObject || typeof v === 'boolean') return toJS(v);
  throw operandError(position, 'one of {string, object, boolean}', v);
}

/** gojsonschema rejects a "type" that is not a JSON Schema primitive; find the first such. */
function badType(schema: unknown): string | null {
  if (Array.isArray(schema)) {
    for (const s of schema) {
      const b = badType(s);
      if (b !== null) return b;
    }
    return null;
  }
  if (schema === null || typeof schema !== 'object') return null;
  for (const [k, v] of Object.entries(schema)) {
    if (k === 'type') {
      for (const t of Array.isArray(v) ? v : [v]) if (typeof t === 'string' && !PRIMITIVES.includes(t)) return t;
    }
    if (k !== 'enum' && k !== 'const' && k !== 'default' && k !== 'examples') {
      const b = badType(v);
      if (b !== null) return b;
    }
  }
  return null;
}

/** ajv's regular expression hook: RE2 patterns (ajv keys its pattern cache by toString()). */
const re2Engine: NonNullable<CodeOptions['regExp']> = Object.assign(
  (pattern: string) => {
    const c = compileRE2(pattern);
    return { test: (s: string) => matchString(c, s), toString: () => pattern };
  },
  { code: 're2' },
);

function compile(schema: unknown): ValidateFunction {
  const bad = badType(schema);
  if (bad !== null) {
    throw new SchemaError(`has a primitive type that is NOT VALID -- given: /${bad}/ Expected valid values are:[${PRIMITIVES.join(' ')}]`);
  }
  try {
    // A fresh validator per schema: policies pass arbitrary schemas, nothing is shared between them.
    const ajv = new Ajv.default({ strict: false, allErrors: true, validateFormats: false, code: { regExp: re2Engine } });
    return ajv.compile(schema as object);
  } catch (e) {
    throw new SchemaError((e as Error).message);
  }
}

const ERROR_TYPES: Readonly<Record<string, string>> = {
  type: 'invalid_type', required: 'required', enum: 'enum', const: 'const', additionalProperties: 'additional_property_not_allowed',
  minLength: 'string_gte', maxLength: 'string_lte', minimum: 'number_gte', maximum: 'number_lte', pattern: 'pattern',
  minItems: 'array_min_items', maxItems: 'array_max_items', uniqueItems: 'unique', format: 'format',
};

/** An ajv error in the shape OPA returns gojsonschema's: {error, type, field, desc}. */
function errorValue(e: ErrorObject): Value {
  let field = e.instancePath.replace(/^\//, '').replaceAll('/', '.');
  if (e.keyword === 'required') field = [field, (e.params as { missingProperty: string }).missingProperty].filter(Boolean).join('.');
  if (field === '') field = '(root)';
  const desc = e.keyword === 'required' ? `${(e.params as { missingProperty: string }).missingProperty} is required` : (e.message ?? '');
  return fromJSON({ error: `${field}: ${desc}`, type: ERROR_TYPES[e.keyword] ?? e.keyword, field, desc });
}

registerBuiltins([
  {
    name: 'json.verify_schema', walks: true,
    args: [['string', 'object', 'boolean']],
    result: 'array',
    impl: ([s]) => {
      try {
        compile(json(s!, 1));
        return [true, null];
      } catch (e) {
        if (e instanceof SchemaError) return [false, `jsonschema: ${e.message}`];
        throw e;
      }
    },
  },
  {
    name: 'json.match_schema', walks: true,
    args: [['string', 'object', 'array', 'number', 'boolean', 'null'], ['string', 'object', 'boolean']],
    result: 'array',
    impl: ([doc, s]) => {
      let validate: ValidateFunction;
      let document: unknown;
      try {
        validate = compile(json(s!, 2));
        document = typeof doc === 'string' ? toJS(parseJSONLastWins(doc)) : toJS(doc!);
      } catch (e) {
        if (e instanceof SchemaError) throw new BuiltinError(e.message);
        throw new BuiltinError((e as Error).message);
      }
      const ok = validate(document);
      return [ok, ok ? [] : (validate.errors ?? []).map(errorValue)];
    },
  },
]);
