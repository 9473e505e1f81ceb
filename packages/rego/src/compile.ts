/**
 * Compiler: builds the rule tree from parsed modules, resolves names (locals, imports, rules,
 * functions, builtins), folds constant terms, and reorders bodies for safety.
 */
import type { Expr, Import, Loc, Module, Rule, Term } from './ast.js';
import { BuiltinTypeError, checkArgs, describeType, lookupBuiltin, type BuiltinDef } from './builtins/registry.js';
import { compileError, REGO_ERROR_CODES, RegoError, RegoErrors } from './errors.js';
import { AnnotationIndex } from './annotations.js';
import { RuleNode, type CExpr, type CRule, type CTerm, type CWith } from './ir.js';
import { refNames } from './parser.js';
import { indexTree } from './rule-index.js';
import { RObject, RSet, typeName, type Value } from './value.js';
import { forEachExprPart, forEachPatternVar, forEachSubterm, skipBody } from './walk.js';

export class RuleTree {
  private nextId = 0;
  readonly root = new RuleNode('data', [], this.nextId++);

  node(path: readonly string[], create: boolean): RuleNode | undefined {
    let n = this.root;
    for (const name of path) {
      let c = n.children.get(name);
      if (!c) {
        if (!create) return undefined;
        c = new RuleNode(name, [...n.path, name], this.nextId++);
        n.children.set(name, c);
      }
      n = c;
    }
    return n;
  }
}

interface Scope {
  vars: Map<string, number>;
  parent: Scope | null;
  own: number[];
}

interface ImportTarget {
  root: 'data' | 'input';
  path: string[];
}

/** Per-module naming context. */
interface ModuleCtx {
  /** a query outside any package: bare names are variables, never rules */
  query?: boolean;
  pkg: string[];
  imports: Map<string, ImportTarget>;
  tree: RuleTree;
  file: string;
  /** a Rego v1 module: deprecated builtins are errors, as in OPA 1.x */
  v1?: boolean;
  /** rego.metadata.rule() / chain() of the rule being compiled (folded into constants) */
  meta?: { rule: () => Value; chain: () => Value };
}

/** Per-rule (or query) frame allocation. */
class FrameCtx {
  nslots = 0;
  readonly names: string[] = [];
  alloc(name: string): number {
    this.names.push(name);
    return this.nslots++;
  }
}

function headName(rule: Rule): string {
  const first = rule.head.ref[0]!;
  return first.t === 'scalar' ? String(first.v) : '?';
}

function importsOf(mod: Module): Map<string, ImportTarget> {
  const out = new Map<string, ImportTarget>();
  for (const imp of mod.imports) addImport(out, imp);
  return out;
}

function addImport(out: Map<string, ImportTarget>, imp: Import): void {
  const names = refNames(imp.path);
  if (!names) return;
  const root = names[0];
  if (root !== 'data' && root !== 'input') return;
  const alias = imp.alias ?? (names.length > 1 ? names[names.length - 1]! : root);
  out.set(alias, { root, path: names.slice(1) });
}

export interface CompileResult {
  tree: RuleTree;
  modules: Module[];
}

/** Build the rule tree and compile every rule. Throws RegoErrors on compile errors. */
export function compileTree(modules: Module[]): CompileResult {
  const tree = new RuleTree();
  const errors: RegoError[] = [];
  // 1. place rules into the tree (so names resolve across modules)
  const placed: { rule: Rule; mod: Module; node: RuleNode; groundLen: number }[] = [];
  for (const mod of modules) {
    const pkgNode = tree.node(mod.pkg, true)!;
    pkgNode.isPackage = true;
    for (let i = 0; i <= mod.pkg.length; i++) tree.node(mod.pkg.slice(0, i), false)!.hasPackage = true;
    for (const rule of mod.rules) {
      const ref = rule.head.ref;
      let g = 0;
      const names: string[] = [];
      for (const t of ref) {
        if (t.t === 'scalar' && typeof t.v === 'string') {
          names.push(t.v);
          g++;
        } else break;
      }
      const node = tree.node([...mod.pkg, ...names], true)!;
      placed.push({ rule, mod, node, groundLen: g });
      if (rule.head.args) node.arity = rule.head.args.length;
      for (let n: RuleNode | undefined = node, p = [...mod.pkg, ...names]; n; p = p.slice(0, -1), n = p.length ? tree.node(p, false) : undefined) {
        n.hasRules = true;
        if (p.length === 0) break;
      }
      tree.root.hasRules = true;
    }
  }
  for (const mod of modules) if (mod.regoVersion === 'v1') checkV1Module(mod, errors);
  // 2. compile rules
  const compiled: { node: RuleNode; rule: Rule; cr: CRule }[] = [];
  const annotations = new AnnotationIndex(modules);
  for (const { rule, mod, node, groundLen } of placed) {
    const mctx: ModuleCtx = {
      pkg: mod.pkg,
      imports: importsOf(mod),
      tree,
      file: mod.file,
      v1: mod.regoVersion === 'v1',
      meta: { rule: () => annotations.ruleValue(rule, mod.pkg), chain: () => annotations.chainValue(rule, mod.pkg) },
    };
    try {
      const cr = compileRule(rule, mctx, groundLen);
      compiled.push({ node, rule, cr });
      if (cr.kind === 'func') {
        if (cr.isDefault) node.funcDefault = cr;
        else node.funcs.push(cr);
      } else if (cr.isDefault) {
        if (node.defaultRule) throw compileError(`multiple default rules ${[...mod.pkg, headName(rule)].join('.')} found`, rule.loc);
        node.defaultRule = cr;
      } else if (cr.kind === 'complete') node.complete.push(cr);
      else if (cr.kind === 'set') node.sets.push(cr);
      else node.dyn.push(cr);
    } catch (e) {
      if (e instanceof RegoError) errors.push(e);
      else throw e;
    }
  }
  checkConflicts(tree.root, errors);
  if (errors.length === 0) {
    // dependencies once every rule is in the tree (a rule may read one defined after it)
    const deps = new Map<RuleNode, { rule: Rule; targets: Set<RuleNode> }>();
    for (const { node, rule, cr } of compiled) {
      let d = deps.get(node);
      if (!d) deps.set(node, (d = { rule, targets: new Set() }));
      ruleDependencies(cr, tree, d.targets);
    }
    checkRecursion(deps, errors);
  }
  if (errors.length > 0) throw new RegoErrors(errors);
  indexTree(tree.root, (path) => isBaseDocument(tree.root, path));
  return { tree, modules };
}

/** Whether `data.<path>` reaches base documents only: no rule at, above or below it. */
function isBaseDocument(root: RuleNode, path: readonly string[]): boolean {
  let node: RuleNode | undefined = root;
  for (const name of path) {
    node = node.children.get(name);
    if (!node) return true;
    if (node.hasOwnRules || node.dyn.length > 0 || node.isFunc) return false;
  }
  return !node.hasRules;
}

/** Rule name as OPA prints it in recursion errors (the head without the package). */
function ruleName(rule: Rule): string {
  const out: string[] = [];
  for (const t of rule.head.ref) {
    if (t.t !== 'scalar' || typeof t.v !== 'string') break;
    out.push(t.v);
  }
  return out.join('.');
}

/**
 * OPA rejects recursion at compile time (checkRecursion): every rule on a cycle of the rule
 * dependency graph gets `rule p is recursive: p -> q -> p`. Cycles are found with Tarjan's
 * strongly connected components (iteratively: policies can chain thousands of rules).
 */
function checkRecursion(deps: Map<RuleNode, { rule: Rule; targets: Set<RuleNode> }>, errors: RegoError[]): void {
  const targets = (n: RuleNode): RuleNode[] => [...(deps.get(n)?.targets ?? [])].filter((t) => deps.has(t));
  const component = new Map<RuleNode, number>();
  const ids = { next: 0 };
  for (const n of deps.keys()) if (!component.has(n)) tarjan(n, component, targets, ids);
  const sizes = new Map<number, number>();
  for (const id of component.values()) sizes.set(id, (sizes.get(id) ?? 0) + 1);
  let reported = 0;
  for (const [start, { rule, targets: direct }] of deps) {
    // each report walks its cycle's component; a few dozen say enough about a huge cycle
    if (reported === MAX_RECURSION_ERRORS) break;
    const id = component.get(start)!;
    if (!direct.has(start) && (sizes.get(id) ?? 0) < 2) continue;
    const path = cyclePath(start, (n) => targets(n).filter((t) => component.get(t) === id));
    if (!path) continue;
    const names = path.map((n) => ruleName(deps.get(n)!.rule));
    errors.push(compileError(`rule ${ruleName(rule)} is recursive: ${names.join(' -> ')}`, rule.loc, REGO_ERROR_CODES.recursion));
    reported++;
  }
}

/** Recursion errors reported per compile (OPA reports every rule on every cycle). */
const MAX_RECURSION_ERRORS = 50;

/** Tarjan's algorithm from `root`, numbering the components it closes from `ids.next` on. */
function tarjan(root: RuleNode, component: Map<RuleNode, number>, targets: (n: RuleNode) => RuleNode[], ids: { next: number }): void {
  const index = new Map<RuleNode, number>();
  const low = new Map<RuleNode, number>();
  const onStack = new Set<RuleNode>();
  const stack: RuleNode[] = [];
  const work: { n: RuleNode; next: RuleNode[]; i: number }[] = [];
  let counter = 0;
  const open = (n: RuleNode): void => {
    index.set(n, counter);
    low.set(n, counter++);
    stack.push(n);
    onStack.add(n);
    work.push({ n, next: targets(n), i: 0 });
  };
  open(root);
  while (work.length > 0) {
    const top = work[work.length - 1]!;
    if (top.i < top.next.length) {
      const t = top.next[top.i++]!;
      if (component.has(t)) continue;
      if (!index.has(t)) open(t);
      else if (onStack.has(t)) low.set(top.n, Math.min(low.get(top.n)!, index.get(t)!));
      continue;
    }
    work.pop();
    const parent = work[work.length - 1];
    if (parent) low.set(parent.n, Math.min(low.get(parent.n)!, low.get(top.n)!));
    if (low.get(top.n) === index.get(top.n)) {
      const id = ids.next++;
      for (;;) {
        const m = stack.pop()!;
        onStack.delete(m);
        component.set(m, id);
        if (m === top.n) break;
      }
    }
  }
}

/** A shortest path start -> ... -> start (breadth first), or null. */
function cyclePath(start: RuleNode, targets: (n: RuleNode) => RuleNode[]): RuleNode[] | null {
  const parent = new Map<RuleNode, RuleNode>();
  const queue: RuleNode[] = [start];
  for (let q = 0; q < queue.length; q++) {
    const n = queue[q]!;
    for (const t of targets(n)) {
      if (t === start) {
        const path = [start];
        for (let x: RuleNode | undefined = n; x && x !== start; x = parent.get(x)) path.splice(1, 0, x);
        path.push(start);
        return path;
      }
      if (parent.has(t) || t === start) continue;
      parent.set(t, n);
      queue.push(t);
    }
  }
  return null;
}

/** Rule nodes a compiled rule reads: data refs (all rules under a non-ground prefix) and calls. */
function ruleDependencies(cr: CRule, tree: RuleTree, out: Set<RuleNode>): void {
  const all = (n: RuleNode): void => {
    if (n.hasOwnRules || n.dyn.length > 0 || n.isFunc) out.add(n);
    for (const c of n.children.values()) if (c.hasRules) all(c);
  };
  // like OPA's GetRulesDynamic: a variable in the ref matches every child, constants one
  const dataRef = (n: RuleNode, path: CTerm[], i: number): void => {
    if (n.hasOwnRules || n.dyn.length > 0 || n.isFunc) out.add(n);
    if (i === path.length) return all(n);
    const p = path[i]!;
    if (p.t === 'const') {
      const c = typeof p.v === 'string' ? n.children.get(p.v) : undefined;
      if (c) dataRef(c, path, i + 1);
      return;
    }
    for (const c of n.children.values()) if (c.hasRules) dataRef(c, path, i + 1);
  };
  const term = (t: CTerm): void => {
    if (t.t === 'data') return all(tree.root);
    if (t.t === 'ref' && t.head.t === 'data') {
      dataRef(tree.root, t.path, 0);
      return t.path.forEach(term);
    }
    if (t.t === 'call' && t.func) out.add(t.func);
    forEachSubterm(t, out, term, body);
  };
  const body = (b: CExpr[]): void => {
    for (const e of b) forEachExprPart(e, out, term, body);
  };
  body(cr.body);
  for (const t of [cr.value, cr.key, ...cr.suffix, ...cr.args]) if (t) term(t);
  for (const e of cr.elses) {
    body(e.body);
    if (e.value) term(e.value);
  }
}

/**
 * OPA 1.x's compile-time checks for v1 modules (checkRegoV1Module): no duplicate import names,
 * no rule or `:=` variable named input or data.
 */
function checkV1Module(mod: Module, errors: RegoError[]): void {
  const seen = new Map<string, Import>();
  for (const imp of mod.imports) {
    const names = refNames(imp.path);
    if (!names || names[0] === 'future' || names[0] === 'rego') continue;
    const name = imp.alias ?? names[names.length - 1]!;
    const first = seen.get(name);
    if (first) {
      const text = `import ${refNames(first.path)!.join('.')}${first.alias ? ` as ${first.alias}` : ''}`;
      errors.push(compileError(`import must not shadow ${text}`, imp.loc));
    } else seen.set(name, imp);
  }
  const walk = (exprs: Expr[]): void => {
    for (const e of exprs) {
      const k = e.e;
      if (k.k === 'assign' && k.left.t === 'var' && (k.left.name === 'input' || k.left.name === 'data')) {
        errors.push(compileError(`variables must not shadow ${k.left.name} (use a different variable name)`, e.loc));
      }
      if (k.k === 'every' || k.k === 'notbody') walk(k.body);
    }
  };
  for (const rule of mod.rules) {
    const head = rule.head.ref[0];
    const name = head?.t === 'scalar' ? String(head.v) : '';
    if (name === 'input' || name === 'data') errors.push(compileError(`rules must not shadow ${name} (use a different rule name)`, rule.loc));
    walk(rule.body);
    rule.elses.forEach((e) => walk(e.body));
  }
}

function checkConflicts(node: RuleNode, errors: RegoError[]): void {
  const kinds = [node.complete.length || node.defaultRule ? 1 : 0, node.sets.length ? 1 : 0, node.isFunc ? 1 : 0].reduce((a, b) => a + b, 0);
  if (kinds > 1) {
    const loc = (node.complete[0] ?? node.sets[0] ?? node.funcs[0])?.loc;
    errors.push(compileError(`conflicting rules data.${node.path.join('.')} found`, loc));
  }
  for (const c of node.children.values()) checkConflicts(c, errors);
}

/** A function argument the evaluator can unify directly: variables, scalars, arrays/objects of them. */
function isArgPattern(t: Term): boolean {
  switch (t.t) {
    case 'var':
    case 'scalar':
      return true;
    case 'array':
      return t.items.every(isArgPattern);
    case 'object':
      return t.items.every(([k, v]) => k.t === 'scalar' && isArgPattern(v));
    default:
      return false;
  }
}

/**
 * Any other argument (a template string, a call, a ref) may read variables the body binds:
 * as OPA does, it becomes a fresh argument variable unified with the term inside the body.
 */
function rewriteDynamicArgs(rule: Rule): Rule {
  const args = rule.head.args;
  if (!args || args.every(isArgPattern)) return rule;
  const extra: Expr[] = [];
  const newArgs = args.map((a, i) => {
    if (isArgPattern(a)) return a;
    const v: Term = { t: 'var', name: `$arg${i}`, loc: a.loc };
    extra.push({ e: { k: 'unify', left: v, right: a }, negated: false, with: [], loc: a.loc });
    return v;
  });
  return {
    ...rule,
    head: { ...rule.head, args: newArgs },
    body: [...rule.body, ...extra],
    elses: rule.elses.map((e) => ({ ...e, body: [...e.body, ...extra] })),
  };
}

function compileRule(original: Rule, mctx: ModuleCtx, groundLen: number): CRule {
  const rule = rewriteDynamicArgs(original);
  const frame = new FrameCtx();
  const scope: Scope = { vars: new Map(), parent: null, own: [] };
  const c = new TermCompiler(mctx, frame);
  const head = rule.head;
  // function arguments are declared first: they are bound on entry
  let args: CTerm[] = [];
  if (head.args) {
    for (const a of head.args) c.declarePatternVars(a, scope);
    args = head.args.map((a) => c.term(a, scope));
  }
  // locals declared in the body (:=, some) and vars in the head that the body binds
  const body = rule.isDefault ? [] : c.body(rule.body, scope, new Set(args.flatMap((a) => slotsOf(a))));
  const suffix = head.ref.slice(groundLen).map((t) => c.term(t, scope));
  let kind: CRule['kind'];
  if (head.args) kind = 'func';
  else if (head.key && suffix.length === 0) kind = 'set';
  else if (suffix.length === 0) kind = 'complete';
  else kind = 'dyn';
  const value = head.value ? c.term(head.value, scope) : null;
  const key = head.key ? c.term(head.key, scope) : null;
  if (!rule.isDefault) {
    const bound = new Set<number>(args.flatMap((a) => slotsOf(a)));
    const shared = new Set(bodySlots(body));
    for (const e of body) for (const b of analyse(e, shared).binds) bound.add(b);
    for (const t of [...suffix, ...(value ? [value] : []), ...(key ? [key] : [])]) {
      for (const s of headSlots(t)) {
        if (!bound.has(s) && rule.elses.length === 0) {
          throw compileError(`var ${frame.names[s]?.startsWith('$_') ? '_' : frame.names[s]} is unsafe`, rule.loc, REGO_ERROR_CODES.unsafeVar);
        }
      }
    }
  }
  const elses = rule.elses.map((e) => {
    const b = e.body.length ? c.body(e.body, scope, new Set(args.flatMap((a) => slotsOf(a)))) : [];
    return { value: e.value ? c.term(e.value, scope) : null, body: b, loc: e.loc };
  });
  return {
    kind,
    nslots: frame.nslots,
    body,
    value,
    key,
    suffix,
    leafSet: kind === 'dyn' && head.key !== null,
    args,
    elses,
    isDefault: rule.isDefault,
    loc: rule.loc,
  };
}

export interface CompiledQuery {
  body: CExpr[];
  nslots: number;
  /** user-visible variables: name → slot */
  vars: [string, number][];
}

/** Compile a query body (refs must be fully qualified: data..., input...). */
export function compileQuery(exprs: Expr[], tree: RuleTree, pkg: string[] = [], imports: Import[] = []): CompiledQuery {
  const frame = new FrameCtx();
  const imp = new Map<string, ImportTarget>();
  for (const i of imports) addImport(imp, i);
  const mctx: ModuleCtx = { pkg, imports: imp, tree, file: 'query', query: pkg.length === 0 };
  const c = new TermCompiler(mctx, frame);
  const scope: Scope = { vars: new Map(), parent: null, own: [] };
  const body = c.body(exprs, scope, new Set());
  const vars: [string, number][] = [];
  for (const [name, slot] of scope.vars) if (!name.startsWith('__local') && !name.startsWith('$')) vars.push([name, slot]);
  return { body, nslots: frame.nslots, vars };
}

/** Appends the local slots `t` mentions (comprehensions included) to `out`, in source order. */
function slotsInto(t: CTerm, out: number[]): void {
  if (t.t === 'local') out.push(t.slot);
  else forEachSubterm(t, out, slotsInto, bodySlotsInto);
}

function bodySlotsInto(b: CExpr[], out: number[]): void {
  for (const e of b) forEachExprPart(e, out, slotsInto, bodySlotsInto);
}

function slotsOf(t: CTerm): number[] {
  const out: number[] = [];
  slotsInto(t, out);
  return out;
}

function bodySlots(b: CExpr[]): number[] {
  const out: number[] = [];
  bodySlotsInto(b, out);
  return out;
}

/** Slots a head term reads directly (comprehension-local variables excluded). */
function headSlots(t: CTerm): number[] {
  const out: number[] = [];
  headSlotsInto(t, out);
  return out;
}

function headSlotsInto(t: CTerm, out: number[]): void {
  if (t.t === 'compr') {
    const own = new Set(t.own);
    for (const s of slotsOf(t)) if (!own.has(s)) out.push(s);
  } else if (t.t === 'local') out.push(t.slot);
  else if (t.t === 'ref') {
    headSlotsInto(t.head, out);
    for (const p of t.path) if (p.t !== 'local') headSlotsInto(p, out); // ref iteration binds path vars
  } else forEachSubterm(t, out, headSlotsInto, skipBody);
}

/** What analyse collects: the slots an expression needs and binds; `own` are the body's shared slots. */
interface Analysis {
  needs: Set<number>;
  binds: Set<number>;
  own: Set<number>;
}

/** Vars an expression needs bound before it runs, and vars it binds. */
function analyse(e: CExpr, own: Set<number>): { needs: Set<number>; binds: Set<number> } {
  const a: Analysis = { needs: new Set(), binds: new Set(), own };
  const { needs, binds } = a;
  const term = (t: CTerm, pattern: boolean): void => analyseTerm(t, pattern, a);
  const k = e.e;
  switch (k.k) {
    case 'term':
      term(k.term, false);
      break;
    case 'unify':
      term(k.a, true);
      term(k.b, true);
      break;
    case 'not':
    case 'every': {
      const inner = bodySlots(k.body);
      if (k.k === 'every') term(k.domain, false);
      for (const s of inner) if (own.has(s)) needs.add(s);
      break;
    }
    case 'somein':
      term(k.domain, false);
      if (k.key) term(k.key, true);
      term(k.value, true);
      break;
  }
  for (const w of e.with) term(w.value, false);
  for (const b of binds) needs.delete(b);
  return { needs, binds };
}

/** analyse for one term; a pattern's variables are bound by it, any other term's are read. */
function analyseTerm(t: CTerm, pattern: boolean, a: Analysis): void {
  switch (t.t) {
    case 'local':
      (pattern ? a.binds : a.needs).add(t.slot);
      return;
    case 'ref':
      analyseTerm(t.head, false, a);
      for (const p of t.path) {
        if (p.t === 'local') a.binds.add(p.slot);
        else analyseTerm(p, true, a);
      }
      return;
    case 'object':
      for (const [k, v] of t.items) {
        analyseTerm(k, false, a);
        analyseTerm(v, pattern, a);
      }
      return;
    case 'compr': {
      const ownSet = new Set(t.own);
      for (const s of slotsOf(t)) if (!ownSet.has(s) && a.own.has(s)) a.needs.add(s);
      return;
    }
    default:
      // array and set items are patterns when the collection is one; call and template parts never are
      forEachSubterm(t, a, pattern && (t.t === 'array' || t.t === 'set') ? analysePattern : analyseRead, skipBody);
  }
}

const analysePattern = (t: CTerm, a: Analysis): void => analyseTerm(t, true, a);
const analyseRead = (t: CTerm, a: Analysis): void => analyseTerm(t, false, a);

/** Greedy safety reordering: keep source order unless an expression reads an unbound var. */
function reorder(body: CExpr[], initiallyBound: Set<number>, onUnsafe?: (slot: number, loc: Loc) => void): CExpr[] {
  // slots used by more than one expression are the ones ordering matters for
  const counts = new Map<number, number>();
  for (const e of body) for (const s of new Set(bodySlots([e]))) counts.set(s, (counts.get(s) ?? 0) + 1);
  const shared = new Set<number>([...counts].filter(([, n]) => n > 1).map(([s]) => s));
  for (const s of initiallyBound) shared.add(s);
  const infos = body.map((e) => analyse(e, shared));
  if (onUnsafe) {
    // a variable read but never bound by any expression can never become safe
    const bindable = new Set(initiallyBound);
    for (const inf of infos) for (const s of inf.binds) bindable.add(s);
    for (let i = 0; i < body.length; i++) {
      for (const s of infos[i]!.needs) if (!bindable.has(s)) onUnsafe(s, body[i]!.loc);
    }
  }
  const bound = new Set(initiallyBound);
  const out: CExpr[] = [];
  const done = new Array<boolean>(body.length).fill(false);
  for (let n = 0; n < body.length; n++) {
    let pick = -1;
    for (let i = 0; i < body.length; i++) {
      if (done[i]) continue;
      let ok = true;
      for (const s of infos[i]!.needs) {
        if (!bound.has(s) && shared.has(s)) {
          ok = false;
          break;
        }
      }
      if (ok) {
        pick = i;
        break;
      }
    }
    if (pick < 0) {
      pick = done.indexOf(false);
      const missing = [...infos[pick]!.needs].find((s) => !bound.has(s) && shared.has(s));
      if (onUnsafe && missing !== undefined) onUnsafe(missing, body[pick]!.loc);
    }
    done[pick] = true;
    out.push(body[pick]!);
    for (const s of infos[pick]!.binds) bound.add(s);
  }
  return out;
}

class TermCompiler {
  private wildcard = 0;
  constructor(
    private readonly m: ModuleCtx,
    private readonly frame: FrameCtx,
  ) {}

  lookup(name: string, scope: Scope): number | undefined {
    for (let s: Scope | null = scope; s; s = s.parent) {
      const v = s.vars.get(name);
      if (v !== undefined) return v;
    }
    return undefined;
  }

  declare(name: string, scope: Scope): number {
    const slot = this.frame.alloc(name);
    scope.vars.set(name, slot);
    scope.own.push(slot);
    return slot;
  }

  /** Declares the variables pattern `t` binds, except those `scope` has (function arguments). */
  declarePatternVars(t: Term, scope: Scope): void {
    forEachPatternVar(t, (v) => {
      if (v.name !== '_' && !scope.vars.has(v.name)) this.declare(v.name, scope);
    });
  }

  body(exprs: Expr[], scope: Scope, bound: Set<number>): CExpr[] {
    // OPA scopes variables to the whole body: a comprehension that mentions a variable the
    // enclosing body also uses (even later) reads the outer variable, so declare those first.
    for (const name of closureSharedNames(exprs)) {
      if (this.lookup(name, scope) === undefined && !this.isGlobalName(name)) this.declare(name, scope);
    }
    const out: CExpr[] = [];
    for (const e of exprs) out.push(this.expr(e, scope));
    return reorder(out, new Set([...bound, ...allBoundOuter(scope)]), (slot, loc) => {
      const name = this.frame.names[slot] ?? '?';
      throw compileError(`var ${name.startsWith('$_') ? '_' : name} is unsafe`, loc, REGO_ERROR_CODES.unsafeVar);
    });
  }

  expr(e: Expr, scope: Scope): CExpr {
    const withs = e.with.map((w) => this.withMod(w, scope));
    const loc = e.loc;
    if (e.negated) {
      // a negated expression shares the body's variables (`not a = f(1); a = f(2)`)
      const inner: Expr = { ...e, negated: false, with: [] };
      const body = e.e.k === 'notbody' ? this.body(e.e.body, scope, new Set()) : [this.expr(inner, scope)];
      return { e: { k: 'not', body }, with: withs, loc };
    }
    const k = e.e;
    switch (k.k) {
      case 'term':
        return { e: this.exprTerm(k.term, scope), with: withs, loc };
      case 'unify':
        return { e: { k: 'unify', a: this.term(k.left, scope), b: this.term(k.right, scope) }, with: withs, loc };
      case 'assign': {
        const right = this.term(k.right, scope);
        this.checkAssignTarget(k.left, scope);
        this.declarePatternVarsFresh(k.left, scope);
        return { e: { k: 'unify', a: this.term(k.left, scope), b: right }, with: withs, loc };
      }
      case 'somevars':
        for (const v of k.vars) if (v.t === 'var') this.declare(v.name, scope);
        return { e: { k: 'nop' }, with: withs, loc };
      case 'somein': {
        const domain = this.term(k.domain, scope);
        if (k.key) this.declarePatternVarsFresh(k.key, scope);
        this.declarePatternVarsFresh(k.value, scope);
        return {
          e: { k: 'somein', key: k.key ? this.term(k.key, scope) : null, value: this.term(k.value, scope), domain },
          with: withs,
          loc,
        };
      }
      case 'every': {
        const domain = this.term(k.domain, scope);
        const inner: Scope = { vars: new Map(), parent: scope, own: [] };
        if (k.key) this.declarePatternVarsFresh(k.key, inner);
        this.declarePatternVarsFresh(k.value, inner);
        const key = k.key ? this.term(k.key, inner) : null;
        const value = this.term(k.value, inner);
        const body = this.body(k.body, inner, new Set([...(key ? slotsOf(key) : []), ...slotsOf(value)]));
        return { e: { k: 'every', key, value, domain, body }, with: withs, loc };
      }
      case 'notbody':
        return { e: { k: 'not', body: this.body(k.body, { vars: new Map(), parent: scope, own: [] }, new Set()) }, with: withs, loc };
    }
  }

  private checkAssignTarget(t: Term, scope: Scope): void {
    if (t.t === 'var') {
      if (t.name !== '_' && scope.vars.has(t.name)) throw compileError(`var ${t.name} assigned above`, t.loc);
      return;
    }
    if (t.t === 'array') return t.items.forEach((x) => this.checkAssignTarget(x, scope));
    if (t.t === 'object') return t.items.forEach(([, v]) => this.checkAssignTarget(v, scope));
    if (t.t === 'scalar') return;
    throw compileError(`cannot assign to ${t.t}`, t.loc);
  }

  /** Declares every variable pattern `t` binds as a new one (`:=`, `some ... in`, `every`). */
  private declarePatternVarsFresh(t: Term, scope: Scope): void {
    forEachPatternVar(t, (v) => {
      if (v.name !== '_') this.declare(v.name, scope);
    });
  }

  /** Expression made of one term: calls with an extra argument bind the output. */
  private exprTerm(t: Term, scope: Scope): CExpr['e'] {
    if (t.t === 'call' && !(t.op === 'set' && t.args.length === 0)) {
      const target = this.resolveCall(t.op, t.loc);
      const arity = target.builtin ? (target.builtin.variadic ? -1 : target.builtin.args.length) : target.func ? funcArity(target.func) : -1;
      if (arity >= 0 && t.args.length === arity + 1) {
        const args = t.args.slice(0, -1).map((a) => this.term(a, scope));
        if (target.builtin) this.checkBuiltin(target.builtin, args, t.loc);
        const call: CTerm = { t: 'call', name: target.name, args, builtin: target.builtin, func: target.func, loc: t.loc };
        return { k: 'unify', a: this.term(t.args[arity]!, scope), b: call };
      }
      if (arity >= 0 && t.args.length !== arity) {
        throw compileError(`${t.op}: arity mismatch: expected ${arity} argument${arity === 1 ? '' : 's'}, got ${t.args.length}`, t.loc, REGO_ERROR_CODES.type);
      }
    }
    return { k: 'term', term: this.term(t, scope) };
  }

  resolveCall(op: string, loc: Loc): { name: string; builtin: BuiltinDef | null; func: RuleNode | null } {
    const parts = op.split('.');
    let path: string[] | null = null;
    const first = parts[0]!;
    const imp = this.m.imports.get(first);
    if (first === 'data') path = parts.slice(1);
    else if (imp && imp.root === 'data') path = [...imp.path, ...parts.slice(1)];
    else if (!this.m.query && this.m.tree.node([...this.m.pkg, first], false)?.hasRules) path = [...this.m.pkg, ...parts];
    if (path) {
      const node = this.m.tree.node(path, false);
      if (node && node.isFunc) return { name: 'data.' + path.join('.'), builtin: null, func: node };
      if (first !== 'data' && !imp) {
        const b = lookupBuiltin(op);
        if (b) return { name: op, builtin: b, func: null };
      }
      throw compileError(`undefined function data.${path.join('.')}`, loc, REGO_ERROR_CODES.type);
    }
    const b = lookupBuiltin(op);
    if (b) return { name: op, builtin: b, func: null };
    throw compileError(`undefined function ${op}`, loc, REGO_ERROR_CODES.type);
  }

  private withMod(w: { target: Term; value: Term; loc: Loc }, scope: Scope): CWith {
    const valueNames = refNames(w.value);
    const fnValue = valueNames && this.lookup(valueNames[0]!, scope) === undefined ? this.functionRef(valueNames.join('.'), w.value.loc) : null;
    const value = fnValue ?? this.term(w.value, scope);
    const names = refNames(w.target);
    const tgt = w.target;
    if (tgt.t === 'var' || tgt.t === 'ref') {
      const headName = tgt.t === 'var' ? tgt.name : tgt.head.t === 'var' ? tgt.head.name : '';
      if (headName === 'input') {
        const path: Value[] = [];
        if (tgt.t === 'ref') {
          for (const p of tgt.path) {
            if (p.t !== 'scalar') throw compileError('with target path must be ground', w.loc);
            path.push(p.v);
          }
        }
        return { kind: 'input', path, value };
      }
      if (names) {
        // a function or builtin mock, or data
        let path: string[] | null = null;
        const imp = this.m.imports.get(names[0]!);
        if (names[0] === 'data') path = names.slice(1);
        else if (imp && imp.root === 'data') path = [...imp.path, ...names.slice(1)];
        else if (this.m.tree.node([...this.m.pkg, names[0]!], false)?.hasRules) path = [...this.m.pkg, ...names];
        if (path) {
          const node = this.m.tree.node(path, false);
          if (node && node.isFunc) {
            const byName = value.t === 'call' && false;
            return { kind: 'func', name: 'data.' + path.join('.'), value: this.mockValue(w.value, scope, value), builtin: null, func: null, byName };
          }
          return { kind: 'data', path, value };
        }
        const b = lookupBuiltin(names.join('.'));
        if (b) return { kind: 'func', name: b.name, value: this.mockValue(w.value, scope, value), builtin: null, func: null, byName: false };
      }
    }
    throw compileError(`with keyword target must reference existing input, data, or a function`, w.loc, REGO_ERROR_CODES.type);
  }

  /** A reference to a function or builtin by name (a `with` replacement), or null. */
  private functionRef(op: string, loc: Loc): CTerm | null {
    try {
      const target = this.resolveCall(op, loc);
      return { t: 'call', name: target.name, args: [], builtin: target.builtin, func: target.func, loc };
    } catch {
      return null;
    }
  }

  /** A mock value: a function name resolves to the function, else the value term. */
  private mockValue(t: Term, _scope: Scope, compiled: CTerm): CTerm {
    const names = refNames(t);
    if (names) {
      const op = names.join('.');
      try {
        const target = this.resolveCall(op, t.loc);
        if (target.func || (target.builtin && !(compiled.t === 'local'))) {
          if (compiled.t === 'local') return compiled;
          return { t: 'call', name: target.name, args: [], builtin: target.builtin, func: target.func, loc: t.loc };
        }
      } catch {
        // not a function: a value
      }
    }
    return compiled;
  }

  term(t: Term, scope: Scope): CTerm {
    switch (t.t) {
      case 'scalar':
        return { t: 'const', v: t.v };
      case 'var':
        return this.varTerm(t.name, scope, t.loc);
      case 'ref': {
        const head = this.term(t.head, scope);
        const path = t.path.map((p) => this.term(p, scope));
        if (head.t === 'ref') return { t: 'ref', head: head.head, path: [...head.path, ...path] };
        return { t: 'ref', head, path };
      }
      case 'array': {
        const items = t.items.map((x) => this.term(x, scope));
        return items.every((x) => x.t === 'const') ? { t: 'const', v: items.map((x) => (x as { v: Value }).v) } : { t: 'array', items };
      }
      case 'set': {
        const items = t.items.map((x) => this.term(x, scope));
        return items.every((x) => x.t === 'const') ? { t: 'const', v: new RSet(items.map((x) => (x as { v: Value }).v)) } : { t: 'set', items };
      }
      case 'object': {
        const items = t.items.map(([k, v]) => [this.term(k, scope), this.term(v, scope)] as [CTerm, CTerm]);
        if (items.every(([k, v]) => k.t === 'const' && v.t === 'const')) {
          const o = new RObject();
          for (const [k, v] of items) {
            const kv = (k as { v: Value }).v;
            if (o.get(kv) !== undefined) throw compileError('object keys must be unique', t.loc);
            o.set(kv, (v as { v: Value }).v);
          }
          return { t: 'const', v: o };
        }
        return { t: 'object', items };
      }
      case 'arraycompr':
      case 'setcompr':
      case 'objcompr': {
        const inner: Scope = { vars: new Map(), parent: scope, own: [] };
        const body = this.body(t.body, inner, new Set());
        const head = this.term(t.t === 'objcompr' ? t.key : t.head, inner);
        const value = t.t === 'objcompr' ? this.term(t.value, inner) : null;
        const kind = t.t === 'arraycompr' ? 'array' : t.t === 'setcompr' ? 'set' : 'object';
        return { t: 'compr', kind, head, value, body, own: inner.own };
      }
      case 'call': {
        if (t.op === 'set' && t.args.length === 0) return { t: 'const', v: new RSet() };
        const meta = t.args.length === 0 ? this.m.meta : undefined;
        if (meta && t.op === 'rego.metadata.rule') return { t: 'const', v: meta.rule() };
        if (meta && t.op === 'rego.metadata.chain') return { t: 'const', v: meta.chain() };
        const target = this.resolveCall(t.op, t.loc);
        const args = t.args.map((a) => this.term(a, scope));
        if (target.builtin) this.checkBuiltin(target.builtin, args, t.loc);
        return { t: 'call', name: target.name, args, builtin: target.builtin, func: target.func, loc: t.loc };
      }
      case 'template':
        return { t: 'template', parts: t.parts.map((p) => (typeof p === 'string' ? p : this.term(p, scope))), spread: t.spread, loc: t.loc };
    }
  }

  /** Compile-time checks of a builtin call: v1 deprecations, constant operand types. */
  private checkBuiltin(def: BuiltinDef, args: CTerm[], loc: Loc): void {
    if (def.deprecated && this.m.v1) throw compileError(`deprecated built-in function calls in expression: ${def.name}`, loc, REGO_ERROR_CODES.type);
    checkConstantArgs(def, args, loc);
  }

  /** A name that resolves to something other than a local variable (input, data, import, rule). */
  private isGlobalName(name: string): boolean {
    if (name === 'input' || name === 'data' || this.m.imports.has(name)) return true;
    return !this.m.query && this.m.tree.node([...this.m.pkg, name], false)?.hasRules === true;
  }

  varTerm(name: string, scope: Scope, _loc: Loc): CTerm {
    if (name === '_') {
      const slot = this.frame.alloc('$_' + this.wildcard++);
      scope.own.push(slot);
      return { t: 'local', slot, name: '_' };
    }
    const slot = this.lookup(name, scope);
    if (slot !== undefined) return { t: 'local', slot, name };
    if (name === 'input') return { t: 'input' };
    if (name === 'data') return { t: 'data' };
    const imp = this.m.imports.get(name);
    if (imp) {
      return imp.path.length === 0
        ? { t: imp.root }
        : { t: 'ref', head: { t: imp.root }, path: imp.path.map((p) => ({ t: 'const', v: p }) as CTerm) };
    }
    if (!this.m.query && this.m.tree.node([...this.m.pkg, name], false)?.hasRules) {
      return { t: 'ref', head: { t: 'data' }, path: [...this.m.pkg, name].map((p) => ({ t: 'const', v: p }) as CTerm) };
    }
    return { t: 'local', slot: this.declare(name, scope), name };
  }
}

/**
 * Names used both inside a comprehension of `exprs` and in `exprs` outside any comprehension,
 * minus the ones the body declares itself (`some x`, `x := ...`, `some x in ...`).
 */
function closureSharedNames(exprs: Expr[]): string[] {
  const outer = new Set<string>();
  const inner = new Set<string>();
  const declared = new Set<string>();
  const term = (t: Term, into: Set<string>): void => {
    if (t.t === 'var') {
      if (t.name !== '_') into.add(t.name);
      return;
    }
    // a comprehension's head and body are inside it
    forEachSubterm(t, t.t === 'arraycompr' || t.t === 'setcompr' || t.t === 'objcompr' ? inner : into, term, body);
  };
  const body = (b: Expr[], into: Set<string>): void => {
    for (const e of b) expr(e, into);
  };
  const declare = (t: Term): void => forEachPatternVar(t, (v) => declared.add(v.name));
  const expr = (e: Expr, into: Set<string>): void => {
    const k = e.e;
    switch (k.k) {
      case 'term':
        term(k.term, into);
        break;
      case 'unify':
      case 'assign':
        term(k.left, into);
        term(k.right, into);
        if (k.k === 'assign' && into === outer) declare(k.left);
        break;
      case 'somevars':
        if (into === outer) k.vars.forEach(declare);
        break;
      case 'somein':
        if (into === outer) {
          if (k.key) declare(k.key);
          declare(k.value);
        }
        term(k.domain, into);
        break;
      case 'every':
        term(k.domain, into);
        k.body.forEach((x) => expr(x, inner));
        break;
      case 'notbody':
        k.body.forEach((x) => expr(x, inner));
        break;
    }
    for (const w of e.with) term(w.value, into);
  };
  for (const e of exprs) expr(e, outer);
  const out: string[] = [];
  for (const name of inner) if (outer.has(name) && !declared.has(name)) out.push(name);
  return out;
}

/**
 * The part of OPA's type checker that needs no inference: a builtin called with constant
 * operands of a type it does not accept (`count(1)`) is a compile-time rego_type_error.
 */
function checkConstantArgs(def: BuiltinDef, args: CTerm[], loc: Loc): void {
  // OPA declares the deprecated cast_* builtins with `any` operands: they fail only at run time
  if (def.variadic || def.deprecated || args.length !== def.args.length || args.some((a) => a.t !== 'const')) return;
  const values = args.map((a) => (a as { v: Value }).v);
  try {
    checkArgs(def, values);
  } catch (e) {
    if (!(e instanceof BuiltinTypeError)) throw e;
    const have = values.map((v) => typeName(v)).join(', ');
    const want = def.args.map((t) => describeType(t)).join(', ');
    throw compileError(`${def.name}: invalid argument(s)\n\thave: (${have})\n\twant: (${want})`, loc, REGO_ERROR_CODES.type);
  }
}

function allBoundOuter(_scope: Scope): number[] {
  // closures over outer scopes are treated as bound when ordering an inner body
  const out: number[] = [];
  for (let s = _scope.parent; s; s = s.parent) out.push(...s.own);
  return out;
}

function funcArity(node: RuleNode): number {
  return node.arity;
}

export { RegoErrors };
export type { CRule };
