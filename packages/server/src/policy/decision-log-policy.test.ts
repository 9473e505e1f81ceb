/** The decision-log policy's mask and drop rules, evaluated directly (no store involved). */
import { compileModules, RObject } from '@mandate/rego';
import { describe, expect, it } from 'vitest';
import { sampleOf, treatLogEntry, type LogRuleInput } from './decision-log-policy.js';

const limits = { maxSteps: 100_000, timeoutMs: 1_000 };
const policy = (text: string) => ({ prepared: compileModules({ 'log.rego': text }), data: new RObject() });
const event = (input: unknown, decision = 'allow'): LogRuleInput => ({
  decision_id: 'd-1',
  input,
  result: { decision, reasons: [], obligations: [] },
  package: 'mandate.authz',
  policy_revision: 1,
  now_ms: 0,
  caller: { id: 'a', kind: 'agent' },
  sample: sampleOf('d-1'),
});

describe('decision-log policy', () => {
  it('evaluates nothing without the package', () => {
    expect(treatLogEntry(policy('package other\n\nx := 1\n'), 'system.log', event({}), 0n, limits)).toEqual({ kind: 'none' });
  });

  it('removes and upserts by RFC 6901 pointer, in objects and arrays; absent paths are not reported', () => {
    const rules = `package system.log
mask contains "/input/context/a~1b"
mask contains "/input/list/0"
mask contains "/input/missing/x"
mask contains {"op": "upsert", "path": "/input/context/t~0k", "value": "***"}
`;
    const treated = treatLogEntry(policy(rules), 'system.log', event({ context: { 'a/b': 1, 't~k': 'secret', keep: 2 }, list: ['x', 'y'] }), 0n, limits);
    expect(treated).toEqual({ kind: 'applied', input: { context: { 't~k': '***', keep: 2 }, list: ['y'] }, masked: ['/input/context/a~1b', '/input/context/t~0k', '/input/list/0'], drop: false });
  });

  it('refuses paths outside the logged input and ill-shaped rules', () => {
    const fails = (text: string) => treatLogEntry(policy(text), 'system.log', event({ a: 1 }), 0n, limits);
    expect(fails('package system.log\nmask contains "/result/decision"\n')).toMatchObject({ kind: 'failed', error: expect.stringContaining('must start with /input/') });
    expect(fails('package system.log\ndrop := "yes"\n')).toMatchObject({ kind: 'failed', error: 'system.log.drop must be a boolean' });
    expect(fails('package system.log\nmask := 3\n')).toMatchObject({ kind: 'failed' });
  });

  it('samples deterministically from the decision id', () => {
    const keep = 'package system.log\ndrop if input.sample >= 1000\n';
    const dropped = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'].map((id) => treatLogEntry(policy(keep), 'system.log', { ...event({}), decision_id: id, sample: sampleOf(id) }, 0n, limits));
    expect(dropped.map((t) => t.kind === 'applied' && t.drop)).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'].map((id) => sampleOf(id) >= 1000));
    expect(sampleOf('a')).toBe(sampleOf('a'));
    expect(sampleOf('a')).toBeLessThan(10_000);
  });
});
