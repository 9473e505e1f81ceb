/**
 * rego.parse_module(filename, text): the module in the shape of OPA's JSON AST (ast/json):
 * `{"package": {"path": [terms]}, "imports": [...], "rules": [...]}`, terms as
 * `{"type": "var"|"string"|"ref"|"call"|..., "value": ...}`, without locations (OPA's default).
 * The engine's own AST desugars a little (operators are calls, `:=` is `assign`), as OPA's does.
 */
import type { Expr, Module, Rule, Term } from '../ast.js';
import { RegoError, RegoErrors } from '../errors.js';
import { parseModule } from '../parser.js';
import { fromJSON, RObject, RSet, type Value } from '../value.js';
import { BuiltinError, registerBuiltins } from './registry.js';

type J = Record<string, unknown>;

const term = (type: string, value: unknown): J => ({ type, value });
const varTerm = (name: string): J => term('var', name);
const refOf = (names: string[]): J => term('ref', [varTerm(names[0]!), ...names.slice(1).map((n) => term('string', n))]);

function scalar(v: Value): J {
  if (v === null) return term('null', null);
  if (typeof v === 'boolean') return term('boolean', v);
  if (typeof v === 'string') return term('string', v);
  if (v instanceof RSet || v instanceof RObject || Array.isArray(v)) return value(v);
  return term('number', v);
}

/** A folded constant back into terms. */
function value(v: Value): J {
  if (Array.isArray(v)) return term('array', v.map(value));
  if (v instanceof RSet) return term('set', v.values().map(value));
  if (v instanceof RObject) return term('object', v.entries().map(([k, x]) => [value(k), value(x)]));
  return scalar(v);
}

function termJSON(t: Term): J {
  switch (t.t) {
    case 'scalar':
      return scalar(t.v);
    case 'var':
      return varTerm(t.name);
    case 'ref':
      return term('ref', [termJSON(t.head), ...t.path.map(termJSON)]);
    case 'array':
      return term('array', t.items.map(termJSON));
    case 'set':
      return term('set', t.items.map(termJSON));
    case 'object':
      return term('object', t.items.map(([k, v]) => [termJSON(k), termJSON(v)]));
    case 'arraycompr':
      return term('arraycomprehension', { term: termJSON(t.head), body: body(t.body) });
    case 'setcompr':
      return term('setcomprehension', { term: termJSON(t.head), body: body(t.body) });
    case 'objcompr':
      return term('objectcomprehension', { key: termJSON(t.key), value: termJSON(t.value), body: body(t.body) });
    case 'call':
      return term('call', [refOf(t.op.split('.')), ...t.args.map(termJSON)]);
    case 'template':
      return term('call', [refOf(['internal', 'template_string']), term('array', t.parts.map((p) => (typeof p === 'string' ? term('string', p) : termJSON(p))))]);
  }
}

function exprJSON(e: Expr, index: number): J {
  const out: J = { index };
  const k = e.e;
  switch (k.k) {
    case 'term':
      out.terms = k.term.t === 'call' ? [refOf(k.term.op.split('.')), ...k.term.args.map(termJSON)] : termJSON(k.term);
      break;
    case 'unify':
      out.terms = [refOf(['eq']), termJSON(k.left), termJSON(k.right)];
      break;
    case 'assign':
      out.terms = [refOf(['assign']), termJSON(k.left), termJSON(k.right)];
      break;
    case 'somevars':
      out.terms = { symbols: k.vars.map(termJSON) };
      break;
    case 'somein': {
      const args = k.key ? [termJSON(k.key), termJSON(k.value), termJSON(k.domain)] : [termJSON(k.value), termJSON(k.domain)];
      out.terms = { symbols: [term('call', [refOf(['internal', k.key ? 'member_3' : 'member_2']), ...args])] };
      break;
    }
    case 'every':
      out.terms = { ...(k.key ? { key: termJSON(k.key) } : {}), value: termJSON(k.value), domain: termJSON(k.domain), body: body(k.body) };
      break;
    case 'notbody':
      out.terms = term('setcomprehension', { term: term('boolean', true), body: body(k.body) });
      break;
  }
  if (e.negated) out.negated = true;
  if (e.with.length > 0) out.with = e.with.map((w) => ({ target: termJSON(w.target), value: termJSON(w.value) }));
  return out;
}

function body(exprs: Expr[]): J[] {
  return exprs.length > 0 ? exprs.map(exprJSON) : [exprJSON({ e: { k: 'term', term: { t: 'scalar', v: true, loc: { file: '', row: 0, col: 0 } } }, negated: false, with: [], loc: { file: '', row: 0, col: 0 } }, 0)];
}

function ruleJSON(r: Rule): J {
  const h = r.head;
  const ref = h.ref.map((t, i) => (i === 0 && t.t === 'scalar' ? varTerm(String(t.v)) : termJSON(t)));
  const head: J = { ref };
  const first = h.ref[0];
  if (first?.t === 'scalar' && h.ref.length === 1) head.name = String(first.v);
  if (h.args) head.args = h.args.map(termJSON);
  if (h.key) head.key = termJSON(h.key);
  head.value = h.value ? termJSON(h.value) : h.key ? undefined : term('boolean', true);
  if (head.value === undefined) delete head.value;
  if (h.assign) head.assign = true;
  const out: J = { head, body: body(r.body) };
  if (r.isDefault) out.default = true;
  let tail = out;
  for (const e of r.elses) {
    const next: J = { head: { ...head, value: e.value ? termJSON(e.value) : term('boolean', true) }, body: body(e.body) };
    tail.else = next;
    tail = next;
  }
  return out;
}

export function moduleJSON(mod: Module): J {
  const out: J = {
    package: { path: [varTerm('data'), ...mod.pkg.map((p) => term('string', p))] },
  };
  if (mod.imports.length > 0) {
    out.imports = mod.imports.map((i) => (i.alias ? { path: termJSON(i.path), alias: i.alias } : { path: termJSON(i.path) }));
  }
  if (mod.rules.length > 0) out.rules = mod.rules.map(ruleJSON);
  return out;
}

registerBuiltins([
  {
    name: 'rego.parse_module',
    args: ['string', 'string'],
    result: 'object',
    impl: ([file, text], ctx) => {
      try {
        return fromJSON(moduleJSON(parseModule(text as string, file as string, { regoVersion: ctx.regoVersion ?? 'v1' })));
      } catch (e) {
        if (e instanceof RegoError || e instanceof RegoErrors) throw new BuiltinError(e.message);
        throw e;
      }
    },
  },
]);
