/**
 * The compiled form the evaluator runs: variables resolved to frame slots, rule references
 * resolved to nodes of the rule tree, calls resolved to builtins or user functions, and bodies
 * reordered so every variable is bound before it is read (OPA's safety reordering).
 */
import type { Loc } from './ast.js';
import type { BuiltinDef } from './builtins/registry.js';
import type { NodeIndexes } from './rule-index.js';
import type { Value } from './value.js';

export type CTerm =
  | { t: 'const'; v: Value }
  | { t: 'local'; slot: number; name: string }
  | { t: 'input' }
  | { t: 'data' }
  | { t: 'ref'; head: CTerm; path: CTerm[] }
  | { t: 'array'; items: CTerm[] }
  | { t: 'set'; items: CTerm[] }
  | { t: 'object'; items: [CTerm, CTerm][] }
  | { t: 'compr'; kind: 'array' | 'set' | 'object'; head: CTerm; value: CTerm | null; body: CExpr[]; own: number[] }
  | { t: 'call'; name: string; args: CTerm[]; builtin: BuiltinDef | null; func: RuleNode | null; loc: Loc }
  | { t: 'template'; parts: (string | CTerm)[]; spread?: number[]; loc: Loc };

export type CWith =
  | { kind: 'input'; path: Value[]; value: CTerm }
  | { kind: 'data'; path: string[]; value: CTerm }
  | { kind: 'func'; name: string; value: CTerm; builtin: BuiltinDef | null; func: RuleNode | null; byName: boolean };

export type CExprKind =
  | { k: 'term'; term: CTerm }
  | { k: 'unify'; a: CTerm; b: CTerm }
  | { k: 'not'; body: CExpr[] }
  | { k: 'nop' }
  | { k: 'somein'; key: CTerm | null; value: CTerm; domain: CTerm }
  | { k: 'every'; key: CTerm | null; value: CTerm; domain: CTerm; body: CExpr[] };

export interface CExpr {
  e: CExprKind;
  with: CWith[];
  loc: Loc;
}

export type RuleKind = 'complete' | 'set' | 'dyn' | 'func';

export interface CRule {
  kind: RuleKind;
  /** frame size */
  nslots: number;
  body: CExpr[];
  /** head value (null: true) */
  value: CTerm | null;
  /** set member (partial sets, `contains`) */
  key: CTerm | null;
  /** dynamic ref-head suffix after the node's path (kind 'dyn') */
  suffix: CTerm[];
  /** dyn rule whose leaf is a set (`p[x].q contains y`) */
  leafSet: boolean;
  /** function argument patterns */
  args: CTerm[];
  elses: { value: CTerm | null; body: CExpr[]; loc: Loc }[];
  isDefault: boolean;
  loc: Loc;
}

export class RuleNode {
  readonly children = new Map<string, RuleNode>();
  complete: CRule[] = [];
  defaultRule: CRule | null = null;
  sets: CRule[] = [];
  dyn: CRule[] = [];
  funcs: CRule[] = [];
  funcDefault: CRule | null = null;
  /** any rule at or below this node */
  hasRules = false;
  /** function arity (-1: not a function), known from the heads before bodies compile */
  arity = -1;
  /** a package is declared at or below this node */
  hasPackage = false;
  /** a package declares this path */
  isPackage = false;
  /** the rule indexes of its rule lists (rule-index.ts), built once the tree is compiled */
  indexes: NodeIndexes | null = null;
  constructor(
    readonly name: string,
    readonly path: readonly string[],
    readonly id: number,
  ) {}
  get isFunc(): boolean {
    return this.arity >= 0;
  }
  get hasOwnRules(): boolean {
    return this.complete.length > 0 || this.defaultRule !== null || this.sets.length > 0;
  }
}
