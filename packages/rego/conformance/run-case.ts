/**
 * Runs one OPA conformance case and compares the outcome as OPA's own test runner does:
 * want_result (bindings converted to JSON, arrays sorted when sort_bindings), want_defined,
 * want_error_code (exact code) and want_error (substring of the message).
 */
import {
  compare,
  compileModules,
  equals,
  fromJSON,
  lookupBuiltin,
  parseJSON,
  RegoError,
  RegoErrors,
  RObject,
  toJSON,
  type QueryRow,
  type Value,
} from '../src/index.js';
import { NETWORK_BUILTINS } from './stages.js';

export interface ConformanceCase {
  id: string;
  folder: string;
  note: string;
  query: string;
  modules: string[] | null;
  data: unknown;
  input: unknown;
  input_term: string | null;
  want_result: unknown[] | null;
  want_defined: boolean | null;
  want_error: string | null;
  want_error_code: string | null;
  strict_error: boolean | null;
  sort_bindings: boolean | null;
  rego_version?: string | null;
  builtins?: string[] | null;
}

export type Outcome = { status: 'pass' } | { status: 'fail'; reason: string } | { status: 'skip'; reason: string };

/** Evaluation bounds per case: a runaway case fails instead of stalling the run. */
const CASE_LIMITS = { maxSteps: 2_000_000, timeoutMs: 3000 };

/** @param ruleIndex false evaluates every rule body (no rule index), to compare with the default. */
export function runCase(c: ConformanceCase, nowNs: bigint, ruleIndex = true): Outcome {
  const builtins = c.builtins ?? [];
  const net = builtins.find((b) => NETWORK_BUILTINS.has(b));
  if (net) return { status: 'skip', reason: `needs the network (${net})` };
  const missing = builtins.find((b) => !lookupBuiltin(b));
  if (missing) return { status: 'fail', reason: `builtin ${missing} not implemented` };
  const wantsError = c.want_error !== null || c.want_error_code !== null;
  let rows: QueryRow[];
  try {
    const files: Record<string, string> = {};
    (c.modules ?? []).forEach((m, i) => (files[`test-${i}.rego`] = m));
    const policy = compileModules(files, { regoVersion: c.rego_version === 'v0' ? 'v0' : 'v1' });
    const data = c.data == null ? new RObject() : fromJSON(c.data);
    let input: Value | undefined;
    if (c.input_term != null) input = compileModules({}).evaluate(c.input_term);
    else if (c.input !== null && c.input !== undefined) input = fromJSON(c.input);
    rows = policy.query(c.query, {
      input,
      data: data instanceof RObject ? data : new RObject(),
      nowNs,
      strictBuiltinErrors: c.strict_error === true,
      limits: CASE_LIMITS,
      ruleIndex,
    });
  } catch (e) {
    if (!wantsError) return { status: 'fail', reason: `unexpected error: ${oneLine(e)}` };
    return matchError(c, e);
  }
  if (wantsError) return { status: 'fail', reason: `expected error ${c.want_error_code ?? ''} ${c.want_error ?? ''}`.trim() + `, got ${rows.length} result(s)` };
  if (c.want_defined !== null) {
    const defined = rows.length > 0;
    return defined === c.want_defined ? { status: 'pass' } : { status: 'fail', reason: `expected defined=${c.want_defined}, got ${defined}` };
  }
  if (c.want_result === null) return { status: 'skip', reason: 'case has no expectation' };
  return compareRows(c, rows);
}

function matchError(c: ConformanceCase, e: unknown): Outcome {
  const code = e instanceof RegoError || e instanceof RegoErrors ? e.code : undefined;
  const message = e instanceof Error ? e.message : String(e);
  if (c.want_error_code && code !== c.want_error_code) {
    return { status: 'fail', reason: `expected ${c.want_error_code}, got ${code ?? 'exception'}: ${oneLine(e)}` };
  }
  if (c.want_error && !message.includes(c.want_error)) {
    return { status: 'fail', reason: `expected error containing ${JSON.stringify(c.want_error)}, got ${oneLine(e)}` };
  }
  return { status: 'pass' };
}

/** OPA's result JSON round trip: sets become sorted arrays, non-string keys strings. */
function asJSON(v: Value): Value {
  return parseJSON(toJSON(v));
}

function compareRows(c: ConformanceCase, rows: QueryRow[]): Outcome {
  const want = (c.want_result ?? []).map((r) => fromJSON(r));
  const got = rows.map((row) => {
    const o = new RObject();
    for (const [k, v] of Object.entries(row)) {
      let j = asJSON(v);
      if (c.sort_bindings && Array.isArray(j)) j = [...j].sort(compare);
      o.set(k, j);
    }
    return o as Value;
  });
  const wantNorm = want.map((w) => {
    if (!c.sort_bindings || !(w instanceof RObject)) return w;
    const o = new RObject();
    for (const [k, v] of w.unorderedEntries()) o.set(k, Array.isArray(v) ? [...v].sort(compare) : v);
    return o as Value;
  });
  if (c.sort_bindings) {
    got.sort(compare);
    wantNorm.sort(compare);
  }
  if (got.length !== wantNorm.length || got.some((g, i) => !equals(g, wantNorm[i]!))) {
    return { status: 'fail', reason: `want ${short(toJSON(wantNorm))}, got ${short(toJSON(got))}` };
  }
  return { status: 'pass' };
}

function short(s: string): string {
  return s.length > 160 ? s.slice(0, 157) + '...' : s;
}

function oneLine(e: unknown): string {
  const m = e instanceof Error ? `${e.name === 'RegoError' || e.name === 'RegoErrors' ? '' : e.name + ': '}${e.message}` : String(e);
  return short(m.replace(/\s+/g, ' '));
}
