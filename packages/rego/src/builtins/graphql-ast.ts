// GraphQL documents for OPA's graphql.* builtins. Parsing and validation are
// done by graphql-js; the AST is returned in the shape OPA returns, which is
// the Go gqlparser AST marshalled to JSON with Position, nulls and empty
// lists/objects removed.

import {
  GraphQLError, GraphQLSchema, Kind, buildASTSchema, parse, validate, validateSchema,
  type ArgumentNode, type DefinitionNode, type DirectiveNode, type DocumentNode, type FieldDefinitionNode,
  type InputValueDefinitionNode, type SelectionNode, type TypeNode, type ValueNode, type VariableDefinitionNode,
} from 'graphql';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** gqlparser's ValueKind numbers. */
const VALUE_KINDS: Readonly<Record<string, number>> = {
  [Kind.VARIABLE]: 0, [Kind.INT]: 1, [Kind.FLOAT]: 2, [Kind.STRING]: 3, [Kind.BOOLEAN]: 5, [Kind.NULL]: 6,
  [Kind.ENUM]: 7, [Kind.LIST]: 8, [Kind.OBJECT]: 9,
};

export class GraphQLSyntaxError extends Error {}

/** OPA's error text: "<message> in GraphQL string at location <line>:<column>". */
function located(message: string, line: number, column: number, what = 'GraphQL string'): string {
  return `${message} in ${what} at location ${line}:${column}`;
}

/** The source text from a 1-based line and column on. */
function textAt(text: string, line: number, column: number): string {
  return (text.split('\n')[line - 1] ?? '').slice(column - 1);
}

/**
 * graphql-js's syntax errors in gqlparser's words: punctuators unquoted,
 * string tokens located after their opening quote, and gqlparser's texts for
 * empty braces, stray descriptions and invalid tokens.
 */
function gqlparserMessage(text: string, message: string, line: number, column: number): [string, number] {
  let m = message.replace(/^Syntax Error: /, '').replace(/\.$/, '');
  const here = textAt(text, line, column);
  if (/^Unexpected description/.test(m)) m = `Unexpected String ${/^"(?:[^"\\]|\\.)*"/.exec(here)?.[0] ?? '""'}`;
  if (/^Unterminated string|^Invalid character|^Cannot parse the unexpected character/.test(m)) m = 'Unexpected <Invalid>';
  if (m === 'Expected Name, found "}"') {
    const before = text.split('\n').slice(0, line - 1).join('\n') + '\n' + (text.split('\n')[line - 1] ?? '').slice(0, column - 1);
    if (/\{\s*$/.test(before)) m = 'expected at least one definition, found }';
  }
  m = m.replace(/^Unexpected variable "\$[^"]*" in constant value$/, 'Unexpected $');
  m = m.replace(/"([!$&()|:=@[\]{}]|\.\.\.)"/g, '$1');
  return [m, /^Unexpected String /.test(m) ? column + 1 : column];
}

function parseDocument(text: string): DocumentNode {
  // gqlparser accepts a document without definitions; graphql-js does not.
  if (/^(?:\s|,|#[^\n]*)*$/.test(text)) return { kind: Kind.DOCUMENT, definitions: [] };
  try {
    return parse(text, { allowLegacyFragmentVariables: true });
  } catch (e) {
    if (e instanceof GraphQLError) {
      const loc = e.locations?.[0] ?? { line: 0, column: 0 };
      const [message, column] = gqlparserMessage(text, e.message, loc.line, loc.column);
      throw new GraphQLSyntaxError(located(message, loc.line, column));
    }
    throw e;
  }
}

function typeJSON(t: TypeNode): Json {
  switch (t.kind) {
    case Kind.NAMED_TYPE: return { NamedType: t.name.value, NonNull: false };
    case Kind.LIST_TYPE: return { NamedType: '', Elem: typeJSON(t.type), NonNull: false };
    case Kind.NON_NULL_TYPE: return { ...(typeJSON(t.type) as Record<string, Json>), NonNull: true };
  }
}

function valueJSON(v: ValueNode): Json {
  const base = { Kind: VALUE_KINDS[v.kind] ?? 0, ExpectedTypeHasDefault: false };
  switch (v.kind) {
    case Kind.VARIABLE: return { ...base, Raw: v.name.value };
    case Kind.INT:
    case Kind.FLOAT: return { ...base, Raw: v.value };
    case Kind.STRING: return { ...base, Kind: v.block ? 4 : 3, Raw: v.value };
    case Kind.BOOLEAN: return { ...base, Raw: String(v.value) };
    case Kind.NULL: return { ...base, Raw: 'null' };
    case Kind.ENUM: return { ...base, Raw: v.value };
    case Kind.LIST: return { ...base, Raw: '', Children: v.values.map((c) => ({ Name: '', Value: valueJSON(c) })) };
    case Kind.OBJECT: return { ...base, Raw: '', Children: v.fields.map((f) => ({ Name: f.name.value, Value: valueJSON(f.value) })) };
  }
}

const argsJSON = (args: readonly ArgumentNode[] | undefined): Json =>
  (args ?? []).map((a) => ({ Name: a.name.value, Value: valueJSON(a.value) }));

const directivesJSON = (ds: readonly DirectiveNode[] | undefined): Json =>
  (ds ?? []).map((d) => ({ Name: d.name.value, Arguments: argsJSON(d.arguments), Location: '' }));

function selectionsJSON(sel: readonly SelectionNode[] | undefined): Json {
  return (sel ?? []).map((s): Json => {
    switch (s.kind) {
      case Kind.FIELD:
        return {
          Alias: s.alias?.value ?? s.name.value, Name: s.name.value, Arguments: argsJSON(s.arguments),
          Directives: directivesJSON(s.directives), SelectionSet: selectionsJSON(s.selectionSet?.selections),
        };
      case Kind.FRAGMENT_SPREAD:
        return { Name: s.name.value, Directives: directivesJSON(s.directives) };
      case Kind.INLINE_FRAGMENT:
        return { TypeCondition: s.typeCondition?.name.value ?? '', Directives: directivesJSON(s.directives), SelectionSet: selectionsJSON(s.selectionSet.selections) };
    }
  });
}

const variablesJSON = (vs: readonly VariableDefinitionNode[] | undefined): Json =>
  (vs ?? []).map((v) => ({
    Variable: v.variable.name.value, Type: typeJSON(v.type), DefaultValue: v.defaultValue ? valueJSON(v.defaultValue) : null,
    Directives: directivesJSON(v.directives), Used: false,
  }));

const EXECUTABLE = new Set<string>([Kind.OPERATION_DEFINITION, Kind.FRAGMENT_DEFINITION]);

function firstWrong(doc: DocumentNode, executable: boolean): DefinitionNode | undefined {
  return doc.definitions.find((d) => EXECUTABLE.has(d.kind) !== executable);
}

function wrongDefinition(d: DefinitionNode): GraphQLSyntaxError {
  const loc = d.loc?.startToken;
  const text = loc?.value ?? '';
  return new GraphQLSyntaxError(located(`Unexpected Name "${text}"`, loc?.line ?? 0, loc?.column ?? 0));
}

/** A query document (operations and fragments) in gqlparser's shape. */
export function parseQueryDocument(text: string): { doc: DocumentNode; json: Json } {
  const doc = parseDocument(text);
  const wrong = firstWrong(doc, true);
  if (wrong) throw wrongDefinition(wrong);
  const operations: Json[] = [];
  const fragments: Json[] = [];
  for (const d of doc.definitions) {
    if (d.kind === Kind.OPERATION_DEFINITION) {
      operations.push({
        Operation: d.operation, Name: d.name?.value ?? '', VariableDefinitions: variablesJSON(d.variableDefinitions),
        Directives: directivesJSON(d.directives), SelectionSet: selectionsJSON(d.selectionSet.selections),
      });
    } else if (d.kind === Kind.FRAGMENT_DEFINITION) {
      fragments.push({
        Name: d.name.value, VariableDefinition: variablesJSON(d.variableDefinitions), TypeCondition: d.typeCondition.name.value,
        Directives: directivesJSON(d.directives), SelectionSet: selectionsJSON(d.selectionSet.selections),
      });
    }
  }
  return { doc, json: prune({ Operations: operations, Fragments: fragments }) };
}

const description = (d: { description?: { value: string } | undefined }) => d.description?.value ?? '';

function inputValueJSON(a: InputValueDefinitionNode): Json {
  return {
    Description: description(a), Name: a.name.value, DefaultValue: a.defaultValue ? valueJSON(a.defaultValue) : null,
    Type: typeJSON(a.type), Directives: directivesJSON(a.directives),
  };
}

function fieldJSON(f: FieldDefinitionNode): Json {
  return {
    Description: description(f), Name: f.name.value, Arguments: (f.arguments ?? []).map(inputValueJSON),
    Type: typeJSON(f.type), Directives: directivesJSON(f.directives),
  };
}

const TYPE_KINDS: Readonly<Record<string, string>> = {
  [Kind.OBJECT_TYPE_DEFINITION]: 'OBJECT', [Kind.OBJECT_TYPE_EXTENSION]: 'OBJECT',
  [Kind.INTERFACE_TYPE_DEFINITION]: 'INTERFACE', [Kind.INTERFACE_TYPE_EXTENSION]: 'INTERFACE',
  [Kind.UNION_TYPE_DEFINITION]: 'UNION', [Kind.UNION_TYPE_EXTENSION]: 'UNION',
  [Kind.ENUM_TYPE_DEFINITION]: 'ENUM', [Kind.ENUM_TYPE_EXTENSION]: 'ENUM',
  [Kind.SCALAR_TYPE_DEFINITION]: 'SCALAR', [Kind.SCALAR_TYPE_EXTENSION]: 'SCALAR',
  [Kind.INPUT_OBJECT_TYPE_DEFINITION]: 'INPUT_OBJECT', [Kind.INPUT_OBJECT_TYPE_EXTENSION]: 'INPUT_OBJECT',
};

function definitionJSON(d: DefinitionNode): Json {
  const n = d as unknown as Record<string, unknown>;
  const fields = (n.fields as readonly (FieldDefinitionNode | InputValueDefinitionNode)[] | undefined) ?? [];
  return {
    Kind: TYPE_KINDS[d.kind]!,
    Description: description(n as { description?: { value: string } }),
    Name: (n.name as { value: string }).value,
    Directives: directivesJSON(n.directives as readonly DirectiveNode[] | undefined),
    Interfaces: ((n.interfaces as readonly { name: { value: string } }[] | undefined) ?? []).map((i) => i.name.value),
    Fields: fields.map((f) => (f.kind === Kind.FIELD_DEFINITION ? fieldJSON(f) : inputValueJSON(f))),
    Types: ((n.types as readonly { name: { value: string } }[] | undefined) ?? []).map((t) => t.name.value),
    EnumValues: ((n.values as readonly { name: { value: string }; description?: { value: string }; directives?: readonly DirectiveNode[] }[] | undefined) ?? [])
      .map((v) => ({ Description: description(v), Name: v.name.value, Directives: directivesJSON(v.directives) })),
    BuiltIn: false,
  };
}

/** A schema document (type system definitions) in gqlparser's shape. */
export function parseSchemaDocument(text: string): { doc: DocumentNode; json: Json } {
  const doc = parseDocument(text);
  const wrong = firstWrong(doc, false);
  if (wrong) throw wrongDefinition(wrong);
  const out: Record<string, Json[]> = { Schema: [], SchemaExtension: [], Directives: [], Definitions: [], Extensions: [] };
  for (const d of doc.definitions) {
    switch (d.kind) {
      case Kind.SCHEMA_DEFINITION:
      case Kind.SCHEMA_EXTENSION:
        out[d.kind === Kind.SCHEMA_DEFINITION ? 'Schema' : 'SchemaExtension']!.push({
          Description: d.kind === Kind.SCHEMA_DEFINITION ? description(d) : '',
          Directives: directivesJSON(d.directives),
          OperationTypes: (d.operationTypes ?? []).map((o) => ({ Operation: o.operation, Type: o.type.name.value })),
        });
        break;
      case Kind.DIRECTIVE_DEFINITION:
        out.Directives!.push({
          Description: description(d), Name: d.name.value, Arguments: (d.arguments ?? []).map(inputValueJSON),
          Locations: d.locations.map((l) => l.value), IsRepeatable: d.repeatable,
        });
        break;
      default:
        out[d.kind.endsWith('Extension') ? 'Extensions' : 'Definitions']!.push(definitionJSON(d));
    }
  }
  return { doc, json: prune(out) };
}

/** OPA's pruning: drop nulls and empty arrays/objects, recursively. */
export function prune(v: Json): Json {
  if (Array.isArray(v)) {
    const out: Json[] = [];
    for (const x of v) {
      if (x === null) continue;
      const p = typeof x === 'object' ? prune(x) : x;
      if (typeof p === 'object' && p !== null && (Array.isArray(p) ? p.length === 0 : Object.keys(p).length === 0)) continue;
      out.push(p);
    }
    return out;
  }
  if (v !== null && typeof v === 'object') {
    const out: Record<string, Json> = {};
    for (const [k, x] of Object.entries(v)) {
      if (x === null || k === 'Position') continue;
      const p = typeof x === 'object' ? prune(x) : x;
      if (typeof p === 'object' && p !== null && (Array.isArray(p) ? p.length === 0 : Object.keys(p).length === 0)) continue;
      out[k] = p;
    }
    return out;
  }
  return v;
}

/**
 * Builds a schema as gqlparser does: a type extension without a base type
 * defines the type, and no Query type is required.
 */
export function buildSchema(doc: DocumentNode): GraphQLSchema {
  const schema = buildASTSchema(withExtensionsDefined(doc), { assumeValidSDL: false });
  const errors = validateSchema(schema).filter((e) => !/Query root type must be provided/.test(e.message));
  if (errors.length > 0) throw errors[0]!;
  // Build again marked as valid: graphql-js would otherwise refuse a schema without a Query type.
  return buildASTSchema(withExtensionsDefined(doc), { assumeValid: true, assumeValidSDL: true });
}

/** The document with extensions of undefined types turned into definitions. */
function withExtensionsDefined(doc: DocumentNode): DocumentNode {
  const defined = new Set(doc.definitions.filter((d) => !d.kind.endsWith('Extension') && 'name' in d && d.name).map((d) => (d as { name: { value: string } }).name.value));
  const definitions = doc.definitions.map((d) => {
    if (!d.kind.endsWith('TypeExtension')) return d;
    const name = (d as { name: { value: string } }).name.value;
    if (defined.has(name)) return d;
    defined.add(name);
    return { ...d, kind: d.kind.replace('Extension', 'Definition') } as DefinitionNode;
  });
  return { ...doc, definitions };
}

/** Validates a query against a schema; throws with OPA's message on the first error. */
export function validateQuery(schemaDoc: DocumentNode, queryDoc: DocumentNode): void {
  const schema = buildSchema(schemaDoc);
  const errors = validate(schema, queryDoc);
  if (errors.length > 0) {
    const e = errors[0]!;
    const loc = e.locations?.[0] ?? { line: 0, column: 0 };
    throw new GraphQLSyntaxError(located(e.message.replace(/\.$/, ''), loc.line, loc.column, 'GraphQL query string'));
  }
}
