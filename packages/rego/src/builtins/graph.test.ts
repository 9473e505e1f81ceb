import { describe, expect, it } from 'vitest';
import { RObject, RSet, type Value } from '../value.js';
import { callBuiltin } from './testing.js';
import './graph.js';

const g = (edges: Record<string, Value>) => RObject.fromRecord(edges);
const s = (...xs: Value[]) => new RSet(xs);
const members = (v: unknown) => (v as RSet).values();

describe('graph.reachable', () => {
  it('follows edges through cycles and skips unknown nodes', () => {
    expect(members(callBuiltin('graph.reachable', [g({ a: s('b'), b: s('c'), c: s('a') }), s('a')]))).toEqual(['a', 'b', 'c']);
    const comps = g({ a: s('b', 'c'), b: s('d'), c: s('d'), d: s(), e: s('f'), f: s('e'), x: s('x') });
    expect(members(callBuiltin('graph.reachable', [comps, s('b', 'e')]))).toEqual(['b', 'd', 'e', 'f']);
    expect(members(callBuiltin('graph.reachable', [g({ a: null }), ['a', 'zz']]))).toEqual(['a']);
  });
});

describe('graph.reachable_paths', () => {
  it('lists maximal paths', () => {
    expect(members(callBuiltin('graph.reachable_paths', [g({ a: ['b', 'c'], b: ['c'], c: [] }), s('a')])))
      .toEqual([['a', 'b', 'c'], ['a', 'c']]);
    expect(members(callBuiltin('graph.reachable_paths', [g({ a: ['b'], b: ['nonexistent'] }), s('a', 'b')])))
      .toEqual([['a', 'b'], ['b']]);
    expect(members(callBuiltin('graph.reachable_paths', [g({ a: s('b'), b: s('c'), c: s('a') }), s('a')]))).toEqual([['a', 'b', 'c']]);
  });
});
