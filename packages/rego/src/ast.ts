/** The Rego abstract syntax tree produced by parser.ts. Every node carries its source location. */
import type { Annotation } from './annotations.js';
import type { Value } from './value.js';

export interface Loc {
  readonly file: string;
  readonly row: number;
  readonly col: number;
}

export type Term =
  | { t: 'scalar'; v: Value; loc: Loc }
  | { t: 'var'; name: string; loc: Loc }
  | { t: 'ref'; head: Term; path: Term[]; loc: Loc }
  | { t: 'array'; items: Term[]; loc: Loc }
  | { t: 'set'; items: Term[]; loc: Loc }
  | { t: 'object'; items: [Term, Term][]; loc: Loc }
  | { t: 'arraycompr'; head: Term; body: Expr[]; loc: Loc }
  | { t: 'setcompr'; head: Term; body: Expr[]; loc: Loc }
  | { t: 'objcompr'; key: Term; value: Term; body: Expr[]; loc: Loc }
  | { t: 'call'; op: string; args: Term[]; loc: Loc }
  /** `spread`: indexes of parts that are set comprehensions standing for `{expr with ...}` */
  | { t: 'template'; parts: (string | Term)[]; spread?: number[]; loc: Loc };

export interface With {
  target: Term; // a ref (input..., data..., or a function name)
  value: Term;
  loc: Loc;
}

export type ExprKind =
  | { k: 'term'; term: Term } // a lone term or call: true when defined and not false
  | { k: 'unify'; left: Term; right: Term }
  | { k: 'assign'; left: Term; right: Term }
  | { k: 'somevars'; vars: Term[] }
  | { k: 'somein'; key: Term | null; value: Term; domain: Term }
  | { k: 'every'; key: Term | null; value: Term; domain: Term; body: Expr[] }
  | { k: 'notbody'; body: Expr[] };

export interface Expr {
  e: ExprKind;
  negated: boolean;
  with: With[];
  loc: Loc;
}

export interface RuleHead {
  /** Name and ref: first element is the name (string scalar), then path terms. */
  ref: Term[];
  /** Function arguments, when a function. */
  args: Term[] | null;
  /** Head value term (`= v`, `:= v`); null when implicit (true) or for sets. */
  value: Term | null;
  /** `contains x` / v0 `p[x]` (partial set): the member term. */
  key: Term | null;
  assign: boolean;
  loc: Loc;
}

export interface Rule {
  head: RuleHead;
  body: Expr[];
  isDefault: boolean;
  /** else chain (each with its own value and body) */
  elses: { value: Term | null; body: Expr[]; loc: Loc }[];
  loc: Loc;
}

export interface Import {
  path: Term; // ref: data.x.y / input.x / future.keywords.in / rego.v1
  alias: string | null;
  loc: Loc;
}

export interface Module {
  file: string;
  pkg: string[]; // path after data
  pkgLoc: Loc;
  imports: Import[];
  rules: Rule[];
  regoVersion: 'v0' | 'v1';
  /** `# METADATA` blocks, when the module has any */
  annotations?: Annotation[];
}
