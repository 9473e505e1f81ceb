import { describe, expect, it } from 'vitest';
import { RegoError } from './errors.js';
import { compileModules } from './policy.js';
import { RObject, RSet, V } from './value.js';

const mod = (text: string) => compileModules({ 'p.rego': `package p\n${text}` });

describe('Rego evaluator', () => {
  it('distinguishes undefined from false', () => {
    const p = mod('a if false\ndefault b := false\nc := false');
    expect(p.evaluate('data.p.a')).toBeUndefined();
    expect(p.evaluate('data.p.b')).toBe(false);
    expect(p.query('data.p.c')).toEqual([]); // a false expression fails the query
    expect(p.query('x = data.p.c')).toEqual([{ x: false }]);
  });

  it('builds partial sets and objects and iterates them', () => {
    const p = mod('s contains x if some x in [3, 1, 3]\no[k] := v if { some k, v in {"a": 1, "b": 2} }');
    expect(p.evaluate('data.p.s')).toEqual(new RSet([1, 3]));
    expect(p.query('data.p.o[k] = 2')).toEqual([{ k: 'b' }]);
  });

  it('raises conflict errors for complete rules and functions', () => {
    const p = mod('x := 1\nx := 2 if true\nf(_) := 1\nf(_) := 2');
    expect(() => p.evaluate('data.p.x')).toThrow(expect.objectContaining({ code: 'eval_conflict_error' }));
    expect(() => p.evaluate('data.p.f(0)')).toThrow(/functions must not produce multiple outputs/);
  });

  it('supports else, not, every, comprehensions and with', () => {
    const p = mod(`
grade := "a" if input.score > 90
else := "b" if input.score > 80
else := "c"
none_neg if every n in input.nums { n >= 0 }
evens := [n | some n in input.nums; n % 2 == 0]
no_admin if not input.admin
mocked := y if y := count([1, 2]) with count as 7
`);
    const input = V.obj({ score: 85, nums: [1, 2, 4] });
    expect(p.evaluate('data.p.grade', { input })).toBe('b');
    expect(p.evaluate('data.p.none_neg', { input })).toBe(true);
    expect(p.evaluate('data.p.evens', { input })).toEqual([2, 4]);
    expect(p.evaluate('data.p.no_admin', { input })).toBe(true);
    expect(p.evaluate('data.p.mocked')).toBe(7);
    expect(p.evaluate('data.p.grade', { input: V.obj({ score: 95 }) })).toBe('a');
  });

  it('merges base documents with virtual ones under data', () => {
    const p = mod('r := data.base.x + 1');
    const data = V.obj({ base: V.obj({ x: 41 }) });
    expect(p.evaluate('data.p.r', { data })).toBe(42);
    const root = p.evaluate('data', { data }) as RObject;
    expect((root.get('base') as RObject).get('x')).toBe(41);
    expect((root.get('p') as RObject).get('r')).toBe(42);
  });

  it('makes builtin errors undefined, or fatal in strict mode, as OPA does', () => {
    const p = mod('d := 1 / 0');
    expect(p.evaluate('data.p.d')).toBeUndefined();
    try {
      p.evaluate('data.p.d', { strictBuiltinErrors: true });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(RegoError);
      expect((e as RegoError).code).toBe('eval_builtin_error');
      expect((e as Error).message).toContain('div: divide by zero');
    }
  });

  it('rejects unsafe variables when compiling', () => {
    expect(() => mod('p if { x > 1 }')).toThrow(/rego_unsafe_var_error: var x is unsafe/);
    expect(() => mod('q contains y if { true }')).toThrow(/var y is unsafe/);
    expect(mod('r if { x > 1; x = 2 }').evaluate('data.p.r')).toBe(true); // reordered: x = 2 runs first
  });

  it('scopes a variable to the whole body: a comprehension sees the outer one even when bound later', () => {
    const p = mod(`
later := ys if { ys := [z | z = x * 2]; x = 5 }
filtered := s if { s := [x | x = 1]; x = 2 }
local := s if { s := [x | some x in [1, 2]]; x := 3 }
`);
    expect(p.evaluate('data.p.later')).toEqual([10]);
    expect(p.evaluate('data.p.filtered')).toEqual([]); // x is the outer 2, so 2 = 1 fails
    expect(p.evaluate('data.p.local')).toEqual([1, 2]); // some x declares a new x inside
  });

  it('rejects recursion when compiling, naming the cycle as OPA does', () => {
    try {
      mod('p if q\nq if r\nr if p\nok := 1\nf(x) := y if y := f(x)');
      expect.unreachable();
    } catch (e) {
      const messages = (e as { errors: RegoError[] }).errors.map((x) => x.message);
      expect(messages).toEqual([
        'p.rego:2: rego_recursion_error: rule p is recursive: p -> q -> r -> p',
        'p.rego:3: rego_recursion_error: rule q is recursive: q -> r -> p -> q',
        'p.rego:4: rego_recursion_error: rule r is recursive: r -> p -> q -> r',
        'p.rego:6: rego_recursion_error: rule f is recursive: f -> f',
      ]);
    }
    // a rule reading its own package (or all of data) depends on itself
    expect(() => mod('keys := [k | data.p[k]]')).toThrow(/rule keys is recursive: keys -> keys/);
    expect(mod('a := data.p.b.c + 1\nb.c := 1').evaluate('data.p.a')).toBe(2);
  });

  it('handles templates with `with`, template arguments, keyword ref heads, numeric data keys and rule order', () => {
    const p = mod(`
a := input.a
t := $"foo {a with input as {"a": 42}}"
f($"{x} {input.y}") := 42 if x = "foo"
g := f("foo bar")
with.foo := "w"
w if with.foo == "w"
n := data.nested[2]
o.q[r].s := 1 if r := "foo"
o.q[r].s := 2 if r := "bar"
`);
    const data = V.obj({ nested: V.obj({ '2': 'bar' }) });
    expect(p.evaluate('data.p.t')).toBe('foo 42');
    expect(p.evaluate('data.p.g', { input: V.obj({ y: 'bar' }) })).toBe(42);
    expect(p.evaluate('data.p.g', { input: V.obj({ y: 'baz' }) })).toBeUndefined();
    expect(p.evaluate('data.p.w')).toBe(true);
    expect(p.evaluate('data.p.n', { data })).toBe('bar');
    expect(p.query('data.p.o.q[i].s = x')).toEqual([{ i: 'foo', x: 1 }, { i: 'bar', x: 2 }]);
  });

  it('rejects builtin calls with constant operands of the wrong type when compiling', () => {
    expect(() => mod('c := count(1)')).toThrow(/rego_type_error: count: invalid argument\(s\)\n\thave: \(number\)/);
    expect(() => mod('s := 1 + "a"')).toThrow(/rego_type_error: plus: invalid argument/);
    expect(() => mod('q if { startswith(1, "a", x); x }')).toThrow(/rego_type_error: startswith/);
    // operands only known at run time keep OPA's run-time behaviour (undefined, or an error in strict mode)
    expect(mod('c := count(input.n)').evaluate('data.p.c', { input: V.obj({ n: 1 }) })).toBeUndefined();
  });

  it('applies OPA 1.x compile checks to v1 modules only', () => {
    const bad = 'import data.foo\nimport data.bar as foo\nx := any([true])\ninput := 1\ny if { data := 1; data == 1 }';
    try {
      mod(bad);
      expect.unreachable();
    } catch (e) {
      expect((e as { errors: RegoError[] }).errors.map((x) => x.message)).toEqual([
        'p.rego:3: rego_compile_error: import must not shadow import data.foo',
        'p.rego:5: rego_compile_error: rules must not shadow input (use a different rule name)',
        'p.rego:6: rego_compile_error: variables must not shadow data (use a different variable name)',
        'p.rego:4: rego_type_error: deprecated built-in function calls in expression: any',
      ]);
    }
    const v0 = compileModules({ 'p.rego': 'package p\nx := any([true])' }, { regoVersion: 'v0' });
    expect(v0.evaluate('data.p.x')).toBe(true);
  });
});

