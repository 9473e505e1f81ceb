import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileModules, type PreparedPolicy } from './policy.js';
import { RegoError, RegoErrors } from './errors.js';
import { fromJSON, RObject, toJSON } from './value.js';
import type { RuleNode } from './ir.js';

const NOW_NS = 1_767_225_600_000_000_000n;

/** The package's value, or the error's code and message: what a caller would see. */
function outcome(policy: PreparedPolicy, input: unknown, data: unknown, ruleIndex: boolean): unknown {
  try {
    const value = policy.evaluate('data.t', { input: fromJSON(input), data: fromJSON(data) as RObject, nowNs: NOW_NS, ruleIndex });
    return { value: value === undefined ? undefined : toJSON(value) };
  } catch (error) {
    if (error instanceof RegoError) return { error: error.code, message: error.message };
    throw error;
  }
}

// ---- generated rule sets ----------------------------------------------------------------------

const scalar = fc.constantFrom('"x"', '"y"', '"z"', '1', 'true', 'false', 'null');
const inputRef = fc.constantFrom('input.a', 'input.b', 'input.c', 'input.o.k', 'input.a.deeper');
const dataRef = fc.constantFrom('data.d.k', 'data.d.m', 'data.t.s');
const ref = fc.oneof(inputRef, inputRef, dataRef);

/** One body expression: mostly indexable equalities, some that are not (the index must ignore them). */
const condition = fc.oneof(
  fc.tuple(ref, scalar).map(([r, c]) => `${r} == ${c}`),
  fc.tuple(ref, scalar).map(([r, c]) => `${c} == ${r}`),
  fc.tuple(ref, scalar).map(([r, c]) => `${r} = ${c}`),
  fc.tuple(ref, scalar).map(([r, c]) => `${r} != ${c}`),
  fc.tuple(inputRef, scalar).map(([r, c]) => `not ${r} == ${c}`),
  fc.tuple(inputRef, scalar).map(([r, c]) => `${r} == ${c} with input.a as "x"`),
  inputRef.map((r) => `startswith(${r}, "x")`),
  fc.constant('input.n > 1'),
  fc.constant('count(input.l) == 1'),
);
const body = fc.array(condition, { minLength: 0, maxLength: 3 }).map((cs) => (cs.length === 0 ? '' : ` if { ${cs.join('; ')} }`));

const rule = fc.oneof(
  fc.tuple(fc.constantFrom('p', 'q'), scalar, body).map(([name, value, b]) => `${name} := ${value}${b}`),
  fc.tuple(scalar, body).map(([value, b]) => `s contains ${value}${b}`),
  fc.tuple(fc.constantFrom('"k1"', '"k2"'), scalar, body).map(([key, value, b]) => `o[${key}] := ${value}${b}`),
  fc.tuple(fc.constantFrom('"x"', '"y"', 'true', 'null', '1', 'v'), scalar, body).map(([arg, value, b]) => `f(${arg}) := ${value}${b}`),
  fc.tuple(scalar, body, body).map(([value, b, e]) => `q := ${value}${b || ' if { input.a == "y" }'} else := "else"${e}`),
);

const policyText = fc
  .array(rule, { minLength: 1, maxLength: 12 })
  .map((rules) => `package t\n\n${rules.join('\n')}\n\nfx := f(input.a)\nfy := f("y")\n`);

const field = fc.constantFrom('x', 'y', 'z', 1, true, false, null, { deeper: 'x' });
const generatedInput = fc.record(
  { a: field, b: field, c: field, o: fc.record({ k: field }, { requiredKeys: [] }), n: fc.integer({ min: 0, max: 3 }), l: fc.array(fc.constant(1), { maxLength: 2 }) },
  { requiredKeys: [] },
);
const generatedData = fc.record({ d: fc.record({ k: field, m: field }, { requiredKeys: [] }) }, { requiredKeys: [] });

/** Compiles, or null for a generated policy the compiler refuses (recursion, unsafe vars, conflicts). */
function compiled(text: string): PreparedPolicy | null {
  try {
    return compileModules({ 't.rego': text });
  } catch (error) {
    if (error instanceof RegoErrors || error instanceof RegoError) return null;
    throw error;
  }
}

describe('rule indexing', () => {
  it('gives the same value or error as evaluating every rule, over generated rule sets', () => {
    let compiledCount = 0;
    fc.assert(
      fc.property(policyText, fc.array(fc.tuple(generatedInput, generatedData), { minLength: 1, maxLength: 4 }), (text, cases) => {
        const policy = compiled(text);
        if (!policy) return;
        compiledCount += 1;
        for (const [input, data] of cases) expect(outcome(policy, input, data, true)).toEqual(outcome(policy, input, data, false));
      }),
      { numRuns: 400, seed: 11 },
    );
    // The property must not pass by compiling nothing.
    expect(compiledCount).toBeGreaterThan(200);
  });

  it('indexes equality tests on input and on base documents, and selects only the matching rules', () => {
    const rules = Array.from({ length: 50 }, (_, i) => `allow if { input.agent.id == "agent-${i}"; "read" == input.action; data.config.mode = "on" }`);
    const policy = compileModules({ 'b.rego': `package b\n\ndefault allow := false\n\n${rules.join('\n')}\n` });
    const node = (policy as unknown as { tree: { node(path: string[], create: boolean): RuleNode } }).tree.node(['b', 'allow'], false);
    expect(node.indexes?.complete?.sources.length).toBe(3);
    const data = fromJSON({ config: { mode: 'on' } }) as RObject;
    const steps = (agent: string, ruleIndex: boolean) => {
      const metrics = { steps: 0 };
      const value = policy.evaluate('data.b.allow', { input: fromJSON({ agent: { id: agent }, action: 'read' }), data, nowNs: NOW_NS, ruleIndex, metrics });
      return { value, steps: metrics.steps };
    };
    expect(steps('agent-49', true).value).toBe(true);
    expect(steps('agent-49', false).value).toBe(true);
    expect(steps('nobody', true).value).toBe(false);
    // One candidate instead of fifty bodies.
    expect(steps('agent-49', true).steps * 10).toBeLessThan(steps('agent-49', false).steps);
  });

  it('does not index a data reference that a rule computes, nor rules with else', () => {
    const policy = compileModules({
      'c.rego': ['package c', 'mode := "on"', 'p if { data.c.mode == "on" }', 'p if { data.c.mode == "off" }', 'q := 1 if { input.a == "x" } else := 2', 'q := 1 if { input.a == "y" }'].join('\n'),
    });
    const tree = (policy as unknown as { tree: { node(path: string[], create: boolean): RuleNode } }).tree;
    expect(tree.node(['c', 'p'], false).indexes?.complete).toBeNull();
    expect(policy.evaluate('data.c.p', { nowNs: NOW_NS })).toBe(true);
    expect(policy.evaluate('data.c.q', { input: fromJSON({ a: 'z' }), nowNs: NOW_NS })).toBe(2);
  });
});
