/**
 * OPA's graphql.* builtins: parsing queries and schemas into OPA's AST
 * shape, and validating schemas and queries (see graphql-ast.ts). Documents
 * are GraphQL text; ASTs given back as objects are printed to text first.
 */
import type { DocumentNode } from 'graphql';
import { fromJSON, RObject, toJS, type Value } from '../value.js';
import { GraphQLSyntaxError, buildSchema, parseQueryDocument, parseSchemaDocument, validateQuery } from './graphql-ast.js';
import { printQueryAST, printSchemaAST } from './graphql-print.js';
import { BuiltinError, operandError, registerBuiltins } from './registry.js';

type Parsed = { doc: DocumentNode; json: unknown };

function wrap<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof BuiltinError) throw e;
    throw new BuiltinError(e instanceof Error ? e.message : String(e));
  }
}

function query(v: Value, position: number): Parsed {
  if (typeof v === 'string') return parseQueryDocument(v);
  if (v instanceof RObject) return parseQueryDocument(printQueryAST(toJS(v)));
  throw operandError(position, 'one of {string, object}', v);
}

function schema(v: Value, position: number): Parsed {
  if (typeof v === 'string') return parseSchemaDocument(v);
  if (v instanceof RObject) return parseSchemaDocument(printSchemaAST(toJS(v)));
  throw operandError(position, 'one of {string, object}', v);
}

function checkSchema(s: Parsed): void {
  try {
    buildSchema(s.doc);
  } catch (e) {
    throw new BuiltinError(`Error in gqlparser SchemaDocument to Schema conversion: ${(e as Error).message}`);
  }
}

/** Parses and validates both documents; throws on the first problem. */
function parseBoth(q: Value, s: Value): [Value, Value] {
  const qd = query(q, 1);
  const sd = schema(s, 2);
  checkSchema(sd);
  validateQuery(sd.doc, qd.doc);
  return [fromJSON(qd.json), fromJSON(sd.json)];
}

function succeeds(f: () => unknown): boolean {
  try {
    f();
    return true;
  } catch (e) {
    if (e instanceof GraphQLSyntaxError || e instanceof BuiltinError || e instanceof Error) return false;
    throw e;
  }
}

registerBuiltins([
  { name: 'graphql.parse_query', args: ['string'], result: 'object', impl: ([q]) => wrap(() => fromJSON(parseQueryDocument(q as string).json)) },
  { name: 'graphql.parse_schema', args: ['string'], result: 'object', impl: ([s]) => wrap(() => fromJSON(parseSchemaDocument(s as string).json)) },
  { name: 'graphql.parse', args: [['string', 'object'], ['string', 'object']], result: 'array', impl: ([q, s]) => wrap(() => parseBoth(q!, s!)) },
  {
    name: 'graphql.parse_and_verify',
    args: ['any', 'any'],
    result: 'array',
    impl: ([q, s]) => {
      try {
        const [qa, sa] = parseBoth(q!, s!);
        return [true, qa, sa];
      } catch {
        return [false, new RObject(), new RObject()];
      }
    },
  },
  { name: 'graphql.is_valid', args: ['any', 'any'], result: 'boolean', impl: ([q, s]) => succeeds(() => parseBoth(q!, s!)) },
  { name: 'graphql.schema_is_valid', args: ['any'], result: 'boolean', impl: ([s]) => succeeds(() => checkSchema(schema(s!, 1))) },
]);
