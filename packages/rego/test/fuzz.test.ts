/**
 * Robustness: random and mutated policy texts and inputs never make the parser, compiler or
 * evaluator fail with anything but the engine's own errors, and pathological policies stop at
 * the step or time limit instead of hanging.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileModules, fromJSON, RegoError, RegoErrors } from '../src/index.js';
import { AUTHZ_POLICY_V0, AUTHZ_POLICY_V1, NOW_NS } from './authz-policy.js';

const LIMITS = { maxSteps: 20_000, timeoutMs: 10_000 };

function isEngineError(e: unknown): boolean {
  return e instanceof RegoError || e instanceof RegoErrors;
}

/** Compile and evaluate; only engine errors may escape. */
function exercise(text: string, input: unknown, version: 'v0' | 'v1'): void {
  try {
    const policy = compileModules({ 'fuzz.rego': text }, { regoVersion: version });
    for (const ref of ['data', 'data.mandate.authz', 'data.mandate.authz.allow', 'data.fuzz']) {
      policy.evaluate(ref, { input: fromJSON(input), nowNs: NOW_NS, limits: LIMITS });
    }
  } catch (e) {
    if (!isEngineError(e)) throw e;
  }
}

const TOKENS = [
  'package', 'import', 'rego.v1', 'default', 'if', 'contains', 'else', 'not', 'some', 'every', 'in', 'with', 'as',
  'p', 'q', 'f', 'x', 'y', '_', 'input', 'data', 'input.a', 'data.fuzz.p', 'count', 'time.now_ns()', 'sum', 'true',
  'false', 'null', '0', '1', '-1', '2.5', '1e400', '"s"', '`raw`', '$"t{x}"', '{', '}', '[', ']', '(', ')', ',', ';',
  ':', ':=', '=', '==', '!=', '<', '>', '+', '-', '*', '/', '%', '|', '&', '.', '\n', ' ', '#c\n',
];

const jsonValue = fc.jsonValue({ maxDepth: 3 });

describe('fuzz: the engine fails only with its own errors', () => {
  it('random token soup, after a package line', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...TOKENS), { maxLength: 40 }), jsonValue, (toks, input) => {
        exercise(`package fuzz\n${toks.join(' ')}`, input, 'v1');
      }),
      { numRuns: 400 },
    );
  });

  it('random unicode text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        exercise(text, {}, 'v1');
        exercise(`package fuzz\n${text}`, {}, 'v0');
      }),
      { numRuns: 300 },
    );
  });

  it('mutated authorization policies (deleted, duplicated and swapped characters) on random inputs', () => {
    const mutate = fc.tuple(fc.constantFrom(AUTHZ_POLICY_V1, AUTHZ_POLICY_V0), fc.array(fc.tuple(fc.nat(), fc.nat(), fc.constantFrom('del', 'dup', 'swap', 'ins')), { maxLength: 6 }), fc.constantFrom(...TOKENS));
    fc.assert(
      fc.property(mutate, jsonValue, ([text, edits, token], input) => {
        let s = text;
        for (const [a, b, op] of edits) {
          const i = a % s.length;
          const j = b % s.length;
          if (op === 'del') s = s.slice(0, i) + s.slice(i + 1);
          else if (op === 'dup') s = s.slice(0, i) + s[i] + s.slice(i);
          else if (op === 'ins') s = s.slice(0, i) + token + s.slice(i);
          else s = s.slice(0, i) + s[j] + s.slice(i + 1, j) + s[i] + s.slice(j + 1);
        }
        exercise(s, input, text === AUTHZ_POLICY_V0 ? 'v0' : 'v1');
      }),
      { numRuns: 400 },
    );
  });

  it('the authorization policy on random inputs answers a boolean or nothing', () => {
    const policy = compileModules({ 'authz.rego': AUTHZ_POLICY_V1 });
    fc.assert(
      fc.property(jsonValue, (input) => {
        const allow = policy.evaluate('data.mandate.authz.allow', { input: fromJSON(input), nowNs: NOW_NS });
        expect(typeof allow).toBe('boolean');
      }),
      { numRuns: 300 },
    );
  });

  it('deep nesting is an engine error, not a crash', () => {
    const deep = `package fuzz\np := ${'['.repeat(20_000)}1${']'.repeat(20_000)}`;
    expect(() => compileModules({ 'deep.rego': deep })).toThrow(RegoError);
  });
});

describe('pathological policies stop at the limits', () => {
  const nums = `[${Array.from({ length: 100 }, (_, i) => i).join(', ')}]`;

  it('a huge cross product hits the step limit', () => {
    const policy = compileModules({ 'x.rego': `package x\nn := ${nums}\np := count([1 | n[a]; n[b]; n[c]; n[d]])` });
    const err = (() => {
      try {
        policy.evaluate('data.x.p', { limits: { maxSteps: 50_000 } });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(RegoError);
    expect((err as RegoError).code).toBe('eval_cancel_error');
  });

  it('the time limit uses the injected clock', () => {
    const policy = compileModules({ 'x.rego': `package x\nn := ${nums}\np := count([1 | n[a]; n[b]; n[c]; n[d]])` });
    let now = 0;
    const clock = (): number => (now += 5); // every clock read advances 5 ms
    expect(() => policy.evaluate('data.x.p', { limits: { maxSteps: 1e12, timeoutMs: 100 }, clock })).toThrow(/time limit/);
  });

  it('deep recursion through a comprehension is stopped', () => {
    // rejected when compiling, as OPA does (rego_recursion_error)
    expect(() => compileModules({ 'r.rego': 'package r\nf(x) := y if { y := [z | z := f(x + 1)] }\np := f(0)' })).toThrow(/rule f is recursive: f -> f/);
  });

  it('recursion between rules is an error', () => {
    expect(() => compileModules({ 'r.rego': 'package r\np if q\nq if p' })).toThrow(/rego_recursion_error: rule p is recursive: p -> q -> p/);
  });
});
