// Prints GraphQL text back from an AST in OPA's (gqlparser's) shape, so that
// ASTs returned by graphql.parse_* can be passed to the other builtins.

type Obj = Record<string, unknown>;
const list = (v: unknown): Obj[] => (Array.isArray(v) ? (v as Obj[]) : []);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

function typeText(t: unknown): string {
  const o = (t ?? {}) as Obj;
  const inner = o.Elem ? `[${typeText(o.Elem)}]` : str(o.NamedType);
  return o.NonNull ? `${inner}!` : inner;
}

function valueText(v: unknown): string {
  const o = (v ?? {}) as Obj;
  const raw = str(o.Raw);
  switch (o.Kind) {
    case 0: return `$${raw}`;
    case 3: case 4: return JSON.stringify(raw);
    case 8: return `[${list(o.Children).map((c) => valueText(c.Value)).join(', ')}]`;
    case 9: return `{${list(o.Children).map((c) => `${str(c.Name)}: ${valueText(c.Value)}`).join(', ')}}`;
    default: return raw;
  }
}

const args = (a: unknown) => (list(a).length ? `(${list(a).map((x) => `${str(x.Name)}: ${valueText(x.Value)}`).join(', ')})` : '');
const directives = (d: unknown) => list(d).map((x) => ` @${str(x.Name)}${args(x.Arguments)}`).join('');
const desc = (o: Obj) => (str(o.Description) ? `${JSON.stringify(str(o.Description))} ` : '');

function inputValues(a: unknown): string {
  const xs = list(a);
  if (xs.length === 0) return '';
  return `(${xs.map((x) => `${desc(x)}${str(x.Name)}: ${typeText(x.Type)}${x.DefaultValue ? ` = ${valueText(x.DefaultValue)}` : ''}${directives(x.Directives)}`).join(', ')})`;
}

function selections(s: unknown): string {
  const xs = list(s);
  if (xs.length === 0) return '';
  return ` { ${xs.map((x) => {
    if ('Alias' in x || ('Name' in x && 'SelectionSet' in x && !('TypeCondition' in x)) || ('Name' in x && 'Arguments' in x)) {
      const alias = str(x.Alias) && str(x.Alias) !== str(x.Name) ? `${str(x.Alias)}: ` : '';
      return `${alias}${str(x.Name)}${args(x.Arguments)}${directives(x.Directives)}${selections(x.SelectionSet)}`;
    }
    if ('TypeCondition' in x || 'SelectionSet' in x) {
      return `...${str(x.TypeCondition) ? ` on ${str(x.TypeCondition)}` : ''}${directives(x.Directives)}${selections(x.SelectionSet)}`;
    }
    return `...${str(x.Name)}${directives(x.Directives)}`;
  }).join(' ')} }`;
}

function variables(v: unknown): string {
  const xs = list(v);
  if (xs.length === 0) return '';
  return `(${xs.map((x) => `$${str(x.Variable)}: ${typeText(x.Type)}${x.DefaultValue ? ` = ${valueText(x.DefaultValue)}` : ''}${directives(x.Directives)}`).join(', ')})`;
}

export function printQueryAST(ast: unknown): string {
  const o = (ast ?? {}) as Obj;
  const ops = list(o.Operations).map((op) => `${str(op.Operation) || 'query'} ${str(op.Name)}${variables(op.VariableDefinitions)}${directives(op.Directives)}${selections(op.SelectionSet)}`);
  const frags = list(o.Fragments).map((f) => `fragment ${str(f.Name)} on ${str(f.TypeCondition)}${directives(f.Directives)}${selections(f.SelectionSet)}`);
  return [...ops, ...frags].join('\n');
}

const KEYWORDS: Readonly<Record<string, string>> = {
  OBJECT: 'type', INTERFACE: 'interface', UNION: 'union', ENUM: 'enum', SCALAR: 'scalar', INPUT_OBJECT: 'input',
};

function definition(d: Obj, extend: boolean): string {
  const kind = str(d.Kind);
  let body = '';
  const fields = list(d.Fields);
  if (kind === 'ENUM') body = list(d.EnumValues).length ? ` { ${list(d.EnumValues).map((v) => `${desc(v)}${str(v.Name)}${directives(v.Directives)}`).join(' ')} }` : '';
  else if (kind === 'UNION') body = list(d.Types).length ? ` = ${(d.Types as string[]).join(' | ')}` : '';
  else if (fields.length) {
    body = ` { ${fields.map((f) => `${desc(f)}${str(f.Name)}${inputValues(f.Arguments)}: ${typeText(f.Type)}${f.DefaultValue ? ` = ${valueText(f.DefaultValue)}` : ''}${directives(f.Directives)}`).join(' ')} }`;
  }
  const ifaces = Array.isArray(d.Interfaces) && d.Interfaces.length ? ` implements ${(d.Interfaces as string[]).join(' & ')}` : '';
  return `${extend ? 'extend ' : desc(d)}${KEYWORDS[kind] ?? 'type'} ${str(d.Name)}${ifaces}${directives(d.Directives)}${body}`;
}

export function printSchemaAST(ast: unknown): string {
  const o = (ast ?? {}) as Obj;
  const ops = (s: Obj) => list(s.OperationTypes).map((t) => `${str(t.Operation)}: ${str(t.Type)}`).join(' ');
  return [
    ...list(o.Schema).map((s) => `${desc(s)}schema${directives(s.Directives)} { ${ops(s)} }`),
    ...list(o.SchemaExtension).map((s) => `extend schema${directives(s.Directives)}${list(s.OperationTypes).length ? ` { ${ops(s)} }` : ''}`),
    ...list(o.Directives).map((d) => `${desc(d)}directive @${str(d.Name)}${inputValues(d.Arguments)}${d.IsRepeatable ? ' repeatable' : ''} on ${(d.Locations as string[] ?? []).join(' | ')}`),
    ...list(o.Definitions).map((d) => definition(d, false)),
    ...list(o.Extensions).map((d) => definition(d, true)),
  ].join('\n');
}
