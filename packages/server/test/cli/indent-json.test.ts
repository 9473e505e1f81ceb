import { describe, expect, it } from 'vitest';
import { indentJson } from '../../src/cli/policy-online-eval.js';

/** `policy eval` without -d re-indents the server's JSON as text, so numbers are never rounded. */
describe('indentJson', () => {
  it('indents as JSON.stringify(value, null, 2) does, strings with quotes, brackets and commas included', () => {
    const values: unknown[] = [1, 'x', null, true, [], {}, [1, [2, []], {}], { a: { b: [1, { c: 'q"u{o}t,e:[]\\' }] }, e: {}, f: [] }, '\u2028é\u0001'];
    for (const value of values) expect(indentJson(JSON.stringify(value))).toBe(JSON.stringify(value, null, 2));
  });

  it('copies numbers as written', () => {
    expect(indentJson('{"n":123456789012345678901234567890,"r":0.1000000000000000000000000000000000000001}')).toBe(
      '{\n  "n": 123456789012345678901234567890,\n  "r": 0.1000000000000000000000000000000000000001\n}',
    );
  });
});
