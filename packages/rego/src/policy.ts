/**
 * Public API of the Rego engine: compile modules once into a PreparedPolicy, then evaluate
 * queries or document refs many times (OPA's PreparedEvalQuery; STYLE.md §7).
 *
 *   const policy = compileModules({ 'authz.rego': text });
 *   const allowed = policy.evaluate('data.mandate.authz.allow', { input, nowNs });
 *   const rows = policy.query('data.mandate.authz.deny[x]', { input });
 */
import './builtins/index.js';
import type { Module } from './ast.js';
import { lookupBuiltin } from './builtins/registry.js';
import { REGO_ERROR_CODES, RegoError } from './errors.js';
import { compileQuery, compileTree, type CompiledQuery, type RuleTree } from './compile.js';
import { Evaluator, setBuiltinLookup, type EvalOptions } from './eval.js';
import { parseModule, parseQuery, type RegoVersion } from './parser.js';
import { RObject, type Value } from './value.js';

setBuiltinLookup(lookupBuiltin);

export interface CompileOptions {
  /** Syntax of modules that do not `import rego.v1`. Default v1. */
  regoVersion?: RegoVersion;
}

export type QueryRow = Record<string, Value>;

export class PreparedPolicy {
  private readonly queries = new Map<string, CompiledQuery>();

  constructor(
    readonly tree: RuleTree,
    readonly modules: Module[],
    private readonly regoVersion: RegoVersion,
  ) {}

  /** Compile (once, cached) a query such as `data.x.allow = x` or `data.p[k]`. */
  prepareQuery(query: string): CompiledQuery {
    let q = this.queries.get(query);
    if (!q) {
      q = compileQuery(parseQuery(query, 'query', { regoVersion: this.regoVersion }), this.tree);
      this.queries.set(query, q);
    }
    return q;
  }

  /** All solutions of a query, each a map of its variables. */
  query(query: string | CompiledQuery, opts: EvalOptions = {}): QueryRow[] {
    return guardStack(REGO_ERROR_CODES.evalCancel, () => this.queryUnguarded(query, opts));
  }

  private queryUnguarded(query: string | CompiledQuery, opts: EvalOptions): QueryRow[] {
    const q = typeof query === 'string' ? guardStack(REGO_ERROR_CODES.parse, () => this.prepareQuery(query)) : query;
    const ev = new Evaluator(this.tree, opts, this.regoVersion);
    const frame: (Value | undefined)[] = new Array(q.nslots);
    const rows: QueryRow[] = [];
    try {
      ev.evalBody(q.body, 0, frame, () => {
        const row: QueryRow = {};
        for (const [name, slot] of q.vars) {
          const v = frame[slot];
          if (v !== undefined) row[name] = v;
        }
        rows.push(row);
        return false;
      });
    } finally {
      if (opts.metrics) opts.metrics.steps = ev.steps;
    }
    return rows;
  }

  /** The value of a document ref such as `data.mandate.authz.allow`, or undefined. */
  evaluate(ref: string, opts: EvalOptions = {}): Value | undefined {
    return guardStack(REGO_ERROR_CODES.evalCancel, () => this.evaluateUnguarded(ref, opts));
  }

  private evaluateUnguarded(ref: string, opts: EvalOptions): Value | undefined {
    const q = this.prepareQuery(`__result__ = ${ref}`);
    const slot = q.vars.find(([n]) => n === '__result__')?.[1];
    const ev = new Evaluator(this.tree, opts, this.regoVersion);
    const frame: (Value | undefined)[] = new Array(q.nslots);
    let out: Value | undefined;
    try {
      ev.evalBody(q.body, 0, frame, () => {
        out = frame[slot!];
        return true;
      });
    } finally {
      if (opts.metrics) opts.metrics.steps = ev.steps;
    }
    return out;
  }
}

/** Parse and compile modules (file name → text). Throws RegoError / RegoErrors. */
export function compileModules(files: Record<string, string>, opts: CompileOptions = {}): PreparedPolicy {
  return guardStack(REGO_ERROR_CODES.parse, () => compileUnguarded(files, opts));
}

/**
 * The parser and evaluator recurse; absurdly deep nesting would overflow the JS stack. Report
 * that as the engine's own error so callers only ever see RegoError / RegoErrors.
 */
function guardStack<T>(code: RegoError['code'], fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof RangeError && /call stack/i.test(e.message)) {
      throw new RegoError(code, 'nesting too deep: the policy or its evaluation exceeds the engine\'s recursion depth');
    }
    throw e;
  }
}

function compileUnguarded(files: Record<string, string>, opts: CompileOptions): PreparedPolicy {
  const version = opts.regoVersion ?? 'v1';
  const modules = Object.entries(files).map(([file, text]) => parseModule(text, file, { regoVersion: version }));
  const { tree } = compileTree(modules);
  return new PreparedPolicy(tree, modules, version);
}

export { RObject };
