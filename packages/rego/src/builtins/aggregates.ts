/**
 * Aggregates over collections (OPA v1/topdown/aggregates.go): count, sum, product, max, min,
 * sort, all, any. Sums and products are exact (integers as bigint, decimals as exact decimals);
 * max/min/sort use OPA's total order over all values; max/min of an empty collection is undefined.
 */
import { compare, isNumber, RObject, RSet, type Value } from '../value.js';
import { elementError, itemsOf } from './operands.js';
import { mul, plus } from './operators.js';
import { registerBuiltins, type BuiltinDef } from './registry.js';
import { runeCount } from './go-strings.js';

const COLLECTION = ['set', 'array'] as const;

function count(v: Value): number {
  if (typeof v === 'string') return runeCount(v);
  if (Array.isArray(v)) return v.length;
  return (v as RObject | RSet).size;
}

function fold(coll: Value, init: Value, op: (a: Value, b: Value) => Value): Value {
  let acc = init;
  for (const x of itemsOf(coll)) {
    if (!isNumber(x)) throw elementError(1, coll, x, 'number');
    acc = op(acc, x);
  }
  return acc;
}

function extreme(coll: Value, better: (c: number) => boolean): Value | undefined {
  const items = itemsOf(coll);
  if (items.length === 0) return undefined;
  let best: Value = items[0] as Value;
  for (const x of items) if (better(compare(x, best))) best = x;
  return best;
}

function allTrue(coll: Value): boolean {
  for (const x of itemsOf(coll)) if (x !== true) return false;
  return true;
}

function anyTrue(coll: Value): boolean {
  if (coll instanceof RSet) return coll.has(true);
  return (coll as Value[]).some((x) => x === true);
}

const defs: BuiltinDef[] = [
  { name: 'count', args: [['array', 'object', 'set', 'string']], result: 'number', impl: ([c]) => count(c!) },
  { name: 'sum', args: [COLLECTION], result: 'number', impl: ([c]) => fold(c!, 0, plus) },
  { name: 'product', args: [COLLECTION], result: 'number', impl: ([c]) => fold(c!, 1, mul) },
  { name: 'max', args: [COLLECTION], result: 'any', impl: ([c]) => extreme(c!, (d) => d >= 0) },
  { name: 'min', args: [COLLECTION], result: 'any', impl: ([c]) => extreme(c!, (d) => d < 0) },
  { name: 'sort', args: [COLLECTION], result: 'array', impl: ([c]) => [...itemsOf(c!)].sort(compare) },
  { name: 'all', args: [['array', 'set']], result: 'boolean', impl: ([c]) => allTrue(c!), deprecated: true },
  { name: 'any', args: [['array', 'set']], result: 'boolean', impl: ([c]) => anyTrue(c!), deprecated: true },
];

registerBuiltins(defs);
