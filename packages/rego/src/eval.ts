/**
 * Top-down evaluator over the compiled form (ir.ts), in continuation-passing style: every
 * producer calls its continuation once per solution, and a continuation returns true to stop
 * the enumeration early (used by `not`, `every` and existence checks). Bindings live in frame
 * slots and are undone on return, which gives backtracking for free.
 */
import {
  BuiltinError,
  BuiltinTypeError,
  checkArgs,
  type BuiltinContext,
  type BuiltinDef,
} from './builtins/registry.js';
import type { Loc } from './ast.js';
import { REGO_ERROR_CODES, RegoError } from './errors.js';
import type { CExpr, CRule, CTerm, CWith, RuleNode } from './ir.js';
import type { RuleTree } from './compile.js';
import { regoText } from './builtins/value-text.js';
import { chargeDeep, shallowSize } from './cost.js';
import { equals, RObject, RSet, toJSON, type Value } from './value.js';
import { selectRules, type RuleIndex } from './rule-index.js';

type Frame = (Value | undefined)[];
type K = () => boolean;
type KV = (v: Value) => boolean;

export interface EvalLimits {
  /** Maximum evaluation steps (expressions, calls, iterations). Default 1,000,000. */
  maxSteps?: number;
  /** Wall-clock budget in milliseconds. Default 1000. */
  timeoutMs?: number;
}

export interface EvalOptions {
  input?: Value;
  /** Base documents (JSON data) under `data`. */
  data?: RObject;
  /** Evaluation time in ns since the epoch (time.now_ns); required for determinism. */
  nowNs?: bigint;
  /** strict-builtin-errors: builtin errors halt evaluation instead of being undefined. */
  strictBuiltinErrors?: boolean;
  limits?: EvalLimits;
  /** Filled in when evaluation ends (also when it fails): the steps it was charged. */
  metrics?: EvalMetrics;
  /** Monotonic clock in ms for the time limit (injected; defaults to performance.now). */
  clock?: () => number;
  print?: (message: string) => void;
  random?: () => number;
  /** Select rules through the rule index (rule-index.ts; default true). False evaluates every rule, for comparison. */
  ruleIndex?: boolean;
}

export interface EvalMetrics {
  /** Evaluation steps charged: expressions, iterations, calls and the size of builtin work (cost.ts). */
  steps: number;
}

/** Steps between two readings of the clock. */
const CLOCK_EVERY = 1024;

export const DEFAULT_LIMITS = {
  /** Enough for any sane authorization policy; a runaway cross product hits it in ~100 ms. */
  maxSteps: 1_000_000,
  /** A decision that takes a second is broken; fail closed instead of hanging the caller. */
  timeoutMs: 1000,
} as const;

interface Mock {
  value?: Value;
  builtin?: BuiltinDef | null;
  func?: RuleNode | null;
}

class Ctx {
  readonly cache = new Map<number, Value | null>();
  readonly inProgress = new Set<number>();
  /** First keys that dynamic ref-head rules produced, in rule order (OPA's result order). */
  dynOrder: Map<number, Value[]> | null = null;
  constructor(
    readonly input: Value | undefined,
    readonly data: RObject,
    readonly overrides: { path: string[]; value: Value }[] | null,
    readonly mocks: Map<string, Mock> | null,
  ) {}
}

/** User function nesting allowed at run time (OPA rejects recursion; this bounds what slips through). */
const MAX_CALL_DEPTH = 200;

const TRUE_TERM: CTerm = { t: 'const', v: true };
/** The frame for terms with no variables (the index's refs). */
const NO_FRAME: Frame = [];

export class Evaluator {
  ctx: Ctx;
  /** Steps charged so far (read into EvalOptions.metrics by the caller). */
  steps = 0;
  /** Step count at which the limits are checked next: the hot path compares one number. */
  private nextCheck: number;
  private readonly maxSteps: number;
  private readonly deadline: number;
  private readonly clock: () => number;
  private readonly strict: boolean;
  private callDepth = 0;
  private readonly indexing: boolean;
  private readonly bctx: BuiltinContext & { name: string };

  constructor(
    private readonly tree: RuleTree,
    opts: EvalOptions,
    /** syntax of the policy (rego.parse_module parses in it) */
    regoVersion: 'v0' | 'v1' = 'v1',
  ) {
    this.ctx = new Ctx(opts.input, opts.data ?? new RObject(), null, null);
    this.maxSteps = opts.limits?.maxSteps ?? DEFAULT_LIMITS.maxSteps;
    this.clock = opts.clock ?? (() => performance.now());
    this.deadline = this.clock() + (opts.limits?.timeoutMs ?? DEFAULT_LIMITS.timeoutMs);
    this.nextCheck = Math.min(CLOCK_EVERY, this.maxSteps + 1);
    this.strict = opts.strictBuiltinErrors ?? false;
    this.indexing = opts.ruleIndex ?? true;
    const print = opts.print ?? (() => undefined);
    const random = opts.random ?? Math.random;
    const self = this;
    this.bctx = {
      nowNs: opts.nowNs ?? 0n,
      cache: new Map(),
      strict: this.strict,
      name: '',
      callFunction(name: string, args: Value[]): Value | undefined {
        return self.callByName(name, args);
      },
      print,
      random,
      regoVersion,
      charge(steps: number): void {
        self.charge(steps);
      },
    };
  }

  private step(): void {
    if (++this.steps >= this.nextCheck) this.checkLimits();
  }

  /** Charge several steps at once (the size of a builtin's work); checks the limits when due. */
  charge(n: number): void {
    this.steps += n;
    if (this.steps >= this.nextCheck) this.checkLimits();
  }

  private readonly chargeFn = (n: number): void => this.charge(n);

  private checkLimits(): void {
    if (this.steps > this.maxSteps) throw new RegoError(REGO_ERROR_CODES.evalCancel, `evaluation exceeded the step limit (${this.maxSteps})`);
    if (this.clock() > this.deadline) throw new RegoError(REGO_ERROR_CODES.evalCancel, 'evaluation exceeded the time limit');
    this.nextCheck = Math.min(this.steps + CLOCK_EVERY, this.maxSteps + 1);
  }

  // ---- bodies and expressions --------------------------------------------------------------
  evalBody(body: CExpr[], i: number, f: Frame, k: K): boolean {
    if (i === body.length) return k();
    return this.evalExpr(body[i]!, f, () => this.evalBody(body, i + 1, f, k));
  }

  evalExpr(e: CExpr, f: Frame, k: K): boolean {
    this.step();
    if (e.with.length > 0) return this.evalWith(e, f, k);
    const x = e.e;
    switch (x.k) {
      case 'term':
        return this.evalTerm(x.term, f, (v) => (v !== false ? k() : false));
      case 'unify':
        return this.unify(x.a, x.b, f, k);
      case 'nop':
        return k();
      case 'not': {
        const found = this.evalBody(x.body, 0, f, () => true);
        return found ? false : k();
      }
      case 'somein':
        return this.evalTerm(x.domain, f, (coll) =>
          this.eachEntry(coll, (key, val) =>
            this.unifyValue(x.value, val, f, () => (x.key ? this.unifyValue(x.key, key, f, k) : k())),
          ),
        );
      case 'every':
        return this.evalTerm(x.domain, f, (coll) => {
          if (!isCollection(coll)) return false;
          let all = true;
          this.eachEntry(coll, (key, val) => {
            const ok = this.unifyValue(x.value, val, f, () =>
              x.key ? this.unifyValue(x.key, key, f, () => this.evalBody(x.body, 0, f, () => true)) : this.evalBody(x.body, 0, f, () => true),
            );
            if (!ok) all = false;
            return !ok;
          });
          return all ? k() : false;
        });
    }
  }

  private evalWith(e: CExpr, f: Frame, k: K): boolean {
    const plain: CExpr = { e: e.e, with: [], loc: e.loc };
    return this.withValues(e.with, 0, [], f, (vals) => {
      const outer = this.ctx;
      let input = outer.input;
      let overrides = outer.overrides;
      let mocks = outer.mocks;
      e.with.forEach((w: CWith, i) => {
        const v = vals[i]!;
        if (w.kind === 'input') input = w.path.length === 0 ? v : setPath(input ?? new RObject(), w.path, 0, v);
        else if (w.kind === 'data') overrides = [...(overrides ?? []).filter((o) => !isPrefix(w.path, o.path)), { path: w.path, value: v }];
        else {
          mocks = new Map(mocks ?? []);
          const mv = w.value;
          if (mv.t === 'call' && mv.args.length === 0 && (mv.func || mv.builtin) && v === MOCK_FN) {
            mocks.set(w.name, { builtin: mv.builtin, func: mv.func });
          } else mocks.set(w.name, { value: v });
        }
      });
      const inner = new Ctx(input, outer.data, overrides, mocks);
      this.ctx = inner;
      try {
        return this.evalExpr(plain, f, () => {
          this.ctx = outer;
          try {
            return k();
          } finally {
            this.ctx = inner;
          }
        });
      } finally {
        this.ctx = outer;
      }
    });
  }

  private withValues(ws: CWith[], i: number, acc: Value[], f: Frame, k: (vals: Value[]) => boolean): boolean {
    if (i === ws.length) return k(acc);
    const w = ws[i]!;
    if (w.kind === 'func' && w.value.t === 'call' && w.value.args.length === 0 && (w.value.func || w.value.builtin)) {
      acc[i] = MOCK_FN;
      return this.withValues(ws, i + 1, acc, f, k);
    }
    return this.evalTerm(w.value, f, (v) => {
      acc[i] = v;
      return this.withValues(ws, i + 1, acc, f, k);
    });
  }

  // ---- terms ---------------------------------------------------------------------------------
  evalTerm(t: CTerm, f: Frame, k: KV): boolean {
    switch (t.t) {
      case 'const':
        return k(t.v);
      case 'local': {
        const v = f[t.slot];
        if (v === undefined) throw new RegoError(REGO_ERROR_CODES.unsafeVar, `var ${t.name} is unsafe`);
        return k(v);
      }
      case 'input':
        return this.ctx.input === undefined ? false : k(this.ctx.input);
      case 'data':
        return this.evalData(this.tree.root, [], 0, f, k);
      case 'ref':
        return this.evalRef(t, f, k);
      case 'array':
        return this.evalItems(t.items, 0, [], f, (items) => k(items.slice()));
      case 'set':
        return this.evalItems(t.items, 0, [], f, (items) => k(new RSet(items)));
      case 'object':
        return this.evalPairs(t.items, 0, new RObject(), f, k);
      case 'call':
        return this.evalCall(t, f, k);
      case 'compr':
        return this.evalCompr(t, f, k);
      case 'template':
        return this.evalTemplate(t, f, k);
    }
  }

  private evalItems(items: CTerm[], i: number, acc: Value[], f: Frame, k: (items: Value[]) => boolean): boolean {
    if (i === items.length) return k(acc);
    return this.evalTerm(items[i]!, f, (v) => {
      acc[i] = v;
      return this.evalItems(items, i + 1, acc, f, k);
    });
  }

  private evalPairs(items: [CTerm, CTerm][], i: number, acc: RObject, f: Frame, k: KV): boolean {
    if (i === items.length) {
      const o = new RObject();
      for (const [key, v] of acc.unorderedEntries()) o.set(key, v);
      return k(o);
    }
    const [kt, vt] = items[i]!;
    return this.evalTerm(kt, f, (key) =>
      this.evalTerm(vt, f, (v) => {
        const prev = acc.get(key);
        if (prev !== undefined && !equals(prev, v)) {
          throw new RegoError(REGO_ERROR_CODES.evalConflict, 'object keys must be unique');
        }
        acc.set(key, v);
        const r = this.evalPairs(items, i + 1, acc, f, k);
        if (prev === undefined) acc.delete(key);
        return r;
      }),
    );
  }

  private evalCompr(t: Extract<CTerm, { t: 'compr' }>, f: Frame, k: KV): boolean {
    this.step();
    if (t.kind === 'array') {
      const out: Value[] = [];
      this.evalBody(t.body, 0, f, () => this.evalTerm(t.head, f, (v) => (out.push(v), false)));
      return k(out);
    }
    if (t.kind === 'set') {
      const out = new RSet();
      this.evalBody(t.body, 0, f, () => this.evalTerm(t.head, f, (v) => (out.add(v), false)));
      return k(out);
    }
    const out = new RObject();
    this.evalBody(t.body, 0, f, () =>
      this.evalTerm(t.head, f, (key) =>
        this.evalTerm(t.value!, f, (v) => {
          const prev = out.get(key);
          if (prev !== undefined && !equals(prev, v)) throw new RegoError(REGO_ERROR_CODES.evalConflict, 'object keys must be unique');
          out.set(key, v);
          return false;
        }),
      ),
    );
    return k(out);
  }

  private evalTemplate(t: Extract<CTerm, { t: 'template' }>, f: Frame, k: KV): boolean {
    const parts: string[] = [];
    for (let i = 0; i < t.parts.length; i++) {
      const p = t.parts[i]!;
      if (typeof p === 'string') {
        parts.push(p);
        continue;
      }
      let vals: Value[] = [];
      if (t.spread?.includes(i)) this.evalTerm(p, f, (v) => ((vals = [...(v as RSet).values()]), true));
      else this.evalTerm(p, f, (v) => (vals.some((x) => equals(x, v)) || vals.push(v), false));
      if (vals.length > 1) throw new RegoError(REGO_ERROR_CODES.evalConflict, 'template expression produced multiple outputs', t.loc);
      parts.push(vals.length === 0 ? '<undefined>' : templateText(vals[0]!));
    }
    return k(parts.join(''));
  }

  // ---- calls -----------------------------------------------------------------------------
  private evalCall(t: Extract<CTerm, { t: 'call' }>, f: Frame, k: KV): boolean {
    if (t.name === 'print') return this.evalPrint(t, f, k);
    const mock = this.ctx.mocks?.get(t.name);
    if (mock && mock.value !== undefined) {
      return this.evalItems(t.args, 0, [], f, () => k(mock.value!));
    }
    return this.evalArgs(t.args, f, (args) => {
      const out = mock ? this.callMock(mock, t.name, args.slice(), t.loc) : this.callTarget(t.func, t.builtin, t.name, args.slice(), t.loc);
      if (out === undefined) return false;
      if (out instanceof Relation) {
        for (const v of out.values) if (k(v)) return true;
        return false;
      }
      return k(out);
    });
  }

  /** Call arguments; plain variables last, so refs that bind them (`x == xs[x]`) run first. */
  private evalArgs(args: CTerm[], f: Frame, k: (vals: Value[]) => boolean): boolean {
    let late = false;
    for (const a of args) if (a.t === 'local' && f[a.slot] === undefined) late = true;
    if (!late) return this.evalItems(args, 0, [], f, k);
    const order = args.map((_, i) => i).sort((x, y) => Number(args[x]!.t === 'local') - Number(args[y]!.t === 'local'));
    const acc: Value[] = new Array(args.length);
    const step = (j: number): boolean => {
      if (j === order.length) return k(acc);
      const idx = order[j]!;
      return this.evalTerm(args[idx]!, f, (v) => {
        acc[idx] = v;
        return step(j + 1);
      });
    };
    return step(0);
  }

  private evalPrint(t: Extract<CTerm, { t: 'call' }>, f: Frame, k: KV): boolean {
    const parts: string[] = [];
    for (const a of t.args) {
      const vals: Value[] = [];
      try {
        this.evalTerm(a, f, (v) => (vals.push(v), false));
      } catch (e) {
        if (!(e instanceof RegoError) || e.code !== REGO_ERROR_CODES.unsafeVar) throw e;
      }
      parts.push(vals.length === 0 ? '<undefined>' : vals.map((v) => (typeof v === 'string' ? v : toJSON(v))).join(' '));
    }
    this.bctx.print(parts.join(' '));
    return k(true);
  }

  /** Call the replacement of a mocked function; inside it, the mocked name means the original. */
  private callMock(mock: Mock, name: string, args: Value[], loc: Loc): Value | Relation | undefined {
    // OPA runs a replacement function with no mocks in effect (it sees the real functions)
    void name;
    const outer = this.ctx;
    this.ctx = new Ctx(outer.input, outer.data, outer.overrides, null);
    try {
      return this.callTarget(mock.func ?? null, mock.builtin ?? null, name, args, loc);
    } finally {
      this.ctx = outer;
    }
  }

  private callByName(name: string, args: Value[]): Value | undefined {
    const mock = this.ctx.mocks?.get(name);
    if (mock) {
      if (mock.value !== undefined) return mock.value;
      const r = this.callTarget(mock.func ?? null, mock.builtin ?? null, name, args, undefined);
      return r instanceof Relation ? r.values[0] : r;
    }
    if (name.startsWith('data.')) {
      const node = this.tree.node(name.slice(5).split('.'), false);
      if (node?.isFunc) return this.callUser(node, args, undefined);
      return undefined;
    }
    const r = this.callTarget(null, lookupBuiltinLazy(name), name, args, undefined);
    return r instanceof Relation ? r.values[0] : r;
  }

  private callTarget(func: RuleNode | null, builtin: BuiltinDef | null, name: string, args: Value[], loc: Loc | undefined): Value | Relation | undefined {
    if (func) return this.callUser(func, args, loc);
    if (builtin) return this.callBuiltin(builtin, name, args, loc);
    throw new RegoError(REGO_ERROR_CODES.type, `undefined function ${name}`, loc);
  }

  private callBuiltin(def: BuiltinDef, name: string, args: Value[], loc: Loc | undefined): Value | Relation | undefined {
    this.step();
    const prevName = this.bctx.name;
    this.bctx.name = def.name;
    try {
      if (!def.variadic && args.length !== def.args.length) {
        throw new RegoError(REGO_ERROR_CODES.type, `${def.name}: arity mismatch: expected ${def.args.length} arguments, got ${args.length}`, loc);
      }
      checkArgs(def, args);
      this.chargeArgs(def, args);
      const r = def.impl(args, this.bctx);
      if (def.relation) {
        if (r === undefined) return undefined;
        this.charge((r as Value[]).length);
        return new Relation(r as Value[]);
      }
      const size = shallowSize(r as Value | undefined);
      if (size > 0) this.charge(size);
      return r as Value | undefined;
    } catch (e) {
      if (e instanceof RegoError) throw e;
      if (e instanceof RangeError && /call stack/.test(e.message)) throw e;
      const code = e instanceof BuiltinTypeError ? REGO_ERROR_CODES.evalType : REGO_ERROR_CODES.evalBuiltin;
      if (this.strict || isHalt(e)) {
        throw new RegoError(code, `${def.name}: ${(e as Error).message}`, loc);
      }
      return undefined;
    } finally {
      this.bctx.name = prevName;
    }
  }

  /** Charge a builtin call for what it walks and builds before it runs (cost.ts). */
  private chargeArgs(def: BuiltinDef, args: Value[]): void {
    if (def.walks) {
      for (const a of args) chargeDeep(a, this.chargeFn);
      return;
    }
    let n = def.cost ? def.cost(args) : 0;
    for (const a of args) n += shallowSize(a);
    if (n > 0) this.charge(n);
  }

  callUser(node: RuleNode, args: Value[], loc: Loc | undefined): Value | undefined {
    this.step();
    if (++this.callDepth > MAX_CALL_DEPTH) {
      this.callDepth = 0;
      throw new RegoError(REGO_ERROR_CODES.recursion, `function data.${node.path.join('.')} recurses too deeply`, loc);
    }
    try {
      let result: Value | undefined;
      for (const r of this.candidates(node.funcs, node.indexes?.funcs, args)) {
        const frame: Frame = new Array(r.nslots);
        this.unifyArgs(r.args, args, 0, frame, () =>
          this.ruleValues(r, frame, (v) => {
            if (result === undefined) result = v;
            else if (!equals(result, v)) {
              throw new RegoError(REGO_ERROR_CODES.evalConflict, 'functions must not produce multiple outputs for same inputs', r.loc);
            }
            return false;
          }),
        );
      }
      if (result === undefined && node.funcDefault) {
        const d = node.funcDefault;
        const frame: Frame = new Array(d.nslots);
        this.evalTerm(d.value ?? TRUE_TERM, frame, (v) => ((result = v), true));
      }
      return result;
    } finally {
      this.callDepth--;
    }
  }

  private unifyArgs(pats: CTerm[], args: Value[], i: number, f: Frame, k: K): boolean {
    if (i === pats.length) return k();
    return this.unifyValue(pats[i]!, args[i]!, f, () => this.unifyArgs(pats, args, i + 1, f, k));
  }

  /**
   * The rules of a list that may succeed now: those the index selects for the current values
   * (in their order), or all of them without an index. Not under a function mock: a mocked
   * `equal` must see every comparison the bodies make.
   */
  private candidates(rules: CRule[], index: RuleIndex | null | undefined, args?: Value[]): CRule[] {
    if (!index || !this.indexing || this.ctx.mocks?.has('equal')) return rules;
    const selected = selectRules(index, (i) => {
      const source = index.sources[i]!;
      if (source.kind === 'arg') return args?.[source.position];
      let value: Value | undefined;
      this.evalTerm(source.term, NO_FRAME, (v) => ((value = v), true));
      return value;
    });
    return selected.map((i) => rules[i]!);
  }

  /** Values of a rule head over all solutions of its body, falling through `else` branches. */
  private ruleValues(r: CRule, f: Frame, emit: KV): boolean {
    let found = false;
    const stop = this.evalBody(r.body, 0, f, () => {
      found = true;
      return this.evalTerm(r.value ?? TRUE_TERM, f, emit);
    });
    if (found || stop) return stop;
    for (const e of r.elses) {
      let got = false;
      const s = this.evalBody(e.body, 0, f, () => {
        got = true;
        return this.evalTerm(e.value ?? TRUE_TERM, f, emit);
      });
      if (got || s) return s;
    }
    return false;
  }

  // ---- unification -------------------------------------------------------------------------
  unify(a: CTerm, b: CTerm, f: Frame, k: K): boolean {
    if (a.t === 'local' && f[a.slot] === undefined) return this.bindTo(a.slot, b, f, k);
    if (b.t === 'local' && f[b.slot] === undefined) return this.bindTo(b.slot, a, f, k);
    if (a.t === 'array' && b.t === 'array' && (isPattern(a, f) || isPattern(b, f))) {
      if (a.items.length !== b.items.length) return false;
      return this.unifyPairs(a.items, b.items, 0, f, k);
    }
    if (a.t === 'object' && b.t === 'object' && (isPattern(a, f) || isPattern(b, f))) return this.unifyObjects(a.items, b.items, f, k);
    if (isPattern(a, f)) return this.evalTerm(b, f, (v) => this.unifyValue(a, v, f, k));
    if (isPattern(b, f)) return this.evalTerm(a, f, (v) => this.unifyValue(b, v, f, k));
    return this.evalTerm(a, f, (va) => this.evalTerm(b, f, (vb) => (equals(va, vb) ? k() : false)));
  }

  private unifyObjects(as: [CTerm, CTerm][], bs: [CTerm, CTerm][], f: Frame, k: K): boolean {
    if (as.length !== bs.length) return false;
    // keys are ground: evaluate them, pair the values by key, then unify the values pairwise
    return this.evalItems(as.map(([x]) => x), 0, [], f, (akeys) => {
      const ak = akeys.slice();
      return this.evalItems(bs.map(([x]) => x), 0, [], f, (bkeys) => {
        const left: CTerm[] = [];
        const right: CTerm[] = [];
        for (let i = 0; i < ak.length; i++) {
          const j = bkeys.findIndex((b) => equals(b, ak[i]!));
          if (j < 0) return false;
          left.push(as[i]![1]);
          right.push(bs[j]![1]);
        }
        return this.unifyPairs(left, right, 0, f, k);
      });
    });
  }

  private unifyPairs(as: CTerm[], bs: CTerm[], i: number, f: Frame, k: K): boolean {
    if (i === as.length) return k();
    return this.unify(as[i]!, bs[i]!, f, () => this.unifyPairs(as, bs, i + 1, f, k));
  }

  private bindTo(slot: number, t: CTerm, f: Frame, k: K): boolean {
    if (t.t === 'local' && f[t.slot] === undefined) {
      throw new RegoError(REGO_ERROR_CODES.unsafeVar, `var ${t.name} is unsafe`);
    }
    return this.evalTerm(t, f, (v) => {
      const cur = f[slot];
      if (cur !== undefined) return equals(cur, v) ? k() : false;
      f[slot] = v;
      try {
        return k();
      } finally {
        f[slot] = undefined;
      }
    });
  }

  unifyValue(t: CTerm, v: Value, f: Frame, k: K): boolean {
    switch (t.t) {
      case 'local': {
        const cur = f[t.slot];
        if (cur !== undefined) return equals(cur, v) ? k() : false;
        f[t.slot] = v;
        try {
          return k();
        } finally {
          f[t.slot] = undefined;
        }
      }
      case 'const':
        return equals(t.v, v) ? k() : false;
      case 'array':
        if (!Array.isArray(v) || v.length !== t.items.length) return false;
        return this.unifyArrayValues(t.items, v, 0, f, k);
      case 'object':
        if (!(v instanceof RObject) || v.size !== t.items.length) return false;
        return this.unifyObjectValues(t.items, 0, v, f, k);
      default:
        return this.evalTerm(t, f, (tv) => (equals(tv, v) ? k() : false));
    }
  }

  private unifyArrayValues(items: CTerm[], v: Value[], i: number, f: Frame, k: K): boolean {
    if (i === items.length) return k();
    return this.unifyValue(items[i]!, v[i]!, f, () => this.unifyArrayValues(items, v, i + 1, f, k));
  }

  private unifyObjectValues(items: [CTerm, CTerm][], i: number, v: RObject, f: Frame, k: K): boolean {
    if (i === items.length) return k();
    const [kt, vt] = items[i]!;
    return this.evalTerm(kt, f, (key) => {
      const child = v.get(key);
      if (child === undefined) return false;
      return this.unifyValue(vt, child, f, () => this.unifyObjectValues(items, i + 1, v, f, k));
    });
  }

  // ---- references --------------------------------------------------------------------------
  private evalRef(t: Extract<CTerm, { t: 'ref' }>, f: Frame, k: KV): boolean {
    const head = t.head;
    if (head.t === 'data') return this.evalData(this.tree.root, t.path, 0, f, k);
    if (head.t === 'input') {
      const input = this.ctx.input;
      return input === undefined ? false : this.walk(input, t.path, 0, f, k);
    }
    return this.evalTerm(head, f, (v) => this.walk(v, t.path, 0, f, k));
  }

  /** Index into a value along `path` from `i`, iterating over unbound variables. */
  walk(v: Value, path: CTerm[], i: number, f: Frame, k: KV, base = false): boolean {
    for (; i < path.length; i++) {
      const p = path[i]!;
      let key: Value | undefined;
      if (p.t === 'const') key = p.v;
      else if (p.t === 'local') {
        key = f[p.slot];
        if (key === undefined) return this.iterate(v, p.slot, path, i, f, k);
      } else if (isPattern(p, f)) {
        return this.eachEntry(v, (key2, child) => this.unifyValue(p, key2, f, () => this.walk(child, path, i + 1, f, k)));
      } else {
        const at = i;
        return this.evalTerm(p, f, (key2) => {
          const child = lookup(v, key2);
          return child === undefined ? false : this.walk(child, path, at + 1, f, k);
        });
      }
      const child = base ? lookupBase(v, key) : lookup(v, key);
      if (child === undefined) return false;
      v = child;
    }
    return k(v);
  }

  private iterate(v: Value, slot: number, path: CTerm[], i: number, f: Frame, k: KV): boolean {
    return this.eachEntry(v, (key, child) => {
      f[slot] = key;
      try {
        return this.walk(child, path, i + 1, f, k);
      } finally {
        f[slot] = undefined;
      }
    });
  }

  /** Calls fn(key, value) for each entry of a collection in OPA's order; stops when fn returns true. */
  eachEntry(v: Value, fn: (key: Value, val: Value) => boolean): boolean {
    if (Array.isArray(v)) {
      for (let j = 0; j < v.length; j++) {
        this.step();
        if (fn(j, v[j]!)) return true;
      }
      return false;
    }
    if (v instanceof RObject) {
      for (const key of v.keys()) {
        this.step();
        if (fn(key, v.get(key)!)) return true;
      }
      return false;
    }
    if (v instanceof RSet) {
      for (const m of v.values()) {
        this.step();
        if (fn(m, m)) return true;
      }
    }
    return false;
  }

  /** Navigate the rule tree (virtual documents) merged with base data. */
  private evalData(node: RuleNode, path: CTerm[], i: number, f: Frame, k: KV): boolean {
    for (;;) {
      const ov = this.ctx.overrides ? overrideAt(this.ctx.overrides, node.path) : undefined;
      if (ov !== undefined) return this.walk(ov, path, i, f, k);
      if (node.arity > 0) return false;
      if (node.hasOwnRules || node.arity === 0 || node.dyn.length > 0 || i === path.length) {
        const v = this.materialize(node);
        if (v === undefined) return false;
        const p = path[i];
        if (node.dyn.length > 0 && p?.t === 'local' && f[p.slot] === undefined && v instanceof RObject) {
          return this.iterateDyn(node, v, p.slot, path, i, f, k);
        }
        return this.walk(v, path, i, f, k);
      }
      const p = path[i]!;
      let key: Value | undefined;
      if (p.t === 'const') key = p.v;
      else if (p.t === 'local') key = f[p.slot];
      else if (!isPattern(p, f)) {
        const at = i;
        const n = node;
        return this.evalTerm(p, f, (key2) => this.dataStep(n, key2, path, at, f, k));
      }
      if (key === undefined) {
        const v = this.materialize(node);
        return v === undefined ? false : this.walk(v, path, i, f, k);
      }
      if (typeof key !== 'string') return this.dataStep(node, key, path, i, f, k);
      const child = node.children.get(key);
      if (!child) return this.dataStep(node, key, path, i, f, k);
      node = child;
      i++;
    }
  }

  /** Iterate a node built by dynamic ref-head rules in rule order, then its other keys. */
  private iterateDyn(node: RuleNode, v: RObject, slot: number, path: CTerm[], i: number, f: Frame, k: KV): boolean {
    const first = this.ctx.dynOrder?.get(node.id) ?? [];
    const firstSet = new RSet(first);
    const rest = v.keys().filter((key) => !firstSet.has(key));
    for (const key of [...first, ...rest]) {
      this.step();
      const child = v.get(key);
      if (child === undefined) continue;
      f[slot] = key;
      try {
        if (this.walk(child, path, i + 1, f, k)) return true;
      } finally {
        f[slot] = undefined;
      }
    }
    return false;
  }

  private dataStep(node: RuleNode, key: Value, path: CTerm[], i: number, f: Frame, k: KV): boolean {
    // base documents are stored under string keys (OPA's storage paths): data[2] reads data["2"]
    const name = typeof key === 'string' ? key : typeof key === 'number' ? String(key) : null;
    if (name === null) return false;
    const child = node.children.get(name);
    if (child) return this.evalData(child, path, i + 1, f, k);
    const base = this.baseAt([...node.path, name]);
    return base === undefined ? false : this.walk(base, path, i + 1, f, k, true);
  }

  /** Base document at a path, with `with data...` replacements applied. */
  private baseAt(path: readonly string[]): Value | undefined {
    const ovs = this.ctx.overrides;
    if (ovs) {
      for (const o of ovs) {
        if (isPrefix(o.path, path)) {
          let v: Value | undefined = o.value;
          for (const p of path.slice(o.path.length)) if ((v = lookup(v, p)) === undefined) return undefined;
          return v;
        }
      }
    }
    let v: Value | undefined = this.ctx.data;
    for (const p of path) {
      v = lookup(v, p);
      if (v === undefined) break;
    }
    if (ovs && ovs.some((o) => o.path.length > path.length && isPrefix(path, o.path))) {
      v = applyOverrides(v ?? new RObject(), path, ovs);
    }
    return v;
  }

  /** The full value of a node: a rule's value, or an object of everything under it. */
  materialize(node: RuleNode): Value | undefined {
    const cached = this.ctx.cache.get(node.id);
    if (cached !== undefined) return cached === null ? undefined : cached;
    if (this.ctx.inProgress.has(node.id)) {
      throw new RegoError(REGO_ERROR_CODES.recursion, `rule data.${node.path.join('.')} is recursive`);
    }
    this.ctx.inProgress.add(node.id);
    let v: Value | undefined;
    try {
      v = this.computeNode(node);
    } finally {
      this.ctx.inProgress.delete(node.id);
    }
    if (v !== undefined && this.ctx.overrides) v = applyOverrides(v, node.path, this.ctx.overrides);
    this.ctx.cache.set(node.id, v === undefined ? null : v);
    return v;
  }

  private computeNode(node: RuleNode): Value | undefined {
    // a zero-argument function (v0 `f() = 1`) is also a document
    if (node.arity === 0) return this.callUser(node, [], undefined);
    if (node.isFunc) return undefined;
    if (node.complete.length > 0 || node.defaultRule) return this.evalComplete(node);
    if (node.sets.length > 0) {
      const s = new RSet();
      for (const r of this.candidates(node.sets, node.indexes?.sets)) {
        const frame: Frame = new Array(r.nslots);
        this.evalBody(r.body, 0, frame, () => this.evalTerm(r.key!, frame, (v) => (s.add(v), false)));
      }
      return s;
    }
    const base = this.baseAt(node.path);
    if (!node.hasRules && !node.hasPackage) return base;
    const obj = new RObject();
    for (const [name, child] of node.children) {
      if (!child.hasRules && !child.hasPackage) continue;
      const v = this.materialize(child);
      if (v !== undefined) obj.set(name, v);
    }
    // where a base document and a rule share a path, OPA answers with the base document
    if (base instanceof RObject) for (const [key, v] of base.unorderedEntries()) obj.set(key, mergeBase(obj.get(key), v));
    const order: Value[] = [];
    const seen = new RSet();
    for (const r of this.candidates(node.dyn, node.indexes?.dyn)) {
      const frame: Frame = new Array(r.nslots);
      this.evalBody(r.body, 0, frame, () =>
        this.evalItems(r.suffix, 0, [], frame, (keys) =>
          this.evalTerm(r.leafSet ? r.key! : (r.value ?? TRUE_TERM), frame, (v) => {
            if (!seen.has(keys[0]!)) (seen.add(keys[0]!), order.push(keys[0]!));
            insertPath(obj, keys, v, r.leafSet);
            return false;
          }),
        ),
      );
    }
    if (order.length > 1) (this.ctx.dynOrder ??= new Map()).set(node.id, order);
    return obj;
  }

  private evalComplete(node: RuleNode): Value | undefined {
    let result: Value | undefined;
    for (const r of this.candidates(node.complete, node.indexes?.complete)) {
      const frame: Frame = new Array(r.nslots);
      this.ruleValues(r, frame, (v) => {
        if (result === undefined) result = v;
        else if (!equals(result, v)) {
          throw new RegoError(REGO_ERROR_CODES.evalConflict, 'complete rules must not produce multiple outputs', r.loc);
        }
        return false;
      });
    }
    if (result === undefined && node.defaultRule) {
      const d = node.defaultRule;
      this.evalTerm(d.value ?? TRUE_TERM, new Array(d.nslots), (v) => ((result = v), true));
    }
    return result;
  }
}

/** Marker for `with f as g` where g is a function (resolved, not evaluated). */
const MOCK_FN: Value = new RSet();

class Relation {
  constructor(readonly values: Value[]) {}
}

function isHalt(_e: unknown): boolean {
  return false;
}

let lookupBuiltinLazy: (name: string) => BuiltinDef | null = () => null;
export function setBuiltinLookup(fn: (name: string) => BuiltinDef | undefined): void {
  lookupBuiltinLazy = (name) => fn(name) ?? null;
}

function isCollection(v: Value): boolean {
  return Array.isArray(v) || v instanceof RObject || v instanceof RSet;
}

function isPattern(t: CTerm, f: Frame): boolean {
  switch (t.t) {
    case 'local':
      return f[t.slot] === undefined;
    case 'array':
      return t.items.some((x) => isPattern(x, f));
    case 'object':
      return t.items.some(([, v]) => isPattern(v, f));
    default:
      return false;
  }
}

export function lookup(v: Value | undefined, key: Value): Value | undefined {
  if (v instanceof RObject) return v.get(key);
  if (Array.isArray(v)) {
    if (typeof key === 'number' && Number.isInteger(key) && key >= 0 && key < v.length) return v[key];
    return undefined;
  }
  if (v instanceof RSet) return v.has(key) ? key : undefined;
  return undefined;
}

/** Base documents are JSON: OPA reads `data.x[2]` from the storage path x/"2". */
function lookupBase(v: Value | undefined, key: Value): Value | undefined {
  const child = lookup(v, key);
  if (child === undefined && typeof key === 'number' && v instanceof RObject) return v.get(String(key));
  return child;
}

function setPath(v: Value, path: Value[], i: number, leaf: Value): Value {
  if (i === path.length) return leaf;
  const o = new RObject();
  if (v instanceof RObject) for (const [key, x] of v.unorderedEntries()) o.set(key, x);
  const child = v instanceof RObject ? v.get(path[i]!) : undefined;
  o.set(path[i]!, setPath(child ?? new RObject(), path, i + 1, leaf));
  return o;
}

function isPrefix(prefix: readonly string[], path: readonly string[]): boolean {
  if (prefix.length > path.length) return false;
  for (let i = 0; i < prefix.length; i++) if (prefix[i] !== path[i]) return false;
  return true;
}

function overrideAt(ovs: { path: string[]; value: Value }[], path: readonly string[]): Value | undefined {
  for (const o of ovs) if (o.path.length === path.length && isPrefix(o.path, path)) return o.value;
  return undefined;
}

function applyOverrides(v: Value, path: readonly string[], ovs: { path: string[]; value: Value }[]): Value {
  for (const o of ovs) {
    if (o.path.length > path.length && isPrefix(path, o.path)) v = setPath(v, o.path.slice(path.length), 0, o.value);
  }
  return v;
}

/** Base document over a virtual one: objects merge, otherwise the base value stands. */
function mergeBase(virtual: Value | undefined, base: Value): Value {
  if (!(virtual instanceof RObject) || !(base instanceof RObject)) return base;
  const out = new RObject();
  for (const [k, v] of virtual.unorderedEntries()) out.set(k, v);
  for (const [k, v] of base.unorderedEntries()) out.set(k, mergeBase(out.get(k), v));
  return out;
}

function insertPath(obj: RObject, keys: Value[], v: Value, leafSet: boolean): void {
  let cur = obj;
  for (let i = 0; i < keys.length - 1; i++) {
    const next = cur.get(keys[i]!);
    if (next === undefined) {
      const o = new RObject();
      cur.set(keys[i]!, o);
      cur = o;
    } else if (next instanceof RObject) cur = next;
    else throw new RegoError(REGO_ERROR_CODES.evalConflict, 'object keys must be unique');
  }
  const last = keys[keys.length - 1]!;
  if (leafSet) {
    let s = cur.get(last);
    if (s === undefined) {
      s = new RSet();
      cur.set(last, s);
    }
    if (!(s instanceof RSet)) throw new RegoError(REGO_ERROR_CODES.evalConflict, 'object keys must be unique');
    s.add(v);
    return;
  }
  const prev = cur.get(last);
  if (prev !== undefined && !equals(prev, v)) {
    if (prev instanceof RObject && v instanceof RObject) {
      for (const [key, x] of v.unorderedEntries()) insertPath(prev, [key], x, false);
      return;
    }
    throw new RegoError(REGO_ERROR_CODES.evalConflict, 'object keys must be unique');
  }
  cur.set(last, v);
}

function templateText(v: Value): string {
  return typeof v === 'string' ? v : regoText(v);
}
