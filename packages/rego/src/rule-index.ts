/**
 * Rule indexing, after OPA's (ast/index.go): the rules of one node (complete, partial set,
 * partial object, function) that test a document for equality with a constant are filed in a
 * trie keyed by those constants, so an evaluation looks up the few rules whose constants match
 * the current values instead of running every body.
 *
 * A rule is filed under `ref = constant` for each top-level body expression `ref == c` or
 * `ref = c` (either side) with no `with`, where `ref` is `input.<const path>` or
 * `data.<const path>` into base documents only (reading it runs no rule, so it cannot fail or
 * charge work a skipped body would not have), and `c` is a string, boolean or null. For
 * functions, an argument whose pattern is such a constant is a key too. Everything else in the
 * body is still evaluated: the index only skips rules that cannot succeed, so the answer is the
 * same. Rules with `else` branches are never skipped (an else runs when the body fails), and
 * a rule with no such expression sits on the "any value" branch of every level. The selected
 * rules are returned in their original order (conflict errors and result order are unchanged).
 */
import type { CExpr, CRule, CTerm, RuleNode } from './ir.js';
import type { Value } from './value.js';

/** Fewer rules than this on a node are evaluated one by one: the index would cost more than it saves. */
export const MIN_INDEXED_RULES = 2;

/** Where a key's value comes from: a document reference, or a function's argument. */
export type IndexSource = { kind: 'ref'; term: CTerm } | { kind: 'arg'; position: number };

interface TrieNode {
  /** The source this level tests; -1 on a leaf. */
  source: number;
  /** Rules whose constant for the source is this key. */
  byValue: Map<string, TrieNode>;
  /** Rules that do not test this source. */
  any: TrieNode | null;
  /** Positions of the rules (on a leaf). */
  rules: number[];
}

export interface RuleIndex {
  sources: IndexSource[];
  root: TrieNode;
}

/** The index key of a scalar; null for values the index does not key on (numbers, collections). */
export function indexKey(v: Value | undefined): string | null {
  if (typeof v === 'string') return `s${v}`;
  if (typeof v === 'boolean') return v ? 't' : 'f';
  if (v === null) return 'n';
  return null;
}

/** A source's identity, so rules testing the same ref share a trie level. */
function sourceId(s: IndexSource): string {
  if (s.kind === 'arg') return `arg:${s.position}`;
  const { head, path } = s.term as Extract<CTerm, { t: 'ref' }>;
  // Indexable refs have constant paths (indexableRef): the head and the constants identify them.
  return `${head.t}:${path.map((p) => constantText((p as { v: Value }).v)).join('\u0000')}`;
}

function constantText(v: Value): string {
  return typeof v === 'string' ? `s${v}` : JSON.stringify(v);
}

/**
 * Builds the index for one node's rules, or null when it would not help (too few rules, or
 * no rule with an indexable equality). `isBaseDocument(path)` says whether a `data` path
 * reaches only base documents (no rule at, above or below it).
 */
export function buildRuleIndex(rules: readonly CRule[], isBaseDocument: (path: string[]) => boolean): RuleIndex | null {
  if (rules.length < MIN_INDEXED_RULES) return null;
  const sources: IndexSource[] = [];
  const ids = new Map<string, number>();
  const sourceOf = (s: IndexSource): number => {
    const id = sourceId(s);
    let n = ids.get(id);
    if (n === undefined) ids.set(id, (n = sources.push(s) - 1));
    return n;
  };
  // Per rule: source → key of the constant it must equal.
  const constraints = rules.map((rule) => {
    const keys = new Map<number, string>();
    if (rule.elses.length > 0) return keys;
    rule.args.forEach((pattern, position) => {
      const key = pattern.t === 'const' ? indexKey(pattern.v) : null;
      if (key !== null) keys.set(sourceOf({ kind: 'arg', position }), key);
    });
    for (const expr of rule.body) {
      const found = equality(expr, isBaseDocument);
      // A second constant for the same source: keep the first (the body still checks both).
      if (found) {
        const source = sourceOf({ kind: 'ref', term: found.ref });
        if (!keys.has(source)) keys.set(source, found.key);
      }
    }
    return keys;
  });
  if (constraints.every((c) => c.size === 0)) return null;
  // Most selective first: the source the most rules test is the trie's first level.
  const uses = sources.map((_, i) => constraints.filter((c) => c.has(i)).length);
  const order = sources.map((_, i) => i).sort((a, b) => uses[b]! - uses[a]! || a - b);
  const positions = rules.map((_, i) => i);
  return { sources, root: buildTrie(positions, order, 0, constraints) };
}

function buildTrie(rules: number[], order: number[], level: number, constraints: Map<number, string>[]): TrieNode {
  if (level === order.length) return { source: -1, byValue: new Map(), any: null, rules };
  const source = order[level]!;
  const groups = new Map<string, number[]>();
  const unconstrained: number[] = [];
  for (const r of rules) {
    const key = constraints[r]!.get(source);
    if (key === undefined) unconstrained.push(r);
    else {
      let group = groups.get(key);
      if (!group) groups.set(key, (group = []));
      group.push(r);
    }
  }
  if (groups.size === 0) return buildTrie(rules, order, level + 1, constraints);
  const byValue = new Map<string, TrieNode>();
  for (const [key, group] of groups) byValue.set(key, buildTrie(group, order, level + 1, constraints));
  const any = unconstrained.length > 0 ? buildTrie(unconstrained, order, level + 1, constraints) : null;
  return { source, byValue, any, rules: [] };
}

/**
 * The positions, in ascending order, of the rules that may succeed given the sources' current
 * values (`valueOf(i)`: the value of source i, undefined when it has none; read at most once).
 */
export function selectRules(index: RuleIndex, valueOf: (source: number) => Value | undefined): number[] {
  const keys = new Map<number, string | null>();
  const keyOf = (source: number): string | null => {
    let key = keys.get(source);
    if (key === undefined) keys.set(source, (key = indexKey(valueOf(source))));
    return key;
  };
  const out: number[] = [];
  const visit = (node: TrieNode): void => {
    if (node.source < 0) {
      for (const r of node.rules) out.push(r);
      return;
    }
    const key = keyOf(node.source);
    const match = key === null ? undefined : node.byValue.get(key);
    if (match) visit(match);
    if (node.any) visit(node.any);
  };
  visit(index.root);
  // Rules come out grouped by branch; evaluation must see them in source order.
  return out.length > 1 ? out.sort((a, b) => a - b) : out;
}

/** `ref == c` / `ref = c` (either way round) with an indexable ref and constant, else null. */
function equality(expr: CExpr, isBaseDocument: (path: string[]) => boolean): { ref: CTerm; key: string } | null {
  if (expr.with.length > 0) return null;
  const e = expr.e;
  let a: CTerm;
  let b: CTerm;
  if (e.k === 'unify') [a, b] = [e.a, e.b];
  else if (e.k === 'term' && e.term.t === 'call' && e.term.name === 'equal' && e.term.builtin && e.term.args.length === 2) [a, b] = [e.term.args[0]!, e.term.args[1]!];
  else return null;
  if (a.t === 'const') [a, b] = [b, a];
  if (b.t !== 'const') return null;
  const key = indexKey(b.v);
  if (key === null || !indexableRef(a, isBaseDocument)) return null;
  return { ref: a, key };
}

/** `input.<consts>` or `data.<string consts>` into base documents only. */
function indexableRef(t: CTerm, isBaseDocument: (path: string[]) => boolean): boolean {
  if (t.t !== 'ref' || !t.path.every((p) => p.t === 'const')) return false;
  if (t.head.t === 'input') return true;
  if (t.head.t !== 'data') return false;
  const path = t.path.map((p) => (p as { v: Value }).v);
  return path.every((p) => typeof p === 'string') && isBaseDocument(path as string[]);
}

/** The indexes of a node's rule lists (built by the compiler, read by the evaluator). */
export interface NodeIndexes {
  complete: RuleIndex | null;
  sets: RuleIndex | null;
  dyn: RuleIndex | null;
  funcs: RuleIndex | null;
}

/** Builds every node's indexes below `root`; `isBaseDocument` as for buildRuleIndex. */
export function indexTree(root: RuleNode, isBaseDocument: (path: string[]) => boolean): void {
  const pending = [root];
  while (pending.length > 0) {
    const node = pending.pop()!;
    node.indexes = {
      complete: buildRuleIndex(node.complete, isBaseDocument),
      sets: buildRuleIndex(node.sets, isBaseDocument),
      dyn: buildRuleIndex(node.dyn, isBaseDocument),
      funcs: buildRuleIndex(node.funcs, isBaseDocument),
    };
    for (const child of node.children.values()) pending.push(child);
  }
}
