import { describe, expect, it } from 'vitest';
import { RegoError, RegoErrors } from './errors.js';
import { parseModule, parseQuery } from './parser.js';

describe('Rego parser', () => {
  it('parses v1 rules: if, contains, ref heads, else, functions, default', () => {
    const m = parseModule(`package a.b
import rego.v1
default allow := false
allow if input.x == 1
deny contains msg if { msg := "no" }
p.q[r].s := 1 if r := "x"
f(x) := y if { y := x + 1 } else := 0
`);
    expect(m.pkg).toEqual(['a', 'b']);
    expect(m.rules.map((r) => [r.isDefault, r.head.key !== null, r.head.args?.length ?? -1, r.head.ref.length])).toEqual([
      [true, false, -1, 1],
      [false, false, -1, 1],
      [false, true, -1, 1],
      [false, false, -1, 4],
      [false, false, 1, 1],
    ]);
    expect(m.rules[4]!.elses).toHaveLength(1);
  });

  it('parses v0 rules: bodies without if, partial sets p[x], multiple bodies', () => {
    const m = parseModule('package x\np[x] { x := 1 }\nq { true } { false }\n', 'x.rego', { regoVersion: 'v0' });
    expect(m.rules[0]!.head.key).not.toBeNull();
    expect(m.rules.filter((r) => (r.head.ref[0] as { v: string }).v === 'q')).toHaveLength(2);
  });

  it('reports what it found, what it expected and where', () => {
    try {
      parseModule('package x\n\np if {\n  x := \n}\n', 'bad.rego');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(RegoError);
      expect((e as RegoError).code).toBe('rego_parse_error');
      expect((e as RegoError).loc).toMatchObject({ file: 'bad.rego', row: 5, col: 1 });
      expect((e as Error).message).toBe('bad.rego:5: rego_parse_error: unexpected "}": expected term');
    }
  });

  it('parses queries with some/in, every, with and k, v in', () => {
    const q = parseQuery('some k, v in input.x; every y in [1] { y > 0 }; data.p with input as {}; 1, 2 in [2]');
    expect(q.map((e) => e.e.k)).toEqual(['somein', 'every', 'term', 'term']);
    expect(q[2]!.with).toHaveLength(1);
  });

  it('rejects v1 rules without if / contains as OPA 1.x does, and keeps accepting them in v0', () => {
    const src = 'package x\n\np[x] {\n  x := 1\n}\n\nf(y) = 2 { y }\n\nq { true }\n';
    try {
      parseModule(src, 'v.rego');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(RegoErrors);
      expect((e as RegoErrors).errors.map((x) => x.message)).toEqual([
        'v.rego:3: rego_parse_error: `if` keyword is required before rule body',
        'v.rego:3: rego_parse_error: `contains` keyword is required for partial set rules',
        'v.rego:7: rego_parse_error: `if` keyword is required before function body',
        'v.rego:9: rego_parse_error: `if` keyword is required before rule body',
      ]);
    }
    expect(parseModule(src, 'v.rego', { regoVersion: 'v0' }).rules).toHaveLength(3);
    // `import rego.v1` selects v1 even when the caller asks for v0
    expect(() => parseModule('package x\nimport rego.v1\nq { true }\n', 'v.rego', { regoVersion: 'v0' })).toThrow(/`if` keyword is required/);
    // one violation is a single RegoError; a single-value p[x] with if is fine
    expect(() => parseModule('package x\np[x] := 1 { x := 2 }\n')).toThrow(RegoError);
    expect(parseModule('package x\np[x] if { x := 2 }\nd contains 1\n').rules).toHaveLength(2);
    expect(() => parseModule('package x\nin := 1\n')).toThrow('rego_parse_error: in keyword cannot be used for rule name');
    expect(parseModule('package x\nelse.foo := 1\n').rules).toHaveLength(1); // a keyword may head a ref
  });
});
