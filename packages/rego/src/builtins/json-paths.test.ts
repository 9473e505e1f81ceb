import { describe, expect, it } from 'vitest';
import { V, type Value } from '../value.js';
import { callBuiltin } from './testing.js';

import './json-paths.js';

const call = (name: string, ...args: Value[]): unknown => callBuiltin(name, args);

const patch = (doc: Value, ...ops: Record<string, Value>[]) => call('json.patch', doc, ops.map((o) => V.obj(o)));

describe('json path builtins', () => {
  it('filters and removes by JSON pointer or segment arrays', () => {
    const doc = V.obj({ a: V.obj({ b: 1, c: [1, 2, 3] }), d: 'x' });
    expect(call('json.filter', doc, ['a/b', 'd'])).toEqual(V.obj({ a: V.obj({ b: 1 }), d: 'x' }));
    expect(call('json.filter', doc, V.set(['a', 'c', '1']))).toEqual(V.obj({ a: V.obj({ c: [2] }) }));
    expect(call('json.remove', doc, ['/a/c/0', 'd'])).toEqual(V.obj({ a: V.obj({ b: 1, c: [2, 3] }) }));
    expect(call('json.remove', doc, [['a']])).toEqual(V.obj({ d: 'x' }));
    expect(() => call('json.remove', doc, [1])).toThrow(
      'operand 2 must be one of {set, array} containing string paths or array of path segments but got number',
    );
  });

  it('applies RFC 6902 patches', () => {
    expect(patch(V.obj({ foo: ['bar', 'baz'] }), { op: 'add', path: '/foo/1', value: 'qux' })).toEqual(V.obj({ foo: ['bar', 'qux', 'baz'] }));
    expect(patch([1, 2], { op: 'add', path: '/-', value: 3 })).toEqual([1, 2, 3]);
    expect(patch(V.obj({ foo: 1 }), { op: 'move', from: '/foo', path: '/bar' })).toEqual(V.obj({ bar: 1 }));
    expect(patch(V.obj({ foo: 1 }), { op: 'copy', from: '/foo', path: '/bar' })).toEqual(V.obj({ foo: 1, bar: 1 }));
    expect(patch(V.obj({ foo: 1 }), { op: 'replace', path: '', value: 2 })).toBe(2);
    expect(patch(V.obj({ '/': 9, '~1': 10 }), { op: 'test', path: '/~01', value: 10 })).toEqual(V.obj({ '/': 9, '~1': 10 }));
  });

  it('is undefined when a patch fails', () => {
    expect(patch(V.obj({ q: V.obj({}) }), { op: 'add', path: '/a/b', value: 1 })).toBeUndefined();
    expect(patch(['foo', 'sil'], { op: 'add', path: '/3', value: 'bar' })).toBeUndefined();
    expect(patch(['foo', 'bar'], { op: 'test', path: '/01', value: 'bar' })).toBeUndefined();
    expect(patch(['foo', 'bar'], { op: 'test', path: '/1e0', value: 'bar' })).toBeUndefined();
    expect(patch(V.obj({ baz: 'qux' }), { op: 'test', path: '/baz', value: 'bar' })).toBeUndefined();
    expect(patch(V.obj({}), { op: 'spam', path: '/foo', value: 1 })).toBeUndefined();
    expect(patch([1], { op: 'add', path: '/-' })).toBeUndefined();
  });
});
