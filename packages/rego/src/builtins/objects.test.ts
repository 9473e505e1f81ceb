import { describe, expect, it } from 'vitest';
import { equals, RObject, V, type Value } from '../value.js';
import { callBuiltin } from './testing.js';

import './objects.js';

const call = (name: string, ...args: Value[]): unknown => callBuiltin(name, args);

describe('object builtins', () => {
  it('gets by key or path with a default', () => {
    expect(call('object.get', V.obj({ a: 'b' }), 'a', 'c')).toBe('b');
    expect(call('object.get', V.obj({ a: 'b' }), 'x', 'c')).toBe('c');
    expect(call('object.get', new RObject([[1, 2]]), 1, 3)).toBe(2);
    expect(call('object.get', V.obj({ a: { b: [{ c: 1 }] } } as never), ['a', 'b', 0, 'c'], 2)).toBe(2);
    const nested = V.obj({ a: V.obj({ b: [V.obj({ c: 1 })] }) });
    expect(call('object.get', nested, ['a', 'b', 0, 'c'], 2)).toBe(1);
    expect(call('object.get', nested, [], 2)).toBe(nested);
    expect(call('object.get', nested, ['a', 'x'], 2)).toBe(2);
    expect(() => call('object.get', 'x', ['a'], 2)).toThrow('operand 1 must be object but got string');
  });

  it('lists, removes and filters keys', () => {
    expect(call('object.keys', V.obj({ a: 1, b: 2 }))).toEqual(V.set('a', 'b'));
    const o = V.obj({ a: 1, b: V.obj({ c: 3 }), d: 4 });
    expect(call('object.remove', o, V.set('b', 'd'))).toEqual(V.obj({ a: 1 }));
    expect(call('object.remove', o, ['d', 'b'])).toEqual(V.obj({ a: 1 }));
    expect(call('object.remove', o, V.obj({ a: 'x' }))).toEqual(V.obj({ b: V.obj({ c: 3 }), d: 4 }));
    expect(call('object.filter', o, ['a', 'zz'])).toEqual(V.obj({ a: 1 }));
    expect(() => call('object.remove', o, 'a')).toThrow('operand 2 must be one of {object, set, array} but got string');
  });

  it('merges objects recursively', () => {
    const a = V.obj({ a: V.obj({ b: V.obj({ c: 1 }) }), e: 1 });
    const b = V.obj({ a: V.obj({ b: 'foo', b1: 'bar' }), d: 7, e: 17 });
    expect(call('object.union', a, b)).toEqual(V.obj({ a: V.obj({ b: 'foo', b1: 'bar' }), d: 7, e: 17 }));
    expect(call('object.union_n', [V.obj({ a: V.obj({ b: 2 }) }), V.obj({ a: 4 }), V.obj({ a: V.obj({ c: 3 }) })])).toEqual(
      V.obj({ a: V.obj({ c: 3 }) }),
    );
    expect(() => call('object.union_n', [1])).toThrow('operand 1 must be array of objects but got array containing number');
  });

  it('tests subsets', () => {
    expect(call('object.subset', V.obj({ a: 5, b: V.obj({ x: 1, y: 2 }) }), V.obj({ b: V.obj({ y: 2 }) }))).toBe(true);
    expect(call('object.subset', V.obj({ a: 5 }), V.obj({ a: 6 }))).toBe(false);
    expect(call('object.subset', [1, 2, 3, 4], [2, 3])).toBe(true);
    expect(call('object.subset', [1, 2, 3, 4], [2, 4])).toBe(false);
    expect(call('object.subset', [1, 2, 3], V.set(3, 1))).toBe(true);
    expect(call('object.subset', V.set(1, 2), V.set(2))).toBe(true);
    expect(() => call('object.subset', V.set(1), [1])).toThrow('both arguments object.subset must be of the same type or array and set');
  });

  it('walks documents root first', () => {
    const same = (a: unknown, b: Value) => expect(equals(a as Value, b)).toBe(true);
    same(call('walk', [1, V.obj({ a: 2 })]), [
      [[], [1, V.obj({ a: 2 })]],
      [[0], 1],
      [[1], V.obj({ a: 2 })],
      [[1, 'a'], 2],
    ]);
    same(call('walk', V.set(V.set(1))), [
      [[], V.set(V.set(1))],
      [[V.set(1)], V.set(1)],
      [[V.set(1), 1], 1],
    ]);
  });
});
