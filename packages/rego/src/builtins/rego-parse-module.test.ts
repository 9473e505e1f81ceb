import { describe, expect, it } from 'vitest';
import { compileModules } from '../policy.js';
import { toJSON } from '../value.js';

describe('rego.parse_module', () => {
  it("returns OPA's JSON AST shape for package, imports and rules", () => {
    const rows = compileModules({}).query(`m := rego.parse_module("m.rego", "package foo.bar\\nimport data.a\\np if { a = true }\\nf(x) := x + 1")`);
    const m = JSON.parse(toJSON(rows[0]!.m!));
    expect(m.package.path).toEqual([{ type: 'var', value: 'data' }, { type: 'string', value: 'foo' }, { type: 'string', value: 'bar' }]);
    expect(m.imports).toEqual([{ path: { type: 'ref', value: [{ type: 'var', value: 'data' }, { type: 'string', value: 'a' }] } }]);
    expect(m.rules[0].head).toEqual({ name: 'p', ref: [{ type: 'var', value: 'p' }], value: { type: 'boolean', value: true } });
    expect(m.rules[0].body).toEqual([
      { index: 0, terms: [{ type: 'ref', value: [{ type: 'var', value: 'eq' }] }, { type: 'var', value: 'a' }, { type: 'boolean', value: true }] },
    ]);
    expect(m.rules[1].head.args).toEqual([{ type: 'var', value: 'x' }]);
    expect(m.rules[1].head.assign).toBe(true);
  });

  it('is an eval_builtin_error for text that does not parse', () => {
    expect(() => compileModules({}).query('m := rego.parse_module("m.rego", "package")', { strictBuiltinErrors: true })).toThrow(/eval_builtin_error: rego.parse_module: .*rego_parse_error/);
  });
});
