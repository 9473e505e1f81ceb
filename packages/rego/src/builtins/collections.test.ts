import { describe, expect, it } from 'vitest';
import { V, type Value } from '../value.js';
import { callBuiltin } from './testing.js';

import './collections.js';

const call = (name: string, ...args: Value[]): unknown => callBuiltin(name, args);

describe('array and set builtins', () => {
  it('concatenates, slices and reverses arrays', () => {
    expect(call('array.concat', [1, 2], [3])).toEqual([1, 2, 3]);
    expect(call('array.slice', [1, 2, 3, 4, 5], 1, 3)).toEqual([2, 3]);
    expect(call('array.slice', [1, 2, 3, 4, 5], -1, 2)).toEqual([1, 2]);
    expect(call('array.slice', [1, 2, 3, 4, 5], -4, -1)).toEqual([]);
    expect(call('array.slice', [1, 2, 3], 1000, 2000)).toEqual([]);
    expect(call('array.reverse', [1, 2, 3])).toEqual([3, 2, 1]);
    expect(call('array.flatten', [[1, [2]], 3])).toEqual([1, [2], 3]);
    expect(() => call('array.concat', V.obj({}), [])).toThrow('operand 1 must be array but got object');
  });

  it('unions and intersects sets of sets', () => {
    expect(call('union', V.set(V.set(1, 2), V.set(2, 3)))).toEqual(V.set(1, 2, 3));
    expect(call('intersection', V.set(V.set(1, 2), V.set(2, 3)))).toEqual(V.set(2));
    expect(call('intersection', V.set())).toEqual(V.set());
    expect(call('set_diff', V.set(1, 2, 3), V.set(2))).toEqual(V.set(1, 3));
    expect(() => call('union', V.set(1))).toThrow('operand 1 must be set of sets but got set containing number');
  });
});
