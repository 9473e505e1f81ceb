/**
 * Term visitors: the one place that knows which sub-terms each kind of term has, for the parsed
 * form (ast.ts) and the compiled form (ir.ts). A walker handles the kinds it cares about and
 * hands every other term to forEachSubterm, which calls it back on the direct children in
 * source order (the order decides which unsafe variable or recursive rule an error names).
 *
 * The callbacks receive a `state` the walker passes along (what it collects into), so a walker
 * can be a pair of plain functions instead of closures made afresh for every walk: compiling
 * walks each expression several times.
 */
import type { Expr, Term } from './ast.js';
import type { CExpr, CTerm } from './ir.js';

type AnyTerm = Term | CTerm;
/** The body type that goes with a term type: compiled expressions for compiled terms. */
type BodyOf<T extends AnyTerm> = [T] extends [CTerm] ? CExpr[] : Expr[];

/**
 * Calls `term` on each direct sub-term of `t`, and `body` on a comprehension's body (after its
 * head). The same walk serves parsed and compiled terms: their shapes differ only in comprehensions.
 */
export function forEachSubterm<T extends AnyTerm, S>(
  t: T,
  state: S,
  term: (t: T, state: S) => void,
  body: (b: BodyOf<T>, state: S) => void,
): void {
  // A parsed term's children are parsed terms, a compiled term's compiled: T holds for each child.
  const sub = term as (t: AnyTerm, state: S) => void;
  const inner = body as (b: Expr[] | CExpr[], state: S) => void;
  const n: AnyTerm = t;
  switch (n.t) {
    case 'ref':
      sub(n.head, state);
      for (const p of n.path) sub(p, state);
      return;
    case 'array':
    case 'set':
      for (const x of n.items) sub(x, state);
      return;
    case 'object':
      for (const [k, v] of n.items) {
        sub(k, state);
        sub(v, state);
      }
      return;
    case 'call':
      for (const a of n.args) sub(a, state);
      return;
    case 'template':
      for (const p of n.parts) if (typeof p !== 'string') sub(p, state);
      return;
    case 'compr':
      sub(n.head, state);
      if (n.value) sub(n.value, state);
      inner(n.body, state);
      return;
    case 'arraycompr':
    case 'setcompr':
      sub(n.head, state);
      inner(n.body, state);
      return;
    case 'objcompr':
      sub(n.key, state);
      sub(n.value, state);
      inner(n.body, state);
      return;
  }
}

/** Calls `term` on each term of `e` (its `with` values last), and `body` on its nested bodies. */
export function forEachExprPart<S>(e: CExpr, state: S, term: (t: CTerm, state: S) => void, body: (b: CExpr[], state: S) => void): void {
  const k = e.e;
  switch (k.k) {
    case 'term':
      term(k.term, state);
      break;
    case 'unify':
      term(k.a, state);
      term(k.b, state);
      break;
    case 'not':
      body(k.body, state);
      break;
    case 'somein':
    case 'every':
      if (k.key) term(k.key, state);
      term(k.value, state);
      term(k.domain, state);
      if (k.k === 'every') body(k.body, state);
      break;
  }
  for (const w of e.with) term(w.value, state);
}

/** A body callback for walks that do not enter comprehensions. */
export function skipBody(): void {}

/**
 * Calls `declare` on each variable a pattern binds: the term itself when it is a variable, the
 * items of arrays and sets, the values (not the keys) of objects.
 */
export function forEachPatternVar(t: Term, declare: (v: Extract<Term, { t: 'var' }>) => void): void {
  switch (t.t) {
    case 'var':
      declare(t);
      return;
    case 'array':
    case 'set':
      for (const x of t.items) forEachPatternVar(x, declare);
      return;
    case 'object':
      for (const [, v] of t.items) forEachPatternVar(v, declare);
      return;
  }
}
