/**
 * Array and set builtins (OPA v1/topdown/array.go, sets.go): array.concat, array.slice,
 * array.reverse, array.flatten, union, intersection and the deprecated set_diff.
 */
import { RSet, type Value } from '../value.js';
import { elementError, intOperand } from './operands.js';
import { intersect, union } from './operators.js';
import { registerBuiltins, type BuiltinDef } from './registry.js';

function slice(arr: Value[], start: bigint, stop: bigint): Value[] {
  const len = BigInt(arr.length);
  const from = start < 0n ? 0n : start;
  const to = stop > len ? len : stop;
  if (from >= to) return [];
  return arr.slice(Number(from), Number(to));
}

function flatten(arr: Value[]): Value[] {
  const out: Value[] = [];
  for (const x of arr) {
    if (Array.isArray(x)) out.push(...x);
    else out.push(x);
  }
  return out;
}

/** The members of a set of sets; a member that is not a set is an operand error. */
function setsOf(v: RSet): RSet[] {
  return v.values().map((x) => {
    if (!(x instanceof RSet)) throw elementError(1, v, x, 'set');
    return x;
  });
}

function unionAll(v: RSet): RSet {
  return setsOf(v).reduce((acc, s) => union(acc, s), new RSet());
}

function intersectAll(v: RSet): RSet {
  const sets = setsOf(v);
  if (sets.length === 0) return new RSet();
  return sets.slice(1).reduce((acc, s) => intersect(acc, s), sets[0]!);
}

function difference(a: RSet, b: RSet): RSet {
  const out = new RSet();
  for (const x of a.unorderedValues()) if (!b.has(x)) out.add(x);
  return out;
}

const defs: BuiltinDef[] = [
  { name: 'array.concat', args: ['array', 'array'], result: 'array', impl: ([a, b]) => [...(a as Value[]), ...(b as Value[])] },
  {
    name: 'array.slice',
    args: ['array', 'number', 'number'],
    result: 'array',
    impl: ([a, s, e]) => slice(a as Value[], intOperand(s!, 2), intOperand(e!, 3)),
  },
  { name: 'array.reverse', args: ['array'], result: 'array', impl: ([a]) => [...(a as Value[])].reverse() },
  { name: 'array.flatten', walks: true, args: ['array'], result: 'array', impl: ([a]) => flatten(a as Value[]) },
  { name: 'union', walks: true, args: ['set'], result: 'set', impl: ([s]) => unionAll(s as RSet) },
  { name: 'intersection', walks: true, args: ['set'], result: 'set', impl: ([s]) => intersectAll(s as RSet) },
  { name: 'set_diff', args: ['set', 'set'], result: 'set', deprecated: true, impl: ([a, b]) => difference(a as RSet, b as RSet) },
];

registerBuiltins(defs);
