// Issue 10 item 1: a builtin call is charged by the size of what it builds and walks, so a
// policy that spends its time inside builtins still meets the step and time limits.
import { describe, expect, it } from 'vitest';
import { compileModules } from './policy.js';
import { V } from './value.js';
import type { EvalMetrics } from './eval.js';

/** The attack review's module: a 200,000-element list marshalled 150 times in a comprehension. */
const RUNAWAY = `package mandate.authz
import rego.v1
big := numbers.range(1, 200000)
burn := count([1 | some i in numbers.range(1, 150); json.marshal(big)])
deny contains "x" if burn > 0
`;

const sized = (n: number) =>
  compileModules({ 'c.rego': `package c\nimport rego.v1\nbig := numbers.range(1, ${n})\nburn := count([1 | some i in numbers.range(1, 3); json.marshal([big])])\n` });

function steps(n: number): number {
  const metrics: EvalMetrics = { steps: 0 };
  sized(n).evaluate('data.c.burn', { limits: { maxSteps: 100_000_000, timeoutMs: 60_000 }, metrics });
  return metrics.steps;
}

describe('builtin cost', () => {
  it('stops the runaway module with the limit error under a 250 ms limit', () => {
    const policy = compileModules({ 'c.rego': RUNAWAY });
    const started = performance.now();
    expect(() => policy.evaluate('data.mandate.authz', { limits: { maxSteps: 1_000_000, timeoutMs: 250 } })).toThrow(
      expect.objectContaining({ code: 'eval_cancel_error', detail: expect.stringMatching(/exceeded the (step|time) limit/) }),
    );
    // generous bound: before the fix this ran for 10 s and more
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('stops it on the step limit alone: the builtins\' work, not the few expressions, spends the budget', () => {
    const policy = compileModules({ 'c.rego': RUNAWAY });
    const metrics: EvalMetrics = { steps: 0 };
    expect(() => policy.evaluate('data.mandate.authz', { limits: { maxSteps: 1_000_000, timeoutMs: 600_000 }, metrics })).toThrow(/step limit/);
    expect(metrics.steps).toBeGreaterThan(1_000_000);
  });

  it('stops it on the time limit when the step limit is out of reach', () => {
    const policy = compileModules({ 'c.rego': RUNAWAY });
    let now = 0;
    // a clock that advances 1 ms per reading: the deadline is met inside the builtins' work
    const clock = () => now++;
    expect(() => policy.evaluate('data.mandate.authz', { limits: { maxSteps: Number.MAX_SAFE_INTEGER, timeoutMs: 250 }, clock })).toThrow(
      /exceeded the time limit/,
    );
    expect(now).toBeLessThan(400);
  });

  it('charges steps that grow with the size of the data (nested, so the walk is deep)', () => {
    const small = steps(1_000);
    const large = steps(100_000);
    expect(large).toBeGreaterThan(small * 50);
    expect(large).toBeGreaterThan(3 * 100_000);
  });

  it('refuses a huge numbers.range before building it', () => {
    const p = compileModules({ 'r.rego': 'package r\nx := count(numbers.range(1, 9000000))\n' });
    const metrics: EvalMetrics = { steps: 0 };
    expect(() => p.evaluate('data.r.x', { limits: { maxSteps: 1_000_000 }, metrics })).toThrow(/step limit/);
  });

  it('charges long strings by their length', () => {
    const p = compileModules({ 's.rego': 'package s\nx := concat(",", [s | some i in numbers.range(1, 100); s := input.text])\n' });
    const run = (text: string) => {
      const metrics: EvalMetrics = { steps: 0 };
      p.evaluate('data.s.x', { input: V.obj({ text }), metrics });
      return metrics.steps;
    };
    expect(run('x'.repeat(64_000))).toBeGreaterThan(run('x') + 100 * 900);
  });
});
