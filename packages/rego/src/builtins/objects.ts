/**
 * Object builtins (OPA v1/topdown/object.go, subset.go): object.get, object.keys,
 * object.remove, object.filter, object.union, object.union_n, object.subset, and the `walk`
 * relation over any document.
 */
import { compare, equals, RObject, RSet, type Value } from '../value.js';
import { elementError, itemsOf } from './operands.js';
import { BuiltinTypeError, registerBuiltins, type BuiltinDef } from './registry.js';

const KEY_COLLECTION = ['object', 'set', 'array'] as const;

/** One step down a document: object key, array index, or set member. */
export function child(node: Value, key: Value): Value | undefined {
  if (node instanceof RObject) return node.get(key);
  if (Array.isArray(node)) {
    if (typeof key !== 'number' || !Number.isInteger(key) || key < 0 || key >= node.length) return undefined;
    return node[key];
  }
  if (node instanceof RSet) return node.has(key) ? key : undefined;
  return undefined;
}

function objectGet(obj: RObject, key: Value, fallback: Value): Value {
  if (!Array.isArray(key)) return obj.get(key) ?? fallback;
  let node: Value | undefined = obj;
  for (const k of key) {
    node = child(node, k);
    if (node === undefined) return fallback;
  }
  return node;
}

/** The keys named by an array, set or object (its keys) operand. */
function keySet(v: Value): RSet {
  if (v instanceof RObject) return new RSet(v.keys());
  return new RSet(itemsOf(v));
}

function objectRemove(obj: RObject, keys: Value): RObject {
  const drop = keySet(keys);
  const out = new RObject();
  for (const [k, v] of obj.unorderedEntries()) if (!drop.has(k)) out.set(k, v);
  return out;
}

function objectFilter(obj: RObject, keys: Value): RObject {
  const out = new RObject();
  for (const k of keySet(keys).unorderedValues()) {
    const v = obj.get(k);
    if (v !== undefined) out.set(k, v);
  }
  return out;
}

/** Recursive merge; b wins, except that two objects under the same key merge. */
export function mergeObjects(a: RObject, b: RObject): RObject {
  const out = new RObject(a.unorderedEntries());
  for (const [k, v] of b.unorderedEntries()) {
    const old = out.get(k);
    out.set(k, old instanceof RObject && v instanceof RObject ? mergeObjects(old, v) : v);
  }
  return out;
}

function unionN(arr: Value[]): RObject {
  let acc = new RObject();
  for (const o of arr) {
    if (!(o instanceof RObject)) throw elementError(1, arr, o, 'object');
    acc = mergeObjects(acc, o);
  }
  return acc;
}

function objectSubset(sup: RObject, sub: RObject): boolean {
  for (const [k, subV] of sub.unorderedEntries()) {
    const supV = sup.get(k);
    if (supV === undefined) return false;
    if (equals(subV, supV)) continue;
    if (!nestedSubset(supV, subV)) return false;
  }
  return true;
}

function nestedSubset(sup: Value, sub: Value): boolean {
  if (sup instanceof RObject && sub instanceof RObject) return objectSubset(sup, sub);
  if (sup instanceof RSet && sub instanceof RSet) return setSubset(sup, sub);
  if (Array.isArray(sup) && Array.isArray(sub)) return arraySubset(sup, sub);
  return false;
}

function setSubset(sup: RSet, sub: RSet): boolean {
  for (const v of sub.unorderedValues()) if (!sup.has(v)) return false;
  return true;
}

/** sub appears in sup as a contiguous run. */
function arraySubset(sup: Value[], sub: Value[]): boolean {
  if (sub.length > sup.length) return false;
  outer: for (let start = 0; start + sub.length <= sup.length; start++) {
    for (let j = 0; j < sub.length; j++) if (compare(sup[start + j]!, sub[j]!) !== 0) continue outer;
    return true;
  }
  return false;
}

/** Every member of sub occurs in sup. (OPA answers false for an empty array and empty set.) */
function arraySetSubset(sup: Value[], sub: RSet): boolean {
  let unmatched = sub.size;
  for (const v of sup) {
    if (sub.has(v)) unmatched--;
    if (unmatched <= 0) return true;
  }
  return false;
}

function subset(sup: Value, sub: Value): boolean {
  if (sup instanceof RObject && sub instanceof RObject) return objectSubset(sup, sub);
  if (sup instanceof RSet && sub instanceof RSet) return setSubset(sup, sub);
  if (Array.isArray(sup) && Array.isArray(sub)) return arraySubset(sup, sub);
  if (Array.isArray(sup) && sub instanceof RSet) return arraySetSubset(sup, sub);
  throw new BuiltinTypeError('both arguments object.subset must be of the same type or array and set');
}

/** All [path, value] pairs of a document, the root first, children in OPA order. */
function walk(root: Value): Value[] {
  const out: Value[] = [];
  const visit = (path: Value[], v: Value): void => {
    out.push([path, v]);
    if (v instanceof RObject) for (const [k, x] of v.entries()) visit([...path, k], x);
    else if (Array.isArray(v)) v.forEach((x, i) => visit([...path, i], x));
    else if (v instanceof RSet) for (const x of v.values()) visit([...path, x], x);
  };
  visit([], root);
  return out;
}

const defs: BuiltinDef[] = [
  { name: 'object.get', args: ['object', 'any', 'any'], result: 'any', impl: ([o, k, d]) => objectGet(o as RObject, k!, d!) },
  { name: 'object.keys', args: ['object'], result: 'set', impl: ([o]) => new RSet((o as RObject).keys()) },
  { name: 'object.remove', args: ['object', KEY_COLLECTION], result: 'object', impl: ([o, k]) => objectRemove(o as RObject, k!) },
  { name: 'object.filter', args: ['object', KEY_COLLECTION], result: 'object', impl: ([o, k]) => objectFilter(o as RObject, k!) },
  { name: 'object.union', walks: true, args: ['object', 'object'], result: 'object', impl: ([a, b]) => mergeObjects(a as RObject, b as RObject) },
  { name: 'object.union_n', walks: true, args: ['array'], result: 'object', impl: ([a]) => unionN(a as Value[]) },
  {
    name: 'object.subset', walks: true,
    args: [['object', 'set', 'array'], ['object', 'set', 'array']],
    result: 'boolean',
    impl: ([a, b]) => subset(a!, b!),
  },
  { name: 'walk', walks: true, args: ['any'], result: 'array', relation: true, impl: ([x]) => walk(x!) },
];

registerBuiltins(defs);
