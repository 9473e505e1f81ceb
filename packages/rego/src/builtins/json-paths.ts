/**
 * Path-based document edits (OPA v1/topdown/json.go): json.filter and json.remove take paths as
 * JSON-pointer strings ("a/b/0") or arrays of segments; json.patch applies RFC 6902 operations
 * and is undefined (not an error) when any operation fails, as in OPA.
 */
import { equals, RObject, RSet, typeName, type Value } from '../value.js';
import { itemsOf, operandMessage } from './operands.js';
import { registerBuiltins, type BuiltinDef } from './registry.js';

type Path = Value[];

function parsePath(p: Value): Path {
  if (typeof p === 'string') {
    if (p === '') return [];
    return p
      .replace(/^\/+/, '')
      .split('/')
      .map((part) => part.replaceAll('~1', '/').replaceAll('~0', '~'));
  }
  if (Array.isArray(p)) return [...p];
  throw operandMessage(2, `must be one of {set, array} containing string paths or array of path segments but got ${typeName(p)}`);
}

function pathsOf(v: Value): Path[] {
  return itemsOf(v).map(parsePath);
}

/** The paths as a tree of objects whose leaves are null (OPA's pathsToObject). */
function pathsToTree(paths: Path[]): RObject {
  const root = new RObject();
  for (const path of paths) {
    if (path.length === 0) continue;
    let node = root;
    let done = false;
    for (let i = 0; i < path.length - 1 && !done; i++) {
      const next = node.get(path[i]!);
      if (next === undefined) {
        const obj = new RObject();
        node.set(path[i]!, obj);
        node = obj;
      } else if (next === null) done = true;
      else node = next as RObject;
    }
    if (!done) node.set(path[path.length - 1]!, null);
  }
  return root;
}

/** Keep only what the filter tree names (ast.Object.Filter). */
function filterValue(v: Value, filter: Value): Value {
  if (filter === null) return v;
  const f = filter as RObject;
  if (Array.isArray(v)) {
    const out: Value[] = [];
    v.forEach((x, i) => {
      const sub = f.get(String(i));
      if (sub !== undefined) out.push(filterValue(x, sub));
    });
    return out;
  }
  if (v instanceof RSet) {
    const out = new RSet();
    for (const x of v.values()) {
      const sub = f.get(x);
      if (sub !== undefined) out.add(filterValue(x, sub));
    }
    return out;
  }
  if (v instanceof RObject) {
    const out = new RObject();
    for (const [k, sub] of f.unorderedEntries()) {
      const x = v.get(k);
      if (x !== undefined) out.set(k, filterValue(x, sub));
    }
    return out;
  }
  return v;
}

/** Drop what the tree names at its null leaves; undefined means "removed". */
function removeValue(v: Value, tree: Value | undefined): Value | undefined {
  if (tree === undefined) return v;
  if (tree === null) return undefined;
  if (!(tree instanceof RObject)) return v;
  if (v instanceof RObject) {
    const out = new RObject();
    for (const [k, x] of v.unorderedEntries()) {
      const kept = removeValue(x, tree.get(k));
      if (kept !== undefined) out.set(k, kept);
    }
    return out;
  }
  if (v instanceof RSet) {
    const out = new RSet();
    for (const x of v.unorderedValues()) {
      const kept = removeValue(x, tree.get(x));
      if (kept !== undefined) out.add(kept);
    }
    return out;
  }
  if (Array.isArray(v)) {
    const out: Value[] = [];
    v.forEach((x, i) => {
      const kept = removeValue(x, tree.get(String(i)));
      if (kept !== undefined) out.push(kept);
    });
    return out;
  }
  return v;
}

// ---------------------------------------------------------------------------------------------
// JSON Patch

class PatchError extends Error {}

/** An array index segment: a number, or a decimal string without leading zeros. */
function arrayIndex(seg: Value, length: number, forInsert: boolean): number {
  let i: number;
  if (typeof seg === 'number' && Number.isInteger(seg)) i = seg;
  else if (typeof seg === 'string' && /^(0|[1-9]\d*)$/.test(seg)) i = Number(seg);
  else if (forInsert && seg === '-') i = length;
  else throw new PatchError(`invalid array index ${String(seg)}`);
  if (i < 0 || i > length || (!forInsert && i === length)) throw new PatchError('index out of bounds');
  return i;
}

function getAt(doc: Value, path: Path): Value {
  let node = doc;
  for (const seg of path) {
    if (node instanceof RObject) {
      const next = node.get(seg);
      if (next === undefined) throw new PatchError('path not found');
      node = next;
    } else if (Array.isArray(node)) node = node[arrayIndex(seg, node.length, false)]!;
    else if (node instanceof RSet) {
      if (!node.has(seg)) throw new PatchError('path not found');
      node = seg;
    } else throw new PatchError('path not found');
  }
  return node;
}

/** Copy-on-write update of the parent of path's last segment. */
function update(doc: Value, path: Path, edit: (parent: Value, last: Value) => Value): Value {
  if (path.length === 0) throw new PatchError('empty path');
  const [head, ...rest] = path;
  if (rest.length === 0) return edit(doc, head!);
  if (doc instanceof RObject) {
    const next = doc.get(head!);
    if (next === undefined) throw new PatchError('path not found');
    return new RObject(doc.unorderedEntries()).set(head!, update(next, rest, edit));
  }
  if (Array.isArray(doc)) {
    const i = arrayIndex(head!, doc.length, false);
    const out = [...doc];
    out[i] = update(doc[i]!, rest, edit);
    return out;
  }
  if (doc instanceof RSet) {
    // A set member is its own key: the edited member replaces it.
    if (!doc.has(head!)) throw new PatchError('path not found');
    const out = new RSet(doc.unorderedValues());
    out.delete(head!);
    out.add(update(head!, rest, edit));
    return out;
  }
  throw new PatchError('path not found');
}

function insertAt(doc: Value, path: Path, value: Value): Value {
  if (path.length === 0) return value;
  return update(doc, path, (parent, last) => {
    if (parent instanceof RObject) return new RObject(parent.unorderedEntries()).set(last, value);
    if (Array.isArray(parent)) {
      const out = [...parent];
      out.splice(arrayIndex(last, parent.length, true), 0, value);
      return out;
    }
    if (parent instanceof RSet) {
      if (!equals(last, value)) throw new PatchError('a set member must be added under its own value');
      const out = new RSet(parent.unorderedValues());
      out.add(value);
      return out;
    }
    throw new PatchError('cannot add to a scalar');
  });
}

function deleteAt(doc: Value, path: Path): Value {
  if (path.length === 0) throw new PatchError('cannot remove the root');
  return update(doc, path, (parent, last) => {
    if (parent instanceof RObject) {
      if (!parent.has(last)) throw new PatchError('path not found');
      const out = new RObject(parent.unorderedEntries());
      out.delete(last);
      return out;
    }
    if (Array.isArray(parent)) {
      const out = [...parent];
      out.splice(arrayIndex(last, parent.length, false), 1);
      return out;
    }
    if (parent instanceof RSet) {
      if (!parent.has(last)) throw new PatchError('path not found');
      const out = new RSet(parent.unorderedValues());
      out.delete(last);
      return out;
    }
    throw new PatchError('path not found');
  });
}

const PATCH_OPS = new Set(['add', 'remove', 'replace', 'move', 'copy', 'test']);

function attribute(op: RObject, name: string): Value {
  const v = op.get(name);
  if (v === undefined) throw new PatchError(`missing '${name}' attribute`);
  return v;
}

function applyPatch(doc: Value, ops: Value[]): Value {
  for (const raw of ops) {
    if (!(raw instanceof RObject)) throw new PatchError('patch operation is not an object');
    const op = attribute(raw, 'op');
    if (typeof op !== 'string' || !PATCH_OPS.has(op)) throw new PatchError('unrecognized op');
    const path = parsePath(attribute(raw, 'path'));
    switch (op) {
      case 'add':
        doc = insertAt(doc, path, attribute(raw, 'value'));
        break;
      case 'remove':
        doc = deleteAt(doc, path);
        break;
      case 'replace': {
        const value = attribute(raw, 'value');
        doc = path.length === 0 ? value : insertAt(deleteAt(doc, path), path, value);
        break;
      }
      case 'move': {
        const from = parsePath(attribute(raw, 'from'));
        const chunk = getAt(doc, from);
        doc = insertAt(deleteAt(doc, from), path, chunk);
        break;
      }
      case 'copy': {
        const from = parsePath(attribute(raw, 'from'));
        doc = insertAt(doc, path, getAt(doc, from));
        break;
      }
      case 'test':
        if (!equals(getAt(doc, path), attribute(raw, 'value'))) throw new PatchError('test failed');
        break;
    }
  }
  return doc;
}

function jsonPatch(doc: Value, ops: Value[]): Value | undefined {
  try {
    return applyPatch(doc, ops);
  } catch (e) {
    if (e instanceof PatchError) return undefined;
    throw e;
  }
}

const PATHS = ['set', 'array'] as const;

const defs: BuiltinDef[] = [
  {
    name: 'json.filter', walks: true,
    args: ['object', PATHS],
    result: 'any',
    impl: ([o, p]) => filterValue(o!, pathsToTree(pathsOf(p!))),
  },
  {
    name: 'json.remove', walks: true,
    args: ['object', PATHS],
    result: 'any',
    impl: ([o, p]) => removeValue(o!, pathsToTree(pathsOf(p!))),
  },
  { name: 'json.patch', walks: true, args: ['any', 'array'], result: 'any', impl: ([d, ops]) => jsonPatch(d!, ops as Value[]) },
];

registerBuiltins(defs);
